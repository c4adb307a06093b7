"""N-gram keys, count rows and TF-IDF weighting, in numpy: the one copy of each.

The classifier's features, the summarisers' sentence vectors, the heading model, the background
statistics and the comparisons of many reports all pack n-grams with `ngram_keys` and weigh
counts with `weigh` / `tfidf`, so training and serving (and one use and another) agree.

The scikit-learn vectorisers the classifier is fitted with (`model.learn.vectorisers`) transform
through these functions, and so does the lean classifier that serves the fitted arrays
(`model.learn.lean`), so the two cannot drift apart.

sklearn builds every character n-gram of a report as a Python string and looks each one up in
a dict; on a 20,000-character report that loop costs more than everything else in a request.
Here the n-grams are integer keys made from code points and found with a binary search, giving
exactly sklearn's matrix.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from itertools import chain, repeat

import numpy as np

from model.vectors.csr import CSR, canonical, csr_by_rows

_BIGRAM = np.uint64(1 << 42)  # keeps bigram keys apart from unigram keys
_ROW_BITS = np.uint64(21)  # (n-gram, unit) pairs in one integer: up to 2**21 units
_ROW_MASK = np.uint64((1 << 21) - 1)
# sklearn's character analyzer squeezes runs of white space to one space first.
_WHITE_SPACES = re.compile(r"\s\s+")


def squeeze_spaces(text: str) -> str:
    """A text as sklearn's character analyzer sees it: each run of white space one space."""
    return _WHITE_SPACES.sub(" ", text)


def ngram_keys(characters: Sequence[np.ndarray], bits: int = 21) -> np.ndarray:
    """Integer keys of n-grams given as aligned arrays of code points, one array per position:
    the first character in the highest bits, each next one `bits` lower.

    Sorting the keys sorts the n-grams by their characters. 21 bits hold any code point, so
    three characters fit in 64 bits; 16 bits (BMP codes) hold four.
    """
    keys = np.zeros(len(characters[0]) if len(characters) else 0, dtype=np.uint64)
    shift = np.uint64(bits)
    for codes in characters:
        keys = (keys << shift) | codes.astype(np.uint64)
    return keys


def code_points(text: str) -> np.ndarray:
    """The code points of a text, as uint64 ready for `ngram_keys`."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(
        np.uint64
    )


def ngram_index(vocabulary: Mapping[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """(sorted n-gram keys, their columns) of a vocabulary of 1- and 2-character n-grams,
    keyed as `char_ngram_counts` keys them."""
    terms = list(vocabulary)
    pair = np.fromiter(map(len, terms), dtype=np.int64, count=len(terms)) == 2
    first = code_points("".join(t[0] for t in terms))
    second = code_points("".join(t[-1] for t in terms))
    keys = np.where(pair, _BIGRAM | ngram_keys([first, second]), first)
    columns = np.fromiter(vocabulary.values(), dtype=np.int64, count=len(keys))
    order = np.argsort(keys)
    return keys[order], columns[order]


def char_ngram_counts(
    texts: Sequence[str],
    keys: np.ndarray,
    columns: np.ndarray,
    size: int,
    bigrams: bool = True,
    dtype: type = np.float64,
) -> CSR:
    """Counts of the character 1-grams (and 2-grams) of each text in the vocabulary given by
    `ngram_index`; `size` columns. The texts are as the analyzer sees them (`squeeze_spaces`).
    """
    n = len(texts)
    codes = code_points("".join(texts))
    owner = np.repeat(np.arange(n), [len(t) for t in texts])
    all_keys, rows = codes, owner
    if bigrams:
        same = owner[:-1] == owner[1:]
        pairs = _BIGRAM | ngram_keys([codes[:-1][same], codes[1:][same]])
        all_keys, rows = np.concatenate([codes, pairs]), np.concatenate([owner, owner[:-1][same]])
    # One sort of (n-gram, unit) pairs yields the counts and sorted keys for the binary
    # search (numpy's search is slow on unsorted needles); a stable sort by unit then puts
    # each unit's n-grams in key order, as a sort by (unit, n-gram) would.
    packed, tally = np.unique((all_keys << _ROW_BITS) | rows.astype(np.uint64), return_counts=True)
    all_keys, rows = packed >> _ROW_BITS, (packed & _ROW_MASK).astype(np.int64)
    at = np.minimum(np.searchsorted(keys, all_keys), max(len(keys) - 1, 0))
    found = keys[at] == all_keys if len(keys) else np.zeros(len(all_keys), dtype=bool)
    return csr_by_rows(rows[found], columns[at[found]], tally[found].astype(dtype), (n, size))


def token_counts(
    docs: Sequence[Sequence[str]],
    vocabulary: Mapping[str, int],
    binary: bool = False,
    dtype: type = np.int64,
) -> CSR:
    """CountVectorizer's count matrix of pre-cut tokens, columns sorted within each row.

    The lookup runs through one `map(dict.get, …)` in C instead of sklearn's per-token loop.
    """
    n = len(docs)
    # One lookup over every token of every unit; -1 marks tokens outside the vocabulary.
    found = np.fromiter(
        map(vocabulary.get, chain.from_iterable(docs), repeat(-1)),
        dtype=np.int64,
        count=sum(map(len, docs)),
    )
    known = found >= 0
    owner = np.repeat(np.arange(n), [len(d) for d in docs])[known]
    ones = np.ones(len(owner), dtype=dtype)
    counts = canonical(owner, found[known], ones, (n, len(vocabulary)))
    if binary:
        counts.data.fill(1)
    return counts


def weigh(counts: CSR, idf: np.ndarray | None, sublinear: bool) -> CSR:
    """TfidfTransformer's arithmetic with the L2 norm on counts: (sublinear) TF × IDF, rows
    scaled to unit length (rows without an entry stay empty)."""
    n = counts.shape[0]
    data = counts.data
    if sublinear:
        data = np.log(data)
        data += 1
    if idf is not None:
        data = _apply(np.multiply, data, idf[counts.indices], fresh=data is not counts.data)
    owner = counts.rows()
    norms = np.sqrt(np.bincount(owner, weights=data * data, minlength=n))
    scale = np.where(norms > 0, norms, 1.0)[owner]
    data = _apply(np.divide, data, scale, fresh=data is not counts.data)
    return CSR(data, counts.indices, counts.indptr, counts.shape, owner)


def _apply(op: np.ufunc, data: np.ndarray, other: np.ndarray, fresh: bool) -> np.ndarray:
    """op(data, other), in place when `data` is a fresh array of the result's type: the
    weighting of a large archive's millions of entries then holds no extra copy."""
    if fresh and np.result_type(data, other) == data.dtype:
        return op(data, other, out=data)
    return op(data, other)


