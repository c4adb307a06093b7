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
which are then checked exactly. Everything runs on numpy arrays for all texts at once: TF-IDF
rows as CSR (model/vectors/csr.py), MinHash signatures computed in bulk with datasketch's
permutations and hashing (bit for bit its values), LSH buckets grouped by sorting, candidate
cosines and Jaccards as batched lookups. On a synthetic archive of 10,000 reports (50,000 problem
items, 340,000 paragraphs; benchmarks/bench_archive.py) `compare` takes about 30 s instead of 60 s.
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
from typing import Any, NamedTuple

import numpy as np

from model.labels import REQUIRED
from model.text.segment import is_heading, normalise
from model.vectors.csr import CSR
from model.vectors.features import count_matrix, ngram_keys, tfidf

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
# Bigrams in more than this share of the items ("法治", "有待") are left out of the blocking
# sets: every item has them, so they would make everything a candidate. Only applied from
# BLOCK_MIN_ITEMS items on, where a share means something.
BLOCK_COMMON = 0.05
BLOCK_MIN_ITEMS = 200
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


def _segments(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Positions starts[k] .. starts[k] + lengths[k] - 1 for every k, end to end."""
    offsets = np.cumsum(lengths) - lengths
    return np.arange(int(lengths.sum()), dtype=np.int64) + np.repeat(starts - offsets, lengths)


TFIDF_BLOCK = 50_000  # texts whose bigrams are counted at once: memory for theirs, not all


def _tfidf(texts: Sequence[str]) -> tuple[CSR, np.ndarray]:
    """Unit TF-IDF rows over character bigrams (CSR, columns sorted), and document counts.

    Bigrams need no word segmentation, and paraphrases of one problem keep most of its key
    bigrams ("执法", "人员", "素质") while the stock words are weighted down by IDF. A text of
    one character is its own single term. Term ids number the bigrams in order of first
    appearance (texts in order, each read left to right), so the MinHash blocking, which
    hashes the ids, gives the same candidates whatever the implementation. Counted in numpy a
    block of TFIDF_BLOCK texts at a time (the per-character arrays of half a million problem
    items took 2 GB at once), then weighted over all rows.
    """
    n = len(texts)
    known = np.zeros(0, dtype=np.uint64)  # the bigrams met so far, sorted, and their ids
    known_ids = np.zeros(0, dtype=np.int64)
    blocks: list[CSR] = []
    for at in range(0, n, TFIDF_BLOCK):
        block = texts[at : at + TFIDF_BLOCK]
        keys, rows = _bigram_keys(block)
        local, distinct = _first_seen(keys)
        # Ids of the block's distinct bigrams: those met before keep theirs, new ones (in
        # their order of first appearance here) come after every earlier one.
        where = np.minimum(np.searchsorted(known, distinct), max(len(known) - 1, 0))
        met = known[where] == distinct if len(known) else np.zeros(len(distinct), dtype=bool)
        ids = np.empty(len(distinct), dtype=np.int64)
        ids[met] = known_ids[where[met]]
        ids[~met] = len(known) + np.arange(int((~met).sum()))
        known, known_ids = (
            np.concatenate([known, distinct[~met]]),
            np.concatenate([known_ids, ids[~met]]),
        )
        order = np.argsort(known, kind="stable")
        known, known_ids = known[order], known_ids[order]
        blocks.append(count_matrix(rows, ids[local], (len(block), _MAX_TERMS)))
    size = len(known)
    counts = CSR(
        np.concatenate([b.data for b in blocks]) if blocks else np.zeros(0),
        np.concatenate([b.indices for b in blocks]) if blocks else np.zeros(0, dtype=np.int64),
        _stacked_indptr([b.indptr for b in blocks]),
        (n, max(size, 1)),
    )
    del blocks
    return tfidf(counts), np.bincount(counts.indices, minlength=size)


_MAX_TERMS = 1 << 31  # a bound on the distinct bigrams, for packing (row, term) in 64 bits


def _stacked_indptr(parts: Sequence[np.ndarray]) -> np.ndarray:
    """The indptr of row blocks stacked one under the other."""
    out, offset = [np.zeros(1, dtype=np.int64)], 0
    for indptr in parts:
        out.append(indptr[1:] + offset)
        offset += int(indptr[-1])
    return np.concatenate(out)


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


PAIR_CHUNK = 100_000  # candidate pairs whose dot products are computed at once


def _pair_dots(matrix: CSR, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Dot products of rows left[k] and right[k] of a CSR matrix with sorted columns.

    scipy takes the two sets of rows and multiplies them entry by entry (a merge of sorted
    columns, in C); each pair's products are then added in column order, as a loop over the
    shorter row would add them, so the result is the same to the bit. Five times faster than
    looking every entry up by binary search, which it replaced.
    """
    out = np.zeros(len(left))
    if not len(left):
        return out
    rows = matrix.to_scipy()
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

    def groups(self) -> dict[int, list[int]]:
        out: dict[int, list[int]] = defaultdict(list)
        for i in range(len(self.parent)):
            out[self.find(i)].append(i)
        return out


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


def _candidates(values: np.ndarray, indptr: np.ndarray, threshold: float) -> np.ndarray:
    """`candidate_pairs` of the sets values[indptr[k]:indptr[k+1]] at Jaccard `threshold`,
    keyed KEY_BLOCK sets at a time (the signatures of all would be n × 128 numbers)."""
    n = len(indptr) - 1
    keys = [
        band_keys(values[indptr[a] : indptr[b]], indptr[a : b + 1] - indptr[a], threshold)
        for a, b in ((a, min(a + KEY_BLOCK, n)) for a in range(0, n, KEY_BLOCK))
    ]
    if not keys:
        return np.empty((0, 2), dtype=np.int64)
    return candidate_pairs(np.concatenate(keys))


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
    bigrams of title and statement. Identical statements form one unit first; MinHash LSH
    proposes candidate pairs among the units; pairs at `threshold` or more are merged in
    descending order of similarity while the merged group's mean cross-pair cosine stays at
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
    if not rows:
        return []
    units: dict[str, list[int]] = defaultdict(list)
    for k, row in enumerate(rows):
        units[row.compact].append(k)
    texts = list(units)
    members = list(units.values())
    matrix, df = _tfidf(texts)
    n = len(texts)
    blocking = matrix.indices
    if n >= BLOCK_MIN_ITEMS:
        blocking = np.where(df[matrix.indices] > BLOCK_COMMON * n, -1, matrix.indices)
    kept = blocking >= 0
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(matrix.rows()[kept], minlength=n), out=indptr[1:])
    pairs = _candidates(blocking[kept], indptr, BLOCK_JACCARD) if n > 1 else np.empty((0, 2), int)
    similarity = _pair_dots(matrix, pairs[:, 0], pairs[:, 1])
    linked = similarity >= threshold
    pairs, similarity = pairs[linked], similarity[linked]
    order = np.lexsort((pairs[:, 1], pairs[:, 0], -similarity))
    edges = zip(similarity[order].tolist(), *pairs[order].T.tolist(), strict=True)
    # Average linkage on the fly: each group keeps the sum of its members' vectors and its size
    # (identical statements counted once per item), so the mean cross cosine is one dot product.
    # Only groups of two units or more keep their sum; a single unit's is made when needed
    # (keeping every row touched as a dict took more than a gigabyte at 500,000 items).
    union = _Union(n)
    sums: dict[int, dict[int, float]] = {}
    sizes = {i: len(members[i]) for i in range(n)}

    def summed(root: int) -> dict[int, float]:
        found = sums.get(root)
        return _row(matrix, root, sizes[root]) if found is None else found

    # Two groups refused once are refused again until one of them grows: their next edges
    # are passed over without the dot product of two big summed vectors. Two single units
    # need no check: their mean cross cosine is their own cosine, at `threshold` or more.
    refused: dict[tuple[int, int], tuple[int, int]] = {}
    single = [threshold >= average] * n
    for _, i, j in edges:
        a, b = union.find(i), union.find(j)
        if a == b or refused.get((a, b)) == (sizes[a], sizes[b]):
            continue
        sa, sb = summed(a), summed(b)
        if not (single[a] and single[b]) and _dot(sa, sb) / (sizes[a] * sizes[b]) < average:
            refused[a, b] = (sizes[a], sizes[b])
            continue
        # The bigger group stays the root, and the smaller one's vector is added to its sum:
        # a report's item joining a cluster of thousands costs its own terms, not the cluster's.
        if len(sa) < len(sb):
            a, b, sa, sb = b, a, sb, sa
        union.union(a, b)
        for t, w in sb.items():
            sa[t] = sa.get(t, 0.0) + w
        sums[a] = sa
        sums.pop(b, None)
        sizes[a] += sizes[b]
        single[a] = False
    clusters = []
    for root, group in union.groups().items():
        items = [k for u in group for k in members[u]]
        report_ids = {rows[k].report_id for k in items}
        if len(report_ids) < 2:
            continue
        centre = _centre(matrix, group, summed(root)) if len(group) > 1 else root
        items.sort(key=lambda k: (str(rows[k].report_id), rows[k].index or 0))
        clusters.append(
            {
                "name": rows[members[centre][0]].title or texts[centre][:40],
                "count": len(report_ids),
                "members": [
                    {"report_id": rows[k].report_id, "index": rows[k].index, "title": rows[k].title}
                    for k in items
                ],
            }
        )
    clusters.sort(key=lambda c: (-c["count"], c["name"]))
    return clusters


