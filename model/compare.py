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

import re
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterator, Mapping, Sequence
from typing import Any

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


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    """The distinct values, sorted: a sort and a comparison (numpy's `unique` hashes first,
    several times slower on tens of millions of integers)."""
    values = np.sort(values)
    if len(values) < 2:
        return values
    return values[np.r_[True, values[1:] != values[:-1]]]


def _segments(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Positions starts[k] .. starts[k] + lengths[k] - 1 for every k, end to end."""
    offsets = np.cumsum(lengths) - lengths
    return np.arange(int(lengths.sum()), dtype=np.int64) + np.repeat(starts - offsets, lengths)


def _tfidf(texts: Sequence[str]) -> tuple[CSR, np.ndarray]:
    """Unit TF-IDF rows over character bigrams (CSR, columns sorted), and document counts.

    Bigrams need no word segmentation, and paraphrases of one problem keep most of its key
    bigrams ("执法", "人员", "素质") while the stock words are weighted down by IDF. A text of
    one character is its own single term. Term ids number the bigrams in order of first
    appearance (texts in order, each read left to right), so the MinHash blocking, which
    hashes the ids, gives the same candidates whatever the implementation. Computed in numpy
    over all texts at once.
    """
    n = len(texts)
    codes, starts = _flat(texts)
    lengths = np.diff(starts)
    owner = np.repeat(np.arange(n, dtype=np.int64), lengths)
    # A bigram at every position whose next character is in the same text; a one-character
    # text gives its character alone (code << 21 with nothing after it: no bigram is that).
    pair = np.ones(len(codes), dtype=bool)
    if len(codes):
        pair[starts[1:][lengths > 0] - 1] = False
    single = np.zeros(len(codes), dtype=bool)
    single[starts[:-1][lengths == 1]] = True
    keep = pair | single
    following = np.where(pair, np.append(codes[1:], np.uint64(0)), np.uint64(0))
    keys = ngram_keys([codes, following])
    keys, rows = keys[keep], owner[keep]
    vocabulary, first, terms = np.unique(keys, return_index=True, return_inverse=True)
    rank = np.empty(len(vocabulary), dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(vocabulary))
    counts = count_matrix(rows, rank[terms.reshape(-1)], (n, max(len(vocabulary), 1)))
    return tfidf(counts), np.bincount(counts.indices, minlength=len(vocabulary))


def _pair_dots(matrix: CSR, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Dot products of rows left[k] and right[k] of a CSR matrix with sorted columns.

    Each entry of the shorter row is looked up in the other row by binary search over the
    matrix's (row, column) keys, which are sorted; done for chunks of pairs at once.
    """
    out = np.zeros(len(left))
    if not len(left):
        return out
    width = np.int64(max(matrix.shape[1], 1))
    keys = matrix.rows() * width + matrix.indices
    sizes = np.diff(matrix.indptr)
    short = sizes[left] <= sizes[right]
    a, b = np.where(short, left, right), np.where(short, right, left)
    chunk = max(1, 4_000_000 // max(1, int(sizes.mean()) if len(sizes) else 1))
    for at in range(0, len(a), chunk):
        ca, cb = a[at : at + chunk], b[at : at + chunk]
        lengths = sizes[ca]
        where = _segments(matrix.indptr[ca], lengths)
        wanted = np.repeat(cb, lengths) * width + matrix.indices[where]
        found = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
        hit = keys[found] == wanted
        products = np.where(hit, matrix.data[where] * matrix.data[found], 0.0)
        pair = np.repeat(np.arange(len(ca)), lengths)
        out[at : at + chunk] = np.bincount(pair, weights=products, minlength=len(ca))
    return out


def _dot(a: Mapping[int, float], b: Mapping[int, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(t, 0.0) for t, w in a.items())


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


def _candidates(values: np.ndarray, indptr: np.ndarray, threshold: float) -> np.ndarray:
    """Pairs (i < j), as rows of an (m, 2) array in increasing order, whose sets MinHash LSH
    finds likely to reach Jaccard `threshold`. Empty sets have no candidates.

    The banding is datasketch's `MinHashLSH(threshold, NUM_PERM)`: its b bands of r rows
    (b·r ≤ NUM_PERM; only those permutations are computed), two sets sharing a band's values
    sharing a bucket. Buckets are read directly, which finds every candidate once. Bucket
    handling is capped: a bucket of up to BUCKET_PAIRS members gives all its pairs; a larger
    one (a big family of near-duplicates) only each member with its BUCKET_WINDOW next ones
    in index order, so it costs linear rather than quadratic time; the other bands' buckets
    add the links a window misses.
    """
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    bands, rows = lsh.b, lsh.r
    filled = np.flatnonzero(np.diff(indptr))
    if len(filled) < 2:
        return np.empty((0, 2), dtype=np.int64)
    signature = signatures(values, indptr, bands * rows)[filled]
    n = len(filled)
    found = []
    for band in range(bands):
        block = np.ascontiguousarray(signature[:, band * rows : (band + 1) * rows])
        _, bucket = np.unique(block.view(np.dtype((np.void, 4 * rows))), return_inverse=True)
        bucket = bucket.reshape(-1)
        order = np.lexsort((np.arange(n), bucket))
        sorted_bucket = bucket[order]
        size = np.bincount(bucket)[sorted_bucket]
        small = size <= BUCKET_PAIRS
        for step in range(1, min(BUCKET_PAIRS, n)):
            same = sorted_bucket[step:] == sorted_bucket[:-step]
            if not same.any():
                break
            if step > BUCKET_WINDOW:
                same &= small[step:]
            k = np.flatnonzero(same)
            found.append(order[k] * n + order[k + step])
    if not found:
        return np.empty((0, 2), dtype=np.int64)
    codes = _sorted_unique(np.concatenate(found))
    return np.stack([filled[codes // n], filled[codes % n]], axis=1)


# -- problem clusters ------------------------------------------------------------------------------


def _item_text(item: Mapping[str, Any]) -> str:
    """The compact text of a problem item: its statement, with the title when not inside it."""
    title, text = item.get("title") or "", item.get("text") or ""
    return _compact(text if title and title in text else f"{title}。{text}")


def _problem_rows(reports: Sequence[Report]) -> list[tuple[Any, dict[str, Any], str]]:
    rows = []
    for report in reports:
        for item in report.get("problems") or []:
            compact = _item_text(item)
            if compact:
                rows.append((report.get("id"), item, compact))
    return rows


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
    rows = _problem_rows(reports)
    if not rows:
        return []
    units: dict[str, list[int]] = defaultdict(list)
    for k, (_, _, compact) in enumerate(rows):
        units[compact].append(k)
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
    vectors = [_row(matrix, i) for i in range(n)]
    # Average linkage on the fly: each group keeps the sum of its members' vectors and its size
    # (identical statements counted once per item), so the mean cross cosine is one dot product.
    union = _Union(n)
    sums: dict[int, dict[int, float]] = {}
    sizes = {i: len(members[i]) for i in range(n)}

    def summed(root: int) -> dict[int, float]:
        if root not in sums:
            sums[root] = {t: w * sizes[root] for t, w in vectors[root].items()}
        return sums[root]

    for _, i, j in edges:
        a, b = union.find(i), union.find(j)
        if a == b:
            continue
        sa, sb = summed(a), summed(b)
        if _dot(sa, sb) / (sizes[a] * sizes[b]) < average:
            continue
        root = union.union(a, b)
        other = b if root == a else a
        merged, extra = (sa, sb) if root == a else (sb, sa)
        for t, w in extra.items():
            merged[t] = merged.get(t, 0.0) + w
        sums[root] = merged
        sums.pop(other, None)
        sizes[root] = sizes[a] + sizes[b]
    clusters = []
    for root, group in union.groups().items():
        items = [k for u in group for k in members[u]]
        report_ids = {rows[k][0] for k in items}
        if len(report_ids) < 2:
            continue
        total = summed(root) if len(group) > 1 else vectors[root]
        # Rounded: cosines equal but for summation order are a tie, which the first unit wins.
        centre = max(group, key=lambda u: (round(_dot(vectors[u], total), 9), -u))
        items.sort(key=lambda k: (str(rows[k][0]), rows[k][1].get("index", 0)))
        clusters.append(
            {
                "name": rows[members[centre][0]][1].get("title") or texts[centre][:40],
                "count": len(report_ids),
                "members": [
                    {
                        "report_id": rows[k][0],
                        "index": rows[k][1].get("index"),
                        "title": rows[k][1].get("title"),
                    }
                    for k in items
                ],
            }
        )
    clusters.sort(key=lambda c: (-c["count"], c["name"]))
    return clusters


# -- recurring problems ----------------------------------------------------------------------------

RECURRING_BLOCK = 2048  # rows of one issuer's similarity matrix computed at a time


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
    rows = []
    for report in reports:
        issuer, year = normalise_issuer(report.get("issuer")), report.get("year")
        if issuer is None or year is None:
            continue
        for item in report.get("problems") or []:
            compact = _item_text(item)
            if compact:
                rows.append((issuer, year, report.get("id"), item, compact))
    if not rows:
        return []
    matrix, _ = _tfidf([r[4] for r in rows])
    by_issuer: dict[str, list[int]] = defaultdict(list)
    for k, row in enumerate(rows):
        by_issuer[row[0]].append(k)
    found = []
    for issuer, ks in by_issuer.items():
        ks.sort(key=lambda k: (rows[k][1], rows[k][3].get("index", 0)))
        for a, b, s in _close_pairs(matrix, ks, [rows[k][1] for k in ks], threshold):
            found.append(
                {
                    "issuer": issuer,
                    "similarity": round(s, 3),
                    "items": [
                        {
                            "report_id": rows[k][2],
                            "year": rows[k][1],
                            "index": rows[k][3].get("index"),
                            "title": rows[k][3].get("title"),
                        }
                        for k in (a, b)
                    ],
                }
            )
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
    units: dict[str, list[tuple[Hashable, Any, Any, str]]] = defaultdict(list)
    for report in reports:
        key = _issuer_key(report)
        for p in report.get("paragraphs") or []:
            text = p.get("text") or ""
            if p.get("heading") or is_heading(normalise(text).strip()):
                continue
            compact = _compact(text)
            if len(compact) < min_chars:
                continue
            units[compact].append((key, report.get("id"), p.get("index"), text))
    if not units:
        return []
    texts = list(units)
    values, indptr = _shingles(texts)
    sizes = np.diff(indptr)
    pairs = _candidates(values, indptr, threshold)
    # Jaccard ≤ min/max of the sizes: pairs that cannot reach the threshold are never checked.
    small, large = np.sort(sizes[pairs], axis=1).T if len(pairs) else (sizes[:0], sizes[:0])
    pairs = pairs[small >= threshold * large]
    keys = _set_keys(values, indptr)
    union = _Union(len(texts))
    checked = []
    # In order of the pairs, as one at a time would: a pair already inside one group is not
    # checked (single linkage needs no second link). The Jaccards are computed a chunk at a
    # time for the pairs not yet in one group when the chunk starts.
    for at in range(0, len(pairs), VERIFY_CHUNK):
        chunk = pairs[at : at + VERIFY_CHUNK].tolist()
        open_ = [k for k, (i, j) in enumerate(chunk) if union.find(i) != union.find(j)]
        if not open_:
            continue
        sub = np.asarray([chunk[k] for k in open_], dtype=np.int64)
        inter = _intersections(keys, values, indptr, sub)
        jaccard = inter / (sizes[sub[:, 0]] + sizes[sub[:, 1]] - inter)
        for (i, j), s in zip(sub.tolist(), jaccard.tolist(), strict=True):
            if s >= threshold and union.find(i) != union.find(j):
                union.union(i, j)
                checked.append((i, s))
    lowest: dict[int, float] = {}
    for i, s in checked:
        root = union.find(i)
        lowest[root] = min(lowest.get(root, 1.0), s)
    found = []
    for root, group in union.groups().items():
        occurrences = [o for u in group for o in units[texts[u]]]
        if len({o[0] for o in occurrences}) < 2:
            continue
        similarity = lowest.get(root, 1.0)  # one unit: identical texts
        excerpt = _SPACE.sub("", occurrences[0][3])[:EXCERPT_CHARS]
        occurrences.sort(key=lambda o: (str(o[1]), o[2] or 0))
        found.append(
            {
                "similarity": round(similarity, 3),
                "text": excerpt,
                "paragraphs": [{"report_id": o[1], "index": o[2]} for o in occurrences],
            }
        )
    found.sort(key=lambda f: (-len(f["paragraphs"]), -f["similarity"], f["text"]))
    return found


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


def compare(reports: Sequence[Report]) -> dict[str, Any]:
    """Everything the archive comparison page shows, from one list of reports."""
    recurring = recurring_problems(reports)
    return {
        "clusters": problem_clusters(reports),
        "recurring": recurring,
        "recurring_issuers": recurring_by_issuer(recurring),
        "shared": shared_passages(reports),
        "rates": rates(reports),
    }
