"""Text normalisation, paragraph and sentence segmentation, heading detection, tokenisation.

Every span keeps the offsets of the *original* text: normalisation maps one character to one
character, so offsets computed on the normalised text slice the input unchanged.
"""

from __future__ import annotations

import os
import re
import threading
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from itertools import chain
from typing import NamedTuple

from model.ingest.layout import glue, wrapped_breaks

# -- normalisation -----------------------------------------------------------------------------

_WIDTH = {chr(c): chr(c - 0xFEE0) for c in range(0xFF10, 0xFF1A)}  # ０-９
_WIDTH |= {chr(c): chr(c - 0xFEE0) for c in range(0xFF21, 0xFF3B)}  # Ａ-Ｚ
_WIDTH |= {chr(c): chr(c - 0xFEE0) for c in range(0xFF41, 0xFF5B)}  # ａ-ｚ
_WIDTH |= {"％": "%", "．": ".", "－": "-", "／": "/", "＋": "+", "＝": "="}
# Punctuation is canonicalised to the Chinese (full-width) form, so one rule set serves both.
_WIDTH |= {",": "，", ";": "；", "!": "！", "?": "？", "(": "（", ")": "）"}
_WIDTH |= {"\u3000": " ", "\xa0": " ", "\ufeff": " ", "\r": "\n", "\t": " ", "\u200b": " "}
# Substituting only the characters that need it is ~10x faster than str.translate, which
# looks up every character of a report in the table.
_NEEDS_WIDTH = re.compile("[" + "".join(re.escape(c) for c in _WIDTH) + "]")
_COLON = re.compile(r"(?<=[\u4e00-\u9fff）”])\:|\:(?=[\u4e00-\u9fff“（])")


def _width(match: re.Match[str]) -> str:
    return _WIDTH[match.group()]


def normalise(text: str) -> str:
    """Canonical widths and whitespace, one character for one so offsets survive."""
    if len(text) <= _CACHED_CHARS:
        return _normalise_short(text)
    return _normalise(text)


def _normalise(text: str) -> str:
    text = _NEEDS_WIDTH.sub(_width, text)
    text = _COLON.sub("：", text) if ":" in text else text
    if _TONE.search(text):
        text = _PINYIN.sub(_blank, text)
    traditional = _traditional()
    return traditional[0].sub(traditional[1], text) if traditional[0].search(text) else text


# Traditional characters become simplified (features only; the text shown is the input's),
# one character for one, from a table made with OpenCC (training/traditional.py).
@cache
def _traditional() -> tuple[re.Pattern[str], Callable[[re.Match[str]], str]]:
    table = dict(line.split("\t") for line in data_text("t2s.txt").splitlines() if line)
    pattern = re.compile("[" + "".join(re.escape(c) for c in table) + "]")
    return pattern, lambda m: table[m.group()]


# Machine-converted pages annotate characters with pinyin ("領(lǐng)會"): the annotation is
# masked with word joiners, which are neither content nor white space.
_TONE = re.compile("[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ]")
_PINYIN = re.compile("（[a-zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜ]{1,6}）")


def _blank(match: re.Match[str]) -> str:
    return _MASK * len(match.group()) if _TONE.search(match.group()) else match.group()


_MASK = "\u2060"


# Heading, chrome and shape checks normalise the same paragraph several times; caching short
# texts only keeps the cache small in a long-running server.
_CACHED_CHARS = 512
_normalise_short = lru_cache(maxsize=8192)(_normalise)


# -- headings ----------------------------------------------------------------------------------

_CN_NUM = "一二三四五六七八九十"
_HEADING_PATTERNS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (1, re.compile(rf"^第[{_CN_NUM}]+[部分章节]")),
    (1, re.compile(rf"^[{_CN_NUM}]+\s*[、.]")),
    (2, re.compile(rf"^（\s*[{_CN_NUM}]+\s*）")),
    (3, re.compile(r"^[0-9]{1,2}\s*[、.](?![0-9])")),
    (3, re.compile(r"^（\s*[0-9]{1,2}\s*）")),
    (4, re.compile(rf"^(?:[0-9]{{1,2}}\s*[、.]\s*)?[{_CN_NUM}]+是")),
    (4, re.compile(r"^(?:首先|其次|再次|最后)[，：]")),
)
# One pattern for all levels, each in its own group: `match` tries the alternatives in order,
# as checking the patterns one by one would, in a single call.
_ANY_HEADING = re.compile("|".join(f"({p.pattern})" for _, p in _HEADING_PATTERNS))
_GROUP_LEVEL = {i: level for i, (level, _) in enumerate(_HEADING_PATTERNS, start=1)}
_SENTENCE_END = "。！？；…"
_MAX_HEADING_CHARS = 60


