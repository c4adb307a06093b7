"""A character n-gram TF-IDF vectoriser whose transform runs in numpy.

sklearn builds every character n-gram of a report as a Python string and looks each one up in
a dict; on a 20,000-character report that loop costs more than everything else in a request.
Here the n-grams are integer keys made from code points and found with a binary search, giving
exactly sklearn's matrix.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

_SHIFT = np.uint64(21)  # code points fit in 21 bits
_BIGRAM = np.uint64(1 << 42)  # keeps bigram keys apart from unigram keys


def _key(ngram: str) -> int:
    """The integer key of a 1- or 2-character n-gram, as `transform` computes it."""
    key = 0
    for c in ngram:
        key = (key << 21) | ord(c)
    return key | (1 << 42) if len(ngram) == 2 else key


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

    def _fast(self) -> bool:
        return (
            self.analyzer == "char"
            and tuple(self.ngram_range) in ((1, 1), (1, 2))
            and (self.preprocessor is not None or not (self.lowercase or self.strip_accents))
            and self.input == "content"
        )

    def _index_vocabulary(self) -> None:
        if not self._fast():
            return
        keys = np.array([_key(t) for t in self.vocabulary_], dtype=np.uint64)
        columns = np.fromiter(self.vocabulary_.values(), dtype=np.int64, count=len(keys))
        order = np.argsort(keys)
        self.ngram_keys_, self.ngram_columns_ = keys[order], columns[order]

    def transform(self, raw_documents: Iterable[Any]) -> sparse.csr_matrix:
        if not self._fast() or not hasattr(self, "ngram_keys_"):
            return super().transform(raw_documents)
        preprocess = self.build_preprocessor()
        texts = [self._white_spaces.sub(" ", preprocess(self.decode(d))) for d in raw_documents]
        n = len(texts)
        codes = np.frombuffer(
            "".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32
        ).astype(np.uint64)
        owner = np.repeat(np.arange(n), [len(t) for t in texts])
        keys, rows = codes, owner
        if self.ngram_range[1] == 2:
            same = owner[:-1] == owner[1:]
            bigrams = _BIGRAM | (codes[:-1][same] << _SHIFT) | codes[1:][same]
            keys, rows = np.concatenate([codes, bigrams]), np.concatenate([owner, owner[:-1][same]])
        # Binary search on the distinct keys only: numpy's search is slow on unsorted needles.
        distinct, inverse = np.unique(keys, return_inverse=True)
        vocab_keys = self.ngram_keys_
        at = np.minimum(np.searchsorted(vocab_keys, distinct), max(len(vocab_keys) - 1, 0))
        hit = vocab_keys[at] == distinct if len(vocab_keys) else np.zeros(len(distinct), bool)
        column = np.where(hit, self.ngram_columns_[at] if len(vocab_keys) else -1, -1)[inverse]
        found = column >= 0
        counts = sparse.csr_matrix(
            (np.ones(int(found.sum()), dtype=self.dtype), (rows[found], column[found])),
            shape=(n, len(self.vocabulary_)),
        )
        counts.sum_duplicates()
        if self.binary:
            counts.data.fill(1)
        return self._tfidf.transform(counts, copy=False)
