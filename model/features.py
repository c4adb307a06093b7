"""TF-IDF and count vectorisers with the same output as sklearn's and a faster transform.

sklearn builds every character n-gram of a report as a Python string and looks each one up in
a dict; on a 20,000-character report that loop costs more than everything else in a request.
Here the n-grams are integer keys made from code points and found with a binary search, giving
exactly sklearn's matrix.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain, repeat
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

_SHIFT = np.uint64(21)  # code points fit in 21 bits
_BIGRAM = np.uint64(1 << 42)  # keeps bigram keys apart from unigram keys
_ROW_BITS = np.uint64(21)  # (n-gram, unit) pairs in one integer: up to 2**21 units
_ROW_MASK = np.uint64((1 << 21) - 1)


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
        raw_documents = list(raw_documents)
        if not self._fast() or not hasattr(self, "ngram_keys_") or len(raw_documents) >> 21:
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
        # One sort of (n-gram, unit) pairs yields the counts and sorted keys for the binary
        # search (numpy's search is slow on unsorted needles); a stable sort by unit then puts
        # each unit's n-grams in key order, as a sort by (unit, n-gram) would.
        pairs, tally = np.unique((keys << _ROW_BITS) | rows.astype(np.uint64), return_counts=True)
        keys, rows = pairs >> _ROW_BITS, (pairs & _ROW_MASK).astype(np.int64)
        vocab_keys = self.ngram_keys_
        at = np.minimum(np.searchsorted(vocab_keys, keys), max(len(vocab_keys) - 1, 0))
        found = vocab_keys[at] == keys if len(vocab_keys) else np.zeros(len(keys), dtype=bool)
        counts = csr_by_rows(
            rows[found],
            self.ngram_columns_[at[found]],
            tally[found].astype(self.dtype),
            (n, len(self.vocabulary_)),
        )
        if self.binary:
            counts.data.fill(1)
        return _weigh(self, counts)


def csr_by_rows(
    rows: np.ndarray, columns: np.ndarray, data: np.ndarray, shape: tuple[int, int]
) -> sparse.csr_matrix:
    """CSR matrix of entries, each row keeping its entries in their given order.

    A stable sort by row does it; a stable sort of 16-bit integers is a radix sort, several
    times faster than int64's.
    """
    n = shape[0]
    order = np.argsort(rows.astype(np.uint16 if n <= 0xFFFF else np.int64), kind="stable")
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    return sparse.csr_matrix((data[order], columns[order], indptr), shape=shape)


def _weigh(vectoriser: TfidfVectorizer, counts: sparse.csr_matrix) -> sparse.csr_matrix:
    """TfidfTransformer's arithmetic on fitted counts, without its input validation.

    The validation (dtype and finiteness checks) costs more than the arithmetic on one report.
    """
    if vectoriser.norm != "l2":
        return vectoriser._tfidf.transform(counts, copy=False)
    n = counts.shape[0]
    data = counts.data
    if vectoriser.sublinear_tf:
        data = np.log(data) + 1
    if vectoriser.use_idf:
        data = data * vectoriser.idf_[counts.indices]
    owner = np.repeat(np.arange(n), np.diff(counts.indptr))
    norms = np.sqrt(np.bincount(owner, weights=data * data, minlength=n))
    data = data / np.where(norms > 0, norms, 1.0)[owner]
    return sparse.csr_matrix((data, counts.indices, counts.indptr), shape=counts.shape)


def _token_counts(vectoriser: CountVectorizer, raw_documents: Iterable[Any]) -> sparse.csr_matrix:
    """CountVectorizer's count matrix for a callable analyzer (pre-cut tokens).

    The lookup runs through one `map(dict.get, …)` in C instead of sklearn's per-token loop.
    """
    docs = [vectoriser.analyzer(vectoriser.decode(doc)) for doc in raw_documents]
    n = len(docs)
    # One lookup over every token of every unit; -1 marks tokens outside the vocabulary.
    found = np.fromiter(
        map(vectoriser.vocabulary_.get, chain.from_iterable(docs), repeat(-1)),
        dtype=np.int64,
        count=sum(map(len, docs)),
    )
    known = found >= 0
    owner = np.repeat(np.arange(n), [len(d) for d in docs])[known]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(owner, minlength=n), out=indptr[1:])
    counts = sparse.csr_matrix(
        (np.ones(len(owner), dtype=vectoriser.dtype), found[known], indptr),
        shape=(n, len(vectoriser.vocabulary_)),
    )
    counts.sum_duplicates()
    if vectoriser.binary:
        counts.data.fill(1)
    return counts


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
        return _token_counts(self, raw_documents)
