"""How much a sentence reads like a heading, learnt from the headings of the training reports.

A report's headings are its authors' own summary of each part (SPEC's heading recovery scores
summaries against them), and every training report supplies examples for free: heading lines
are positives, body sentences negatives. A logistic regression on TF-IDF of character bigrams
scores any sentence; the default summariser favours body sentences that score high, the topic
sentences a heading would paraphrase.

The features are the character bigrams the summariser already counts for each sentence, so a
document's scores reuse those counts and cost a few hundred microseconds for 20,000
characters. Adding single characters raised heading recovery on the seeds (R-2 0.241
against 0.216; the same on the State Council reports) but tripled that cost, which the 20 ms
budget for a report does not have. Training texts and documents go through the same
`tfidf` as the summariser's vectors, with the training IDF, so training and use cannot disagree.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from model.text.bags import document_bigram_counts
from model.text.document import Document, content_positions
from model.text.segment import Paragraph, normalise, sentence_bounds, strip_numbering
from model.vectors.csr import CSR
from model.vectors.features import bigram_counts, char_bigrams, smooth_idf, tfidf

Bigrams = tuple[CSR, np.ndarray]  # counts by (text, distinct bigram), the bigrams


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


def text_bigrams(texts: Sequence[str]) -> Bigrams:
    """The bigram counts of separate texts (training examples), normalised as documents are."""
    lengths = np.array([len(t) for t in texts], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths + 1)[:-1]]).astype(np.int64)
    arrays = content_positions(normalise("\n".join(texts)), starts, starts + lengths)
    return bigram_counts(*char_bigrams(*arrays), len(texts))


class HeadingModel:
    """P(heading | text) over character bigrams (scikit-learn conventions)."""

    def __init__(self, C: float = 1.0, min_df: int = 2) -> None:
        self.C = C
        self.min_df = min_df

    def fit(self, headings: Sequence[str], sentences: Sequence[str]) -> HeadingModel:
        texts = [*headings, *sentences]
        counts, keys = text_bigrams(texts)
        df = np.bincount(counts.indices, minlength=len(keys))
        kept = df >= self.min_df
        self.bigrams_ = keys[kept]
        self.idf_ = smooth_idf(df[kept], len(texts))
        self.coef_, self.intercept_ = np.zeros(len(self.bigrams_)), 0.0
        if headings and sentences and len(self.bigrams_):  # else P = 0.5 everywhere
            from sklearn.linear_model import LogisticRegression
            from threadpoolctl import threadpool_limits

            X = self._vectors(counts, keys).to_scipy()[:, np.flatnonzero(kept)]  # = bigrams_
            y = np.r_[np.ones(len(headings)), np.zeros(len(sentences))]
            model = LogisticRegression(C=self.C, class_weight="balanced", max_iter=1000)
            with threadpool_limits(1):
                model.fit(X, y)
            self.coef_, self.intercept_ = model.coef_[0], float(model.intercept_[0])
        return self

    def _learnt(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(IDF, coefficient) of each of the sorted `keys`; 0 and 0 for bigrams never kept.

        The model's bigrams are looked up among the text's, not the other way round: both
        are sorted and the model has fewer, so the search is short.
        """
        size = max(len(keys), 1)  # as the counts' columns: one, empty, when there is no bigram
        idf, coef = np.zeros(size), np.zeros(size)
        if len(keys) and len(self.bigrams_):
            at = np.minimum(np.searchsorted(keys, self.bigrams_), len(keys) - 1)
            found = keys[at] == self.bigrams_
            idf[at[found]], coef[at[found]] = self.idf_[found], self.coef_[found]
        return idf, coef

    def _vectors(self, counts: CSR, keys: np.ndarray) -> CSR:
        """TF-IDF rows in the columns of `keys`, with the training IDF; bigrams the model
        never kept weigh 0."""
        return tfidf(counts, self._learnt(keys)[0])

    def _probability(self, counts: CSR, keys: np.ndarray) -> np.ndarray:
        idf, coef = self._learnt(keys)
        logit = tfidf(counts, idf) @ coef + self.intercept_
        return 1.0 / (1.0 + np.exp(-logit))

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        """P(heading) of each text."""
        return self._probability(*text_bigrams(texts))

    def predict_document(self, doc: Document) -> np.ndarray:
        """P(heading) of each sentence of `doc`, from the bigram counts the summariser shares."""
        return self._probability(*document_bigram_counts(doc))
