"""Page layout undone: lines re-joined where only the page width broke them, page furniture found.

A PDF's text (and text saved from one) comes hard-wrapped at the line width, with page numbers
and running headers between the lines; the same report typed as text has one line per
paragraph. The PDF reader and paragraph segmentation (model/text/segment.py) decide with the
rules here, so a report gives the same paragraphs in either shape. Pure functions of strings
and line shapes: this module imports nothing else of model/ (the text layer above imports it).

How a break is judged (`soft_breaks`): a line that filled its line (its length near the page
width the text was wrapped at, `Width`) and is followed by a line that opens nothing (no heading
or list marker, no first-line indentation when the text indents its paragraphs) was broken by
the width, not by its author. A sentence end at the end of a full line is weak evidence either
way (sentences end at line ends inside paragraphs about three times as often as a paragraph fills
its last line exactly), so it ends the paragraph only when the line is not exactly full or the
next line is a title.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

_CN = "一二三四五六七八九十"
# A line that opens a heading or a list item (both widths of brackets, points and digits).
OPENS_ITEM = re.compile(
    rf"\s*(?:第[{_CN}]+[部分章节条]|[{_CN}]+\s*[、.．]|[（(]\s*[{_CN}0-9０-９]{{1,3}}\s*[)）]|"
    r"[0-9０-９]{1,2}\s*[、.．](?![0-9０-９])|"
    rf"[{_CN}]+是|(?:首先|其次|再次|最后)[，,：:]|[●■◆◇□☆★※▲△•]|附件|附[：:])"
)
# Numbered headings (levels 一、 （一） 1.), and the longest a heading runs before its full stop.
_HEADING = re.compile(
    rf"\s*(?:第[{_CN}]+[部分章节、]|[{_CN}]+\s*[、.．]|[（(]\s*[{_CN}0-9０-９]{{1,3}}\s*[)）]|"
    r"[0-9０-９]{1,2}\s*[、.．](?![0-9０-９]))"
)
_HEADING_MAX = 60
# Items that run on inside a paragraph ("一是…；二是…") more often than they open one.
_RUN_ON_ITEM = re.compile(rf"\s*(?:[{_CN}]+是|(?:其次|再次|最后)[，,])")
# Marks that end a sentence or a clause a paragraph may end with.
SENTENCE_END = frozenset("。！？；：…!?;:")
_CLOSERS = "”’」』）)\"'"
# Any punctuation at a line's end: a marker after it may open an item (after a CJK character
# or a digit, the marker is more likely inline text the wrap happened to put first).
_PUNCTUATION = SENTENCE_END | frozenset("，、,.")
# Marks that never start a paragraph (Chinese line breaking keeps them off a line's start).
_NEVER_FIRST = frozenset("”’」』）)，。、；：！？,.;:!?%％")
# A page width needs this many lines that fill it (a few similar lines are a coincidence).
_MIN_FULL = 5
# No page holds a line this long (a landscape page in small print holds about 80 characters).
_MAX_WIDTH = 100
# Lines shorter than this never tell the page width (headings, dates, page numbers).
MIN_WIDTH = 12
# Page numbers as they are printed: "— 3 —", "- 3 -", "第3页", "第 3 页 共 12 页", "3/12", "3".
PAGE_NUMBER = re.compile(
    r"\s*(?:[-－—–―~～_]+\s*[0-9０-９]{1,4}\s*[-－—–―~～_]+|"
    r"第\s*[0-9０-９]{1,4}\s*页(?:\s*[，,/／]?\s*共\s*[0-9０-９]{1,4}\s*页)?|"
    r"共\s*[0-9０-９]{1,4}\s*页\s*[，,]?\s*第\s*[0-9０-９]{1,4}\s*页|"
    r"[0-9０-９]{1,4}\s*[/／]\s*[0-9０-９]{1,4}|(?:page\s*)?[0-9０-９]{1,4}(?:\s*of\s*[0-9]{1,4})?)\s*",
    re.I,
)
_DIGITS = re.compile(r"[0-9０-９]+")
_SPACES = re.compile(r"\s+")


def is_page_number(line: str) -> bool:
    """A line that is only a page number, as PDFs print them between pages."""
    return len(line) <= 24 and PAGE_NUMBER.fullmatch(line) is not None


def visual_width(line: str) -> float:
    """Width in full-width characters: ASCII and Latin letters take half (PDF lines fill a width,
    not a number of characters)."""
    return len(line) - 0.5 * sum(c < "\u2000" for c in line)


def indentation(line: str) -> float:
    """Leading white space in full-width characters (an ASCII space is half of one)."""
    width = 0.0
    for c in line:
        if c == "\u3000":
            width += 1
        elif c == "\t":
            width += 2
        elif c.isspace():
            width += 0.5
        else:
            break
    return width


# -- the page width ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Width:
    """The width a text was wrapped at, in one measure (characters or visual width).

    A line at least `loose` long may have filled its line; one at least `exact` long did, as
    the wrapped body lines do (`exact` is the bottom of their spread: 0 in text wrapped by a
    count of characters, about a character in a typeset PDF).
    """

    top: float
    loose: float
    exact: float

    @property
    def spread(self) -> float:
        return (self.top - self.exact) / self.top


def page_width(values: Sequence[float]) -> Width | None:
    """The width most lines fill with few lines longer, or None when the lengths show none.

    `values` are the lengths of the lines in one measure. Text that was never wrapped has lines
    of every length (paragraphs run to hundreds of characters).
    """
    lengths = sorted(v for v in values if v >= MIN_WIDTH)
    if len(lengths) < 3:
        return None
    best, support = 0.0, 0
    lo = 0
    for hi, top in enumerate(lengths):  # windows [top - 10 %, top], ties to the wider width
        while lengths[lo] < top - _tolerance(top):
            lo += 1
        if hi - lo + 1 >= support:
            best, support = top, hi - lo + 1
    longer = sum(v > best + max(1.5, 0.05 * best) for v in lengths)
    if support < _MIN_FULL or support < 0.4 * len(lengths) or longer > max(1, 0.1 * support):
        return None
    # The wrapped lines' spread: none when most lines have the very same length (text wrapped by
    # a count of characters), else the bottom tenth of the lines near the top (a typeset width).
    near = [v for v in lengths if v >= best - _tolerance(best)]
    mode, count = Counter(near).most_common(1)[0]
    exact = mode if count >= 0.5 * len(near) else near[len(near) // 10]
    return Width(best, best - _tolerance(best), exact)


def _tolerance(top: float) -> float:
    return max(1.0, 0.1 * top)


# -- breaks --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Shape:
    """What the layout says about one line: whether it filled its line (`loose`: about full;
    `exact`: as full as the body lines), and whether it is indented."""

    loose: bool
    exact: bool
    indented: bool


def soft_breaks(lines: Sequence[str], shapes: Sequence[Shape], indents: bool) -> list[bool]:
    """For each line but the last, whether the break after it only wrapped at the page width.

    `lines` are the lines' texts (blank lines are never joined), `indents` whether the text
    marks its paragraphs by first-line indentation (then a flush line after a full one
    continues it, whatever the full line ends with).
    """
    soft = [False] * max(len(lines) - 1, 0)
    for i in range(len(lines) - 1):
        shape, after = shapes[i], shapes[i + 1]
        if not shape.loose:
            continue
        a, b = lines[i].strip(), lines[i + 1].strip()
        if not a or not b or (indents and after.indented):
            continue
        end = a.rstrip(_CLOSERS)[-1:] or a[-1]
        if b[0] in _NEVER_FIRST:
            soft[i] = True  # a closing mark cannot open a line of its own: the wrap put it there
        elif OPENS_ITEM.match(b):
            # An inline marker the wrap put first, if the line is full to its last character:
            # "一是…二是…" items run on inside a paragraph, and in text that indents its
            # paragraphs a flush line continues one; a heading's marker follows only the end
            # of a line that stopped at a sentence end or short of the width.
            soft[i] = shape.exact and (
                indents
                or end not in _PUNCTUATION
                or (_RUN_ON_ITEM.match(b) is not None and not _parallel(lines, soft, i, end))
            )
        elif end in SENTENCE_END:
            if indents:
                soft[i] = True
            else:
                soft[i] = shape.exact and (after.loose or _has_sentence_end(b))
        else:
            # A numbered heading exactly as long as the width, before a body line: joined, its
            # first sentence would run on past any heading's length.
            soft[i] = indents or not (
                (i == 0 or not soft[i - 1])
                and _HEADING.match(a)
                and not _has_sentence_end(a)
                and _run_on(a, b) > _HEADING_MAX
            )
    return soft


def _parallel(lines: Sequence[str], soft: Sequence[bool], i: int, end: str) -> bool:
    """Whether the paragraph ending at line i is an item of its own ("二是…。" then "三是…"):
    items that open their paragraphs each have one."""
    first = i
    while first > 0 and soft[first - 1]:
        first -= 1
    return end in "。！？" and _RUN_ON_ITEM.match(lines[first]) is not None


def _run_on(a: str, b: str) -> int:
    """Characters from the start of `a` to the first sentence end in `b` (all of `b` if none)."""
    ends = [k for k, c in enumerate(b) if c in SENTENCE_END]
    return len(a) + (ends[0] if ends else len(b))


def _has_sentence_end(line: str) -> bool:
    """A line with a sentence end in it (a title or a heading has none)."""
    return any(c in SENTENCE_END for c in line)


def text_shapes(lines: Sequence[str]) -> tuple[list[Shape], bool] | None:
    """Shapes of plain-text lines from their lengths, and whether indentation marks paragraphs;
    None when the text shows no page width (it was not wrapped)."""
    contents = [line.strip() for line in lines]
    chars = [float(len(c)) for c in contents]
    candidates = [v for v in chars if v >= MIN_WIDTH]
    if len(candidates) < _MIN_FULL or sum(v > _MAX_WIDTH for v in candidates) > len(candidates) / 4:
        return None  # few lines, or paragraphs longer than any page is wide: never wrapped
    visual = [visual_width(c) for c in contents]
    # The measure the text was wrapped in is the one whose full lines agree best.
    found = [(w, m) for w, m in ((page_width(chars), chars), (page_width(visual), visual))]
    found = [(w, m) for w, m in found if w is not None]
    if not found:
        return None
    width, measure = min(found, key=lambda wm: wm[0].spread)
    indented = [bool(c) and indentation(line) >= 1 for line, c in zip(lines, contents, strict=True)]
    shapes = [
        Shape(v >= width.loose, v >= width.exact, flag)
        for v, flag in zip(measure, indented, strict=True)
    ]
    return shapes, indents_paragraphs(shapes)


def indents_paragraphs(shapes: Sequence[Shape]) -> bool:
    """Whether the text marks paragraphs by first-line indentation: most lines after a line
    that stopped short (a paragraph's end) are indented, most lines after full ones are not."""
    after_short = [t.indented for s, t in zip(shapes, shapes[1:], strict=False) if not s.loose]
    after_full = [t.indented for s, t in zip(shapes, shapes[1:], strict=False) if s.loose]
    return (
        len(after_short) >= 3
        and sum(after_short) >= 0.6 * len(after_short)
        and len(after_full) >= 2
        and sum(after_full) <= 0.5 * len(after_full)
    )


def wrapped_breaks(lines: Sequence[str]) -> list[bool]:
    """For each plain-text line but the last, whether the break after it only wrapped the text.

    All False for text that shows no page width, so clean text keeps its lines.
    """
    found = text_shapes(lines)
    if found is None:
        return [False] * max(len(lines) - 1, 0)
    shapes, indents = found
    return soft_breaks(lines, shapes, indents)


def glue(left: str, right: str) -> str:
    """The separator that joining two wrapped pieces needs: nothing between Chinese characters
    or inside a number ("2\n023年" is 2023年: a page width cuts numbers anywhere); a space
    between two Latin words, or before a numbered heading that runs on after words with no
    punctuation ("…建设情况 （一）落实…", a page pasted as one line): the wrap took the space,
    which is what tells where such a heading starts."""
    a, b = left[-1:], right[:1]
    if a.isascii() and a.isalnum() and b.isascii() and b.isalnum() and not (a + b).isdigit():
        # but a subscript or a short code's number stays on its letters: M2, PM2.5, G20
        word = len(left) - len(left.rstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"))
        return "" if b.isdigit() and 0 < word <= 2 else " "
    end = left.rstrip(_CLOSERS)[-1:]
    if end and end not in _PUNCTUATION and _HEADING.match(right):
        return " "
    return ""


def join_wrapped(lines: Sequence[str]) -> tuple[list[str], int]:
    """Plain-text lines with the wrapped ones joined back into paragraphs, and how many breaks
    were undone. Blank lines stay (a blank line is a real break)."""
    soft = wrapped_breaks(lines)
    out: list[str] = []
    joining = False
    for i, line in enumerate(lines):
        if joining:
            piece = line.strip()
            out[-1] += glue(out[-1], piece) + piece
        else:
            out.append(line.rstrip())
        joining = i < len(soft) and soft[i]
    return out, sum(soft)


# -- page furniture -------------------------------------------------------------------------------


def furniture_key(line: str) -> str:
    """A running header or footer as it repeats: page numbers and dates vary, spaces don't count."""
    return _DIGITS.sub("#", _SPACES.sub("", line))


def running_lines(pages: Sequence[Sequence[str]], depth: int = 3) -> set[str]:
    """Keys (`furniture_key`) of lines at the top or bottom of most pages: running headers and
    footers. A line must repeat on at least half the pages, and on two at least."""
    if len(pages) < 2:
        return set()
    seen: Counter[str] = Counter()
    for lines in pages:
        kept = [line for line in lines if line.strip()]
        edge = {furniture_key(line) for line in kept[:depth] + kept[-depth:]}
        seen.update(k for k in edge if k and len(k) <= 80)
    need = max(2, (len(pages) + 1) // 2)
    return {k for k, n in seen.items() if n >= need}
