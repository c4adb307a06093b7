"""Extractive summarisers sharing one interface, one registry and one selection helper.

Each summariser only scores sentences (and says how much novelty should weigh against its
scores); `select` applies the budget (sentences or characters, never exceeded), picks by
maximal marginal relevance and restores document order — as sumy does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import chain, count
from typing import Any, Protocol

import numpy as np

from model.csr import CSR, csr_by_rows
from model.document import Document
from model.problems import problem_items
from model.registry import DEFAULT_METHOD, SUMMARISERS
from model.segment import NUMBER_TOKEN, YEAR_TOKEN
from model.units import FIGURE, sentence_kinds, sentence_shape

DEFAULT_MAX_SENTENCES = 5
# In a briefing, the want for a sentence that gives a figure (the others are section labels).
FIGURE_WANT = "figure"


@dataclass(frozen=True, slots=True)
class Budget:
    """How much summary to return: at most `max_sentences` sentences and `max_chars` characters."""

    max_sentences: int | None = None
    max_chars: int | None = None

    def __post_init__(self) -> None:
        for name in ("max_sentences", "max_chars"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or value < 0):
                raise ValueError(f"{name} must be a non-negative integer, got {value!r}")


@dataclass(frozen=True, slots=True)
class Picked:
    """A summary sentence: where it is, how it scored, its rank among the picks."""

    text: str
    score: float
    rank: int
    start: int
    end: int
    label: str | None

    def as_dict(self) -> dict[str, object]:
        return {
            "text": self.text,
            "score": round(self.score, 4),
            "rank": self.rank,
            "start": self.start,
            "end": self.end,
            "label": self.label,
        }


class Summariser(Protocol):
    """Scores every sentence of a document; higher is more summary-worthy.

    `diversity` is how much `select` trades a sentence's score for novelty (MMR); 0 keeps
    the scores' order, as a baseline should. `briefing` names the section labels whose best
    sentence `select` picks first (what a report admits and plans); baselines name none.
    """

    diversity: float
    briefing: tuple[str, ...]

    def score(self, doc: Document) -> np.ndarray: ...


# -- sentence vectors --------------------------------------------------------------------------


def smooth_idf(df: np.ndarray, n: int) -> np.ndarray:
    """sklearn's smoothed IDF of terms found in `df` of `n` texts."""
    return np.log((1 + n) / (1 + df)) + 1


def tfidf(counts: CSR, idf: np.ndarray | None = None) -> CSR:
    """Sublinear TF, smoothed IDF over the rows (or the given IDF), L2-normalised rows.

    As sklearn's TfidfVectorizer(sublinear_tf=True) with its defaults; `counts` has no repeated
    entry in a row (as every count matrix made here).
    """
    n = counts.shape[0]
    if idf is None:
        idf = smooth_idf(np.bincount(counts.indices, minlength=counts.shape[1]), n)
    data = (1 + np.log(counts.data)) * idf[counts.indices]
    rows = counts.rows()
    norms = np.sqrt(np.bincount(rows, weights=data * data, minlength=n))
    data /= np.where(norms > 0, norms, 1.0)[rows]
    return CSR(data, counts.indices, counts.indptr, counts.shape, rows)


