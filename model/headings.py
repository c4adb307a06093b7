"""How much a sentence reads like a heading, learnt from the headings of the training reports.

A report's headings are its authors' own summary of each part (SPEC's heading recovery scores
summaries against them), and every training report supplies examples for free: heading lines
are positives, body sentences negatives. A logistic regression on TF-IDF of content characters
and character bigrams scores any sentence; the default summariser favours body sentences that
score high, the topic sentences a heading would paraphrase.

The features are the units the summariser already counts, from the same numpy arrays: a
document's bigram counts are reused and characters are looked up in a table, so scoring a
20,000-character report costs well under a millisecond. Training texts go through the very
same `_entries`, so training and use cannot disagree.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from model.document import Document
from model.segment import Paragraph, normalise, sentence_bounds, strip_numbering
from model.summarise import (
    bigram_counts,
    char_bigrams,
    content_of,
    content_positions,
    count_matrix,
    document_bigram_counts,
    smooth_idf,
)

# Characters beyond the Basic Multilingual Plane (emoji, rare CJK) are left out of the unigrams,
# so the character table stays small (bigrams keep them).
_BMP = 0x10000

Arrays = tuple[np.ndarray, np.ndarray, np.ndarray]  # codes, content positions, their row
Bigrams = tuple[sparse.csr_matrix, np.ndarray]  # counts by (row, distinct key), the keys


def examples(documents: Sequence[Sequence[Paragraph]]) -> tuple[list[str], list[str]]:
    """(headings without their numbering, sentences of the body) of training reports."""
    headings: list[str] = []
    sentences: list[str] = []
    for paragraphs in documents:
        for p in paragraphs:
            if p.heading:
                headings.append(strip_numbering(p.text))
                continue
            norm = normalise(p.text)
            sentences += [p.text[a:b] for a, b in sentence_bounds(norm, 0, len(norm))]
    return headings, sentences


def _text_arrays(texts: Sequence[str]) -> tuple[Arrays, Bigrams]:
    """The document arrays for separate texts (training examples), normalised as documents are."""
    lengths = np.array([len(t) for t in texts], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths + 1)[:-1]]).astype(np.int64)
    arrays = content_positions(normalise("\n".join(texts)), starts, starts + lengths)
    return arrays, bigram_counts(*char_bigrams(*arrays), len(texts))


class HeadingModel:
    """P(heading | text) over content characters and bigrams (scikit-learn conventions)."""

    def __init__(self, C: float = 1.0, min_df: int = 2) -> None:
        self.C = C
        self.min_df = min_df

    def fit(self, headings: Sequence[str], sentences: Sequence[str]) -> HeadingModel:
        texts = [*headings, *sentences]
        n = len(texts)
        self.__dict__.pop("_table", None)  # a refit has a new vocabulary
        arrays, bigrams = _text_arrays(texts)
        codes, content, owner = arrays
        chars = codes[content]
        bmp = chars < _BMP
        unigram_df = np.bincount(count_matrix(owner[bmp], chars[bmp], (n, _BMP)).indices)
        bigram_df = np.bincount(bigrams[0].indices, minlength=len(bigrams[1]))
        self.unigrams_ = np.flatnonzero(unigram_df >= self.min_df)
        self.bigrams_ = bigrams[1][bigram_df >= self.min_df]
        df = np.concatenate([unigram_df[self.unigrams_], bigram_df[bigram_df >= self.min_df]])
        self.idf_ = np.append(smooth_idf(df, n), 0.0)  # the last column: unseen units
        self.coef_, self.intercept_ = np.zeros(len(self.idf_)), 0.0
        if headings and sentences and len(df):  # else nothing to learn: P = 0.5 everywhere
            rows, columns, values = self._entries(arrays, bigrams, n)
            X = sparse.csr_matrix((values, (rows, columns)), shape=(n, len(self.idf_)))
            y = np.r_[np.ones(len(headings)), np.zeros(len(sentences))]
            model = LogisticRegression(C=self.C, class_weight="balanced", max_iter=1000)
            with threadpool_limits(1):
                model.fit(X, y)
            self.coef_, self.intercept_ = model.coef_[0], float(model.intercept_[0])
        return self

    def _entries(
        self, arrays: Arrays, bigrams: Bigrams, n: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(row, column, value) of the TF-IDF rows over the learnt vocabulary.

        Sublinear TF times the training IDF, rows L2-normalised (sklearn's TfidfVectorizer);
        unigrams take the first columns, bigrams the next, and unseen units the last one,
        whose IDF is 0: filtering them out would cost more than carrying them.
        """
        codes, content, owner = arrays
        unseen = len(self.idf_) - 1
        width = unseen + 1
        unigram_keys = owner * width + self._unigram_table()[np.minimum(codes[content], _BMP)]
        pairs, unigram_counts = np.unique(unigram_keys, return_counts=True)
        counts, keys = bigrams
        at = np.minimum(np.searchsorted(self.bigrams_, keys), max(len(self.bigrams_) - 1, 0))
        hit = self.bigrams_[at] == keys if len(self.bigrams_) else np.zeros(len(keys), bool)
        bigram_columns = np.where(hit, at + len(self.unigrams_), unseen)[counts.indices]
        rows = np.concatenate([pairs // width, np.repeat(np.arange(n), np.diff(counts.indptr))])
        columns = np.concatenate([pairs % width, bigram_columns])
        values = (1 + np.log(np.concatenate([unigram_counts, counts.data]))) * self.idf_[columns]
        norms = np.sqrt(np.bincount(rows, weights=values * values, minlength=n))
        return rows, columns, values / np.where(norms > 0, norms, 1.0)[rows]

    def _unigram_table(self) -> np.ndarray:
        """Column of each BMP character (the unseen column for the rest), cached."""
        table = self.__dict__.get("_table")
        if table is None:
            table = np.full(_BMP + 1, len(self.idf_) - 1, dtype=np.int64)  # unseen
            table[self.unigrams_] = np.arange(len(self.unigrams_))
            self._table = table
        return table

    def __getstate__(self) -> dict[str, object]:
        """Pickle without the lookup table: it is rebuilt on first use."""
        return {k: v for k, v in self.__dict__.items() if k != "_table"}

    def _probability(self, arrays: Arrays, bigrams: Bigrams, n: int) -> np.ndarray:
        rows, columns, values = self._entries(arrays, bigrams, n)
        logit = np.bincount(rows, weights=values * self.coef_[columns], minlength=n)
        return 1.0 / (1.0 + np.exp(-(logit + self.intercept_)))

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        """P(heading) of each text."""
        return self._probability(*_text_arrays(texts), len(texts))

    def predict_document(self, doc: Document) -> np.ndarray:
        """P(heading) of each sentence of `doc`, from the arrays the summariser shares."""
        return self._probability(content_of(doc), document_bigram_counts(doc), len(doc.sentences))
