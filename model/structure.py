"""Section cues from headings and the shape of a report.

Used twice and so kept in one place: training derives weak labels from them, and the classifier
reads them as context features, so the two can never disagree about what a heading means.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from model.segment import Paragraph, normalise

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
_ADDRESSEE = re.compile(r"^[^，。]{2,40}：$")


def heading_cue(text: str) -> str | None:
    """The section a top-level heading announces, from its words; None when it says nothing."""
    text = normalise(text)
    for label, pattern in _HEADING_CUES:
        if pattern.search(text):
            return label
    return None


def looks_like_boilerplate(text: str) -> bool:
    """Web chrome, source/date lines and footers: short lines with telltale words."""
    text = normalise(text).strip()
    return len(text) <= 120 and bool(_BOILERPLATE.search(text) or _DATE_LINE.match(text))


@dataclass(frozen=True, slots=True)
class Context:
    """What the document says around a paragraph, as the classifier sees it."""

    section: str | None  # cue of the enclosing top-level heading
    subsection: str | None  # cue of the enclosing second-level heading
    level: int | None
    heading: bool
    position: str  # before-first-heading / body / tail
    first: bool
    last: bool

    def tokens(self) -> list[str]:
        """Feature tokens for the linear model."""
        return [
            f"sub={self.subsection}",
            f"lvl={self.level}",
            f"head={self.heading}",
            f"pos={self.position}",
            f"pos={self.position}|lvl={self.level}",
            *(["first"] if self.first else []),
            *(["last"] if self.last else []),
        ]


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
    sections = top_sections(paragraphs)
    first_heading = next((i for i, p in enumerate(paragraphs) if p.level == 1), len(paragraphs))
    last_body = max(
        (i for i, p in enumerate(paragraphs) if len(p.text) > 120), default=len(paragraphs)
    )
    result, sub = [], None
    for i, (p, section) in enumerate(zip(paragraphs, sections, strict=True)):
        if p.level == 1:
            sub = None
        elif p.level == 2 and p.heading:
            sub = heading_cue(p.text)
        position = "pre" if i < first_heading else "tail" if i > last_body else "body"
        result.append(
            Context(section, sub, p.level, p.heading, position, i == 0, i == len(paragraphs) - 1)
        )
    return result
