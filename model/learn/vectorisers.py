"""scikit-learn vectorisers whose transform is `model.vectors.features`: sklearn's matrices, faster.

Only training and evaluation use these (they import scikit-learn); serving reads the fitted
vocabularies and IDF as plain arrays and calls the same `model.vectors.features` functions
(`model.learn.lean`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

from model.vectors.csr import CSR
from model.vectors.features import (
    char_ngram_counts,
    ngram_index,
    squeeze_spaces,
    token_counts,
    weigh,
)


class CharNgramTfidf(TfidfVectorizer):
    """TfidfVectorizer(analyzer="char", ngram_range=(1, 2)) with a vectorised transform.

    Other settings (lowercase, accents, n > 2) take sklearn's own path.
    """

    def fit(self, raw_documents: Iterable[Any], y: Any = None) -> CharNgramTfidf:
        super().fit(raw_documents, y)
        self._index_vocabulary()
        return self

    def fit_transform(self, raw_documents: Iterable[Any], y: Any = None) -> sparse.csr_matrix:
        X = super().fit_transform(raw_documents, y)
        self._index_vocabulary()
        return X

    def fast(self) -> bool:
        """Whether `model.vectors.features.char_ngram_counts` computes this vectoriser's counts."""
        return (
            self.analyzer == "char"
            and tuple(self.ngram_range) in ((1, 1), (1, 2))
            and (self.preprocessor is not None or not (self.lowercase or self.strip_accents))
            and self.input == "content"
        )

    def _index_vocabulary(self) -> None:
        if self.fast():
            self.ngram_keys_, self.ngram_columns_ = ngram_index(self.vocabulary_)

    def transform(self, raw_documents: Iterable[Any]) -> sparse.csr_matrix:
        raw_documents = list(raw_documents)
        if not self.fast() or not hasattr(self, "ngram_keys_") or len(raw_documents) >> 21:
            return super().transform(raw_documents)
        preprocess = self.build_preprocessor()
        texts = [squeeze_spaces(preprocess(self.decode(d))) for d in raw_documents]
        counts = char_ngram_counts(
            texts,
            self.ngram_keys_,
            self.ngram_columns_,
            len(self.vocabulary_),
            bigrams=self.ngram_range[1] == 2,
            dtype=self.dtype,
        )
        if self.binary:
            counts.data.fill(1)
        return _weigh(self, counts)


def _weigh(vectoriser: TfidfVectorizer, counts: CSR) -> sparse.csr_matrix:
    """TfidfTransformer's arithmetic on fitted counts, without its input validation.

    The validation (dtype and finiteness checks) costs more than the arithmetic on one report.
    """
    if vectoriser.norm != "l2":
        return vectoriser._tfidf.transform(counts.to_scipy(), copy=False)
    idf = vectoriser.idf_ if vectoriser.use_idf else None
    return weigh(counts, idf, vectoriser.sublinear_tf).to_scipy()


def _token_counts(vectoriser: CountVectorizer, raw_documents: Iterable[Any]) -> CSR:
    """CountVectorizer's count matrix for a callable analyzer (pre-cut tokens)."""
    docs = [vectoriser.analyzer(vectoriser.decode(doc)) for doc in raw_documents]
    return token_counts(docs, vectoriser.vocabulary_, vectoriser.binary, vectoriser.dtype)


class TokenTfidf(TfidfVectorizer):
    """TfidfVectorizer with a callable analyzer (pre-cut words) and a leaner transform."""

    def transform(self, raw_documents: Iterable[Any]) -> sparse.csr_matrix:
        if not callable(self.analyzer):
            return super().transform(raw_documents)
        return _weigh(self, _token_counts(self, raw_documents))


class TokenCounts(CountVectorizer):
    """CountVectorizer with a callable analyzer (context tokens) and a leaner transform."""

    def transform(self, raw_documents: Iterable[Any]) -> sparse.csr_matrix:
        if not callable(self.analyzer):
            return super().transform(raw_documents)
        return _token_counts(self, raw_documents).to_scipy()
