"""A report segmented once: paragraphs, sentences and their words, shared by every consumer.

Building a Document is the only place text is segmented and cut into words, so classification,
summarisation, figures and keywords in one request never redo that work.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import chain
from typing import Any, NamedTuple, Protocol

import numpy as np

from model.text.segment import (
    Paragraph,
    cut_many,
    layout_repairs,
    normalise,
    paragraphs_from_lines,
    sentence_bounds,
    split_paragraphs,
    unwrap,
)

_BREAKS = re.compile(r"\r?\n")  # line breaks, which `Document.unwrapped` takes out


class HeadingScorer(Protocol):
    """What a Document needs of a heading model (`model.learn.headings.HeadingModel`).

    A protocol of its own keeps the text layer free of the learning layer above it.
    """

    def predict_document(self, doc: Document) -> np.ndarray: ...


class SentenceScorer(Protocol):
    """What a Document needs of a learnt sentence scorer (`model.learn.scorer.LinearScorer`)."""

    def predict(self, X: np.ndarray) -> np.ndarray: ...


class BackgroundStats(Protocol):
    """What a Document needs of background statistics (`model.learn.background.Background`)."""

    def span_shares(self, codes: np.ndarray, owner: np.ndarray, n: int) -> np.ndarray: ...

    def idf(self, words: Sequence[str]) -> np.ndarray: ...


class Sentence(NamedTuple):
    """A sentence with where it sits: document offsets and paragraph, and its words.

    `text` reads as a reader reads it (`unwrap`: no line breaks from a page width or a web
    page's links); `start` and `end` index the document's text all the same.

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
    heading_model: HeadingScorer | None = None
    # What is common across reports (stock phrases, everyday words), set with the labels.
    background: BackgroundStats | None = None
    # What careful readers pick, learnt from their extracts; set with the labels when the
    # bundle has one (the `learnt` summariser reads it).
    sentence_scorer: SentenceScorer | None = None
    # What segmentation undid of the layout (lines a page width broke, joined), for the output.
    repairs: list[str] = field(default_factory=list)
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

    def unwrapped(self, start: int, end: int) -> str:
        """The normalised text of start..end with its line breaks taken out, for the checks
        that only ask whether a phrase is there: hard-wrapped text keeps its breaks inside
        paragraphs (offsets index the input), and "主要负责\n人" must still read 主要负责人."""
        part = self.normalised()[start:end]
        return _BREAKS.sub("", part) if "\n" in part or "\r" in part else part

    def quote(self, start: int, end: int) -> str:
        """The text of start..end as a reader reads it: the line breaks inside each paragraph
        taken out (`unwrap`), one line break between paragraphs (a sub-heading and its body
        stay two lines)."""
        part = self.text[start:end]
        if "\n" not in part and "\r" not in part:
            return part
        starts = [p.start for p in self.paragraphs]
        first = max(bisect_right(starts, start) - 1, 0)
        pieces = []
        for p in self.paragraphs[first:]:
            if p.start >= end:
                break
            a, b = max(p.start, start), min(p.end, end)
            if a < b:
                pieces.append(unwrap(self.text[a:b]).strip())
        return "\n".join(piece for piece in pieces if piece)

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

    def sentence_labels(self) -> np.ndarray:
        """The label of every sentence's paragraph (an object array; None where unlabelled).

        Not cached: a caller may label the document after reading its sentences."""
        if self.labels is None:
            return np.full(len(self.sentences), None, dtype=object)
        return np.array(self.labels, dtype=object)[self.sentence_paragraphs()]

    # -- derived arrays, each computed once -----------------------------------------------------

    def spans(self) -> tuple[np.ndarray, np.ndarray]:
        """(starts, ends) of the sentences as arrays."""
        if "bounds" not in self.features:
            n = len(self.sentences)
            self.features["bounds"] = (
                np.fromiter((s.start for s in self.sentences), np.int64, n),
                np.fromiter((s.end for s in self.sentences), np.int64, n),
            )
        return self.features["bounds"]

    def lengths(self) -> np.ndarray:
        """Characters in every sentence."""
        if "lengths" not in self.features:
            starts, ends = self.spans()
            self.features["lengths"] = (ends - starts).astype(float)
        return self.features["lengths"]

    def sentence_paragraphs(self) -> np.ndarray:
        """Paragraph index of every sentence."""
        if "paragraph_of" not in self.features:
            self.features["paragraph_of"] = np.fromiter(
                (s.paragraph for s in self.sentences), np.int64, len(self.sentences)
            )
        return self.features["paragraph_of"]

    def content(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """`content_positions` of the normalised text over the sentences."""
        if "content" not in self.features:
            self.features["content"] = content_positions(self.normalised(), *self.spans())
        return self.features["content"]


@cache
def content_table() -> np.ndarray:
    """Which BMP code points count as content (letters, digits, CJK), as for ROUGE."""
    return np.array([chr(c).isalnum() for c in range(0x10000)], dtype=bool)


def content_positions(
    text: str, starts: np.ndarray, ends: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Code points of `text`, positions of its content characters, the span each falls in.

    Content characters are those ROUGE counts (letters, digits, CJK); characters outside every
    [start, end) span are left out.
    """
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    content = np.flatnonzero(content_table()[np.minimum(codes, 0xFFFF)] | (codes > 0xFFFF))
    owner = np.searchsorted(starts, content, side="right") - 1
    inside = (owner >= 0) & (content < ends[np.maximum(owner, 0)]) if len(starts) else owner > 0
    return codes, content[inside], owner[inside]


def _sentences(doc: Document) -> list[Sentence]:
    """Sentences of every paragraph, from one normalisation of the whole text."""
    text, norm = doc.text, doc.normalised()
    spans = [
        (i, start, end)
        for i, p in enumerate(doc.paragraphs)
        for start, end in sentence_bounds(norm, p.start, p.end)
    ]
    # Words are cut from the sentence as it reads ("全环\n节" is 全环节), which also keeps
    # `cut_many` to one segmenter call: a text holding a line break would be cut on its own.
    words = cut_many([unwrap(norm[start:end]) for _, start, end in spans], normalised=True)
    return [
        Sentence(start, end, unwrap(text[start:end]), i, w)
        for (i, start, end), w in zip(spans, words, strict=True)
    ]


def build_document(text: str) -> Document:
    """Segment a free-form report (paragraph splitting handles one-line documents)."""
    doc = Document(text, [], [])
    doc.paragraphs = split_paragraphs(text, normalised=doc.normalised())
    doc.sentences = _sentences(doc)
    doc.repairs = layout_repairs(text, doc.paragraphs)
    return doc


def build_document_from_lines(lines: Sequence[str]) -> Document:
    """One paragraph per non-blank line, as the `classify` contract wants."""
    doc = Document("\n".join(lines), paragraphs_from_lines(list(lines)), [])
    doc.sentences = _sentences(doc)
    return doc
