"""The problem list (问题清单): a report's admitted shortcomings, split into items as written.

Reports list their problems as run-in items ("一是…二是…", "首先…其次…", "1.", "（一）"), as
sub-headings with a paragraph each, as a "；"-list in one sentence, or one a sentence after a
framing ("我们也清醒看到面临的困难和挑战。"). An item is one problem: its title (the words that
name it, without the list marker) and its statement (the title with the sentences that explain
it), stopping where the report turns to what it did or will do about it ("针对这一问题，我局…").
Offsets index the original text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from model.text.document import Document
from model.text.segment import Paragraph, strip_numbering
from model.text.units import REMEDY, marker_end

# A list marker that opens an item, when it stands at a paragraph start or after 。！？；：.
_ITEM_MARKER = re.compile(
    r"[一二三四五六七八九十]+\n?是|[（(]\s*[一二三四五六七八九十0-9]+\s*[）)]|"
    r"[0-9]{1,2}\s*[.、](?![0-9])|首先|其次|再次|此外|最后|另外"
)
_ITEM_BEFORE = "。！？；：\n"
_TITLE_END = re.compile(r"[。！？；：\n]")
_MIN_ITEM_CHARS = 6
_LONG_TITLE = 40
# The framing of an un-enumerated list of problems (see `_framing`): a sentence that says the
# report sees problems, or that there are some, ending in problems in general; a clause ending
# in the verb of seeing; the lead-in after it ("主要是："); a sentence that closes the list.
_SEES = r"(?:清醒|深刻)?地?(?:看到|认识到|意识到)"
_GENERAL = r"(?:问题|困难|矛盾|挑战|不足|缺点|失误|风险|差距|隐忧)"
_FRAMING = re.compile(
    rf"[^。！？；：]*(?:{_SEES}|(?:存在|面临|还有)着?(?:的|不少|一些|许多|诸多|若干|较多|一定))"
    rf"[^。！？；：]*{_GENERAL}(?:，主要(?:表现)?[在是有为])?[。！？：]"
)
_FRAMING_CLAUSE = re.compile(rf"[^。！？；：]*?{_SEES}[，：]")
_LEAD_IN = re.compile(
    r"\s*(?:主要(?:问题)?(?:是|有|表现在|表现为)|突出的?问题是|从\w{2,4}看)[：，]?"
)
# A closing resolve: "我们要…", "一定…", "今后要继续采取措施，认真加以解决。", a condition it will
# be met on ("只要我们…，就一定能够…"), or a look back at "这些问题".
_CLOSING = re.compile(
    r"\W*(?:(?:(?:今后|下一步)\W*)?(?:我们)?(?:[既也更还]?要|一定|必须|将)|只要)"
    r"|.*?(?:这些|上述|以上)(?:矛盾|问题|困难|不足)"
)


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
        item = item_at(doc, start, end, label)
        if item is not None:
            items.append(item)
    return items


def _unmarked(doc: Document, paragraphs: list[Paragraph], label: str) -> list[Item]:
    """Without list markers: after a framing, one item per sentence that states a problem;
    else a "；"-list of two or more problems, else one item per paragraph."""
    norm = doc.normalised()
    items = []
    for p in paragraphs:
        if p.heading:
            continue
        sentences = [(s.start, s.end) for s in doc.sentences if p.start <= s.start < p.end]
        # A framing opens the paragraph: its first sentence, or the second after a maxim
        # ("安不忘危，兴不忘忧。") or a transition.
        if any(_framing(norm, a, b) > a for a, b in sentences[:2]):
            spans = [piece for a, b in _problems(norm, sentences) for piece in _pieces(norm, a, b)]
        else:
            spans = _pieces(norm, p.start, p.end)
        for a, b in spans:
            item = item_at(doc, a, b, label)
            if item is not None:
                items.append(item)
    return items


def _pieces(norm: str, start: int, end: int) -> list[tuple[int, int]]:
    """The pieces of a "；"-list of two or more problems in [start, end), else the whole span."""
    pieces = [m.span() for m in re.finditer(r"[^；]+；?", norm[start:end])]
    if len(pieces) >= 2 and all(b - a >= 8 for a, b in pieces):
        return [(start + a, start + b) for a, b in pieces]
    return [(start, end)]


def _framing(norm: str, start: int, end: int) -> int:
    """Where the sentence [start, end) stops framing problems and states one (`start` when it
    does not frame them, `end` when it only frames them).

    Why: an un-enumerated list of problems opens with the report saying that it sees them
    ("在肯定成绩的同时，我们也清醒看到面临的困难和挑战。", "我们清醒认识到，…还存在不少矛盾和
    问题。") and then states one problem a sentence. The framing names no problem, so it is not
    an item. A framing sentence ends in problems in general (`_FRAMING`); a framing clause
    ("…我们也清醒认识到，") leaves the rest of its sentence as the problem.
    """
    m = _FRAMING.match(norm, start, end) or _FRAMING_CLAUSE.match(norm, start, end)
    return m.end() if m else start


def frames_problems(norm: str, start: int, end: int) -> bool:
    """Whether the sentence [start, end) only announces problems ("…但还面临不少困难，存在着诸多
    亟待解决的问题。") without stating one: a careful reader quotes the list it announces."""
    return _framing(norm, start, end) >= end - 1


def closes_problems(norm: str, start: int, end: int) -> bool:
    """Whether the sentence [start, end) resolves to meet the problems or looks back on them
    ("我们要…决不辜负人民的期望！", "对这些问题，…") rather than stating one: where a list of
    problems ends, and what a reader quoting the problems leaves out."""
    at = start
    while at < end and norm[at].isspace():
        at += 1
    return _CLOSING.match(norm, at, end) is not None


def _problems(norm: str, sentences: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """The sentences from the framing on that state problems, each without its framing or
    lead-in ("主要是："), up to the first that turns to the remedy or looks back on the
    problems ("这些问题，…", "我们一定要…")."""
    framed = False
    for a, b in sentences:
        at = _framing(norm, a, b)
        framed = framed or at > a
        if lead := _LEAD_IN.match(norm, at, b):
            at = lead.end()
        while at < b and norm[at].isspace():
            at += 1
        if not framed or at >= b:
            continue
        if REMEDY.match(norm, at, b) or _CLOSING.match(norm, at, b):
            return
        yield at, b


def _opens_item(norm: str, paragraph_start: int, at: int) -> bool:
    """A marker at `at` opens an item: it starts the paragraph or follows 。！？；： (spaces
    between allowed)."""
    i = at - 1
    while i >= paragraph_start and norm[i].isspace():
        i -= 1
    return i < paragraph_start or norm[i] in _ITEM_BEFORE


def item_at(doc: Document, start: int, end: int, label: str) -> Item | None:
    """The item spanning [start, end): a sub-heading and its paragraph, or a run-in item."""
    norm = doc.normalised()
    # The title: after the marker, up to the first sentence end (or the heading line's end).
    words_at = start + marker_end(norm[start:end])
    m = _TITLE_END.search(norm, words_at, end)
    title_end = m.start() if m else end
    if title_end - words_at > _LONG_TITLE:  # a long first sentence: its first clause names it
        comma = norm.find("，", words_at, title_end)
        title_end = comma if comma > words_at else title_end
    title = strip_numbering(doc.quote(words_at, title_end)).strip()
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
    return Item(title, doc.quote(start, stop), start, stop, min(title_end, stop), label)
