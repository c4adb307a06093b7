"""Comparing the reports of an archive: shared problems, recurring problems, copied text, rates.

An archive holds many bodies' reports over many years. Read together they answer questions no
single report does: which problems do many bodies admit (`problem_clusters`), which problems
does one body admit year after year without fixing them (`recurring_problems`), which
paragraphs were copied from a template or from another body (`shared_passages`), and how many
reports carry the four required parts and came out on time (`rates`).

Pure: the input is plain report dicts as the archive store passes them, so the server, the
CLI and the evaluation give one answer:

    {"id", "issuer", "issuer_kind", "level", "year", "timeliness", "contents",
     "problems": [{"index", "title", "text"}], "paragraphs": [{"index", "text", "label"}]}

Similar texts are found without comparing every pair: MinHash LSH proposes candidate pairs,
which are then checked exactly. Reports added later are compared with what came before, and
nothing else is done again (`ProblemIndex`, `PassageIndex`). Everything runs on numpy arrays
for a chunk of texts at once: TF-IDF rows as CSR (model/vectors/csr.py), MinHash signatures
computed in bulk with datasketch's permutations and hashing (bit for bit its values), LSH
buckets grouped by sorting, candidate cosines and Jaccards as batched lookups.
"""

from __future__ import annotations

import hashlib
import re
import time
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from functools import cache
from itertools import repeat
from operator import mul
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from model.labels import REQUIRED
from model.text.segment import is_heading, normalise
from model.vectors.csr import CSR
from model.vectors.features import count_matrix, ngram_keys, smooth_idf, weigh

Report = Mapping[str, Any]

# -- thresholds ----------------------------------------------------------------------------------

# Problem clusters: two items are linked when the cosine of their TF-IDF character-bigram
# vectors reaches CLUSTER_THRESHOLD; two groups merge only while the mean cosine over all their
# cross pairs stays at CLUSTER_AVERAGE or more (average linkage), so one loose link cannot chain
# "执法人员素质" to "信息公开" through a run of half-similar items. Set on hand-made paraphrases
# (tests/model/test_compare.py): rewordings of one problem score 0.45-0.7, different problems of
# the same report under 0.25.
CLUSTER_THRESHOLD = 0.45
CLUSTER_AVERAGE = 0.3
# Recurring problems: the same body's items in two years at this cosine or more. Set for
# precision on the State Council work reports 1992-2025 (training/recurring_eval.py) when they
# gave 89 items: at 0.3, 10 of 12 pairs were one problem, the two wrong ones being overview
# paragraphs ("清醒看到面临的困难和挑战") that shared stock wording; at 0.4 all 5 were. Since a
# framed paragraph gives one item per sentence (188 items), 0.4 finds 57 pairs, and 29 of a
# seeded sample of 30, judged by hand (seeds/audit/recurring.sample.jsonl), are one problem.
RECURRING_THRESHOLD = 0.4
RECURRING_EXAMPLES = 3  # pairs shown for each body in `recurring_by_issuer`
# Shared passages: exact Jaccard of character 5-gram sets. 0.8 keeps a template with a changed
# name or figure and drops two paragraphs that merely treat one subject in stock phrases.
SHARED_THRESHOLD = 0.8
SHARED_MIN_CHARS = 60  # shorter paragraphs are stock sentences everyone writes alike
SHINGLE = 5  # a 5-gram is about two words: rarely shared by chance, robust to one changed word
EXCERPT_CHARS = 120
# MinHash: 128 permutations estimate a Jaccard of 0.8 within about ±0.035 (one standard
# error), ample for proposing candidates that are then checked exactly. The seed fixes the
# permutations, so results are reproducible.
NUM_PERM = 128
MINHASH_SEED = 1
# Blocking for problem clusters: LSH at this bigram-set Jaccard proposes the candidates. Set
# low because paraphrases share few bigrams; the exact cosine decides.
BLOCK_JACCARD = 0.2
# Bigrams in more than this share of the sentences of the fixed table ("工作", "进一步") are
# left out of the blocking sets: nearly every item has them, so they would make everything a
# candidate.
BLOCK_COMMON = 0.05
# An LSH bucket with more members than this is checked along a sorted window of BUCKET_WINDOW
# neighbours, not all pairs, so a large family of near-duplicates costs linear rather than
# quadratic time (the other bands' buckets add the links a window misses).
BUCKET_PAIRS = 40
BUCKET_WINDOW = 2

_CONTENT = re.compile(r"[\u4e00-\u9fff0-9A-Za-z]+")
_SPACE = re.compile(r"\s+")
_BRACKETS = re.compile(r"（[^（）]*）|〔[^〔〕]*〕|【[^【】]*】|\[[^\[\]]*\]")
_QUOTES = re.compile(r"[“”\"'‘’《》]")
_GOVERNMENT = re.compile(r"(?<!人民)政府")
_CPC = re.compile(r"^(?:中共|中国共产党)")
_MASK32 = np.uint64(0xFFFFFFFF)


# -- issuers ---------------------------------------------------------------------------------------


def normalise_issuer(name: str | None) -> str | None:
    """One spelling per body, so its reports of different years can be matched.

    The same body writes its name with full- or half-width characters, in traditional or
    simplified script, with or without 中共 in front (a party committee), and 政府 or
    人民政府. Bracketed content is dropped: "武汉经济技术开发区（汉南区）" names one body
    under its second name, which some years' reports add and others omit. Abbreviations are
    not expanded: "海宁市住建局" stays itself, since guessing the full name could merge two
    different bodies. None or a blank name gives None: no body is known.
    """
    if not name:
        return None
    text = _SPACE.sub("", normalise(name))
    stripped = _BRACKETS.sub("", text)
    text = stripped or text  # a name that is all brackets keeps them
    text = _QUOTES.sub("", text)
    text = _CPC.sub("", text)
    text = _GOVERNMENT.sub("人民政府", text)
    return text or None


def _issuer_key(report: Report) -> Hashable:
    """Who wrote a report; an unknown issuer is taken as a body of its own, never as another's."""
    issuer = normalise_issuer(report.get("issuer"))
    return issuer if issuer is not None else ("report", report.get("id"))


# -- shared helpers --------------------------------------------------------------------------------


def _compact(text: str) -> str:
    """Normalised content characters only: punctuation and spaces do not make texts differ."""
    return "".join(_CONTENT.findall(normalise(text or "")))


def _flat(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """The code points of all texts end to end (uint64), and each text's start (n + 1)."""
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    starts = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(lengths, out=starts[1:])
    codes = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32)
    return codes.astype(np.uint64), starts


def _sorted_unique(values: np.ndarray, kind: str | None = None) -> np.ndarray:
    """The distinct values, sorted: a sort and a comparison (numpy's `unique` hashes first,
    several times slower on tens of millions of integers). `kind` as for `np.sort`."""
    values = np.sort(values, kind=kind)
    if len(values) < 2:
        return values
    return values[np.r_[True, values[1:] != values[:-1]]]


def _stacked_indptr(parts: Sequence[np.ndarray]) -> np.ndarray:
    """The indptr of row blocks stacked one under the other."""
    out, offset = [np.zeros(1, dtype=np.int64)], 0
    for indptr in parts:
        out.append(indptr[1:] + offset)
        offset += int(indptr[-1])
    return np.concatenate(out)