def heading_level(text: str) -> int | None:
    """Level of the numbering that opens `text`: 1 一、 · 2 （一） · 3 1. · 4 一是; else None."""
    return _level(normalise(text))


def is_heading(text: str) -> bool:
    """A stand-alone heading line: numbered, short, and a single clause."""
    text = normalise(text).strip()
    return _is_heading(text, _level(text))


# The numbering of a heading, without the words it numbers.
_NUMBERING = re.compile(
    r"^\s*(?:第[一二三四五六七八九十]+[部分章节]|[一二三四五六七八九十]+\s*[、.]|"
    r"（\s*[一二三四五六七八九十0-9]+\s*）|[0-9]{1,2}\s*[、.])\s*"
)


def strip_numbering(heading: str) -> str:
    """A heading's own words: "（二）深化行政执法体制改革" -> "深化行政执法体制改革"."""
    return _NUMBERING.sub("", heading)


def _level(norm: str) -> int | None:
    m = _ANY_HEADING.match(norm.lstrip())
    return None if m is None else _GROUP_LEVEL[m.lastindex]


def _is_heading(norm: str, level: int | None) -> bool:
    """`is_heading` of a normalised, stripped text whose level is known."""
    if level is None or len(norm) > _MAX_HEADING_CHARS:
        return False
    body = norm.rstrip(_SENTENCE_END + "：")
    return not any(mark in body for mark in _SENTENCE_END)


# -- paragraphs --------------------------------------------------------------------------------


class Paragraph(NamedTuple):
    """A paragraph as a slice of the original text (immutable, cheap to build: a NamedTuple)."""

    start: int
    end: int
    text: str
    level: int | None = None
    heading: bool = False


# Inline headings in one-line documents: a level-1/2 marker after white space, or after a
# sentence end in a very long line (web pages that lost their line breaks).
_INLINE_MARK = rf"(?:[{_CN_NUM}]+、|（[{_CN_NUM}]+）)"
_INLINE_AFTER_SPACE = re.compile(rf"(?<=\s){_INLINE_MARK}")
_INLINE_AFTER_END = re.compile(rf"(?<=[。；：]){_INLINE_MARK}")
# In a very long line, white space after a sentence end is a lost line break.
_BREAK_AFTER_END = re.compile(r"(?<=[。！？])\s+(?=\S)")
_LONG_LINE = 400
# A level-1 heading followed by a space then body text on the same line ends at that space;
# not a space between digits, as older texts space out years ("关于1 9 9 8 年政府工作的建议").
_HEADING_RUN = re.compile(
    rf"[{_CN_NUM}]+、[^\s。；！？]{{2,{_MAX_HEADING_CHARS}}}(?=\s+\S)(?!(?<=[0-9])\s+[0-9])"
)
# Signature block glued to the last line: "… 海宁市住房和城乡建设局 2023年2月3日 |"; a
# name in two or three parts ("中共某某区委 某某局党组 2025年1月10日") was as many lines.
_SIGNATURE = re.compile(
    r"(?<=[。！？])\s+(?:[^\s。，]{2,40}\s+){0,2}[^\s。，]{2,40}\s*"
    r"[0-9]{4}年[0-9]{1,2}月[0-9]{1,2}日\W{0,3}$"
)
# A web page pasted as one line: its title, its 发布时间 / 来源 line and its footer were lines of
# their own, each now after white space.
_TITLE_FIRST = re.compile(r"[^\s。！？；：]{6,80}?(?:报告|情况)[）]?(?=\s+\S)")
_META_FIELD = re.compile(
    r"(?<=\s)(?:更新时间|发布时间|发布日期|成文日期|信息来源|来源|作者|浏览次数|点击数|阅读次数)："
)
# (not 版权所有, 网站标识码, ICP备: they follow others on their line)
_FOOTER = re.compile(
    r"(?<=\s)(?:主办单位|承办单位|协办单位|备案证?编?号|[\u4e00-\u9fff]公网安备|扫一扫|"
    r"【?打印】?|【?关闭】?)"
)
_FIELD_GAP = 60
_SPACE_RUN = re.compile(r"\s+")
_DATE_AT_END = re.compile(r"[0-9]{4}年[0-9]{1,2}月[0-9]{1,2}日\W{0,3}$")


