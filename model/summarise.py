"""Extractive summarisers sharing one interface, one registry and one selection helper.

Each summariser only scores sentences; `select` applies the budget (sentences or characters,
never exceeded), removes redundancy and restores document order — as sumy does.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from model.document import Document
from model.segment import normalise

DEFAULT_MAX_SENTENCES = 5


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
    """Scores every sentence of a document; higher is more summary-worthy."""

    def score(self, doc: Document) -> np.ndarray: ...


def _identity(words: Sequence[str]) -> Sequence[str]:
    return words


def sentence_vectors(doc: Document) -> sparse.csr_matrix:
    """L2-normalised TF-IDF rows of the sentences, IDF taken from the document itself."""
    if not doc.sentences:
        return sparse.csr_matrix((0, 0))
    if not any(s.words for s in doc.sentences):
        return sparse.csr_matrix((len(doc.sentences), 1))
    vectoriser = TfidfVectorizer(analyzer=_identity, sublinear_tf=True)
    return vectoriser.fit_transform([s.words for s in doc.sentences])


def pagerank(similarity: sparse.spmatrix | np.ndarray, damping: float = 0.85) -> np.ndarray:
    """Power iteration on a row-normalised similarity graph (Mihalcea & Tarau 2004)."""
    sim = np.asarray(similarity.todense() if sparse.issparse(similarity) else similarity)
    n = sim.shape[0]
    if n == 0:
        return np.zeros(0)
    np.fill_diagonal(sim, 0.0)
    rows = sim.sum(axis=1, keepdims=True)
    walk = np.divide(sim, rows, out=np.full_like(sim, 1.0 / n), where=rows > 0)
    rank = np.full(n, 1.0 / n)
    for _ in range(50):
        new = (1 - damping) / n + damping * (walk.T @ rank)
        if np.abs(new - rank).sum() < 1e-6:
            return new
        rank = new
    return rank


class LeadSummariser:
    """The first sentences of the report body (the genre's overview comes first)."""

    def score(self, doc: Document) -> np.ndarray:
        n = len(doc.sentences)
        return 1.0 - np.arange(n) / max(n, 1)


class TextRankSummariser:
    """TextRank/LexRank: PageRank over TF-IDF cosine similarity (Erkan & Radev 2004)."""

    def score(self, doc: Document) -> np.ndarray:
        vectors = sentence_vectors(doc)
        return pagerank(vectors @ vectors.T)


_TOPIC = re.compile(r"^(?:[一二三四五六七八九十]+是|（[一二三四五六七八九十]+）|[0-9]{1,2}[.、])")
_FIGURE = re.compile(r"[0-9]")
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
    """The default: centroid + graph centrality on TF-IDF, weighted by genre features.

    Topic sentences ("一是…", "（一）…", a paragraph's first sentence) state what a part is
    about; figures carry the results; the section label keeps chrome out and balances parts.
    Centroid scoring after Radev et al. (2004), centrality after Erkan & Radev (2004).
    """

    def __init__(self, centrality: float = 0.4, topic: float = 0.3, figures: float = 0.1) -> None:
        self.centrality = centrality
        self.topic = topic
        self.figures = figures

    def score(self, doc: Document) -> np.ndarray:
        n = len(doc.sentences)
        if n == 0:
            return np.zeros(0)
        vectors = sentence_vectors(doc)
        centroid = np.asarray(vectors.sum(axis=0)).ravel()
        norm = np.linalg.norm(centroid)
        central = vectors @ (centroid / norm) if norm else np.zeros(n)
        graph = pagerank(vectors @ vectors.T) * n
        score = (1 - self.centrality) * _scale(central) + self.centrality * _scale(graph)
        for i, s in enumerate(doc.sentences):
            text = normalise(s.text)
            if s.index_in_paragraph == 0 or _TOPIC.match(text):
                score[i] += self.topic
            if _FIGURE.search(text):
                score[i] += self.figures
            label = doc.sentence_label(s)
            if label is not None:
                score[i] *= _LABEL_WEIGHT.get(label, 1.0)
        return score


def _scale(values: np.ndarray) -> np.ndarray:
    top = float(values.max()) if len(values) else 0.0
    return values / top if top > 0 else values


# The single registry: CLI choices, API validation and evaluation all read it.
SUMMARISERS: dict[str, type[Summariser]] = {
    "lead": LeadSummariser,
    "textrank": TextRankSummariser,
    "sectionrank": SectionRankSummariser,
}
DEFAULT_METHOD = "sectionrank"


def get_summariser(method: str = DEFAULT_METHOD) -> Summariser:
    """An instance of the registered summariser, or a ValueError naming the choices."""
    try:
        return SUMMARISERS[method]()
    except KeyError:
        raise ValueError(f"unknown method {method!r}; choose from {sorted(SUMMARISERS)}") from None


def select(
    doc: Document,
    scores: np.ndarray,
    budget: Budget,
    redundancy: float = 0.7,
    allowed: np.ndarray | None = None,
) -> list[Picked]:
    """Best sentences within the budget, skipping near-duplicates (MMR), in document order.

    A sentence longer than the characters left is skipped, not cut: output stays extractive
    and the character budget is never exceeded.
    """
    if budget.max_sentences is None and budget.max_chars is None:
        budget = Budget(max_sentences=DEFAULT_MAX_SENTENCES)
    max_n = budget.max_sentences if budget.max_sentences is not None else len(doc.sentences)
    chars_left = budget.max_chars if budget.max_chars is not None else float("inf")
    labels = doc.labels
    vectors = sentence_vectors(doc) if redundancy < 1 else None
    chosen: list[int] = []
    for i in np.argsort(-scores, kind="stable"):
        if len(chosen) >= max_n:
            break
        s = doc.sentences[i]
        if allowed is not None and not allowed[i]:
            continue
        if labels is not None and labels[s.paragraph] == "boilerplate":
            continue
        if len(s.text) > chars_left:
            continue
        if vectors is not None and chosen:
            overlap = (vectors[chosen] @ vectors[i].T).max()
            if overlap > redundancy:
                continue
        chosen.append(int(i))
        chars_left -= len(s.text)
    ranks = {i: r for r, i in enumerate(chosen, start=1)}
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
    return select(doc, get_summariser(method).score(doc), budget or Budget())


# -- structured summary -------------------------------------------------------------------------

_UNITS = (
    "人次|万人|亿元|万元|千元|元|余件|件次|件|宗|起|次|场次|场|期|项|个|家|条|份|篇|人|名|户|"
    "平方米|公里|千米|米|天|小时|分钟|年|个月|月|所|批|本|册|套|台|座|处|部|类|%|％|个百分点"
)
_FIGURE_RE = re.compile(rf"([0-9]+(?:\.[0-9]+)?)\s*({_UNITS})")
_CLAUSE = re.compile(r"[^，。；！？：、\n]+")
_YEAR_LIKE = re.compile(r"^(?:19|20)[0-9]{2}$")


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
    for s in doc.sentences:
        label = doc.sentence_label(s)
        if label == "boilerplate":
            continue
        norm = normalise(s.text)
        for clause in _CLAUSE.finditer(norm):
            for m in _FIGURE_RE.finditer(clause.group()):
                number, unit = m.group(1), m.group(2)
                if unit in ("年", "月") or (_YEAR_LIKE.match(number) and unit not in ("%", "％")):
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
    """The report's most characteristic words: TF-IDF weight summed over its sentences."""
    if not doc.sentences:
        return []
    body = [s for s in doc.sentences if doc.sentence_label(s) != "boilerplate"]
    counts = Counter(w for s in body for w in s.words if len(w) > 1 and not w.startswith("<"))
    if not counts:
        return []
    df = Counter(w for s in body for w in set(s.words))
    n = len(body)
    weight = {w: c * np.log(1 + n / df[w]) for w, c in counts.items()}
    top = sorted(weight.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return [{"word": w, "weight": round(float(v), 3), "count": counts[w]} for w, v in top]


def structured_summary(
    doc: Document, scores: np.ndarray, per_section: int = 2
) -> dict[str, list[dict[str, object]]]:
    """Top sentences of each section type, in document order."""
    if doc.labels is None:
        return {}
    result: dict[str, list[dict[str, object]]] = {}
    for label in dict.fromkeys(doc.labels):
        if label == "boilerplate":
            continue
        mask = np.array([doc.labels[s.paragraph] == label for s in doc.sentences])
        picks = select(doc, scores, Budget(per_section), allowed=mask)
        if picks:
            result[label] = [p.as_dict() for p in picks]
    return result