def _segments(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Positions starts[k] .. starts[k] + lengths[k] - 1 for every k, end to end."""
    offsets = np.cumsum(lengths) - lengths
    return np.arange(int(lengths.sum()), dtype=np.int64) + np.repeat(starts - offsets, lengths)


def _bigram_keys(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """The key of every bigram of the texts (`ngram_keys`), in order, and its text's row."""
    n = len(texts)
    codes, starts = _flat(texts)
    lengths = np.diff(starts)
    # A bigram at every position whose next character is in the same text; a one-character
    # text gives its character alone (code << 21 with nothing after it: no bigram is that).
    pair = np.ones(len(codes), dtype=bool)
    if len(codes):
        pair[starts[1:][lengths > 0] - 1] = False
    single = np.zeros(len(codes), dtype=bool)
    single[starts[:-1][lengths == 1]] = True
    keep = pair | single
    following = np.where(pair, np.append(codes[1:], np.uint64(0)), np.uint64(0))
    keys = ngram_keys([codes, following])[keep]
    return keys, np.repeat(np.arange(n, dtype=np.int64), lengths)[keep]


def _first_seen(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each key's number in order of first appearance, and the distinct keys in that order.

    Arrow's dictionary encoding hashes the keys in one pass: ten times faster than sorting
    them (`np.unique`) for the millions of bigrams of a large archive, with the same numbers.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(pa.array(keys, type=pa.uint64()))
    numbers = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    return numbers, encoded.dictionary.to_numpy(zero_copy_only=False)


# Fixed bigram weights: the IDF of each character bigram over the sentences of the reports the
# project ships (seeds/, training/bigrams.py), not over the archive. Every problem item then
# has one vector whatever else the archive holds, so the comparisons of a report added later
# are those it would have had in the first build, and an update computes only its own.
BIGRAMS_FILE = Path(__file__).parent / "data" / "bigrams.npz"
_MAX_TERMS = 1 << 31  # a bound on the distinct bigrams, for packing (row, term) in 64 bits


def bigram_table(texts: Iterable[str]) -> dict[str, np.ndarray]:
    """Document frequencies of the character bigrams of `texts` (compacted): the sorted keys
    (`_bigram_keys`), how many texts hold each, and how many texts there are."""
    compact = [c for c in map(_compact, texts) if c]
    keys, rows = _bigram_keys(compact)
    pairs = _sorted_unique((rows.astype(np.uint64) << np.uint64(42)) | keys)
    distinct, df = np.unique(pairs & np.uint64((1 << 42) - 1), return_counts=True)
    return {"keys": distinct, "df": df.astype(np.int64), "n": np.asarray(len(compact))}


@cache
def _bigram_weights() -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """The shipped table as (sorted keys, IDF, whether common, the IDF of an unseen bigram)."""
    with np.load(BIGRAMS_FILE) as table:
        keys, df, n = table["keys"], table["df"], int(table["n"])
    return keys, smooth_idf(df, n), df > BLOCK_COMMON * n, float(smooth_idf(np.zeros(1), n)[0])


class _Vocabulary:
    """Term ids of bigram keys, numbered in order of first appearance (texts in order, each
    read left to right), with each term's fixed IDF and whether it is too common to block on.

    The numbering is the same whether the texts come at once or a chunk at a time, so the
    MinHash blocking, which hashes the ids, proposes the same candidates either way.
    """

    def __init__(self, keys: np.ndarray | None = None, ids: np.ndarray | None = None) -> None:
        self.keys = np.zeros(0, np.uint64) if keys is None else keys  # sorted
        self.ids = np.zeros(0, np.int64) if ids is None else ids  # of each sorted key
        self.idf = np.zeros(0)
        self.common = np.zeros(0, bool)
        if len(self.keys):
            by_id = np.empty_like(self.keys)
            by_id[self.ids] = self.keys
            self.idf, self.common = self._weights(by_id)

    @staticmethod
    def _weights(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        table, idf, common, unseen = _bigram_weights()
        at = np.minimum(np.searchsorted(table, keys), max(len(table) - 1, 0))
        found = table[at] == keys if len(table) else np.zeros(len(keys), bool)
        return np.where(found, idf[at], unseen), found & common[at]

    def number(self, keys: np.ndarray) -> np.ndarray:
        """The term id of each key, numbering the keys never met after every earlier one."""
        if not len(keys):
            return np.zeros(0, np.int64)
        local, distinct = _first_seen(keys)
        where = np.minimum(np.searchsorted(self.keys, distinct), max(len(self.keys) - 1, 0))
        met = self.keys[where] == distinct if len(self.keys) else np.zeros(len(distinct), bool)
        ids = np.empty(len(distinct), dtype=np.int64)
        ids[met] = self.ids[where[met]]
        fresh = distinct[~met]
        ids[~met] = len(self.keys) + np.arange(len(fresh))
        if len(fresh):
            idf, common = self._weights(fresh)
            self.idf, self.common = np.r_[self.idf, idf], np.r_[self.common, common]
            keys_, ids_ = np.r_[self.keys, fresh], np.r_[self.ids, ids[~met]]
            order = np.argsort(keys_, kind="stable")
            self.keys, self.ids = keys_[order], ids_[order]
        return ids[local]

    def vectors(self, texts: Sequence[str]) -> CSR:
        """Unit TF-IDF rows of the texts over character bigrams (columns sorted): sublinear
        TF, the fixed IDF, L2-normalised. A text of one character is its own single term.

        Bigrams need no word segmentation, and paraphrases of one problem keep most of its
        key bigrams ("执法", "人员", "素质") while the stock words are weighted down by IDF.
        """
        keys, rows = _bigram_keys(texts)
        counts = count_matrix(rows, self.number(keys), (len(texts), _MAX_TERMS))
        counts = CSR(counts.data, counts.indices, counts.indptr, (len(texts), len(self.idf)))
        vectors = weigh(counts, self.idf, sublinear=True)
        # Without the row of every entry that `weigh` keeps: a third of the memory.
        return CSR(vectors.data, vectors.indices, vectors.indptr, vectors.shape)


PAIR_CHUNK = 100_000  # candidate pairs whose dot products are computed at once


def _pair_dots(matrix: Any, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Dot products of rows left[k] and right[k] of a CSR matrix with sorted columns (ours,
    or scipy's made once by a caller that asks many times).

    scipy takes the two sets of rows and multiplies them entry by entry (a merge of sorted
    columns, in C); each pair's products are then added in column order, as a loop over the
    shorter row would add them, so the result is the same to the bit. Five times faster than
    looking every entry up by binary search, which it replaced.
    """
    out = np.zeros(len(left))
    if not len(left):
        return out
    rows = matrix.to_scipy() if isinstance(matrix, CSR) else matrix
    for at in range(0, len(left), PAIR_CHUNK):
        products = rows[left[at : at + PAIR_CHUNK]].multiply(rows[right[at : at + PAIR_CHUNK]])
        products = products.tocsr()
        products.sort_indices()
        pair = np.repeat(np.arange(products.shape[0]), np.diff(products.indptr))
        out[at : at + PAIR_CHUNK] = np.bincount(
            pair, weights=products.data, minlength=products.shape[0]
        )
    return out


def _dot(a: Mapping[int, float], b: Mapping[int, float]) -> float:
    """Terms of the smaller vector looked up in the larger, added in its order (`map` keeps
    the loop in C; the sum is the same, bit for bit, as a generator's)."""
    if len(a) > len(b):
        a, b = b, a
    return sum(map(mul, a.values(), map(b.get, a.keys(), repeat(0.0))))


def _row(matrix: CSR, i: int, scale: float = 1.0) -> dict[int, float]:
    a, b = matrix.indptr[i], matrix.indptr[i + 1]
    return dict(zip(matrix.indices[a:b].tolist(), (matrix.data[a:b] * scale).tolist(), strict=True))


class _Union:
    """Union-find over 0..n-1 with path halving."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(self, i: int, j: int) -> int:
        a, b = self.find(i), self.find(j)
        if a != b:
            self.parent[b] = a
        return a


def _fmix32(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer, as datasketch applies it before its permutations."""
    h = values.astype(np.uint32)
    h ^= h >> np.uint32(16)
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> np.uint32(13)
    h *= np.uint32(0xC2B2AE35)
    h ^= h >> np.uint32(16)
    return h


def signatures(values: np.ndarray, indptr: np.ndarray, num_perm: int = NUM_PERM) -> np.ndarray:
    """MinHash signatures (rows × num_perm, uint32) of the sets values[indptr[k]:indptr[k+1]].

    The values are 32-bit integers taken as their own hashes. Bit for bit the first `num_perm`
    hash values of datasketch's `MinHash(NUM_PERM, seed=MINHASH_SEED, hashfunc=identity,
    scheme="affine32")` after `update_batch` (a test checks it), computed for all sets at
    once: each permutation is one pass over the concatenated values and a minimum per set.
    An empty set keeps the initial value 2**32 - 1 everywhere.
    """
    from datasketch import MinHash  # imported on use: it takes ~1 s to load

    a, b = MinHash(num_perm=NUM_PERM, seed=MINHASH_SEED, scheme="affine32").permutations
    a, b = a[:num_perm], b[:num_perm]
    n = len(indptr) - 1
    out = np.full((n, num_perm), 0xFFFFFFFF, dtype=np.uint32)
    filled = np.flatnonzero(np.diff(indptr))
    if not len(filled):
        return out
    hashed = _fmix32(values)
    starts = indptr[:-1][filled]
    scratch = np.empty_like(hashed)
    for k in range(num_perm):
        np.multiply(hashed, a[k], out=scratch)
        scratch += b[k]
        out[filled, k] = np.minimum.reduceat(scratch, starts)
    return out


def band_keys(values: np.ndarray, indptr: np.ndarray, threshold: float) -> np.ndarray:
    """One 64-bit key per LSH band of each set values[indptr[k]:indptr[k+1]]: (n, bands).

    The banding is datasketch's `MinHashLSH(threshold, NUM_PERM)`: its b bands of r rows
    (b·r ≤ NUM_PERM; only those permutations are computed), two sets sharing a band's values
    sharing its key (a 64-bit hash of the r values: a collision of two different bands is
    about one in 10^19). Sets can be keyed a chunk at a time, so that no more than a chunk's
    signatures are ever in memory. An empty set's keys are 0, which `candidate_pairs` skips.
    """
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    bands, rows = lsh.b, lsh.r
    signature = signatures(values, indptr, bands * rows).astype(np.uint64)
    keys = np.zeros((len(indptr) - 1, bands), dtype=np.uint64)
    for band in range(bands):
        key = np.full(len(keys), np.uint64(band + 1))
        for r in range(rows):
            key *= np.uint64(0x100000001B3)  # FNV-style mixing of the r values
            key ^= signature[:, band * rows + r]
        keys[:, band] = key | np.uint64(1)  # never 0, which marks an empty set
    keys[np.diff(indptr) == 0] = 0
    return keys


def candidate_pairs(keys: np.ndarray, since: int = 0) -> np.ndarray:
    """Pairs (i < j) that share a band key (`band_keys`; rows of zeros are empty sets and have
    none), as rows of an (m, 2) array ordered by j, then i: by arrival of the later set, so
    that the pairs of sets added to an archive come after all the others.

    Buckets are read directly, which finds every candidate once. Bucket handling is capped,
    by arrival: each of the first BUCKET_PAIRS members of a bucket (in index order) pairs with
    every member before it; a later one (in a big family of near-duplicates) only with the
    BUCKET_WINDOW members just before it, so the family costs linear rather than quadratic
    time, and the other bands' buckets add the links a window misses. A set's pairs with the
    sets before it depend only on those, so sets added to an archive pair as they would in
    the whole: `since` keeps only the pairs whose later set is at that index or after (those
    of the sets just added), the same rows as the whole's, without collecting the rest.
    """
    filled = np.flatnonzero(keys[:, 0] if keys.shape[1] else np.zeros(len(keys)))
    n = len(filled)
    if n < 2:
        return np.empty((0, 2), dtype=np.int64)
    first_new = int(np.searchsorted(filled, since))  # in `filled` positions
    codes = np.empty(0, dtype=np.int64)
    for band in range(keys.shape[1]):
        bucket = keys[filled, band]
        order = np.argsort(bucket, kind="stable")  # ties in index order
        sorted_bucket = bucket[order]
        starts = np.flatnonzero(np.r_[True, sorted_bucket[1:] != sorted_bucket[:-1]])
        position = np.arange(n) - np.repeat(starts, np.diff(np.r_[starts, n]))
        found = []
        for step in range(1, min(BUCKET_PAIRS, n)):
            same = sorted_bucket[step:] == sorted_bucket[:-step]
            if step > BUCKET_WINDOW:
                same &= position[step:] < BUCKET_PAIRS
            if not same.any():
                break
            k = np.flatnonzero(same)
            if first_new:
                k = k[order[k + step] >= first_new]
            found.append(order[k + step] * n + order[k])  # the later one first: by j, then i
        # One band's pairs at a time: duplicates across bands are dropped as they come. The
        # pairs so far and the band's are two sorted runs, which a stable sort (timsort)
        # merges in linear time rather than sorting everything again.
        if found:
            new = _sorted_unique(np.concatenate(found))
            codes = _sorted_unique(np.concatenate([codes, new]), kind="stable")
    return np.stack([filled[codes % n], filled[codes // n]], axis=1)


KEY_BLOCK = 50_000  # sets whose MinHash signatures are in memory at once


# -- problem clusters ------------------------------------------------------------------------------


def _item_text(item: Mapping[str, Any]) -> str:
    """The compact text of a problem item: its statement, with the title when not inside it."""
    title, text = item.get("title") or "", item.get("text") or ""
    return _compact(text if title and title in text else f"{title}。{text}")


class ProblemRow(NamedTuple):
    """A problem item as the comparisons read it: who, when, which item, and its compact text."""

    report_id: Any
    issuer: str | None  # normalised
    year: Any
    index: Any
    title: str | None
    compact: str


def problem_rows(report: Report) -> Iterator[ProblemRow]:
    """The problem items of one report with text, as `ProblemRow`s."""
    issuer = normalise_issuer(report.get("issuer"))
    for item in report.get("problems") or []:
        compact = _item_text(item)
        if compact:
            yield ProblemRow(
                report.get("id"),
                issuer,
                report.get("year"),
                item.get("index"),
                item.get("title"),
                compact,
            )


def problem_clusters(
    reports: Sequence[Report],
    threshold: float = CLUSTER_THRESHOLD,
    average: float = CLUSTER_AVERAGE,
) -> list[dict[str, Any]]:
    """Problems that several reports admit, grouped by what they say.

    Why: one report's "执法人员素质有待提高" is a detail; the same problem in 300 reports is a
    finding about the whole system. Items are compared by TF-IDF cosine over character
    bigrams of title and statement (a fixed IDF: `_Vocabulary`). Identical statements form
    one unit; units are taken in order of arrival (`ProblemIndex`), MinHash LSH proposing a
    new unit's candidates among the units before it; its links at `threshold` or more are
    taken closest first, each merging two groups while their mean cross-pair cosine stays at
    `average` or more. A cluster is named by the title of its most central item (largest
    cosine to the cluster's summed vector, equal to 9 decimals being a tie that the first unit
    wins); clusters of one report are dropped.
    """
    return clusters_of([row for r in reports for row in problem_rows(r)], threshold, average)


def _centre(matrix: CSR, group: Sequence[int], total: Mapping[int, float]) -> int:
    """The unit of `group` with the largest dot product with the group's summed vector
    `total`, rounded to 9 decimals (cosines equal but for summation order are a tie, which
    the first unit wins). Each row's products are added in its column order, as `_dot` adds
    them, in one numpy pass for the whole group."""
    terms = np.fromiter(total.keys(), dtype=np.int64, count=len(total))
    weights = np.fromiter(total.values(), dtype=float, count=len(total))
    order = np.argsort(terms)
    terms, weights = terms[order], weights[order]
    units = np.asarray(group, dtype=np.int64)
    lengths = np.diff(matrix.indptr)[units]
    where = _segments(matrix.indptr[units], lengths)
    products = matrix.data[where] * weights[np.searchsorted(terms, matrix.indices[where])]
    owner = np.repeat(np.arange(len(units)), lengths)
    dots = np.bincount(owner, weights=products, minlength=len(units)).tolist()
    return max(zip(group, dots, strict=True), key=lambda ud: (round(ud[1], 9), -ud[0]))[0]


def clusters_of(
    rows: Sequence[ProblemRow],
    threshold: float = CLUSTER_THRESHOLD,
    average: float = CLUSTER_AVERAGE,
) -> list[dict[str, Any]]:
    """`problem_clusters` of problem rows (`problem_rows`)."""
    index = ProblemIndex(threshold, average)
    index.add(rows)
    return [entry for _, _, entry in sorted(index.changes().clusters, key=lambda c: c[1])]


class Changes(NamedTuple):
    """What a `ProblemIndex.add` changed: cluster entries to write and to drop, keyed by their
    group (`ref`) and placed by `sort` (the order of the whole list); the new recurring pairs
    (ref: the issuer), in their order; the issuers that have new pairs."""

    clusters: list[tuple[str, str, dict[str, Any]]]
    dropped: set[str]
    recurring: Iterable[tuple[str, str, dict[str, Any]]]
    issuers: set[str]


class _PairRows:
    """Recurring pairs as (issuer, sort, entry), in order, each entry made as it is read: a
    country's year has half a million pairs, which as dicts took more memory than the rest of
    the comparison."""

    def __init__(self, index: ProblemIndex, pairs: list[tuple[int, int, float]]) -> None:
        self.index, self.pairs = index, pairs

    def __len__(self) -> int:
        return len(self.pairs)

    def __iter__(self) -> Iterator[tuple[str, str, dict[str, Any]]]:
        keys = [self.index._pair_sort(*pair) for pair in self.pairs]
        for k in sorted(range(len(keys)), key=keys.__getitem__):
            yield self.index._pair_row(*self.pairs[k])


class _Edges:
    """Links (earlier unit i, later unit j, cosine) in arrays, ordered by j, then closest
    first, then i; `of(j)` lists the units j links to, in that order."""

    def __init__(self, pairs: np.ndarray, similarity: np.ndarray) -> None:
        order = np.lexsort((pairs[:, 0], -similarity, pairs[:, 1]))
        self.earlier = pairs[order, 0]
        later = pairs[order, 1]
        self.units, self.starts = np.unique(later, return_index=True)
        self.ends = np.r_[self.starts[1:], len(later)]

    def of(self, unit: int) -> list[int]:
        k = int(np.searchsorted(self.units, unit))
        if k == len(self.units) or self.units[k] != unit:
            return []
        return self.earlier[self.starts[k] : self.ends[k]].tolist()


class ProblemIndex:
    """Problem clusters and recurring problems, taking the items in as reports arrive, so that
    adding reports costs what they add.

    Why: a country's year is 100,000 reports and 500,000 problem items; comparing them all
    again for each thousand reports added took a minute. Here every item keeps the vector it
    was given on arrival (fixed IDF: `_Vocabulary`), and an item is compared, when it arrives,
    with the items before it only:

    - clusters (average linkage, as `problem_clusters` describes): identical statements are one
      unit; a new unit's links to earlier units (MinHash LSH candidates, cosine ≥ `threshold`)
      are taken closest first, each merging the two groups while their mean cross cosine
      stays at `average` or more; a statement met again adds its weight to its group;
    - recurring pairs: a new item with each earlier item of its body and another year, at
      cosine ≥ `recurring`.

    The result depends on the order of arrival and on nothing else: an index fed the reports
    in chunks, or resumed from its `state()` and fed the rest, ends where one fed them all at
    once ends (mean cosines are compared rounded to 9 decimals, so that the order in which a
    group's sum was added up cannot tip a decision).
    """

    def __init__(
        self,
        threshold: float = CLUSTER_THRESHOLD,
        average: float = CLUSTER_AVERAGE,
        recurring: float = RECURRING_THRESHOLD,
    ) -> None:
        self.threshold, self.average, self.recurring = threshold, average, recurring
        self.vocabulary = _Vocabulary()
        # Units: distinct compact texts, in order of arrival.
        self.texts: list[str] = []
        self._unit: dict[str, int] = {}
        self.count: list[int] = []  # items of each unit
        self.first: list[int] = []  # its first item
        self.keys = np.zeros((0, 0), dtype=np.uint64)  # LSH band keys of each unit
        # Groups: a union-find over the units; at each root, its items and whether it is one
        # unit; the summed vectors of groups of several units (made again when needed).
        self.union = _Union(0)
        self.size: list[int] = []
        self.single: list[bool] = []
        self._sums: dict[int, dict[int, float]] = {}
        self._vectors: list[CSR] = []  # of the units, in pieces until `vectors()` joins them
        self._scipy: Any = None
        self._members: dict[int, list[int]] = {}  # of a resumed index's groups
        # Items, in order of arrival: (report id, year, index, title), and unit and issuer.
        self.items: list[tuple[Any, Any, Any, Any]] = []
        self.item_unit: list[int] = []
        self.item_issuer: list[int] = []  # -1: no issuer or no year (cannot recur)
        self.issuers: list[str] = []
        self._issuer: dict[str, int] = {}
        self._of_issuer: dict[int, list[int]] = defaultdict(list)
        # Since the last `changes()`: the groups touched and the pairs found.
        self._touched: set[int] = set()
        self._pairs: list[tuple[int, int, float]] = []  # (earlier item, later, similarity)
        self._new_issuers: set[str] = set()

    # -- taking items in --

    def add(self, rows: Iterable[ProblemRow]) -> None:
        """Take in problem items, in order of arrival."""
        start_item, start_unit = len(self.items), len(self.texts)
        events: list[tuple[int, bool]] = []
        for row in rows:
            unit = self._unit.get(row.compact)
            new = unit is None
            if unit is None:
                unit = self._unit[row.compact] = len(self.texts)
                self.texts.append(row.compact)
                self.count.append(0)
                self.first.append(len(self.items))
                self.union.parent.append(unit)
                self.size.append(0)
                self.single.append(True)
            events.append((unit, new))
            self.items.append((row.report_id, row.year, row.index, row.title))
            self.item_unit.append(unit)
            code = -1
            if row.issuer is not None and row.year is not None:
                code = self._issuer.setdefault(row.issuer, len(self.issuers))
                if code == len(self.issuers):
                    self.issuers.append(row.issuer)
            self.item_issuer.append(code)
        if not events:
            return
        fresh = self.vocabulary.vectors(self.texts[start_unit:])  # numbers new bigrams
        self._vectors.append(fresh)
        self._key(fresh)
        del fresh
        pairs = candidate_pairs(self.keys, start_unit) if len(self.texts) > 1 else None
        pairs = np.empty((0, 2), np.int64) if pairs is None else pairs
        self._cluster(events, self._edges(pairs))
        self._recur(start_item)
        self._scipy = None  # a copy of the vectors: made again when next needed

    def _key(self, vectors: CSR) -> None:
        """The LSH band keys of new units, over their bigrams but the common ones."""
        n = vectors.shape[0]
        if not n:
            return
        kept = ~self.vocabulary.common[vectors.indices]
        blocking = vectors.indices[kept]
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(vectors.rows()[kept], minlength=n), out=indptr[1:])
        keys = [
            band_keys(blocking[indptr[a] : indptr[b]], indptr[a : b + 1] - indptr[a], BLOCK_JACCARD)
            for a, b in ((a, min(a + KEY_BLOCK, n)) for a in range(0, n, KEY_BLOCK))
        ]
        self.keys = np.concatenate([self.keys.reshape(-1, keys[0].shape[1]), *keys])

    def vectors(self) -> CSR:
        """The vector of every unit, made once on its arrival and kept (the IDF is fixed):
        a group an update touches is summed and centred again without reading its texts."""
        if len(self._vectors) != 1:
            parts = self._vectors
            self._vectors = [
                CSR(
                    np.concatenate([np.zeros(0), *(p.data for p in parts)]),
                    np.concatenate([np.zeros(0, np.int64), *(p.indices for p in parts)]),
                    _stacked_indptr([p.indptr for p in parts]),
                    (sum(p.shape[0] for p in parts), 0),
                )
            ]
            self._scipy = None
        whole = self._vectors[0]
        whole.shape = (whole.shape[0], len(self.vocabulary.idf))
        return whole

    def _product_rows(self) -> Any:
        """`vectors()` as scipy's matrix, for `_pair_dots`, made once for each state."""
        if self._scipy is None or self._scipy.shape != self.vectors().shape:
            self._scipy = self.vectors().to_scipy()
        return self._scipy

    def _rows(self, units: np.ndarray) -> CSR:
        """The vectors of these units."""
        whole = self.vectors()
        lengths = np.diff(whole.indptr)[units]
        where = _segments(whole.indptr[units], lengths)
        indptr = np.zeros(len(units) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        return CSR(whole.data[where], whole.indices[where], indptr, (len(units), whole.shape[1]))

    def _edges(self, pairs: np.ndarray) -> _Edges:
        """Each new unit's links to the units before it (cosine ≥ threshold), closest first.
        The candidates are checked a chunk at a time: a country's year has tens of millions,
        most of which link, so the links stay in arrays until their unit's turn."""
        rows = self._product_rows()
        linked, similarity = [np.empty((0, 2), np.int64)], [np.empty(0)]
        for at in range(0, len(pairs), EDGE_CHUNK):
            part = pairs[at : at + EDGE_CHUNK]
            dots = _pair_dots(rows, part[:, 0], part[:, 1])
            keep = dots >= self.threshold
            linked.append(part[keep])
            similarity.append(dots[keep])
        return _Edges(np.concatenate(linked), np.concatenate(similarity))

    def _unit_row(self, unit: int, scale: float = 1.0) -> dict[int, float]:
        """One unit's vector times `scale`."""
        return _row(self.vectors(), unit, scale)

    def _summed(self, root: int, matrix: CSR | None = None) -> dict[int, float]:
        """The group's vectors summed, each unit weighed by its items (`matrix`: the vectors
        of its units in order, when the caller has them)."""
        found = self._sums.get(root)
        if found is not None:
            return found
        units = self._members.pop(root, None)
        if units is None:  # one unit
            return self._unit_row(root, self.count[root])
        if matrix is None:
            matrix = self._rows(np.asarray(units, dtype=np.int64))
        weights = np.repeat(
            np.asarray([self.count[u] for u in units], float), np.diff(matrix.indptr)
        )
        terms, at = np.unique(matrix.indices, return_inverse=True)
        total = np.bincount(at.reshape(-1), weights=matrix.data * weights, minlength=len(terms))
        self._sums[root] = dict(zip(terms.tolist(), total.tolist(), strict=True))
        return self._sums[root]

    def _cluster(self, events: list[tuple[int, bool]], edges: _Edges) -> None:
        """Average linkage on the fly, event by event (see the class)."""
        size, single, sums, touched = self.size, self.single, self._sums, self._touched
        # Two groups refused once are refused again until one of them grows: their next
        # edges are passed over without the dot product of two big summed vectors. Two single
        # units need no check: their mean cross cosine is their own cosine, at the threshold.
        refused: dict[tuple[int, int], tuple[int, int]] = {}
        alone = self.threshold >= self.average
        for unit, new in events:
            self.count[unit] += 1
            root = self.union.find(unit)
            size[root] += 1
            touched.add(root)
            if not new:
                if root in sums:  # the statement again: its group's sum takes its vector
                    total = sums[root]
                    for t, w in self._unit_row(unit).items():
                        total[t] = total.get(t, 0.0) + w
                continue
            for i in edges.of(unit):
                a, b = self.union.find(i), self.union.find(unit)
                if a == b or refused.get((a, b)) == (size[a], size[b]):
                    continue
                sa, sb = self._summed(a), self._summed(b)
                if not (alone and single[a] and single[b]):
                    mean = _dot(sa, sb) / (size[a] * size[b])
                    if round(mean, 9) < self.average:
                        refused[a, b] = (size[a], size[b])
                        continue
                # The bigger group stays the root, and the smaller one's vector is added to
                # its sum: an item joining a cluster of thousands costs its own terms.
                if len(sa) < len(sb):
                    a, b, sa, sb = b, a, sb, sa
                for t, w in sb.items():
                    sa[t] = sa.get(t, 0.0) + w
                self.union.parent[b] = a
                sums[a] = sa
                sums.pop(b, None)
                size[a] += size[b]
                single[a] = False
                touched.update((a, b))

    def _recur(self, start: int) -> None:
        """The pairs of each new item with the earlier items of its body and another year."""
        left: list[int] = []
        right: list[int] = []
        for p in range(start, len(self.items)):
            code = self.item_issuer[p]
            if code < 0:
                continue
            year = self.items[p][1]
            earlier = self._of_issuer[code]
            left.extend(q for q in earlier if self.items[q][1] != year)
            right.extend([p] * (len(left) - len(right)))
            earlier.append(p)
            if len(left) >= RECURRING_BATCH:
                self._pairs_of(left, right)
                left, right = [], []
        self._pairs_of(left, right)

    def _pairs_of(self, left: list[int], right: list[int]) -> None:
        if not left:
            return
        units = np.asarray(self.item_unit, dtype=np.int64)
        dots = _pair_dots(self._product_rows(), units[left], units[right])
        for k in np.flatnonzero(dots >= self.recurring).tolist():
            a, b = left[k], right[k]
            ya, yb = self.items[a], self.items[b]
            if (str(yb[1]), yb[2] or 0) < (str(ya[1]), ya[2] or 0):
                a, b = b, a
            self._pairs.append((a, b, round(float(dots[k]), 3)))
            self._new_issuers.add(self.issuers[self.item_issuer[a]])

    def _pair_sort(self, a: int, b: int, similarity: float) -> str:
        """The place of the pair of items a (the earlier) and b in the list of pairs."""
        ya, yb = self.items[a][1], self.items[b][1]
        return "\x1f".join(
            (
                self.issuers[self.item_issuer[a]],
                str(ya).rjust(8, "0"),
                str(yb).rjust(8, "0"),
                f"{1000 - round(similarity * 1000):04d}",
                f"{a:012d}",
                f"{b:012d}",
            )
        )

    def _pair_row(self, a: int, b: int, similarity: float) -> tuple[str, str, dict[str, Any]]:
        """The pair as (issuer, sort, entry)."""
        issuer = self.issuers[self.item_issuer[a]]
        entry = {
            "issuer": issuer,
            "similarity": similarity,
            "items": [
                {"report_id": r, "year": y, "index": i, "title": t}
                for r, y, i, t in (self.items[a], self.items[b])
            ],
        }
        return issuer, self._pair_sort(a, b, similarity), entry

    # -- what changed --

    def roots(self) -> np.ndarray:
        """The root of every unit."""
        root = np.asarray(self.union.parent, dtype=np.int64)
        while True:
            up = root[root]
            if np.array_equal(up, root):
                return root
            root = up

    def changes(self) -> Changes:
        """What the adds since the last call changed, and forget it."""
        roots = self.roots()
        touched = {int(roots[r]) for r in self._touched}
        dropped = {str(r) for r in self._touched | touched}
        clusters = []
        if touched:
            item_root = roots[np.asarray(self.item_unit, dtype=np.int64)]
            items = np.flatnonzero(np.isin(item_root, np.fromiter(touched, np.int64)))
            items = items[np.argsort(item_root[items], kind="stable")]
            bounds = np.flatnonzero(
                np.r_[True, item_root[items][1:] != item_root[items][:-1], True]
            )
            for g in range(len(bounds) - 1):
                group = items[bounds[g] : bounds[g + 1]].tolist()
                entry = self._entry(int(item_root[group[0]]), group)
                if entry is not None:
                    clusters.append(entry)
        pairs = _PairRows(self, self._pairs)
        issuers = self._new_issuers
        self._touched, self._pairs, self._new_issuers = set(), [], set()
        return Changes(clusters, dropped, pairs, issuers)

    def _entry(self, root: int, group: list[int]) -> tuple[str, str, dict[str, Any]] | None:
        """The cluster entry of the group at `root` (its items `group`), or None for a group
        of one report."""
        items = self.items
        report_ids = {items[k][0] for k in group}
        if len(report_ids) < 2:
            return None
        units = sorted({self.item_unit[k] for k in group})
        centre = root
        if len(units) > 1:
            matrix = self._rows(np.asarray(units))
            centre = units[_centre(matrix, range(len(units)), self._summed(root, matrix))]
        first = items[self.first[centre]]
        name = first[3] or self.texts[centre][:40]
        group.sort(key=lambda k: (str(items[k][0]), items[k][2] or 0))
        entry = {
            "name": name,
            "count": len(report_ids),
            "members": [
                {"report_id": items[k][0], "index": items[k][2], "title": items[k][3]}
                for k in group
            ],
        }
        return str(root), f"{10**9 - len(report_ids):010d}\x1f{name}\x1f{root:012d}", entry

    # -- going on later --

    # The arrays of `state()` that only grow as items are added: a store keeps what it has
    # and appends the rest.
    GROWING = frozenset(
        ("texts", "text_bytes", "first", "keys", "vocabulary", "titles", "title_bytes")
        + ("vector_data", "vector_terms", "vector_lengths")
        + tuple(f"item_{name}" for name in ("unit", "issuer", "report", "year", "index"))
    )

    def state(self) -> dict[str, Any]:
        """What `resume` needs: numpy arrays, and the issuers as a JSON list. Report ids,
        years and indexes must be whole numbers (or None), as in an archive."""
        texts = [t.encode() for t in self.texts]
        titles = [b"" if item[3] is None else item[3].encode() for item in self.items]
        by_id = np.empty_like(self.vocabulary.keys)
        by_id[self.vocabulary.ids] = self.vocabulary.keys

        def numbers(values: Iterable[Any]) -> np.ndarray:
            return np.fromiter(
                (_NONE if v is None else v for v in values), dtype=np.int64, count=len(self.items)
            )

        return {
            "texts": np.frombuffer(b"".join(texts), dtype=np.uint8),
            "text_bytes": np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)),
            "count": np.asarray(self.count, dtype=np.int64),
            "first": np.asarray(self.first, dtype=np.int64),
            "keys": self.keys,
            "vector_data": self.vectors().data,
            "vector_terms": self.vectors().indices.astype(np.int32),
            "vector_lengths": np.diff(self.vectors().indptr),
            "root": self.roots(),
            "vocabulary": by_id,
            "item_unit": np.asarray(self.item_unit, dtype=np.int64),
            "item_issuer": np.asarray(self.item_issuer, dtype=np.int64),
            "item_report": numbers(item[0] for item in self.items),
            "item_year": numbers(item[1] for item in self.items),
            "item_index": numbers(item[2] for item in self.items),
            "titles": np.frombuffer(b"".join(titles), dtype=np.uint8),
            "title_bytes": np.fromiter(
                (
                    -1 if item[3] is None else len(t)
                    for item, t in zip(self.items, titles, strict=True)
                ),
                dtype=np.int64,
                count=len(titles),
            ),
            "issuers": self.issuers,
        }

    @classmethod
    def resume(cls, state: Mapping[str, Any], **options: Any) -> ProblemIndex:
        """An index that has taken in everything `state` (of `state()`) describes."""
        index = cls(**options)
        index.texts = _strings(state["texts"], state["text_bytes"])
        index._unit = {t: u for u, t in enumerate(index.texts)}
        index.count = state["count"].tolist()
        index.first = state["first"].tolist()
        index.keys = np.asarray(state["keys"], dtype=np.uint64)
        indptr = np.zeros(len(index.texts) + 1, dtype=np.int64)
        np.cumsum(state["vector_lengths"], out=indptr[1:])
        index._vectors = [
            CSR(
                np.asarray(state["vector_data"], dtype=float),
                np.asarray(state["vector_terms"], dtype=np.int64),
                indptr,
                (len(index.texts), 0),
            )
        ]
        root = np.asarray(state["root"], dtype=np.int64)
        index.union.parent = root.tolist()
        # At each root, the group's items and whether it is one unit (read only at roots).
        count = np.asarray(state["count"], dtype=np.int64)
        index.size = np.bincount(root, weights=count, minlength=len(root)).astype(np.int64).tolist()
        units = np.bincount(root, minlength=len(root))
        index.single = (units == 1).tolist()
        several = np.flatnonzero(units[root] > 1)
        for u, r in zip(several.tolist(), root[several].tolist(), strict=True):
            index._members.setdefault(r, []).append(u)
        by_id = np.asarray(state["vocabulary"], dtype=np.uint64)
        order = np.argsort(by_id, kind="stable")
        index.vocabulary = _Vocabulary(by_id[order], order.astype(np.int64))
        index.item_unit = state["item_unit"].tolist()
        index.item_issuer = state["item_issuer"].tolist()
        lengths = np.asarray(state["title_bytes"], dtype=np.int64)
        titles = _strings(state["titles"], np.maximum(lengths, 0))
        columns = [
            [None if v == _NONE else v for v in state[f"item_{name}"].tolist()]
            for name in ("report", "year", "index")
        ]
        index.items = [
            (r, y, i, None if n < 0 else t)
            for r, y, i, t, n in zip(*columns, titles, lengths.tolist(), strict=True)
        ]
        index.issuers = list(state["issuers"])
        index._issuer = {name: code for code, name in enumerate(index.issuers)}
        for p, code in enumerate(index.item_issuer):
            if code >= 0:
                index._of_issuer[code].append(p)
        return index


_NONE = np.iinfo(np.int64).min  # None among whole numbers in a state
EDGE_CHUNK = 2_000_000  # candidate pairs of units checked at once


def _strings(data: np.ndarray, lengths: np.ndarray) -> list[str]:
    """The UTF-8 strings of these byte lengths, end to end in `data`."""
    blob = np.asarray(data, dtype=np.uint8).tobytes()
    ends = np.cumsum(lengths).tolist()
    return [blob[a:b].decode() for a, b in zip([0, *ends[:-1]], ends, strict=True)]


# -- recurring problems ----------------------------------------------------------------------------

RECURRING_BATCH = 2_000_000  # pairs of items whose cosines are computed in one pass


def recurring_problems(
    reports: Sequence[Report], threshold: float = RECURRING_THRESHOLD
) -> list[dict[str, Any]]:
    """Pairs of one body's problem items, in different years, that state the same problem.

    Why: a problem admitted again the next year was not fixed, which the inspection asks
    about ("整改不到位"). Reports are grouped by normalised issuer; reports without an issuer
    or a year cannot recur and are left out, and items of the same year are never paired. Each
    pair of items at TF-IDF cosine `threshold` or more is returned (the fixed IDF of
    `_Vocabulary`, so the stock words every body uses weigh little), sorted by issuer, then
    years. Pairs rather than chains: a pair can be checked by reading two items, and a problem
    met in three years gives its three pairs.
    """
    return recurring_of([row for r in reports for row in problem_rows(r)], threshold)


def recurring_of(
    rows: Sequence[ProblemRow], threshold: float = RECURRING_THRESHOLD
) -> list[dict[str, Any]]:
    """`recurring_problems` of problem rows (`problem_rows`)."""
    index = ProblemIndex(recurring=threshold)
    index.add(rows)
    return [entry for _, _, entry in sorted(index.changes().recurring, key=lambda p: p[1])]


def recurring_by_issuer(
    pairs: Sequence[Mapping[str, Any]], examples: int = RECURRING_EXAMPLES
) -> list[dict[str, Any]]:
    """Per body, how many of its problems came back: `problems` counts the later items of its
    pairs (an item met again in three years counts twice), with the years, the pair count and
    the `examples` closest pairs of different problems; bodies with most first.

    Why: the pairs come sorted by issuer, and a large archive has tens of thousands of them,
    so their first rows show one body; an inspection asks first which bodies repeat most.
    """
    groups: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for pair in pairs:
        groups[pair["issuer"]].append(pair)
    out = []
    for issuer, found in groups.items():
        later = {(p["items"][-1]["report_id"], p["items"][-1]["index"]) for p in found}
        chosen: list[Mapping[str, Any]] = []
        titles: set[Any] = set()
        for pair in sorted(found, key=lambda p: (-p["similarity"], p["items"][0]["year"])):
            if pair["items"][-1]["title"] not in titles and len(chosen) < examples:
                titles.add(pair["items"][-1]["title"])
                chosen.append(pair)
        out.append(
            {
                "issuer": issuer,
                "problems": len(later),
                "pairs": len(found),
                "years": sorted({item["year"] for p in found for item in p["items"]}),
                "examples": chosen,
            }
        )
    out.sort(key=lambda e: (-e["problems"], e["issuer"]))
    return out


# -- shared passages -------------------------------------------------------------------------------


def _shingles(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """32-bit hashes of the character 5-grams of each compact text, as sorted unique sets.

    Returned as CSR-like (values, indptr): text k's set is values[indptr[k]:indptr[k + 1]].
    A polynomial rolling hash over code points, computed in numpy for all texts at once:
    deterministic across runs (unlike Python's str hash). A text shorter than SHINGLE is the
    set of its code points.
    """
    n = len(texts)
    codes, starts = _flat(texts)
    lengths = np.diff(starts)
    windows = np.maximum(lengths - SHINGLE + 1, 0)
    first = _segments(starts[:-1], windows)
    # The hash at every position of the joined texts (contiguous slices), then the windows
    # that lie inside one text.
    span = max(len(codes) - SHINGLE + 1, 0)
    key = np.zeros(span, dtype=np.uint64)
    for j in range(SHINGLE):
        key *= np.uint64(1_000_003)
        key += codes[j : j + span]
        key &= _MASK32
    key = key[first]
    short = np.flatnonzero((lengths > 0) & (lengths < SHINGLE))
    owner = np.repeat(np.arange(n, dtype=np.uint64), windows)
    if len(short):
        at = _segments(starts[short], lengths[short])
        key = np.concatenate([key, codes[at]])
        owner = np.concatenate([owner, np.repeat(short.astype(np.uint64), lengths[short])])
    cells = _sorted_unique((owner << np.uint64(32)) | key)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount((cells >> np.uint64(32)).astype(np.int64), minlength=n), out=indptr[1:])
    return cells & _MASK32, indptr


def _set_keys(values: np.ndarray, indptr: np.ndarray) -> np.ndarray:
    """(set << 32) | value for every stored value: sorted, since each set's values are."""
    owner = np.repeat(np.arange(len(indptr) - 1, dtype=np.uint64), np.diff(indptr))
    return (owner << np.uint64(32)) | values


def _intersections(
    keys: np.ndarray, values: np.ndarray, indptr: np.ndarray, pairs: np.ndarray
) -> np.ndarray:
    """|A ∩ B| for each pair of sets (sorted unique values per set, `_set_keys`), by binary
    search of the smaller set's values among the larger's keys."""
    sizes = np.diff(indptr)
    left, right = pairs[:, 0], pairs[:, 1]
    short = sizes[left] <= sizes[right]
    a, b = np.where(short, left, right), np.where(short, right, left)
    lengths = sizes[a]
    where = _segments(indptr[a], lengths)
    wanted = (np.repeat(b, lengths).astype(np.uint64) << np.uint64(32)) | values[where]
    found = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
    hits = keys[found] == wanted
    return np.bincount(np.repeat(np.arange(len(a)), lengths)[hits], minlength=len(a))


VERIFY_CHUNK = 20_000  # candidate pairs whose Jaccard is computed in one numpy pass
SPECULATE = 2  # pairs of a unit with one group checked ahead, before its turn comes


def passage_keys(
    texts: Sequence[str], threshold: float = SHARED_THRESHOLD
) -> tuple[np.ndarray, np.ndarray]:
    """The LSH band keys (`band_keys`) and 5-gram set sizes of compact paragraph texts: all
    that `PassageIndex` keeps of a text until its pairs are checked. The heavy part of the
    comparisons (one pass per permutation over every 5-gram), and a pure function of its
    chunk, so it can run anywhere: in a second process, or on a Dask worker."""
    values, indptr = _shingles(texts)
    return band_keys(values, indptr, threshold), np.diff(indptr).astype(np.int32)


def pair_jaccards(texts: Sequence[str], pairs: np.ndarray) -> np.ndarray:
    """Exact Jaccard of the 5-gram sets of texts[i] and texts[j] for each row (i, j) of pairs."""
    values, indptr = _shingles(texts)
    sizes = np.diff(indptr)
    inter = _intersections(_set_keys(values, indptr), values, indptr, pairs)
    return inter / np.maximum(sizes[pairs[:, 0]] + sizes[pairs[:, 1]] - inter, 1)


def _text_hash(text: str) -> int:
    """A stable 64-bit hash of a text (Python's own `hash` differs from process to process)."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")


_OCCURRENCE = ("unit", "issuer", "report", "index")


class PassageIndex:
    """Shared passages of an archive, taken in a chunk of reports at a time.

    Why: an archive of a country's year has millions of paragraphs; holding their 5-gram sets
    or MinHash signatures at once does not fit a machine. Each distinct compact text (a
    *unit*) is keyed as it arrives (`passage_keys`: its LSH band keys and set size, a few
    dozen bytes), and only its compact text is kept, to check its candidate pairs at the end.
    `keyer` computes the keys of a chunk's new texts: by default here; it may return a future
    (anything with `.result()`), which `finish` waits for, so chunks can be keyed elsewhere
    while more arrive. `verifier(texts, pairs)` checks a chunk of candidate pairs
    (`pair_jaccards` by default), given the texts they name.

    After `finish`, `state()` is everything needed to go on later: `resume(state)` then
    `add` more reports and `finish` again gives what one index of all the reports gives,
    while keying and checking only the new units (their pairs with earlier units depend only
    on those: `candidate_pairs`).
    """

    def __init__(
        self,
        threshold: float = SHARED_THRESHOLD,
        min_chars: int = SHARED_MIN_CHARS,
        keyer: Callable[[list[str]], Any] | None = None,
        verifier: Callable[[list[str], np.ndarray], np.ndarray] | None = None,
    ) -> None:
        self.threshold, self.min_chars = threshold, min_chars
        self.keyer = keyer or (lambda texts: passage_keys(texts, threshold))
        self.verifier = verifier or pair_jaccards
        self.texts: list[str] = []  # the compact texts of the units added since `base`
        self._unit: dict[int, int] = {}  # text hash -> unit, for those units
        self._hashes = array("Q")  # their hashes, in unit order
        self._keyed: list[Any] = []  # per chunk: (keys, sizes), or a future of them
        self._issuers: dict[Hashable, int] = {}
        # One entry per occurrence (a paragraph of a unit), in order of arrival.
        self._occurrences = {name: array("q") for name in _OCCURRENCE}
        # What a resumed index had already: its units, and their groups.
        self.base = 0
        self._old: dict[str, np.ndarray] = {}
        self._state: dict[str, np.ndarray] | None = None

    # -- taking reports in --

    def add(self, reports: Iterable[Report]) -> None:
        """Take in the paragraphs of these reports (skipping headings and short ones)."""
        new: list[str] = []
        occ = self._occurrences
        for report in reports:
            issuer = self._issuers.setdefault(_issuer_key(report), len(self._issuers))
            for p in report.get("paragraphs") or []:
                text = p.get("text") or ""
                if p.get("heading") or is_heading(normalise(text).strip()):
                    continue
                compact = _compact(text)
                if len(compact) < self.min_chars:
                    continue
                key = _text_hash(compact)
                unit = self._unit.get(key)
                if unit is None:
                    unit = self._old_unit(key)
                if unit is None:
                    unit = self._unit[key] = self.base + len(self.texts)
                    self.texts.append(compact)
                    self._hashes.append(key)
                    new.append(compact)
                occ["unit"].append(unit)
                occ["issuer"].append(issuer)
                occ["report"].append(int(report.get("id") or 0))
                occ["index"].append(int(p.get("index") or 0))
        if new:
            self._keyed.append(self.keyer(new))

    def _old_unit(self, key: int) -> int | None:
        if not self.base:
            return None
        order, hashes = self._old["hash_order"], self._old["hashes"]
        at = int(np.searchsorted(hashes, np.uint64(key), sorter=order))
        if at < len(order) and int(hashes[order[at]]) == key:
            return int(order[at])
        return None

    # -- comparing --

    def finish(
        self,
        live: Iterable[int] | None = None,
        text_of: Callable[[int, int], str] | None = None,
    ) -> list[dict[str, Any]]:
        """The groups of near-identical paragraphs of at least two bodies (`shared_passages`).

        `live`: the report ids still in the archive (a report replaced after it was added is
        left out); None keeps all. `text_of(report_id, index)` gives a paragraph's own text,
        for the excerpt and for the units of a resumed index; without it the compact text
        is quoted.
        """
        self._unit.clear()  # no more adds: the lookup is no longer needed
        keyed = [k.result() if hasattr(k, "result") else k for k in self._keyed]
        old = self._old
        parts = ([old["keys"]] if self.base else []) + [k for k, _ in keyed]
        keys = np.concatenate(parts) if parts else np.zeros((0, 1), dtype=np.uint64)
        parts = ([old["sizes"]] if self.base else []) + [z for _, z in keyed]
        sizes = np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, dtype=np.int64)
        n = len(keys)
        occ = {
            name: np.concatenate(
                [old.get(f"occ_{name}", np.zeros(0, np.int64)), np.frombuffer(a, dtype=np.int64)]
            )
            for name, a in self._occurrences.items()
        }
        # The pieces are copied into whole arrays: let them go (a few hundred MB at 100,000
        # reports, held otherwise through the comparison's peak).
        del keyed, parts
        self._keyed, self._occurrences = [], {name: array("q") for name in _OCCURRENCE}
        self._old = old = {k: v for k, v in old.items() if k in ("root", "lowest", "hashes")}
        if live is not None:
            alive = np.isin(occ["report"], np.fromiter(live, dtype=np.int64))
            occ = {name: a[alive] for name, a in occ.items()}
            if n:
                keys[np.bincount(occ["unit"], minlength=n) == 0] = 0  # units of no live report
        first = self._first_occurrences(occ) if self.base else {}

        def check(batch: list[tuple[int, int]]) -> list[float]:
            sub = np.asarray(batch, dtype=np.int64)
            involved, local = np.unique(sub, return_inverse=True)  # only the texts they name
            texts = [self._text(u, first, text_of) for u in involved.tolist()]
            return np.asarray(self.verifier(texts, local.reshape(sub.shape))).tolist()

        pairs = candidate_pairs(keys, since=self.base)
        # Jaccard ≤ min/max of the sizes: pairs that cannot reach the threshold are never checked.
        small, large = np.sort(sizes[pairs], axis=1).T if len(pairs) else (sizes[:0], sizes[:0])
        pairs = pairs[small >= self.threshold * large]
        union = _Union(n)
        lowest: dict[int, float] = {}
        if self.base:  # the groups as they were, which the pairs of the new units join
            union.parent[: self.base] = old["root"].tolist()
            roots = np.flatnonzero(~np.isnan(old["lowest"]))
            lowest = dict(zip(roots.tolist(), old["lowest"][roots].tolist(), strict=True))
        self._link(pairs, union, lowest, check)
        root = np.fromiter((union.find(i) for i in range(n)), dtype=np.int64, count=n)
        # Each group named by its first unit, so that the state does not depend on the order
        # the groups were merged in.
        canonical = np.full(n, n, dtype=np.int64)
        np.minimum.at(canonical, root, np.arange(n))
        root = canonical[root]
        lowest_of = np.full(n, np.nan)
        for r, value in lowest.items():
            lowest_of[canonical[r]] = value
        self._state = {
            "keys": keys,
            "sizes": sizes.astype(np.int32),
            "root": root,
            "lowest": lowest_of,
            "hashes": np.concatenate(
                [
                    old.get("hashes", np.zeros(0, np.uint64)),
                    np.frombuffer(self._hashes, dtype=np.uint64),
                ]
            ),
            **{f"occ_{name}": a for name, a in occ.items()},
        }
        return self._groups(root, occ, lowest_of, text_of)

    def _link(
        self,
        pairs: np.ndarray,
        union: _Union,
        lowest: dict[int, float],
        check: Callable[[list[tuple[int, int]]], list[float]],
    ) -> None:
        """Merge the groups of the pairs whose Jaccard reaches the threshold, keeping each
        group's lowest such Jaccard in `lowest` (by root).

        In order of the pairs, as one at a time would: a pair already inside one group is not
        checked (single linkage needs no second link). The pairs come by their later unit,
        which is alone until one of its pairs joins it to a group; after that its pairs with
        that group's members are inside it. So the Jaccards are computed a chunk at a time
        for one pair of each unit with each group as the chunk starts, and any other pair
        still open when its turn comes is checked then, with the rest of its unit's pairs.
        """
        for at in range(0, len(pairs), VERIFY_CHUNK):
            chunk = [(i, j) for i, j in pairs[at : at + VERIFY_CHUNK].tolist()]
            taken: Counter[tuple[int, int]] = Counter()
            ahead, end = [], {}
            for k, (i, j) in enumerate(chunk):
                end[j] = k + 1
                key = (j, union.find(i))
                if taken[key] < SPECULATE:
                    taken[key] += 1
                    ahead.append(k)
            score = dict(zip(ahead, check([chunk[k] for k in ahead]), strict=True))
            for k, (i, j) in enumerate(chunk):
                a, b = union.find(i), union.find(j)
                if a == b:
                    continue
                if k not in score:
                    rest = [m for m in range(k, end[j]) if m not in score]
                    score.update(zip(rest, check([chunk[m] for m in rest]), strict=True))
                if score[k] >= self.threshold:
                    root = union.union(a, b)
                    lowest[root] = min(lowest.pop(a, 1.0), lowest.pop(b, 1.0), score[k])

    def _first_occurrences(self, occ: dict[str, np.ndarray]) -> dict[int, tuple[int, int]]:
        units, at = np.unique(occ["unit"], return_index=True)
        old = units < self.base
        return {
            u: (r, i)
            for u, r, i in zip(
                units[old].tolist(),
                occ["report"][at[old]].tolist(),
                occ["index"][at[old]].tolist(),
                strict=True,
            )
        }

    def _text(
        self,
        unit: int,
        first: dict[int, tuple[int, int]],
        text_of: Callable[[int, int], str] | None,
    ) -> str:
        if unit >= self.base:
            return self.texts[unit - self.base]
        if text_of is None:
            raise ValueError("a resumed index needs text_of to read its earlier paragraphs")
        return _compact(text_of(*first[unit]))

    def _groups(
        self,
        root: np.ndarray,
        occ: dict[str, np.ndarray],
        lowest: np.ndarray,
        text_of: Callable[[int, int], str] | None,
    ) -> list[dict[str, Any]]:
        """The groups of units with occurrences of two or more issuers, as entries."""
        owner = root[occ["unit"]]
        if not len(owner):
            return []
        # Occurrences by group, then unit, then arrival: the first is the excerpt's paragraph.
        order = np.lexsort((np.arange(len(owner)), occ["unit"], owner))
        owner = owner[order]
        occ = {name: a[order] for name, a in occ.items()}
        bounds = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1], True])
        # Groups of two or more issuers: a group's issuers differ where its lowest and highest
        # issuer code differ (most groups are one unit of one report, and are passed over).
        group = np.repeat(np.arange(len(bounds) - 1), np.diff(bounds))
        least = np.full(len(bounds) - 1, np.iinfo(np.int64).max)
        most = np.full(len(bounds) - 1, np.iinfo(np.int64).min)
        np.minimum.at(least, group, occ["issuer"])
        np.maximum.at(most, group, occ["issuer"])
        found = []
        for g in np.flatnonzero(least != most).tolist():
            a, b = int(bounds[g]), int(bounds[g + 1])
            report, index = occ["report"][a:b].tolist(), occ["index"][a:b].tolist()
            if text_of is not None:
                raw = text_of(report[0], index[0])
            else:
                raw = self.texts[int(occ["unit"][a]) - self.base]
            paragraphs = sorted(zip(report, index, strict=True), key=lambda o: (str(o[0]), o[1]))
            similarity = lowest[owner[a]]
            found.append(
                {
                    "similarity": round(1.0 if np.isnan(similarity) else float(similarity), 3),
                    "text": _SPACE.sub("", raw)[:EXCERPT_CHARS],
                    "paragraphs": [{"report_id": r, "index": i} for r, i in paragraphs],
                }
            )
        found.sort(key=lambda f: (-len(f["paragraphs"]), -f["similarity"], f["text"]))
        return found

    # -- going on later --

    # The arrays of `state()` that only grow as reports are added (see `ProblemIndex.GROWING`).
    GROWING = frozenset(("keys", "sizes", "hashes", *(f"occ_{name}" for name in _OCCURRENCE)))

    def state(self) -> dict[str, Any]:
        """What `resume` needs (numpy arrays, and the issuers as a JSON list); after `finish`."""
        if self._state is None:
            raise ValueError("state() comes after finish()")
        issuers = [list(k) if isinstance(k, tuple) else k for k in self._issuers]
        return {**self._state, "issuers": issuers}

    @classmethod
    def resume(cls, state: Mapping[str, Any], **options: Any) -> PassageIndex:
        """An index that has taken in everything `state` (of `state()`) describes."""
        index = cls(**options)
        old = {k: np.asarray(v) for k, v in state.items() if k != "issuers"}
        old["hash_order"] = np.argsort(old["hashes"], kind="stable")
        index._old, index.base = old, len(old["keys"])
        index._issuers = {
            (tuple(k) if isinstance(k, list) else k): code
            for code, k in enumerate(state["issuers"])
        }
        return index


def _paragraph_texts(reports: Sequence[Report]) -> Callable[[int, int], str]:
    """`text_of` for `PassageIndex.finish` over reports held in memory."""
    texts = {
        (int(r.get("id") or 0), int(p.get("index") or 0)): p.get("text") or ""
        for r in reports
        for p in r.get("paragraphs") or []
    }
    return lambda report_id, index: texts[report_id, index]


def shared_passages(
    reports: Sequence[Report],
    threshold: float = SHARED_THRESHOLD,
    min_chars: int = SHARED_MIN_CHARS,
) -> list[dict[str, Any]]:
    """Near-identical paragraphs in the reports of different bodies: templates and copying.

    Why: a paragraph found word for word in another body's report was not written about this
    body's year; the inspection reads it as formalism (形式主义). Paragraphs are compared on
    their normalised content characters (punctuation and spaces dropped), as sets of
    character 5-grams; identical texts are one unit, MinHash LSH proposes candidate pairs
    and the exact Jaccard must reach `threshold`. Linked units form a group, reported once
    with its lowest checked similarity, when its paragraphs come from at least two different
    normalised issuers. Headings and paragraphs of fewer than `min_chars` content characters
    are skipped.
    """
    index = PassageIndex(threshold, min_chars)
    index.add(reports)
    return index.finish(text_of=_paragraph_texts(reports))


# -- rates -----------------------------------------------------------------------------------------


def _group_rates(flags: Sequence[tuple[tuple[bool, ...], str]]) -> dict[str, Any]:
    """The rates of a group of reports given as (each required part present?, timeliness)."""
    n = len(flags)
    present = [sum(column) for column in zip(*(parts for parts, _ in flags), strict=True)]
    present = present or [0] * len(REQUIRED)
    compliant = sum(all(parts) for parts, _ in flags)
    timeliness = Counter(t for _, t in flags)
    known = timeliness["on_time"] + timeliness["late"]
    return {
        "reports": n,
        "compliant": compliant,
        "compliance": round(compliant / n, 4) if n else None,
        "parts": {part: round(present[k] / n, 4) if n else None for k, part in enumerate(REQUIRED)},
        "on_time": timeliness["on_time"],
        "late": timeliness["late"],
        "unknown": n - known,
        "on_time_rate": round(timeliness["on_time"] / known, 4) if known else None,
    }


def _key(value: object) -> str:
    return "unknown" if value is None or value == "" else str(value)


def rates(reports: Sequence[Report]) -> dict[str, Any]:
    """Compliance and timeliness, for the archive and by level, issuer kind and year.

    Why: the yearly inspection summary quotes shares ("95% of county reports carry all four
    required parts; 80% were published by 1 April"). A report is compliant when achievements,
    shortcomings, leadership and plans are all "present" ("weak" is not enough); the on-time
    rate is over the reports whose timeliness is known, with the unknown counted beside it.
    Texts that are not reports (contents == {}) are excluded and counted as "non_reports".
    Group keys are strings ("2023"), "unknown" for a missing value, so the result is JSON.
    """
    real = [r for r in reports if r.get("contents")]
    flags = [
        (
            tuple(r["contents"].get(part) == "present" for part in REQUIRED),
            r.get("timeliness") or "unknown",
        )
        for r in real
    ]
    out: dict[str, Any] = {"all": _group_rates(flags), "non_reports": len(reports) - len(real)}
    for name, field in (("by_level", "level"), ("by_kind", "issuer_kind"), ("by_year", "year")):
        groups: dict[str, list[tuple[tuple[bool, ...], str]]] = defaultdict(list)
        for r, flag in zip(real, flags, strict=True):
            groups[_key(r.get(field))].append(flag)
        out[name] = {k: _group_rates(groups[k]) for k in sorted(groups)}
    return out


# -- all -------------------------------------------------------------------------------------------


class Compared(NamedTuple):
    """What `Comparison.finish` found: the problem comparisons changed by the reports it took
    in (all of them for a comparison from scratch), the shared passages and the rates."""

    changes: Changes
    shared: list[dict[str, Any]]
    rates: dict[str, Any]

    def whole(self) -> dict[str, Any]:
        """The comparison as one dict, of a comparison from scratch (its changes are all)."""
        clusters = [entry for _, _, entry in sorted(self.changes.clusters, key=lambda c: c[1])]
        recurring = [entry for _, _, entry in sorted(self.changes.recurring, key=lambda p: p[1])]
        return {
            "clusters": clusters,
            "recurring": recurring,
            "recurring_issuers": recurring_by_issuer(recurring),
            "shared": self.shared,
            "rates": self.rates,
        }


class Comparison:
    """Everything the archive comparison page shows, taken in a chunk of reports at a time.

    Of each report it keeps what the comparisons read and no more: its problem rows, the few
    fields of the rates, and its paragraphs' units in a `PassageIndex` (keyed as they come,
    by `keyer`, which may hand the work to another process or a Dask cluster). Memory grows
    with the archive's distinct paragraph texts and problem items, never with its whole
    records. `compare(reports)` is `add(reports)` then `finish().whole()`; `state()` and
    `resume` go on later with more reports, comparing only those.
    """

    def __init__(
        self,
        keyer: Callable[[list[str]], Any] | None = None,
        verifier: Callable[[list[str], np.ndarray], np.ndarray] | None = None,
    ) -> None:
        self.passages = PassageIndex(keyer=keyer, verifier=verifier)
        self.problems = ProblemIndex()
        self.rows: list[ProblemRow] = []  # taken in, for `finish`
        self.summaries: list[dict[str, Any]] = []
        self.timings: dict[str, float] = {}  # seconds of each step of `finish`

    @classmethod
    def resume(
        cls,
        state: Mapping[str, Any],
        keyer: Callable[[list[str]], Any] | None = None,
        verifier: Callable[[list[str], np.ndarray], np.ndarray] | None = None,
    ) -> Comparison:
        """A comparison that goes on from `state` (`state()`)."""
        comparison = cls()
        comparison.passages = PassageIndex.resume(state["passages"], keyer=keyer, verifier=verifier)
        comparison.problems = ProblemIndex.resume(state["problems"])
        return comparison

    def state(self) -> dict[str, Any]:
        """What `resume` needs; after `finish`."""
        return {"passages": self.passages.state(), "problems": self.problems.state()}

    # Of each part of `state()`, the arrays that only grow from one state to the next.
    GROWING = {"passages": PassageIndex.GROWING, "problems": ProblemIndex.GROWING}

    def take(self, problems: Iterable[ProblemRow], summaries: Iterable[dict[str, Any]]) -> None:
        """Problem rows of reports whose paragraphs the passages have (or are given apart),
        and the rate fields of every report: what a store holds of the reports, without their
        whole records."""
        self.rows.extend(problems)
        self.summaries.extend(summaries)

    def add(self, reports: Sequence[Report]) -> None:
        for report in reports:
            self.rows.extend(problem_rows(report))
            self.summaries.append(
                {k: report.get(k) for k in ("id", "level", "issuer_kind", "year", "timeliness")}
                | {"contents": report.get("contents")}
            )
        self.passages.add(reports)

    def finish(
        self,
        live: Iterable[int] | None = None,
        text_of: Callable[[int, int], str] | None = None,
    ) -> Compared:
        """The comparison of the reports taken in, of those whose id is in `live` (all if None)."""
        rows, summaries = self.rows, self.summaries
        if live is not None:
            live = set(live)
            rows = [row for row in rows if row.report_id in live]
            summaries = [row for row in summaries if row["id"] in live]
        clock = time.perf_counter()

        def lap(step: str) -> None:
            nonlocal clock
            now = time.perf_counter()
            self.timings[step] = round(now - clock, 3)
            clock = now

        shared = self.passages.finish(live, text_of)
        self.passages.texts = []  # the largest part of a big archive's comparison: done with
        lap("shared")
        self.problems.add(rows)
        self.rows = []
        changes = self.problems.changes()
        lap("problems")
        return Compared(changes, shared, rates(summaries))


def compare(reports: Sequence[Report]) -> dict[str, Any]:
    """Everything the archive comparison page shows, from one list of reports."""
    comparison = Comparison()
    comparison.add(reports)
    return comparison.finish(text_of=_paragraph_texts(reports)).whole()
