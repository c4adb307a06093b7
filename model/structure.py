"""Section cues from headings and the shape of a report.

Used twice and so kept in one place: training derives weak labels from them, and the classifier
reads them as context features, so the two can never disagree about what a heading means.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from model.segment import Paragraph, heading_level, is_heading, normalise

# Checked in this order: a heading naming problems *and* plans ("存在问题及下一步打算") opens
# with the problems, and 回顾 beats the year's plans it is often paired with.
_HEADING_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("other", re.compile(r"其他|其它")),
    ("shortcomings", re.compile(r"不足|问题|差距|短板|困难|薄弱")),
    ("leadership", re.compile(r"履职|第一责任人|主要负责人|负责人|述法")),
    ("achievements", re.compile(r"回顾|成效|成绩|成就|做法|进展|成果")),
    (
        "plans",
        re.compile(
            r"计划|安排|打算|思路|下一步|下一年|明年|今后|展望|任务|建议|部署|目标|取向|要求"
        ),
    ),
)

_BOILERPLATE = re.compile(
    r"来源[：:]|发布时间|更新时间|发布日期|浏览次数|阅读次数|打印|关闭|扫一扫|分享|收藏|"
    r"主办单位|承办单位|备案|版权所有|网站标识码|公网安备|ICP|联系我们|网站地图|当前位置|"
    r"Public domain|^false$|^true$|字号|【大 中 小】"
)
_DATE_LINE = re.compile(r"^[0-9]{4}年[0-9]{1,2}月[0-9]{1,2}日\W*$")


def heading_cue(text: str) -> str | None:
    """The section a top-level heading announces, from its words; None when it says nothing."""
    text = normalise(text)
    for label, pattern in _HEADING_CUES:
        if pattern.search(text):
            return label
    return None


def looks_like_boilerplate(text: str) -> bool:
    """Web chrome, source/date lines and footers: short lines with telltale words."""
    return _chrome(normalise(text).strip())


def _chrome(norm: str) -> bool:
    """`looks_like_boilerplate` of a normalised, stripped text."""
    return len(norm) <= 120 and bool(_BOILERPLATE.search(norm) or _DATE_LINE.match(norm))


_TERSE_CHARS = 40
_BODY = re.compile(r"[。；，]")


def is_terse(text: str) -> bool:
    """Short and with no sentence punctuation: a title, a signature, a date, a menu item.

    A short line ending in a colon is an addressee ("中共XX委："), which opens the preamble.
    """
    return _terse(normalise(text).strip())


def _terse(norm: str) -> bool:
    """`is_terse` of a normalised, stripped text."""
    return len(norm) <= _TERSE_CHARS and not _BODY.search(norm) and not norm.endswith("：")


def is_body(text: str) -> bool:
    """Running text: long enough and punctuated like sentences."""
    return _body(normalise(text).strip())


def _body(norm: str) -> bool:
    """`is_body` of a normalised, stripped text."""
    return len(norm) > _TERSE_CHARS and bool(_BODY.search(norm))


class _Shape(NamedTuple):
    """A paragraph's normalised text and the shape checks on it, computed once per document."""

    norm: str  # normalised and stripped
    chrome: bool
    terse: bool
    body: bool


def _shapes(paragraphs: Sequence[Paragraph]) -> list[_Shape]:
    shapes = []
    for p in paragraphs:
        norm = normalise(p.text).strip()
        shapes.append(_Shape(norm, _chrome(norm), _terse(norm), _body(norm)))
    return shapes


class Context(NamedTuple):
    """What the document says around a paragraph, as the classifier sees it.

    A NamedTuple: immutable and hashable (the classifier caches its tokens) like a frozen
    dataclass, and cheaper to build and hash, once per paragraph.
    """

    section: str | None  # cue of the enclosing top-level heading
    subsection: str | None  # cue of the enclosing second-level heading
    level: int | None
    heading: bool
    position: str  # before-first-heading / body / tail
    first: bool
    last: bool
    chrome: bool  # web-page furniture words (来源, 打印 关闭, 备案号 …)
    terse: bool  # short and without sentence punctuation: titles, signatures, dates

    def tokens(self) -> list[str]:
        """Feature tokens for the linear model."""
        return [
            *intrinsic_tokens(self.level, self.heading, self.chrome, self.terse),
            f"sub={self.subsection}",
            f"pos={self.position}",
            f"pos={self.position}|lvl={self.level}",
            *(["first"] if self.first else []),
            *(["last"] if self.last else []),
            *([f"terse|pos={self.position}"] if self.terse else []),
        ]


