"""How much a sentence reads like a heading, learnt from the headings of the training reports.

A report's headings are its authors' own summary of each part (SPEC's heading recovery scores
summaries against them), and every training report supplies examples for free: heading lines
are positives, body sentences negatives. A logistic regression on TF-IDF of content characters
and character bigrams (the units the summariser already counts, built with numpy over code
points) scores any sentence; the default summariser favours body sentences that score high,
the topic sentences a heading would paraphrase.
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
    char_bigrams,
    content_of,
    content_positions,
    count_matrix,
    smooth_idf,
    tfidf,
)


def _grams(
    codes: np.ndarray, content: np.ndarray, owner: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(key, row) of every content character and character bigram: unigram keys are code
    points, bigram keys lie above them (`char_bigrams`)."""
    keys, rows = char_bigrams(codes, content, owner)
    return np.concatenate([codes[content].astype(np.uint64), keys]), np.concatenate([owner, rows])


def text_grams(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """`_grams` of separate texts (training examples), normalised as documents are."""
    lengths = np.array([len(t) + 1 for t in texts], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    joined = normalise("\n".join(texts))
    return _grams(*content_positions(joined, starts, starts + lengths - 1))


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


class HeadingModel:
    """P(heading | text) over content characters and bigrams (scikit-learn conventions)."""

    def __init__(self, C: float = 1.0, min_df: int = 2) -> None:
        self.C = C
        self.min_df = min_df

    def fit(self, headings: Sequence[str], sentences: Sequence[str]) -> HeadingModel:
        texts = [*headings, *sentences]
        keys, rows = text_grams(texts)
        present = np.unique(np.stack([keys, rows.astype(np.uint64)]), axis=1)[0]
        vocab, df = np.unique(present, return_counts=True)
        self.vocab_ = vocab[df >= self.min_df]
        self.idf_ = smooth_idf(df[df >= self.min_df], len(texts))
        y = np.r_[np.ones(len(headings)), np.zeros(len(sentences))]
        model = LogisticRegression(C=self.C, class_weight="balanced", max_iter=1000)
        if len(set(y)) == 2 and len(self.vocab_):
            with threadpool_limits(1):
                model.fit(self._vectors(keys, rows, len(texts)), y)
            self.coef_, self.intercept_ = model.coef_[0], float(model.intercept_[0])
        else:  # a corpus without headings (or only headings) teaches nothing
            self.coef_, self.intercept_ = np.zeros(max(len(self.vocab_), 1)), 0.0
        return self

    def _vectors(self, keys: np.ndarray, rows: np.ndarray, n: int) -> sparse.csr_matrix:
        """TF-IDF rows over the learnt vocabulary; unseen grams are dropped."""
        columns = np.searchsorted(self.vocab_, keys)
        known = columns < len(self.vocab_)
        known[known] = self.vocab_[columns[known]] == keys[known]
        counts = count_matrix(rows[known], columns[known], (n, max(len(self.vocab_), 1)))
        return tfidf(counts, self.idf_ if len(self.vocab_) else np.ones(1))

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        """P(heading) of each text."""
        return self._probability(self._vectors(*text_grams(texts), len(texts)))

    def predict_document(self, doc: Document) -> np.ndarray:
        """P(heading) of each sentence of `doc`, from the arrays the summariser shares."""
        keys, rows = _grams(*content_of(doc))
        return self._probability(self._vectors(keys, rows, len(doc.sentences)))

    def _probability(self, vectors: sparse.csr_matrix) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(vectors @ self.coef_ + self.intercept_)))