# -- recurring problems ----------------------------------------------------------------------------

RECURRING_BLOCK = 2048  # rows of one issuer's similarity matrix computed at a time
RECURRING_SMALL = 300  # items of a body whose pairs are listed rather than multiplied out
RECURRING_BATCH = 2_000_000  # pairs of many bodies whose cosines are computed in one pass


@cache
def _upper(n: int) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) for every 0 <= x < y < n, by x then y."""
    return np.triu_indices(n, 1)


def _close_pairs(
    matrix: CSR, ks: Sequence[int], years: Sequence[Any], threshold: float
) -> Iterator[tuple[int, int, float]]:
    """(ks[x], ks[y], cosine) for x < y of different years at `threshold` or more, by x then y.

    One body's rows are made dense over the terms they use and multiplied, a block of rows at
    a time: a few hundred items make a small matrix, and the product is one BLAS call.
    """
    if len(ks) < 2:
        return
    index = np.asarray(ks, dtype=np.int64)
    lengths = np.diff(matrix.indptr)[index]
    where = _segments(matrix.indptr[index], lengths)
    terms, columns = np.unique(matrix.indices[where], return_inverse=True)
    dense = np.zeros((len(index), len(terms)))
    dense[np.repeat(np.arange(len(index)), lengths), columns.reshape(-1)] = matrix.data[where]
    year_codes = np.unique(np.asarray([str(y) for y in years]), return_inverse=True)[1]
    year_codes = year_codes.reshape(-1)
    for top in range(0, len(index), RECURRING_BLOCK):
        block = dense[top : top + RECURRING_BLOCK] @ dense.T
        x, y = np.nonzero(block >= threshold)
        x += top
        keep = (y > x) & (year_codes[x] != year_codes[y])
        x, y = x[keep], y[keep]
        for a, b, s in zip(x.tolist(), y.tolist(), block[x - top, y].tolist(), strict=True):
            yield ks[a], ks[b], s


def recurring_problems(
    reports: Sequence[Report], threshold: float = RECURRING_THRESHOLD
) -> list[dict[str, Any]]:
    """Pairs of one body's problem items, in different years, that state the same problem.

    Why: a problem admitted again the next year was not fixed, which the inspection asks
    about ("整改不到位"). Reports are grouped by normalised issuer; reports without an issuer
    or a year cannot recur and are left out, and items of the same year are never paired. Each
    pair of items at TF-IDF cosine `threshold` or more is returned (IDF over the whole
    archive, so the stock words every body uses weigh little), sorted by issuer, then years.
    Pairs rather than chains: a pair can be checked by reading two items, and a problem met
    in three years gives its three pairs.
    """
    return recurring_of([row for r in reports for row in problem_rows(r)], threshold)


def recurring_of(
    rows: Sequence[ProblemRow], threshold: float = RECURRING_THRESHOLD
) -> list[dict[str, Any]]:
    """`recurring_problems` of problem rows (`problem_rows`)."""
    rows = [row for row in rows if row.issuer is not None and row.year is not None]
    if not rows:
        return []
    matrix, _ = _tfidf([row.compact for row in rows])
    year_codes = np.unique(np.asarray([str(row.year) for row in rows]), return_inverse=True)[1]
    year_codes = year_codes.reshape(-1)
    by_issuer: dict[str, list[int]] = defaultdict(list)
    for k, row in enumerate(rows):
        by_issuer[row.issuer].append(k)  # type: ignore[index]
    found = []

    def pair(issuer: str, a: int, b: int, s: float) -> dict[str, Any]:
        return {
            "issuer": issuer,
            "similarity": round(s, 3),
            "items": [
                {
                    "report_id": rows[k].report_id,
                    "year": rows[k].year,
                    "index": rows[k].index,
                    "title": rows[k].title,
                }
                for k in (a, b)
            ],
        }

    # Most bodies have a few dozen items: their pairs of different years are listed for many
    # bodies at once and their cosines computed in one pass (`_pair_dots`). A body with more
    # items than RECURRING_SMALL is multiplied out a block at a time (`_close_pairs`).
    batch: list[tuple[str, np.ndarray, np.ndarray]] = []
    pending = 0

    def flush() -> None:
        nonlocal pending
        if not batch:
            return
        left = np.concatenate([x for _, x, _ in batch])
        right = np.concatenate([y for _, _, y in batch])
        dots = _pair_dots(matrix, left, right)
        at = 0
        for issuer, x, y in batch:
            part = dots[at : at + len(x)]
            keep = part >= threshold
            for a, b, s in zip(
                x[keep].tolist(), y[keep].tolist(), part[keep].tolist(), strict=True
            ):
                found.append(pair(issuer, a, b, s))
            at += len(x)
        batch.clear()
        pending = 0

    for issuer, ks in by_issuer.items():
        ks.sort(key=lambda k: (rows[k].year, rows[k].index or 0))
        if len(ks) > RECURRING_SMALL:
            for a, b, s in _close_pairs(matrix, ks, [rows[k].year for k in ks], threshold):
                found.append(pair(issuer, a, b, s))
            continue
        index = np.asarray(ks, dtype=np.int64)
        x, y = _upper(len(ks))
        x, y = index[x], index[y]
        other_year = year_codes[x] != year_codes[y]
        batch.append((issuer, x[other_year], y[other_year]))
        pending += int(other_year.sum())
        if pending >= RECURRING_BATCH:
            flush()
    flush()
    found.sort(
        key=lambda f: (f["issuer"], f["items"][0]["year"], f["items"][1]["year"], -f["similarity"])
    )
    return found


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


def _group_rates(reports: Sequence[Report]) -> dict[str, Any]:
    n = len(reports)
    present = {
        part: sum((r.get("contents") or {}).get(part) == "present" for r in reports)
        for part in REQUIRED
    }
    compliant = sum(
        all((r.get("contents") or {}).get(part) == "present" for part in REQUIRED) for r in reports
    )
    timeliness = Counter(r.get("timeliness") or "unknown" for r in reports)
    known = timeliness["on_time"] + timeliness["late"]
    return {
        "reports": n,
        "compliant": compliant,
        "compliance": round(compliant / n, 4) if n else None,
        "parts": {part: round(present[part] / n, 4) if n else None for part in REQUIRED},
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
    out: dict[str, Any] = {"all": _group_rates(real), "non_reports": len(reports) - len(real)}
    for name, field in (("by_level", "level"), ("by_kind", "issuer_kind"), ("by_year", "year")):
        groups: dict[str, list[Report]] = defaultdict(list)
        for r in real:
            groups[_key(r.get(field))].append(r)
        out[name] = {k: _group_rates(groups[k]) for k in sorted(groups)}
    return out


# -- all -------------------------------------------------------------------------------------------


class Comparison:
    """Everything the archive comparison page shows, taken in a chunk of reports at a time.

    Of each report it keeps what the comparisons read and no more: its problem rows, the few
    fields of the rates, and its paragraphs' units in a `PassageIndex` (keyed as they come,
    by `keyer`, which may hand the work to another process or a Dask cluster). Memory grows
    with the archive's distinct paragraph texts and problem items, never with its whole
    records. `compare(reports)` is `add(reports)` then `finish()`.
    """

    def __init__(
        self,
        keyer: Callable[[list[str]], Any] | None = None,
        verifier: Callable[[list[str], np.ndarray], np.ndarray] | None = None,
    ) -> None:
        self.passages = PassageIndex(keyer=keyer, verifier=verifier)
        self.problems: list[ProblemRow] = []
        self.summaries: list[dict[str, Any]] = []
        self.timings: dict[str, float] = {}  # seconds of each step of `finish`

    @classmethod
    def resume(
        cls,
        state: Mapping[str, Any],
        keyer: Callable[[list[str]], Any] | None = None,
        verifier: Callable[[list[str], np.ndarray], np.ndarray] | None = None,
    ) -> Comparison:
        """A comparison whose passages go on from `state` (`PassageIndex.state`)."""
        comparison = cls()
        comparison.passages = PassageIndex.resume(state, keyer=keyer, verifier=verifier)
        return comparison

    def take(self, problems: Iterable[ProblemRow], summaries: Iterable[dict[str, Any]]) -> None:
        """Problem rows and rate fields of reports whose paragraphs the passages have (or are
        given apart): what a store holds of the reports, without their whole records."""
        self.problems.extend(problems)
        self.summaries.extend(summaries)

    def add(self, reports: Sequence[Report]) -> None:
        for report in reports:
            self.problems.extend(problem_rows(report))
            self.summaries.append(
                {k: report.get(k) for k in ("id", "level", "issuer_kind", "year", "timeliness")}
                | {"contents": report.get("contents")}
            )
        self.passages.add(reports)

    def finish(
        self,
        live: Iterable[int] | None = None,
        text_of: Callable[[int, int], str] | None = None,
    ) -> dict[str, Any]:
        """The comparison of the reports added, of those whose id is in `live` (all if None)."""
        problems, summaries = self.problems, self.summaries
        if live is not None:
            live = set(live)
            problems = [row for row in problems if row.report_id in live]
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
        recurring = recurring_of(problems)
        lap("recurring")
        clusters = clusters_of(problems)
        lap("clusters")
        return {
            "clusters": clusters,
            "recurring": recurring,
            "recurring_issuers": recurring_by_issuer(recurring),
            "shared": shared,
            "rates": rates(summaries),
        }


def compare(reports: Sequence[Report]) -> dict[str, Any]:
    """Everything the archive comparison page shows, from one list of reports."""
    comparison = Comparison()
    comparison.add(reports)
    return comparison.finish(text_of=_paragraph_texts(reports))
