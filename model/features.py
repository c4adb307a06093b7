"""TF-IDF rows and n-gram counts, in numpy: one implementation for training and serving.

The scikit-learn vectorisers the classifier is fitted with (`model.vectorisers`) transform
through these functions, and so does the lean classifier that serves the fitted arrays
(`model.lean`), so the two cannot drift apart.

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

from model.csr import CSR, canonical, csr_by_rows

_SHIFT = np.uint64(21)  # code points fit in 21 bits
_BIGRAM = np.uint64(1 << 42)  # keeps bigram keys apart from unigram keys
_ROW_BITS = np.uint64(21)  # (n-gram, unit) pairs in one integer: up to 2**21 units
_ROW_MASK = np.uint64((1 << 21) - 1)
# sklearn's character analyzer squeezes runs of white space to one space first.
_WHITE_SPACES = re.compile(r"\s\s+")


def squeeze_spaces(text: str) -> str:
    """A text as sklearn's character analyzer sees it: each run of white space one space."""
    return _WHITE_SPACES.sub(" ", text)


def ngram_key(ngram: str) -> int:
    """The integer key of a 1- or 2-character n-gram, as `char_ngram_counts` computes it."""
    key = 0
    for c in ngram:
        key = (key << 21) | ord(c)
    return key | (1 << 42) if len(ngram) == 2 else key


def ngram_index(vocabulary: Mapping[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """(sorted n-gram keys, their columns) of a character n-gram vocabulary."""
    keys = np.array([ngram_key(t) for t in vocabulary], dtype=np.uint64)
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
    codes = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    codes = codes.astype(np.uint64)
    owner = np.repeat(np.arange(n), [len(t) for t in texts])
    all_keys, rows = codes, owner
    if bigrams:
        same = owner[:-1] == owner[1:]
        pairs = _BIGRAM | (codes[:-1][same] << _SHIFT) | codes[1:][same]
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
        data = np.log(data) + 1
    if idf is not None:
        data = data * idf[counts.indices]
    owner = counts.rows()
    norms = np.sqrt(np.bincount(owner, weights=data * data, minlength=n))
    data = data / np.where(norms > 0, norms, 1.0)[owner]
    return CSR(data, counts.indices, counts.indptr, counts.shape, owner)