def _count_matrix(rows: np.ndarray, columns: np.ndarray, shape: tuple[int, int]) -> CSR:
    """Counts of (row, column) pairs as a canonical CSR matrix (sorted, summed duplicates).

    One sort of integer keys replaces scipy's COO conversion and duplicate summing.
    """
    keys, tally = np.unique(rows * shape[1] + columns, return_counts=True)
    indptr = np.zeros(shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(keys // shape[1], minlength=shape[0]), out=indptr[1:])
    return CSR(tally.astype(float), keys % shape[1], indptr, shape)


def _word_counts(doc: Document) -> tuple[CSR, list[str]]:
    """Sentence × word count matrix and its vocabulary in first-seen order, built once."""
    if "word_counts" not in doc.features:
        # Each word maps to the position of its first occurrence (setdefault mapped in C); those
        # positions rise in first-seen order, so their ranks are the columns.
        vocab: dict[str, int] = {}
        words = list(chain.from_iterable(s.words for s in doc.sentences))
        first_at = np.fromiter(map(vocab.setdefault, words, count()), np.int64, len(words))
        first = np.zeros(len(words), dtype=bool)
        first[first_at] = True
        columns = (np.cumsum(first) - 1)[first_at]
        lengths = np.fromiter((len(s.words) for s in doc.sentences), dtype=np.int64)
        rows = np.repeat(np.arange(len(doc.sentences)), lengths)
        counts = _count_matrix(rows, columns, (len(doc.sentences), len(vocab) or 1))
        doc.features["word_counts"] = (counts, list(vocab))
        doc.features["word_tokens"] = (columns, rows)  # every word's column and sentence
    return doc.features["word_counts"]


def sentence_vectors(doc: Document) -> CSR:
    """TF-IDF rows of the sentences' words, IDF taken from the document itself (cached)."""
    if "words" not in doc.features:
        doc.features["words"] = tfidf(_word_counts(doc)[0])
    return doc.features["words"]


# Bigram keys hold two 21-bit code points, leaving 22 bits for the sentence in 64.
_ROW_BITS = 22


def char_bigrams(
    codes: np.ndarray, content: np.ndarray, owner: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(key, span) of every pair of adjacent content characters within one span.

    A key packs two 21-bit code points, so sorting keys sorts bigrams by their characters.
    """
    pair = owner[:-1] == owner[1:]
    keys = (codes[content[:-1][pair]].astype(np.uint64) << np.uint64(21)) | codes[content[1:][pair]]
    return keys, owner[:-1][pair]


def bigram_vectors(doc: Document) -> CSR:
    """TF-IDF rows of the sentences' character bigrams (punctuation skipped), cached.

    Built with numpy over code points, so the cost does not grow with a Python loop per
    character; no word segmentation is needed.
    """
    if "bigrams" not in doc.features:
        doc.features["bigrams"] = tfidf(document_bigram_counts(doc)[0])
    return doc.features["bigrams"]


def document_bigram_counts(doc: Document) -> tuple[CSR, np.ndarray]:
    """`bigram_counts` of the document's sentences, cached (the heading model reuses them)."""
    if "bigram_counts" not in doc.features:
        keys, rows = char_bigrams(*doc.content())
        doc.features["bigram_counts"] = bigram_counts(keys, rows, len(doc.sentences))
    return doc.features["bigram_counts"]


def bigram_counts(keys: np.ndarray, rows: np.ndarray, n: int) -> tuple[CSR, np.ndarray]:
    """Sentence × bigram counts, a bigram's column being its rank among the distinct keys,
    and those distinct keys (sorted).

    One sort of (bigram, sentence) pairs packed in 64 bits gives the counts and the ranks; the
    stable sort by sentence then keeps each row's columns in order.
    """
    if n >= 1 << _ROW_BITS:  # the pairs no longer fit in 64 bits
        distinct_keys, columns = np.unique(keys, return_inverse=True)
        shape = (n, len(distinct_keys) or 1)
        return _count_matrix(rows, columns.ravel(), shape), distinct_keys
    pairs, tally = np.unique(
        (keys << np.uint64(_ROW_BITS)) | rows.astype(np.uint64), return_counts=True
    )
    keys = pairs >> np.uint64(_ROW_BITS)
    distinct = np.ones(len(keys), dtype=bool)
    np.not_equal(keys[1:], keys[:-1], out=distinct[1:])
    columns = np.cumsum(distinct) - 1
    rows = (pairs & np.uint64((1 << _ROW_BITS) - 1)).astype(np.int64)
    counts = csr_by_rows(rows, columns, tally.astype(float), (n, int(distinct.sum()) or 1))
    return counts, keys[distinct]


# -- graph and centroid scores -----------------------------------------------------------------


_DAMPING = 0.85
# Stopping at an L1 change of 1e-4 keeps the order of the top sentences and halves the iterations.
_TOL = 1e-4


def _power_iteration(
    walk: Callable[[np.ndarray], np.ndarray], dangling: np.ndarray, damping: float, tol: float
) -> np.ndarray:
    """PageRank's power iteration (Page et al. 1999); `walk` spreads rank along the links.

    A node with no links (`dangling`) jumps uniformly.
    """
    n = len(dangling)
    rank = np.full(n, 1.0 / n)
    for _ in range(100):
        new = (1 - damping) / n + damping * (walk(rank) + rank[dangling].sum() / n)
        if np.abs(new - rank).sum() < tol:
            return new
        rank = new
    return rank


def pagerank(similarity: Any, damping: float = _DAMPING, tol: float = _TOL) -> np.ndarray:
    """PageRank on a row-normalised similarity graph (a CSR, scipy sparse or dense matrix),
    kept sparse; self-links are dropped."""
    sim = CSR.of(similarity)
    n = sim.shape[0]
    if n == 0:
        return np.zeros(0)
    rows = sim.rows()
    sim.data[rows == sim.indices] = 0.0
    out = np.bincount(rows, weights=sim.data, minlength=n)
    dangling = out <= 0
    sim.data /= np.where(dangling, 1.0, out)[rows]
    walk = sim.T  # a view: no copy
    return _power_iteration(walk.__matmul__, dangling, damping, tol)


def _cosine_product(vectors: CSR) -> Callable[[np.ndarray], np.ndarray]:
    """x ↦ S x for the sentence cosine graph S = V Vᵀ without self-links, never building S.

    S has up to n² entries; V has a few per sentence, so V (Vᵀ x) minus the self-links is cheap.
    """
    self_links = np.bincount(
        vectors.rows(), weights=vectors.data * vectors.data, minlength=vectors.shape[0]
    )
    transposed = vectors.T
    return lambda x: vectors @ (transposed @ x) - self_links * x


# Beyond this many sentences the graph gives way to the centroid.
_GRAPH_LIMIT = 3000


def lexrank(vectors: CSR) -> np.ndarray:
    """Continuous LexRank: PageRank over cosine similarities (Erkan & Radev 2004)."""
    n = vectors.shape[0]
    if n > _GRAPH_LIMIT:
        return centroid_similarity(vectors)
    if n == 0:
        return np.zeros(0)
    similar = _cosine_product(vectors)
    out = similar(np.ones(n))
    # A sentence sharing no word with another has out-weight 0 up to rounding; real links
    # (products of TF-IDF weights) are many orders of magnitude larger.
    dangling = out <= 1e-9
    out[dangling] = 1.0
    return _power_iteration(lambda rank: similar(rank / out), dangling, _DAMPING, _TOL)


def centroid_similarity(vectors: CSR) -> np.ndarray:
    """Cosine of each row to the document centroid (Radev et al. 2004)."""
    centroid = np.bincount(vectors.indices, weights=vectors.data, minlength=vectors.shape[1])
    norm = np.linalg.norm(centroid)
    return vectors @ (centroid / norm) if norm else np.zeros(vectors.shape[0])


def _scale(values: np.ndarray) -> np.ndarray:
    top = float(values.max()) if len(values) else 0.0
    return values / top if top > 0 else values


# -- summarisers -------------------------------------------------------------------------------


class LeadSummariser:
    """The first sentences of the report body (the genre's overview comes first)."""

    diversity = 0.0
    briefing: tuple[str, ...] = ()

    def score(self, doc: Document) -> np.ndarray:
        n = len(doc.sentences)
        return 1.0 - np.arange(n) / max(n, 1)


class TextRankSummariser:
    """TextRank/LexRank baseline: PageRank over word TF-IDF cosine (Erkan & Radev 2004)."""

    diversity = 0.0
    briefing: tuple[str, ...] = ()

    def score(self, doc: Document) -> np.ndarray:
        return lexrank(sentence_vectors(doc))


_LABEL_WEIGHT = {
    "achievements": 1.0,
    "shortcomings": 1.0,
    "plans": 1.0,
    "leadership": 0.9,
    "preamble": 0.8,
    "other": 0.7,
    "boilerplate": 0.0,
}


class SectionRankSummariser:
    """The default: a briefing of what the report claims, admits and plans.

    Centrality: cosine to the document centroid of character-bigram TF-IDF (Radev et al.
    2004; bigrams need no segmentation) and of word TF-IDF.
    What a reader wants (SPEC): specifics (figures with units, documents in 《》, named measures
    in “”) raise a sentence by `specific` each, up to three; a stock formula, measured by the
    share s of its characters in 4-grams common across the background corpus of reports
    (`model.background`), is multiplied by (1 - s) ** `stock`; a fragment without an end mark
    is down-weighted by `fragment`; the section label keeps chrome out. A sentence opening its
    paragraph or a run-in item ("一是…") states what its part is about (`topic`).
    Learnt: a body sentence that reads like the training reports' headings (the classifier's
    `HeadingModel`) multiplies the score by up to 1 + `headlike`. It helps heading recovery,
    a secondary check, and pulls towards slogan-like sentences a reader does not want, so it
    weighs little.
    Picking (`select`): only whole body sentences (`model.units`); the best shortcomings and
    plans sentences first (`briefing`), then MMR with `diversity` 0.7, which covers more of
    the report's parts.
    """

    def __init__(
        self,
        words: float = 0.3,
        topic: float = 0.2,
        fragment: float = 0.5,
        headlike: float = 5.0,
        specific: float = 0.3,
        stock: float = 0.5,
        stock_from: float = 0.3,
        diversity: float = 0.7,
        briefing: tuple[str, ...] = (FIGURE_WANT, "shortcomings", "plans"),
    ) -> None:
        self.briefing = briefing
        self.stock_from = stock_from
        self.words = words
        self.topic = topic
        self.fragment = fragment
        self.headlike = headlike
        self.specific = specific
        self.stock = stock
        self.diversity = diversity

    def score(self, doc: Document) -> np.ndarray:
        if not doc.sentences:
            return np.zeros(0)
        central = _scale(centroid_similarity(bigram_vectors(doc)))
        if self.words:
            central += self.words * _scale(centroid_similarity(sentence_vectors(doc)))
        opens, complete, substantial = sentence_shape(doc)
        score = central * (1 + self.topic * opens)
        score *= np.where(complete, 1.0, self.fragment) * np.where(substantial, 1.0, 0.1)
        kinds = sentence_kinds(doc)
        score *= 1 + self.specific * np.minimum(kinds.specific, 3)
        # Stock phrases weigh from `stock_from` of a sentence on, down to nothing for all.
        excess = np.maximum(kinds.stock - self.stock_from, 0) / (1 - self.stock_from)
        score *= np.maximum(1 - self.stock * excess, 0.02)
        headlike = doc.heading_probabilities() if self.headlike else None
        if headlike is not None:
            score *= 1 + self.headlike * _body_scaled(doc, headlike)
        if doc.labels is not None:
            weight = {label: _LABEL_WEIGHT.get(label, 1.0) for label in set(doc.labels)}
            score *= np.array([weight[doc.labels[s.paragraph]] for s in doc.sentences])
        return score


def _body_scaled(doc: Document, values: np.ndarray) -> np.ndarray:
    """`values` min-max scaled over the body sentences; 0 for those of heading lines.

    A heading itself is not a summary of the report: only body sentences that read like one
    (the topic sentences a heading paraphrases) are favoured.
    """
    heading = np.fromiter((p.heading for p in doc.paragraphs), bool, len(doc.paragraphs))
    body = ~heading[doc.sentence_paragraphs()]
    if not body.any():
        return np.zeros(len(values))
    low, high = float(values[body].min()), float(values[body].max())
    scaled = (values - low) / (high - low) if high > low else np.zeros(len(values))
    return np.where(body, scaled, 0.0)


# The single registry, SUMMARISERS, is `model.registry`'s: it names these classes by path, so
# the command line can list them without importing this module (and numpy).


def get_summariser(method: str = DEFAULT_METHOD) -> Summariser:
    """An instance of the registered summariser, or a ValueError naming the choices."""
    try:
        return SUMMARISERS[method]()
    except KeyError:
        raise ValueError(f"unknown method {method!r}; choose from {sorted(SUMMARISERS)}") from None


# Bigram cosine above which a sentence repeats one already picked.
_REDUNDANCY = 0.7

# A briefing reserves its admissions and plans only when the budget leaves room for claims too.
_BRIEFING_SENTENCES, _BRIEFING_CHARS = 3, 200
# Under a character budget, a reserved sentence is looked for among those of at most this
# share of the budget first, so that the claims keep room.
_SHARES = (0.25, 1 / 3, 0.5)


def candidates(doc: Document) -> tuple[np.ndarray, str]:
    """(sentences a summary may use, where they come from: "body" or "headings").

    Whole body sentences that say something (`Kinds.standalone`); failing those, any body
    sentence; a report that is only headings (a pasted table of contents) is summarised from
    its headings, and says so.
    """
    kinds = sentence_kinds(doc)
    usable = kinds.standalone
    if usable.any():
        return usable, "body"
    if kinds.body.any():
        return kinds.body, "body"
    return kinds.heading & ~kinds.chrome, "headings"


def select(
    doc: Document,
    scores: np.ndarray,
    budget: Budget,
    redundancy: float = _REDUNDANCY,
    allowed: np.ndarray | None = None,
    diversity: float = 0.0,
    briefing: Sequence[str] = (),
) -> list[Picked]:
    """Best sentences within the budget by maximal marginal relevance, in document order.

    Only `candidates` are used. For each label in `briefing` that the report has, its best
    sentence is picked first, when the budget is at least 3 sentences or 200 characters (so
    that what the report admits and plans is never crowded out by its claims); under a
    character budget it is chosen among sentences of at most a third of the budget.
    Then each pick maximises (1 - diversity) × score (scaled to the best) - diversity × its
    highest cosine to a sentence already picked (Carbonell & Goldstein 1998), on
    character-bigram TF-IDF; a sentence whose cosine to a pick exceeds `redundancy` is never
    picked. With diversity 0 the picks follow the scores, skipping only near-duplicates. A
    sentence longer than the characters left is skipped, not cut: output stays extractive and
    the character budget is never exceeded. Ranks order the picks by score.
    """
    usable = candidates(doc)[0]
    if allowed is not None:
        usable = usable & allowed
    order = np.argsort(-scores, kind="stable")
    order = order[usable[order]]
    budget = _default(budget)
    first = _briefing_picks(doc, order, budget, briefing) if briefing else []
    return _pick(doc, scores, order, budget, redundancy, diversity, first)


def _default(budget: Budget) -> Budget:
    if budget.max_sentences is None and budget.max_chars is None:
        return Budget(max_sentences=DEFAULT_MAX_SENTENCES)
    return budget


def _briefing_picks(
    doc: Document, order: np.ndarray, budget: Budget, wants: Sequence[str]
) -> list[int]:
    """Positions in `order` of the best sentence for each want, when room allows.

    A want is a section label, or `FIGURE_WANT` (a sentence that gives a figure). For
    shortcomings, a sentence that states a problem is preferred to one on its remedy.
    """
    if doc.labels is None:
        return []
    roomy = (budget.max_sentences is None or budget.max_sentences >= _BRIEFING_SENTENCES) and (
        budget.max_chars is None or budget.max_chars >= _BRIEFING_CHARS
    )
    if not roomy:
        return []
    kinds = sentence_kinds(doc)
    sentence_labels = np.array(doc.labels, dtype=object)[doc.sentence_paragraphs()]
    lengths = doc.lengths()[order]
    limits = [np.inf] if budget.max_chars is None else [budget.max_chars * f for f in _SHARES]
    first: list[int] = []
    for want in wants:
        if want == FIGURE_WANT:
            preferred = [kinds.figure]
        else:
            label = sentence_labels == want
            preferred = [label]
            if want == "shortcomings":
                preferred = [label & kinds.admission & ~kinds.remedy, label & ~kinds.remedy, label]
        if any(preferred[-1][order[k]] for k in first):
            continue  # a sentence picked already gives it
        found = next(
            (
                hits
                for mask in preferred
                for limit in limits
                if len(hits := np.flatnonzero(mask[order] & (lengths <= limit)))
            ),
            None,
        )
        if found is not None:
            first.append(int(found[0]))  # `order` is by score: the first is the best
    return first


def _pick(
    doc: Document,
    scores: np.ndarray,
    candidates: np.ndarray,
    budget: Budget,
    redundancy: float,
    diversity: float,
    first: Sequence[int] = (),
) -> list[Picked]:
    """`select` over usable sentences already in score order (shared by every section).

    `first`: positions in `candidates` picked before the others, budget permitting.
    """
    budget = _default(budget)
    max_n = budget.max_sentences if budget.max_sentences is not None else len(doc.sentences)
    chars_left = budget.max_chars if budget.max_chars is not None else float("inf")
    lengths = doc.lengths()[candidates]
    top = float(scores[candidates].max()) if len(candidates) else 0.0
    relevance = (1 - diversity) * (scores[candidates] / top if top > 0 else np.zeros(len(lengths)))
    # Highest cosine of each candidate to the picks so far; a candidate is taken once at most.
    similar = np.zeros(len(candidates))
    open_ = np.ones(len(candidates), dtype=bool)
    vectors = bigram_vectors(doc) if (redundancy < 1 or diversity) and doc.sentences else None
    chosen: list[int] = []
    queue = list(first)
    while len(chosen) < max_n:
        fits = open_ & (lengths <= chars_left) & (similar <= redundancy)
        if not fits.any():
            break
        k = queue.pop(0) if queue else -1
        if k < 0 or not fits[k]:
            if k >= 0:
                continue
            k = int(np.argmax(np.where(fits, relevance - diversity * similar, -np.inf)))
        open_[k] = False
        i = int(candidates[k])
        chosen.append(i)
        chars_left -= lengths[k]
        if vectors is not None and len(chosen) < max_n:  # another pick follows
            np.maximum(similar, vectors.times_row(i)[candidates], out=similar)
    by_score = sorted(chosen, key=lambda i: (-scores[i], i))
    ranks = {i: r for r, i in enumerate(by_score, start=1)}
    return [
        Picked(
            doc.sentences[i].text,
            float(scores[i]),
            ranks[i],
            doc.sentences[i].start,
            doc.sentences[i].end,
            doc.sentence_label(doc.sentences[i]),
        )
        for i in sorted(chosen)
    ]


def summarise(
    doc: Document, budget: Budget | None = None, method: str = DEFAULT_METHOD
) -> list[Picked]:
    """Score with the named summariser, then select within the budget."""
    summariser = get_summariser(method)
    return select(
        doc,
        summariser.score(doc),
        budget or Budget(),
        diversity=summariser.diversity,
        briefing=summariser.briefing,
    )


# -- structured summary -------------------------------------------------------------------------

_CLAUSE = re.compile(r"[^，。；！？：、\n]+")
_YEAR_LIKE = re.compile(r"^(?:19|20)[0-9]{2}$")
_DIGIT = re.compile(r"[0-9]")


@dataclass(frozen=True, slots=True)
class Figure:
    """A number with its unit and the clause it appears in (办理案件131件)."""

    text: str
    value: float
    unit: str
    start: int
    end: int
    label: str | None

    def as_dict(self) -> dict[str, object]:
        return {
            "text": self.text,
            "value": self.value,
            "unit": self.unit,
            "start": self.start,
            "end": self.end,
            "label": self.label,
        }


def key_figures(doc: Document, limit: int = 20) -> list[Figure]:
    """Numbers with units in the report body, each with its clause as context."""
    figures: list[Figure] = []
    text = doc.normalised()
    chrome = sentence_kinds(doc).chrome
    for i, s in enumerate(doc.sentences):
        norm = text[s.start : s.end]
        if chrome[i] or not _DIGIT.search(norm):
            continue
        label = doc.sentence_label(s)
        for clause in _CLAUSE.finditer(norm):
            for m in FIGURE.finditer(clause.group()):
                number, unit = m.group(1), m.group(2)
                if _YEAR_LIKE.match(number) and unit not in ("%", "％"):
                    continue
                start, end = s.start + clause.start(), s.start + clause.end()
                text = doc.text[start:end].strip()
                figures.append(
                    Figure(text, float(number), unit.replace("％", "%"), start, end, label)
                )
                break
            if len(figures) >= limit:
                return figures
    return figures


def keywords(doc: Document, limit: int = 10) -> list[dict[str, object]]:
    """The report's most characteristic terms: occurrences × background IDF.

    With the bundle's background corpus (`model.background`) a word every report uses (开展,
    推进, 建设) weighs little and a domain term (行政复议, 法律顾问) much; without one, the IDF is
    the document's own over its sentences. Two words that follow each other at least twice
    ("合法性" "审查") are a term of their own, weighed by the rarer of the two; each occurrence
    counts for the longest term it belongs to, so the parts of a chosen term do not repeat it.
    Chrome sentences do not count.
    """
    counts, vocab = _word_counts(doc)
    if not vocab or not doc.sentences:
        return []
    columns, rows = doc.features["word_tokens"]
    chrome = sentence_kinds(doc).chrome
    usable = ~chrome[rows]
    size = len(vocab)
    total = np.bincount(columns[usable], minlength=size).astype(float)
    if doc.background is not None:
        idf = doc.background.idf(vocab)
    else:
        in_body = np.repeat(~chrome, np.diff(counts.indptr))
        df = np.bincount(counts.indices[in_body], minlength=size)
        idf = np.log(1 + int((~chrome).sum()) / np.maximum(df, 1))
    # Words of two characters or more, not the number buckets (found by list.index, in C).
    content = np.fromiter(map(len, vocab), dtype=np.int64, count=size) > 1
    for bucket in (YEAR_TOKEN, NUMBER_TOKEN):
        if bucket in vocab:
            content[vocab.index(bucket)] = False
    pairs, together = _word_pairs(columns, rows, usable & content[columns], size)
    pair_weight = together * np.maximum(idf[pairs // size], idf[pairs % size])
    # Only pairs that could rank are checked against the text (a search of it per pair).
    top_pairs = np.argsort(-pair_weight, kind="stable")[: 2 * limit]
    text = doc.normalised().lower()
    terms = []
    for k in top_pairs.tolist():
        a, b = divmod(int(pairs[k]), size)
        if text.count(vocab[a] + vocab[b]) >= 2:
            terms.append((float(pair_weight[k]), vocab[a] + vocab[b], int(together[k])))
            total[a] -= together[k]
            total[b] -= together[k]
    weight = np.where(content & (total > 0), total * idf, 0.0)
    top = np.flatnonzero(weight)
    if len(top) > limit:
        cut = -np.partition(-weight[top], limit - 1)[limit - 1]
        top = top[weight[top] >= cut]  # every candidate at the cut: ties break by the word
    scored = terms + [(float(weight[j]), vocab[j], int(total[j])) for j in top.tolist()]
    scored.sort(key=lambda t: (-t[0], t[1]))
    return [
        {"word": word, "weight": round(weight, 3), "count": n} for weight, word, n in scored[:limit]
    ]


def _word_pairs(
    columns: np.ndarray, rows: np.ndarray, usable: np.ndarray, size: int
) -> tuple[np.ndarray, np.ndarray]:
    """(pair keys a × size + b, counts) of adjacent usable words in one sentence, seen twice
    or more. Stop-words are removed from the words, so the caller checks the text."""
    pair = usable[:-1] & usable[1:] & (rows[:-1] == rows[1:])
    keys = columns[:-1][pair] * size + columns[1:][pair]
    found, tally = np.unique(keys, return_counts=True)
    return found[tally >= 2], tally[tally >= 2]


def structured_summary(
    doc: Document, scores: np.ndarray, per_section: int = 2, diversity: float = 0.0
) -> dict[str, list[dict[str, object]]]:
    """What each section type says, in document order: its best `per_section` sentences, by
    the same rules as the summary; for shortcomings, every admitted problem as a whole
    statement (`model.problems`)."""
    if doc.labels is None:
        return {}
    result: dict[str, list[dict[str, object]]] = {}
    sentence_labels = np.array(doc.labels, dtype=object)[doc.sentence_paragraphs()]
    # Score order and the candidates are the same for every section: compute them once.
    order = np.argsort(-scores, kind="stable")
    order = order[candidates(doc)[0][order]]
    ordered_labels = sentence_labels[order]
    for label in dict.fromkeys(doc.labels):
        if label == "boilerplate":
            continue
        if label == "shortcomings" and (items := problem_items(doc, label)):
            result[label] = [item.as_dict() for item in items]
            continue
        chosen = order[ordered_labels == label]
        picks = _pick(doc, scores, chosen, Budget(per_section), _REDUNDANCY, diversity)
        if picks:
            result[label] = [p.as_dict() for p in picks]
    return result
