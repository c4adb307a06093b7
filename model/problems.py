"""The problem list (问题清单): a report's admitted shortcomings, split into items as written.

Reports list their problems as run-in items ("一是…二是…", "首先…其次…", "1.", "（一）"), as
sub-headings with a paragraph each, or as a "；"-list in one sentence. An item is one problem:
its title (the words that name it, without the list marker) and its statement (the title with
the sentences that explain it), stopping where the report turns to what it did or will do about
it ("针对这一问题，我局…"). Offsets index the original text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from model.document import Document
from model.segment import Paragraph, strip_numbering
from model.units import REMEDY, marker_end

# A list marker that opens an item, when it stands at a paragraph start or after 。！？；：.
_ITEM_MARKER = re.compile(
    r"[一二三四五六七八九十]+是|[（(]\s*[一二三四五六七八九十0-9]+\s*[）)]|"
    r"[0-9]{1,2}\s*[.、](?![0-9])|首先|其次|再次|此外|最后|另外"
)
_ITEM_BEFORE = "。！？；：\n"
_TITLE_END = re.compile(r"[。！？；：\n]")
_MIN_ITEM_CHARS = 6
_LONG_TITLE = 40


@dataclass(frozen=True, slots=True)
class Item:
    """One admitted problem: what names it and the whole statement of it, with offsets."""

    title: str
    text: str
    start: int
    end: int
    title_end: int
    label: str

    def as_dict(self) -> dict[str, object]:
        return {
            "title": self.title,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "label": self.label,
        }


def problem_items(doc: Document, label: str = "shortcomings") -> list[Item]:
    """Items of every run of paragraphs labelled `label`, in document order."""
    if doc.labels is None:
        return []
    items: list[Item] = []
    for first, last in _runs(doc, label):
        items += _split(doc, first, last, label)
    return items


def _runs(doc: Document, label: str) -> Iterator[tuple[int, int]]:
    """(first, last) paragraph indices of each run of paragraphs with `label`."""
    assert doc.labels is not None
    start = None
    for i, lab in enumerate([*doc.labels, None]):
        if lab == label and start is None:
            start = i
        elif lab != label and start is not None:
            yield start, i - 1
            start = None


def _split(doc: Document, first: int, last: int, label: str) -> list[Item]:
    norm = doc.normalised()
    paragraphs = doc.paragraphs[first : last + 1]
    # Item starts: list markers in body paragraphs, and every sub-heading below the run's head.
    starts: list[int] = []
    for k, p in enumerate(paragraphs):
        if p.heading:
            if k > 0 or p.level not in (1, None):
                starts.append(p.start)
            continue
        starts += [
            m.start()
            for m in _ITEM_MARKER.finditer(norm, p.start, p.end)
            if _opens_item(norm, p.start, m.start())
        ]
    starts = sorted(set(starts))
    if not starts:
        return _unmarked(doc, paragraphs, label)
    # A run-in item ends with its paragraph; a sub-heading's item takes the paragraphs below it.
    heads = {p.start for p in paragraphs if p.heading}
    items = []
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else paragraphs[-1].end
        if start not in heads:
            end = min(end, next(p.end for p in paragraphs if p.start <= start < p.end))
        item = _item(doc, start, end, label)
        if item is not None:
            items.append(item)
    return items


def _unmarked(doc: Document, paragraphs: list[Paragraph], label: str) -> list[Item]:
    """Without list markers: a "；"-list of two or more problems, else one item per paragraph."""
    norm = doc.normalised()
    items = []
    for p in paragraphs:
        if p.heading:
            continue
        seg = norm[p.start : p.end]
        pieces = [m.span() for m in re.finditer(r"[^；]+；?", seg)]
        if len(pieces) >= 2 and all(b - a >= 8 for a, b in pieces):
            spans = [(p.start + a, p.start + b) for a, b in pieces]
        else:
            spans = [(p.start, p.end)]
        for a, b in spans:
            item = _item(doc, a, b, label)
            if item is not None:
                items.append(item)
    return items


def _opens_item(norm: str, paragraph_start: int, at: int) -> bool:
    """A marker at `at` opens an item: it starts the paragraph or follows 。！？；： (spaces
    between allowed)."""
    i = at - 1
    while i >= paragraph_start and norm[i].isspace():
        i -= 1
    return i < paragraph_start or norm[i] in _ITEM_BEFORE


def _item(doc: Document, start: int, end: int, label: str) -> Item | None:
    """The item spanning [start, end): a sub-heading and its paragraph, or a run-in item."""
    norm = doc.normalised()
    # The title: after the marker, up to the first sentence end (or the heading line's end).
    words_at = start + marker_end(norm[start:end])
    m = _TITLE_END.search(norm, words_at, end)
    title_end = m.start() if m else end
    if title_end - words_at > _LONG_TITLE:  # a long first sentence: its first clause names it
        comma = norm.find("，", words_at, title_end)
        title_end = comma if comma > words_at else title_end
    title = strip_numbering(doc.text[words_at:title_end]).strip()
    # The statement stops before the first sentence that turns to the remedy.
    stop = end
    for s in doc.sentences:
        if s.start <= start or s.start >= end:
            continue
        if s.start > title_end and REMEDY.match(norm, s.start):
            stop = s.start
            break
    while stop > start and norm[stop - 1].isspace():
        stop -= 1
    if len(title) < _MIN_ITEM_CHARS and stop - start < _MIN_ITEM_CHARS * 2:
        return None
    return Item(title, doc.text[start:stop], start, stop, min(title_end, stop), label)