def _line_cuts(line: str) -> list[int]:
    """Offsets inside one line where a new paragraph starts."""
    long = len(line) > _LONG_LINE
    page = _page_cuts(line) if long else set()
    if "、" not in line and "（" not in line and "日" not in line:
        # every other cut pattern needs one of these: skip the regex passes
        return sorted(c for c in page if 0 < c < len(line))
    if not long and len(line.split(maxsplit=1)) < 2:
        # The other patterns need white space with text on both sides (`split` and `\s` agree
        # on what is white space); after leading white space alone they would only cut that off.
        return []
    cuts = {m.start() for m in _INLINE_AFTER_SPACE.finditer(line)}
    if long:
        cuts |= {m.start() for m in _INLINE_AFTER_END.finditer(line)}
        cuts |= {m.end() for m in _BREAK_AFTER_END.finditer(line)}
    for m in _HEADING_RUN.finditer(line):
        if m.start() == 0 or m.start() in cuts:
            cuts.add(m.end())
    cuts |= page
    footer = min((c for c in page if _FOOTER.match(line, c)), default=len(line))
    if m := _SIGNATURE.search(line, 0, _strip_span(line, 0, footer)[1]):
        cuts.add(m.start())
        date = _DATE_AT_END.search(line, m.start(), m.end())
        name_end = _strip_span(line, m.start(), date.start() if date else m.start())[1]
        parts = [w.end() for w in _SPACE_RUN.finditer(line, m.start(), name_end)][1:]
        if parts and date:  # a name in parts was one a line, and the date under it
            cuts.update([*parts, date.start()])
    return sorted(c for c in cuts if 0 < c < len(line))


def _page_cuts(line: str) -> set[int]:
    """Where a web page pasted as one long line had its title, its field line (发布时间, 来源 …)
    and its footer lines end or begin."""
    cuts = {m.start() for m in _FOOTER.finditer(line)}
    if m := _TITLE_FIRST.match(line):
        cuts.add(m.end())
    fields = list(_META_FIELD.finditer(line))
    for k, m in enumerate(fields):
        if k == 0 or m.start() - fields[k - 1].end() > _FIELD_GAP:
            cuts.add(m.start())  # the first field of a run opens its line
        if k + 1 == len(fields) or fields[k + 1].start() - m.end() > _FIELD_GAP:
            # the last field's value is one word: the line ends after it
            value = re.compile(r"\s*\S+\s").match(line, m.end())
            if value is not None:
                cuts.add(value.end())
    return cuts


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def split_paragraphs(text: str, *, normalised: str | None = None) -> list[Paragraph]:
    """Paragraphs: one per non-blank line, lines that only a page width broke joined into one
    (`model.ingest.layout`), and inline headings split out of one-line documents.

    A joined paragraph spans its lines: its text holds their line breaks, so offsets index the
    text as given. `normalised` is `normalise(text)` when the caller has it already.
    """
    norm = normalise(text) if normalised is None else normalised
    lines = physical_lines(text)
    soft = wrapped_breaks([text[a:b] for a, b in lines]) if len(lines) > 2 else []
    paragraphs: list[Paragraph] = []
    i = 0
    while i < len(lines):
        j = i
        while j < len(soft) and soft[j]:
            j += 1
        if j == i:
            _add_line(paragraphs, text, norm, *lines[i])
        else:
            _add_joined(paragraphs, text, norm, lines[i : j + 1])
        i = j + 1
    return _bare_headings(_join_broken_lines(paragraphs, text, norm), norm)


# A bare heading line: short, unnumbered, with no mark that ends or leads a sentence.
_BARE_HEADING_CHARS = 30
_NOT_BARE = re.compile(r"[。！？；：:;!?]")


def _bare_headings(paragraphs: list[Paragraph], norm: str) -> list[Paragraph]:
    """A report with no numbered top-level heading whose sections are headed by bare lines, as
    web pages set them in bold ("2025年和“十四五”时期工作回顾", "2026年重点工作"): each short
    unnumbered line without a sentence mark, after running text and right after a paragraph
    that finished its sentence, before a paragraph that starts with a word (running text or a
    numbered subheading; so not a title, a date, a signature or a line broken off), is a
    top-level heading when there are two such lines at least.
    Without them every paragraph of such a report sits in no section."""
    if any(p.level == 1 and p.heading for p in paragraphs):
        return paragraphs
    running = [_SENTENCE_END_MARK.search(norm, p.start, p.end) is not None for p in paragraphs]
    seen_body = False
    bare = []
    for i, p in enumerate(paragraphs):
        line = norm[p.start : p.end].strip()
        if (
            seen_body
            and i + 1 < len(paragraphs)
            and (running[i + 1] or paragraphs[i + 1].level is not None)
            and p.level is None
            and len(line) <= _BARE_HEADING_CHARS
            and not _NOT_BARE.search(line)
            and _ENDED.search(norm, paragraphs[i - 1].start, paragraphs[i - 1].end) is not None
            and (paragraphs[i + 1].level is not None or norm[paragraphs[i + 1].start].isalnum())
        ):
            bare.append(i)
        seen_body = seen_body or running[i]
    if len(bare) < 2:
        return paragraphs
    for i in bare:
        paragraphs[i] = paragraphs[i]._replace(level=1, heading=True)
    return paragraphs


