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

Similar texts are found without comparing every pair: MinHash LSH (datasketch) proposes
candidate pairs, which are then checked exactly, so 50,000 problem items cost seconds.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from model.audit import REQUIRED
from model.segment import is_heading, normalise

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
# Recurring problems: the same body's items in two years at this cosine or more. Tuned for
# precision on the State Council work reports 1992-2024 (training/recurring_eval.py; every pair
# found at 0.3 judged by hand in seeds/audit/recurring.sample.jsonl): at 0.3, 10 of 12 pairs
# are one problem, the two wrong ones being overview paragraphs ("清醒看到面临的困难和挑战")
# that share stock wording; at 0.4 all 5 are. A small sample: one issuer, 89 items.
RECURRING_THRESHOLD = 0.4
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


def _bigrams(text: str) -> list[str]:
    return [text[i : i + 2] for i in range(len(text) - 1)] or ([text] if text else [])


def _tfidf(texts: Sequence[str]) -> tuple[list[dict[int, float]], list[set[int]], Counter[int]]:
    """Unit TF-IDF vectors over character bigrams, their bigram id sets and document counts.

    Bigrams need no word segmentation, and paraphrases of one problem keep most of its key
    bigrams ("执法", "人员", "素质") while the stock words are weighted down by IDF.
    """
    vocabulary: dict[str, int] = {}
    counts = []
    for text in texts:
        counts.append(Counter(vocabulary.setdefault(g, len(vocabulary)) for g in _bigrams(text)))
    df: Counter[int] = Counter()
    for c in counts:
        df.update(c.keys())
    n = len(texts)
    idf = {t: math.log((1 + n) / (1 + d)) + 1 for t, d in df.items()}
    vectors = []
    for c in counts:
        weights = {t: (1 + math.log(k)) * idf[t] for t, k in c.items()}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        vectors.append({t: w / norm for t, w in weights.items()})
    return vectors, [set(c) for c in counts], df


def _dot(a: Mapping[int, float], b: Mapping[int, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(t, 0.0) for t, w in a.items())


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


def _identity(value: int) -> int:
    return value


def _candidates(sets: Sequence[Iterable[int]], threshold: float) -> set[tuple[int, int]]:
    """Pairs (i < j) whose hash sets MinHash LSH finds likely to reach Jaccard `threshold`.

    Each set holds 32-bit integers (bigram ids or shingle hashes), hashed as they are. The
    pairs are read from the LSH buckets directly, which finds every candidate once instead of
    querying each set.
    """
    from datasketch import MinHash, MinHashLSH  # imported on use: it takes ~1 s to load

    template = MinHash(num_perm=NUM_PERM, seed=MINHASH_SEED, hashfunc=_identity)
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    with lsh.insertion_session() as session:
        for i, values in enumerate(sets):
            values = np.fromiter(values, dtype=np.uint64)
            if not len(values):
                continue
            m = MinHash(
                num_perm=NUM_PERM,
                seed=MINHASH_SEED,
                hashfunc=_identity,
                permutations=template.permutations,
                scheme=template.scheme,
            )
            m.update_batch(values)
            session.insert(i, m, check_duplication=False)
    pairs: set[tuple[int, int]] = set()
    for table in lsh.hashtables:
        for key, count in table.itemcounts().items():
            if count < 2:
                continue
            members = sorted(table.get(key))
            if len(members) <= BUCKET_PAIRS:
                pairs.update((a, b) for k, a in enumerate(members) for b in members[k + 1 :])
            else:
                window = BUCKET_WINDOW
                pairs.update(
                    (a, b) for k, a in enumerate(members) for b in members[k + 1 : k + 1 + window]
                )
    return pairs


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
    cosine to the cluster's summed vector); clusters of one report are dropped.
    """
    rows = _problem_rows(reports)
    if not rows:
        return []
    units: dict[str, list[int]] = defaultdict(list)
    for k, (_, _, compact) in enumerate(rows):
        units[compact].append(k)
    texts = list(units)
    members = list(units.values())
    vectors, sets, df = _tfidf(texts)
    n = len(texts)
    if n >= BLOCK_MIN_ITEMS:
        common = {t for t, d in df.items() if d > BLOCK_COMMON * n}
        sets = [s - common for s in sets]
    pairs = _candidates(sets, BLOCK_JACCARD) if n > 1 else set()
    edges = []
    for i, j in pairs:
        s = _dot(vectors[i], vectors[j])
        if s >= threshold:
            edges.append((s, i, j))
    edges.sort(key=lambda e: (-e[0], e[1], e[2]))
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
        centre = max(group, key=lambda u: (_dot(vectors[u], total), -u))
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
    vectors, _, _ = _tfidf([r[4] for r in rows])
    by_issuer: dict[str, list[int]] = defaultdict(list)
    for k, row in enumerate(rows):
        by_issuer[row[0]].append(k)
    found = []
    for issuer, ks in by_issuer.items():
        ks.sort(key=lambda k: (rows[k][1], rows[k][3].get("index", 0)))
        for x, a in enumerate(ks):
            for b in ks[x + 1 :]:
                if rows[a][1] == rows[b][1]:
                    continue
                s = _dot(vectors[a], vectors[b])
                if s >= threshold:
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


# -- shared passages -------------------------------------------------------------------------------


def _shingles(text: str) -> np.ndarray:
    """32-bit hashes of the character 5-grams of a compact text, as a sorted unique array.

    A polynomial rolling hash over code points, computed in numpy: deterministic across runs
    (unlike Python's str hash) and fast enough for 300,000 paragraphs.
    """
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if len(codes) < SHINGLE:
        return np.unique(codes)
    key = np.zeros(len(codes) - SHINGLE + 1, dtype=np.uint64)
    for j in range(SHINGLE):
        key = (key * np.uint64(1_000_003) + codes[j : len(codes) - SHINGLE + 1 + j]) & _MASK32
    return np.unique(key)


def _jaccard(a: np.ndarray, b: np.ndarray) -> float:
    inter = len(np.intersect1d(a, b, assume_unique=True))
    return inter / (len(a) + len(b) - inter) if inter else 0.0


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
    sets = [_shingles(t) for t in texts]
    union = _Union(len(texts))
    checked = []
    for i, j in sorted(_candidates(sets, threshold)):
        if union.find(i) == union.find(j):
            continue  # already one group: single linkage needs no second link
        s = _jaccard(sets[i], sets[j])
        if s >= threshold:
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
    return {
        "clusters": problem_clusters(reports),
        "recurring": recurring_problems(reports),
        "shared": shared_passages(reports),
        "rates": rates(reports),
    }