def intrinsic_tokens(level: int | None, heading: bool, chrome: bool, terse: bool) -> list[str]:
    """Features a paragraph carries on its own, so an isolated paragraph has them too."""
    return [
        f"lvl={level}",
        f"head={heading}",
        *(["chrome"] if chrome else []),
        *(["terse"] if terse else []),
    ]


def paragraph_tokens(text: str) -> list[str]:
    """Intrinsic feature tokens of a paragraph with no document around it."""
    level = heading_level(text)
    return intrinsic_tokens(level, is_heading(text), looks_like_boilerplate(text), is_terse(text))


def top_sections(paragraphs: Sequence[Paragraph]) -> list[str | None]:
    """For each paragraph, the label announced by the top-level heading it sits under.

    A top-level heading without cue words follows the genre's order: the first one reviews the
    year ("一、主要工作"), later ones are the year's tasks (政府工作报告 style).
    """
    sections: list[str | None] = []
    current: str | None = None
    for p in paragraphs:
        if p.level == 1 and p.heading:
            current = heading_cue(p.text) or ("plans" if current else "achievements")
        sections.append(current)
    return sections


def contexts(paragraphs: Sequence[Paragraph]) -> list[Context]:
    """Context features of every paragraph of one document."""
    return _contexts(paragraphs, top_sections(paragraphs), _shapes(paragraphs))


def document_cues(
    paragraphs: Sequence[Paragraph],
) -> tuple[list[Context], list[str | None]]:
    """`contexts` and `structural_labels` of one document, sharing their per-paragraph work."""
    sections, shapes = top_sections(paragraphs), _shapes(paragraphs)
    return _contexts(paragraphs, sections, shapes), _structural(paragraphs, sections, shapes)


def _contexts(
    paragraphs: Sequence[Paragraph], sections: Sequence[str | None], shapes: Sequence[_Shape]
) -> list[Context]:
    # Without any top-level heading there is no "before the first section": all is body.
    first_heading = next((i for i, s in enumerate(sections) if s is not None), 0)
    last_body = max((i for i, shape in enumerate(shapes) if shape.body), default=-1)
    result, sub = [], None
    for i, (p, section, shape) in enumerate(zip(paragraphs, sections, shapes, strict=True)):
        if p.level == 1:
            sub = None
        elif p.level == 2 and p.heading:
            sub = heading_cue(p.text)
        position = "pre" if i < first_heading else "tail" if i > last_body else "body"
        result.append(
            Context(
                section,
                sub,
                p.level,
                p.heading,
                position,
                i == 0,
                i == len(paragraphs) - 1,
                shape.chrome,
                shape.terse,
            )
        )
    return result


# Paragraph-level cues that override the section's: the review of the year often holds a
# paragraph admitting problems (政府工作报告: "同时，我们也清醒看到…") and, by the
# 督察工作规定 convention, one on the principal leader's first-responsible-person duty.
_ADMITS = re.compile(
    r"清醒|不足|差距|困难和问题|问题和困难|困难和挑战|问题和不足|短板|存在着?(?:一些|不少|诸多)?问题"
)
_LEADER = re.compile(r"第一责任人|主要领导带头|主要负责人")
_ADMITS_SPAN, _LEADER_SPAN = 80, 80


def structural_labels(paragraphs: Sequence[Paragraph]) -> list[str | None]:
    """The label structure alone suggests for each paragraph: headings, position, chrome.

    Training uses it as weak labels; the classifier uses it as a prior it learns to trust
    or overrule (P(label | structural label)), so both read a report the same way. A report
    without top-level headings gives no structural label (None) to its body paragraphs.
    """
    return _structural(paragraphs, top_sections(paragraphs), _shapes(paragraphs))


def _structural(
    paragraphs: Sequence[Paragraph], sections: Sequence[str | None], shapes: Sequence[_Shape]
) -> list[str | None]:
    structured = any(s is not None for s in sections)
    body = [i for i, shape in enumerate(shapes) if shape.body]
    last_body = body[-1] if body else len(paragraphs) - 1
    labels: list[str | None] = []
    for i, (p, section, shape) in enumerate(zip(paragraphs, sections, shapes, strict=True)):
        text = shape.norm
        label: str | None
        if shape.chrome:
            label = "boilerplate"
        elif not structured:
            label = "boilerplate" if shape.terse and (i == 0 or i > last_body) else None
        elif section is None:
            label = "boilerplate" if shape.terse else "preamble"
        elif i > last_body and shape.terse:
            label = "boilerplate"
        elif (
            section in ("achievements", "plans")
            and not p.heading
            and _ADMITS.search(text[:_ADMITS_SPAN])
        ):
            label = "shortcomings"
        elif section == "achievements" and _LEADER.search(text[:_LEADER_SPAN]):
            label = "leadership"
        else:
            label = section
        labels.append(label)
    return labels
