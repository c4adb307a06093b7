"""A report segmented once: paragraphs, sentences and their words, shared by every consumer.

Building a Document is the only place text is segmented and cut into words, so classification,
summarisation, figures and keywords in one request never redo that work.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import TYPE_CHECKING, Any, NamedTuple

from model.segment import (
    Paragraph,
    cut_many,
    normalise,
    paragraphs_from_lines,
    sentence_bounds,
    split_paragraphs,
)

if TYPE_CHECKING:
    import numpy as np

    from model.headings import HeadingModel


class Sentence(NamedTuple):
    """A sentence with where it sits: document offsets and paragraph, and its words.

    Immutable like a frozen dataclass, and several times cheaper to build: a report has hundreds.
    """

    start: int
    end: int
    text: str
    paragraph: int
    words: tuple[str, ...]


@dataclass(slots=True)
class Document:
    """Text, paragraphs, sentences; `labels` is filled in by a classifier when there is one."""

    text: str
    paragraphs: list[Paragraph]
    sentences: list[Sentence]
    labels: list[str] | None = None
    confidences: list[float] | None = None
    scores: list[dict[str, float]] | None = field(default=None)
    # The classifier's heading model, set with the labels; see `heading_probabilities`.
    heading_model: HeadingModel | None = None
    # Derived arrays (TF-IDF rows …) computed once and shared by every scorer and `select`.
    features: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def paragraph_words(self) -> list[tuple[str, ...]]:
        """Words of each paragraph, joined from its sentences' words (no second cut).

        Tuples, built with one copy of the references, which the classifier keeps as they are.
        """
        groups: list[list[tuple[str, ...]]] = [[] for _ in self.paragraphs]
        for s in self.sentences:
            groups[s.paragraph].append(s.words)
        return [tuple(chain.from_iterable(g)) for g in groups]

    def normalised(self) -> str:
        """`normalise(text)` (same offsets), computed once."""
        if "normalised" not in self.features:
            self.features["normalised"] = normalise(self.text)
        return self.features["normalised"]

    def heading_probabilities(self) -> np.ndarray | None:
        """P(heading) of each sentence by the heading model, computed once; None without one.

        Lazy: only the summariser needs it, not a request that only classifies.
        """
        if self.heading_model is None:
            return None
        if "headlike" not in self.features:
            self.features["headlike"] = self.heading_model.predict_document(self)
        return self.features["headlike"]

    def sentence_label(self, sentence: Sentence) -> str | None:
        return None if self.labels is None else self.labels[sentence.paragraph]


def _sentences(doc: Document) -> list[Sentence]:
    """Sentences of every paragraph, from one normalisation of the whole text."""
    text, norm = doc.text, doc.normalised()
    spans = [
        (i, start, end)
        for i, p in enumerate(doc.paragraphs)
        for start, end in sentence_bounds(norm, p.start, p.end)
    ]
    words = cut_many([norm[start:end] for _, start, end in spans], normalised=True)
    return [
        Sentence(start, end, text[start:end], i, w)
        for (i, start, end), w in zip(spans, words, strict=True)
    ]


def build_document(text: str) -> Document:
    """Segment a free-form report (paragraph splitting handles one-line documents)."""
    doc = Document(text, [], [])
    doc.paragraphs = split_paragraphs(text, normalised=doc.normalised())
    doc.sentences = _sentences(doc)
    return doc


def build_document_from_lines(lines: Sequence[str]) -> Document:
    """One paragraph per non-blank line, as the `classify` contract wants."""
    doc = Document("\n".join(lines), paragraphs_from_lines(list(lines)), [])
    doc.sentences = _sentences(doc)
    return doc