def smooth_idf(df: np.ndarray, n: int) -> np.ndarray:
    """sklearn's smoothed IDF of terms found in `df` of `n` texts."""
    return np.log((1 + n) / (1 + df)) + 1


def tfidf(counts: CSR, idf: np.ndarray | None = None) -> CSR:
    """Sublinear TF, smoothed IDF over the rows (or the given IDF), L2-normalised rows.

    As sklearn's TfidfVectorizer(sublinear_tf=True) with its defaults; `counts` has no repeated
    entry in a row (as every count matrix made here).
    """
    if idf is None:
        idf = smooth_idf(np.bincount(counts.indices, minlength=counts.shape[1]), counts.shape[0])
    return weigh(counts, idf, sublinear=True)


def count_matrix(rows: np.ndarray, columns: np.ndarray, shape: tuple[int, int]) -> CSR:
    """Counts of (row, column) pairs as a canonical CSR matrix (sorted, summed duplicates).

    One sort of integer keys replaces scipy's COO conversion and duplicate summing.
    """
    keys, tally = np.unique(rows * shape[1] + columns, return_counts=True)
    indptr = np.zeros(shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(keys // shape[1], minlength=shape[0]), out=indptr[1:])
    return CSR(tally.astype(float), keys % shape[1], indptr, shape)


def char_bigrams(
    codes: np.ndarray, content: np.ndarray, owner: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(key, span) of every pair of adjacent content characters within one span."""
    pair = owner[:-1] == owner[1:]
    chars = codes[content]
    return ngram_keys([chars[:-1][pair], chars[1:][pair]]), owner[:-1][pair]


# Bigram keys hold two 21-bit code points, leaving 22 bits for the row in 64.
_PAIR_ROW_BITS = 22


def bigram_counts(keys: np.ndarray, rows: np.ndarray, n: int) -> tuple[CSR, np.ndarray]:
    """Row × bigram counts, a bigram's column being its rank among the distinct keys, and
    those distinct keys (sorted).

    One sort of (bigram, row) pairs packed in 64 bits gives the counts and the ranks; the
    stable sort by row then keeps each row's columns in order.
    """
    if n >= 1 << _PAIR_ROW_BITS:  # the pairs no longer fit in 64 bits
        distinct_keys, columns = np.unique(keys, return_inverse=True)
        shape = (n, len(distinct_keys) or 1)
        return count_matrix(rows, columns.ravel(), shape), distinct_keys
    pairs, tally = np.unique(
        (keys << np.uint64(_PAIR_ROW_BITS)) | rows.astype(np.uint64), return_counts=True
    )
    keys = pairs >> np.uint64(_PAIR_ROW_BITS)
    distinct = np.ones(len(keys), dtype=bool)
    np.not_equal(keys[1:], keys[:-1], out=distinct[1:])
    columns = np.cumsum(distinct) - 1
    rows = (pairs & np.uint64((1 << _PAIR_ROW_BITS) - 1)).astype(np.int64)
    counts = csr_by_rows(rows, columns, tally.astype(float), (n, int(distinct.sum()) or 1))
    return counts, keys[distinct]