_SENTENCE_END_MARK = re.compile(r"[。！？]")
# A paragraph that finished what it said: a heading follows one (not a line broken off).
_ENDED = re.compile(r"[。！？：；…”」）)][^\S\n]*$")


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def physical_lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of every line of `text`, without its terminator; CRLF is one break."""
    spans, start = [], 0
    for m in _LINE_BREAK.finditer(text):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    return spans


def _add_line(paragraphs: list[Paragraph], text: str, norm: str, a: int, b: int) -> None:
    """The paragraphs of one line: itself, or its pieces when it holds inline headings."""
    line = norm[a:b]
    if not line or line.isspace():
        return
    bounds = [0, *_line_cuts(line), len(line)]
    for x, y in zip(bounds, bounds[1:], strict=False):
        start, end = _strip_span(norm, a + x, a + y)
        if start < end:
            paragraphs.append(_paragraph(text, norm, start, end))


def _add_joined(
    paragraphs: list[Paragraph], text: str, norm: str, lines: Sequence[tuple[int, int]]
) -> None:
    """The paragraphs of lines wrapped from one: cut as the unwrapped line would be (inline
    headings of a one-line document that was then wrapped), each spanning its lines."""
    pieces = list(lines)
    joined = "".join(norm[a:b] for a, b in pieces)
    at = [0]  # where each piece starts in `joined`
    for a, b in pieces:
        at.append(at[-1] + b - a)

    def source(k: int) -> int:
        piece = bisect_right(at, k) - 1
        return pieces[piece][0] + k - at[piece]

    bounds = [0, *_line_cuts(joined), len(joined)]
    for x, y in zip(bounds, bounds[1:], strict=False):
        if x < y:
            start, end = _strip_span(norm, source(x), source(y - 1) + 1)
            if start < end:
                p = _paragraph(text, norm, start, end)
                paragraphs.append(p._replace(text=unwrap(p.text)))


def unwrap(text: str) -> str:
    """A piece of a paragraph as a reader reads it: the line breaks that segmentation left
    inside it (wrapped lines, a web page's break at a bold marker or a linked title) taken out,
    with a space only where two Latin words meet (`model.ingest.layout.glue`)."""
    if "\n" not in text and "\r" not in text:
        return text
    pieces = _WRAP_BREAK.split(text)
    out = pieces[0].rstrip().rstrip(_INVISIBLE)
    for piece in pieces[1:]:
        piece = piece.strip().strip(_INVISIBLE)
        if piece:
            out += glue(out, piece) + piece
    return out


_WRAP_BREAK = re.compile(r"\r\n|\r|\n")
# Zero-width characters a web page leaves on a line of their own, which `str.strip` keeps.
_INVISIBLE = "\u200b\u2060\ufeff"
_SPACE = " \t\n\r\u3000\xa0" + _INVISIBLE


def _paragraph(text: str, norm: str, start: int, end: int) -> Paragraph:
    """The paragraph at [start, end), stripped already, its heading level read once."""
    seg = norm[start:end]
    level = _level(seg)
    return Paragraph(start, end, text[start:end], level, _is_heading(seg, level))


# A line that is only a list marker ("一是", "（三）"), stops inside a book title or a quotation
# ("三、关于《", "“" / "十三五" / "”实现了…"), or inside a number or a Latin name ("国内生产总值达到
# 74.4" / "万亿元，…"; "广义货币M" / "2" / "增长11.3%"): web pages converted to text break lines
# at bold, linked or subscript words, and the rest follows.
_MARKER = rf"(?:[{_CN_NUM}]+[是、]|（[{_CN_NUM}0-9]+）|[0-9]{{1,2}}[、.])"
_BARE_MARKER = re.compile(_MARKER)
# Where such lines may be in a whole text: literal-led searches, cheap on 20,000 characters.
_MARKER_LINE = re.compile(rf"\n[^\S\n]*{_MARKER}[^\S\n]*(?:\n|$)")
_OPEN_TITLE_LINE = re.compile(r"[《“][^》”\n]*\n")
_LATIN_END_LINE = re.compile(r"[0-9A-Za-z.][^\S\n]*\n")
# A line of running text that stops inside a sentence, in a word ("加快推进重要生态屏障建" /
# "设，构建…"): it ends on a Chinese character and the next line goes on with one
# (`_runs_on` decides).
_HAN_END_LINE = re.compile(rf"[\u4e00-\u9fff][^\S\n]*\n[\s{_INVISIBLE}]*[\u4e00-\u9fff]")
_HAN = re.compile(r"[\u4e00-\u9fff]")


def _broken(seg: str, after: str) -> bool:
    """Whether the lines `seg` stop where the line `after` goes on (see above)."""
    return (
        _BARE_MARKER.fullmatch(seg) is not None
        or seg.count("《") > seg.count("》")
        or seg.count("“") > seg.count("”")
        or _OPEN_PAREN_END.search(seg) is not None
        or _goes_on(seg, after)
    )


def _runs_on(line: str, after: str) -> bool:
    """Whether a line of running text (it holds a sentence end) stops on a Chinese character
    where the next, no list item of its own, goes on with one: a web page's break in a word."""
    line = line.rstrip()
    return "。" in line and _HAN.fullmatch(line[-1:]) is not None and _HAN.match(after) is not None


def _goes_on(before: str, after: str) -> bool:
    """Whether a line break between `before` and `after` falls inside a number or a Latin
    name (see `_NUMBER_GOES_ON`); `_broken` joins such lines and `_wrapped` keeps their
    sentence whole."""
    before = before.rstrip()
    return (
        _NUMBER_GOES_ON.match(before[-1:] + after[:1]) is not None
        or _SUBSCRIPT.search(before) is not None
    )


# A line that stops inside a number or a Latin name: "74.4" / "万亿元", "M" / "2"; and a
# subscript on a line of its own after such a break ("M" / "2" / "增长11.3%").
_NUMBER_GOES_ON = re.compile(r"[0-9.][0-9.%％万亿千百元]|[A-Za-z][0-9]")
_SUBSCRIPT = re.compile(r"[A-Za-z][^\S\n]*\n[^\S\n]*[0-9]{1,2}$")
# A line that stops just inside a bracket ("细颗粒物（PM" / "2.5" / "）浓度继续下降"): the
# subscript of a web page's chemical or unit name, broken out onto lines of its own.
_OPEN_PAREN_END = re.compile(r"[（(][^）)]{0,12}$")


def _join_broken_lines(paragraphs: list[Paragraph], text: str, norm: str) -> list[Paragraph]:
    """Each broken line joined with the paragraph that follows it, as one paragraph."""
    found = [m.start() + 1 for m in _MARKER_LINE.finditer(norm)]
    found += [m.start() for m in _OPEN_TITLE_LINE.finditer(norm)]
    found += [m.start() for m in _LATIN_END_LINE.finditer(norm)]
    found += [m.start() for m in _HAN_END_LINE.finditer(norm)]
    if paragraphs:
        found.append(paragraphs[0].start)
    starts = [p.start for p in paragraphs]
    suspects = {bisect_right(starts, at) - 1 for at in found}
    joined: list[Paragraph] = []
    first: int | None = None
    for i, p in enumerate(paragraphs):
        if first is None:
            first = i
        start = paragraphs[first].start
        after = paragraphs[i + 1] if i + 1 < len(paragraphs) else None
        if (
            i in suspects
            and after is not None
            and not after.heading
            and (
                _broken(norm[start : p.end], norm[after.start :][:1])
                or (after.level is None and _runs_on(norm[p.start : p.end], norm[after.start]))
            )
        ):
            suspects.add(i + 1)  # the title may still be open after the next line
            continue
        if first == i:
            joined.append(p)
        else:
            merged = _paragraph(text, norm, start, p.end)
            joined.append(merged._replace(text=unwrap(merged.text)))
        first = None
    return joined


def layout_repairs(text: str, paragraphs: Sequence[Paragraph]) -> list[str]:
    """What segmentation undid of the text's layout, for the output to say: lines that only a
    page width broke, joined; long lines (a page pasted as one line) split at their headings.

    Joined paragraphs are those whose text is not their slice (`split_paragraphs`).
    """
    notes = []
    wrapped = [p for p in paragraphs if p.text != text[p.start : p.end]]
    if wrapped:
        breaks = sum(len(_WRAP_BREAK.findall(text, p.start, p.end)) for p in wrapped)
        notes.append(f"joined {breaks} wrapped lines into {len(wrapped)} paragraphs")
    lines = physical_lines(text)
    starts = [a for a, _ in lines]
    per_line: dict[int, int] = {}
    for p in paragraphs:
        if p.text == text[p.start : p.end]:
            k = bisect_right(starts, p.start) - 1
            per_line[k] = per_line.get(k, 0) + 1
    split = [k for k, n in per_line.items() if n > 1 and lines[k][1] - lines[k][0] > _LONG_LINE]
    if split:
        pieces = sum(per_line[k] for k in split)
        notes.append(f"split {len(split)} long lines into {pieces} paragraphs")
    return notes


def paragraphs_from_lines(lines: list[str]) -> list[Paragraph]:
    """Each non-blank line is one paragraph (the `classify` contract), offsets as if joined."""
    paragraphs, offset = [], 0
    for line in lines:
        start, end = _strip_span(line, 0, len(line))
        if start < end:
            seg = normalise(line[start:end])
            paragraphs.append(
                Paragraph(
                    offset + start,
                    offset + end,
                    line[start:end],
                    heading_level(seg),
                    is_heading(seg),
                )
            )
        offset += len(line) + 1
    return paragraphs


# -- sentences ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Span:
    """A sentence (or any piece of text) as a slice of the original text."""

    start: int
    end: int
    text: str


_SENTENCE = re.compile(rf"[^{_SENTENCE_END}!?\n]*(?:[{_SENTENCE_END}!?]+[”’」』）\"']*|\n|$)")


def split_sentences(text: str, offset: int = 0) -> list[Span]:
    """Chinese sentences ending in 。！？…, keeping a trailing fragment with no end mark.

    Clauses ending in "；" are joined into their sentence: the clause after a "；" often has no
    subject of its own ("…，工业总产值增长8%；产值突破1300亿元。"), so on its own it would be a
    scrap. Only a sentence longer than `MAX_JOINED` characters stays cut at its "；" (a long
    list whose items each say something).

    `offset` is added to every start/end, so spans of a paragraph index the whole document.
    """
    return [
        Span(offset + start, offset + end, text[start:end])
        for start, end in sentence_bounds(normalise(text), 0, len(text))
    ]


def sentence_bounds(norm: str, start: int, end: int) -> list[tuple[int, int]]:
    """`split_sentences` offsets of `norm[start:end]`, from a text normalised once as a whole.

    Normalisation maps characters one by one and the sentence pattern only sees the slice, so
    a document's spans need neither per-paragraph normalising nor slicing. A line break ends a
    sentence unless it only wrapped a long line (`_wrapped`): a paragraph joined from a PDF's
    lines has its sentences whole.
    """
    bounds: list[tuple[int, int]] = []
    # A run-in heading closed by a colon ("（二）强化行政权力监督，规范行政文件管理：") is a
    # sentence of its own: what follows it is the body.
    run_in = _RUN_IN_COLON.match(norm, start, end)
    if run_in is None and "\n" in norm[start : start + _RUN_IN_MAX]:
        run_in = _RUN_IN_WRAPPED.match(norm, start, end)
        if run_in is not None and not all(
            _wrapped(norm, k, start, end)
            for k in range(run_in.start(), run_in.end())
            if norm[k] == "\n"
        ):
            run_in = None
    if run_in is not None:
        bounds.append((start, run_in.end()))
        start = run_in.end()
    joinable = False  # the last span ends in "；" and may take the next one
    glued = False  # the last span stopped at a line break that only wrapped its sentence
    for m in _SENTENCE.finditer(norm, start, end):
        a, b = m.span()
        if a >= b:
            continue
        soft = norm[b - 1] == "\n" and _wrapped(norm, b - 1, start, end)
        if norm[a].isspace() or norm[b - 1].isspace():
            a, b = _strip_span(norm, a, b)
            if a >= b:
                continue
        if glued or (
            joinable
            and b - bounds[-1][0] <= MAX_JOINED
            and (norm[a - 1] != "\n" or _wrapped(norm, a - 1, start, end))
        ):
            bounds[-1] = (bounds[-1][0], b)
        else:
            bounds.append((a, b))
        glued = soft
        last = b - 1
        while last > a and norm[last] in _CLOSERS:
            last -= 1
        joinable = norm[last] == "；"
    return bounds


# A line at least this long (stripped) that a line break ends inside a span was wrapped, not
# ended: shorter lines are headings, list markers and lines a web page broke at a link.
_MIN_WRAPPED = 20


def _wrapped(norm: str, k: int, start: int, end: int) -> bool:
    """Whether the line break at `k` inside [start, end) only wrapped a long line.

    Paragraphs hold line breaks only where segmentation joined lines: wrapped ones, or a bare
    list marker or open book title with the line after it (which stay sentences apart).
    """
    if k > start and norm[k - 1] == "\n":
        k -= 1  # the second half of a CRLF (normalised to two line feeds)
    line = norm[(norm.rfind("\n", start, k) + 1 or start) : k].strip()
    before, rest = norm[start:k].rstrip(_SPACE), norm[k:end].lstrip(_SPACE)
    if _goes_on(before, rest) or _runs_on(before, rest[:1]) or _OPEN_PAREN_END.search(before):
        return True  # a break inside a number, a Latin name, a word or a short bracket
    after = k + 2 if k + 1 < end and norm[k + 1] == "\n" else k + 1
    if after >= end or norm[after].isspace():
        return False  # a blank line
    if (
        _BARE_MARKER.fullmatch(line)
        or _inside_title(norm, k, start, end)
        or _inside_title(norm, k, start, end, "“”")
    ):
        return True  # a web page's break at a bold marker, a linked title or a quoted word
    return len(line) >= _MIN_WRAPPED


# The longest a document's title runs between 《 and 》.
_TITLE_MAX = 80


def _inside_title(norm: str, k: int, start: int, end: int, marks: str = "《》") -> bool:
    """Whether position `k` is inside a 《…》 title (or another pair of `marks`, “…”) of
    [start, end): a title never ends a sentence, whatever line breaks a web page put in it."""
    left, right = marks
    opened = norm.rfind(left, max(start, k - _TITLE_MAX), k)
    if opened < 0 or norm.rfind(right, opened, k) >= 0:
        return False
    closed = norm.find(right, k, min(end, opened + _TITLE_MAX))
    return closed >= 0 and not any(c in left + "。！？" for c in norm[k:closed])


_RUN_IN_COLON = re.compile(
    rf"\s*(?:（[{_CN_NUM}0-9]{{1,3}}）|[{_CN_NUM}]+[、是]|[0-9]{{1,2}}[、.](?![0-9]))"
    r"[^。！？；：\n]{2,40}："
)
# The same across lines that a page width broke (each break checked with `_wrapped`).
_RUN_IN_WRAPPED = re.compile(_RUN_IN_COLON.pattern.replace("：\\n]", "：]"))
_RUN_IN_MAX = 48
# Sentences up to this long keep their "；" clauses together.
MAX_JOINED = 150
_CLOSERS = "”’」』）\"'"


# -- tokens ------------------------------------------------------------------------------------

_WORD = re.compile(r"[^\W_]+")
_YEAR = re.compile(r"^(?:19|20)[0-9]{2}$")
_NUMBER = re.compile(r"^[0-9.]+$")
_WORD_OR_BREAK = re.compile(r"[^\W_]+|\n")
_lock = threading.Lock()


def data_text(name: str) -> str:
    return resources.files("model").joinpath("data", name).read_text(encoding="utf-8")


@cache
def stop_words() -> frozenset[str]:
    """Function words and report filler that carry no section information."""
    return frozenset(w.strip() for w in data_text("stopwords.txt").splitlines() if w.strip())


def _domain_words() -> list[tuple[str, int]]:
    entries = []
    for line in data_text("dict.txt").splitlines():
        parts = line.split()
        if parts:
            entries.append((parts[0], int(parts[1]) if len(parts) > 1 else 1000))
    return entries


def _rjieba_cutter() -> Callable[[str], list[str]]:
    # Importing rjieba builds its default engine (behind `rjieba.cut`), about 0.1 s and 30 MB
    # for the dictionary: the domain words go into that engine instead of a second one, which
    # would cut exactly alike. Adding a word again only sets its frequency again.
    import rjieba

    for word, freq in _domain_words():
        rjieba.add_word(word, freq, None)
    return rjieba.cut


def _jieba_cutter() -> Callable[[str], list[str]]:
    import logging

    import jieba

    engine = jieba.Tokenizer()
    jieba.default_logger.setLevel(logging.WARNING)
    engine.initialize()
    for word, freq in _domain_words():
        engine.add_word(word, freq, None)
    return engine.lcut


# One registry of segmenters; jieba is the reference, rjieba the fast default.
SEGMENTERS: dict[str, Callable[[], Callable[[str], list[str]]]] = {
    "rjieba": _rjieba_cutter,
    "jieba": _jieba_cutter,
}


def segmenter(name: str | None = None) -> Callable[[str], list[str]]:
    """The word cutter named by `name`, $FZREPORT_SEGMENTER, or rjieba falling back to jieba."""
    name = name or os.environ.get("FZREPORT_SEGMENTER") or "rjieba"
    if name not in SEGMENTERS:
        raise ValueError(f"unknown segmenter {name!r}; choose from {sorted(SEGMENTERS)}")
    return _load_segmenter(name)


@cache
def _load_segmenter(name: str) -> Callable[[str], list[str]]:
    """One engine per segmenter name: the default and its explicit name share it (~30 MB)."""
    with _lock:
        try:
            return SEGMENTERS[name]()
        except ImportError:
            if name == "jieba":
                raise
            return SEGMENTERS["jieba"]()


def _for_words(norm: str) -> str:
    """Normalised text as the segmenter sees it: lower case, masked pinyin taken out (offsets
    no longer matter once text is cut into words)."""
    norm = norm.lower()
    return norm.replace(_MASK, "") if _MASK in norm else norm


def cut_words(text: str, cutter: str | None = None) -> list[str]:
    """Content words for TF-IDF: normalised, no punctuation or stop-words, numbers bucketed.

    Tokens are re-split on word characters so both segmenters agree on "2021-2025".
    """
    return _content_words(segmenter(cutter)(_for_words(normalise(text))), stop_words())


def cut_many(
    texts: Sequence[str], cutter: str | None = None, *, normalised: bool = False
) -> list[tuple[str, ...]]:
    """`cut_words` of each text, as a tuple, with one segmenter call for all of them.

    The texts are joined by line breaks, which both segmenters emit as tokens of their own and
    never join across, so the tokens split back per text; a text holding a line break itself
    is cut on its own. `normalised` says the texts are `normalise`d already (a document's
    sentences are cut from its normalised text), which saves a pass over them.
    """
    joined = "\n".join(texts)
    if joined.count("\n") != len(texts) - 1:  # no texts, or one holding a line break
        return [tuple(cut_words(t, cutter)) for t in texts]
    tokens = segmenter(cutter)(_for_words(joined if normalised else normalise(joined)))
    words = _token_words()
    try:
        flat = tuple(chain.from_iterable(map(words.__getitem__, tokens)))
    except KeyError:  # tokens not seen before: cut them once
        words = _add_token_words(words, tokens)
        flat = tuple(chain.from_iterable(map(words.__getitem__, tokens)))
    # Split at the line breaks themselves: whatever token a break ended up in, it separates
    # two texts.
    pieces = _split_at_breaks(flat, len(texts))
    if pieces is None:  # a segmenter that merged line breaks: no shortcut
        return [tuple(cut_words(t, cutter)) for t in texts]
    return pieces


def _split_at_breaks(words: tuple[str, ...], n: int) -> list[tuple[str, ...]] | None:
    """`words` cut at its "\\n" entries into n tuples, or None if it has not n - 1 of them.

    `tuple.index` finds each break in C; slicing a tuple copies the references once.
    """
    pieces, start = [], 0
    for _ in range(n - 1):
        try:
            end = words.index("\n", start)
        except ValueError:
            return None
        pieces.append(words[start:end])
        start = end + 1
    pieces.append(words[start:])
    return None if "\n" in pieces[-1] else pieces


# Content words of each segmenter token, shared across calls: a report repeats its vocabulary,
# so most tokens are looked up rather than re-split, and their words are the same string
# objects each time (hashed once for every later dict lookup). Capped for a long-running server.
_TOKEN_CACHE_SIZE = 50_000
_token_cache: dict[str, tuple[str, ...]] = {}


def _token_words() -> dict[str, tuple[str, ...]]:
    """The token cache: each token's content words, line breaks kept as "\\n" entries.

    Words never span two tokens (`cut_words` joins them by spaces), so cutting token by token
    gives the words of the joined text.
    """
    global _token_cache
    if len(_token_cache) > _TOKEN_CACHE_SIZE:
        _token_cache = {}  # a new dict: threads reading the old one keep their copy
    return _token_cache


def _add_token_words(
    cache: dict[str, tuple[str, ...]], tokens: Sequence[str]
) -> dict[str, tuple[str, ...]]:
    stops = stop_words()
    for token in set(tokens).difference(cache):
        cache[token] = tuple(
            _bucket(w) if w[0].isdigit() else w
            for w in _WORD_OR_BREAK.findall(token)
            if w not in stops
        )
    return cache


def _content_words(tokens: Sequence[str], stops: frozenset[str]) -> list[str]:
    joined = " ".join(tokens)
    return [_bucket(w) if w[0].isdigit() else w for w in _WORD.findall(joined) if w not in stops]


# Number buckets: the only words not made of word characters, so they never clash with a word.
YEAR_TOKEN, NUMBER_TOKEN = "<year>", "<num>"


def _bucket(word: str) -> str:
    """Years and plain numbers become one token each: their values do not mark a section."""
    return YEAR_TOKEN if _YEAR.match(word) else NUMBER_TOKEN if _NUMBER.match(word) else word
