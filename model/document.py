"""A report segmented once: paragraphs, sentences and their words, shared by every consumer.

Building a Document is the only place text is segmented and cut into words, so classification,
summarisation, figures and keywords in one request never redo that work.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from model.segment import (
    Paragraph,
    cut_many,
    normalise,
    paragraphs_from_lines,
    sentence_bounds,
    split_paragraphs,
)


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence with where it sits: document offsets, paragraph, order inside the paragraph."""

    start: int
    end: int
    text: str
    paragraph: int
    index_in_paragraph: int
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
    # Derived arrays (TF-IDF rows …) computed once and shared by every scorer and `select`.
    features: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def paragraph_words(self) -> list[list[str]]:
        """Words of each paragraph, joined from its sentences' words (no second cut)."""
        words: list[list[str]] = [[] for _ in self.paragraphs]
        for s in self.sentences:
            words[s.paragraph].extend(s.words)
        return words

    def sentence_label(self, sentence: Sentence) -> str | None:
        return None if self.labels is None else self.labels[sentence.paragraph]


def _sentences(text: str, paragraphs: Sequence[Paragraph]) -> list[Sentence]:
    """Sentences of every paragraph, from one normalisation of the whole text."""
    norm = normalise(text)
    spans = [
        (i, j, start, end)
        for i, p in enumerate(paragraphs)
        for j, (start, end) in enumerate(sentence_bounds(norm, p.start, p.end))
    ]
    texts = [text[start:end] for _, _, start, end in spans]
    words = cut_many(texts)
    return [
        Sentence(start, end, t, i, j, tuple(w))
        for (i, j, start, end), t, w in zip(spans, texts, words, strict=True)
    ]


def build_document(text: str) -> Document:
    """Segment a free-form report (paragraph splitting handles one-line documents)."""
    paragraphs = split_paragraphs(text)
    return Document(text, paragraphs, _sentences(text, paragraphs))


def build_document_from_lines(lines: Sequence[str]) -> Document:
    """One paragraph per non-blank line, as the `classify` contract wants."""
    text = "\n".join(lines)
    paragraphs = paragraphs_from_lines(list(lines))
    return Document(text, paragraphs, _sentences(text, paragraphs))
