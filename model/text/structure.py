"""Section cues from headings and the shape of a report.

Used twice and so kept in one place: training derives weak labels from them, and the classifier
reads them as context features, so the two can never disagree about what a heading means.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple, Protocol

from model.text.segment import Paragraph, heading_level, is_heading, normalise

# Checked in this order: a heading naming problems *and* plans ("存在问题及下一步打算") opens
# with the problems, and 回顾 beats the year's plans it is often paired with. Plans need a
# forward framing: 部署, 任务, 目标 and 要求 name topics of the year's work as often as plans
# ("一、认真组织部署落实"), so on their own they say nothing; a later year does (see
# `top_sections`).
_HEADING_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("other", re.compile(r"其他|其它")),
    ("shortcomings", re.compile(r"不足|问题|差距|短板|困难|薄弱")),
    (
        "leadership",
        re.compile(
            r"第一责任|第一职责|主要负责|主要责任人|负责人|主要领导.{0,6}责任|述法|关键少数"
        ),
    ),
    ("achievements", re.compile(r"回顾|成效|成绩|成就|做法|进展|成果")),
    (
        "plans",
        re.compile(r"计划|安排|打算|思路|努力方向|下一步|下一年|下步|明年|今后|展望|建议"),
    ),
)
YEAR = re.compile(r"((?:19|20)[0-9]{2})\s*年")
# A five-year plan period ("“十四五”时期", "十二五规划", "“七五”期间", or the plan's name in
# quotes, "开创“十五五”发展新局面"; not "八五普法", the legal-education plans, which are
# numbered apart): the numeral before 五 is the plan's number.
_NUMERAL = r"(十[一二三四五六七八九]?|[一二三四五六七八九])五"
_PLAN_PERIOD = re.compile(rf"[“\"]{_NUMERAL}[”\"](?!普法)|{_NUMERAL}[”\"]?(?:时期|规划|期间|计划)")
_DIGITS = {c: k for k, c in enumerate("一二三四五六七八九", 1)}


def plan_period_start(numeral: str) -> int:
    """The first year of the n-th five-year plan (一五 1953, 二五 1958, then from 三五 1966 on in
    fives after the three years of adjustment: 十四五 2021, 十五五 2026)."""
    n = 10 + _DIGITS.get(numeral[1:], 0) if numeral.startswith("十") else _DIGITS[numeral]
    return 1953 + 5 * (n - 1) if n <= 2 else 1966 + 5 * (n - 3)


def plan_periods(norm: str) -> list[str]:
    """The numerals of the five-year plans a text names, in order ("十五" for "“十五五”时期")."""
    return [quoted or bare for quoted, bare in _PLAN_PERIOD.findall(norm)]


def names_later(norm: str, year: int) -> bool:
    """Whether a heading names a year later than `year`, or a five-year plan that starts in it
    or later. The report's year is the year it reviews or, failing a year in its first
    heading, the year it was given ("2011年政府工作报告": "二、“十二五”时期的主要目标和任务");
    a plan under review has run for a year at least."""
    return any(int(y) > year for y in YEAR.findall(norm)) or any(
        plan_period_start(numeral) >= year for numeral in plan_periods(norm)
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
    opening: str | None


def _shapes(paragraphs: Sequence[Paragraph]) -> list[_Shape]:
    shapes = []
    for p in paragraphs:
        norm = normalise(p.text).strip()
        opening = None if p.heading else opening_cue(norm)
        shapes.append(_Shape(norm, _chrome(norm), _terse(norm), _body(norm), opening))
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
    opening: str | None  # what the paragraph's start announces (`opening_cue`)

    def tokens(self) -> list[str]:
        """Feature tokens for the linear model."""
        return [
            *intrinsic_tokens(self.level, self.heading, self.chrome, self.terse, self.opening),
            f"sub={self.subsection}",
            f"pos={self.position}",
            f"pos={self.position}|lvl={self.level}",
            *(["first"] if self.first else []),
            *(["last"] if self.last else []),
            *([f"terse|pos={self.position}"] if self.terse else []),
        ]


def intrinsic_tokens(
    level: int | None, heading: bool, chrome: bool, terse: bool, opening: str | None = None
) -> list[str]:
    """Features a paragraph carries on its own, so an isolated paragraph has them too."""
    return [
        f"lvl={level}",
        f"head={heading}",
        *(["chrome"] if chrome else []),
        *(["terse"] if terse else []),
        *([f"open={opening}"] if opening else []),
    ]


def paragraph_tokens(text: str) -> list[str]:
    """Intrinsic feature tokens of a paragraph with no document around it."""
    norm = normalise(text).strip()
    level, heading = heading_level(norm), is_heading(norm)
    opening = None if heading else opening_cue(norm)
    return intrinsic_tokens(level, heading, _chrome(norm), _terse(norm), opening)


# A paragraph that opens looking forward ("下一步，我们将…", "2025年，我局将…").
_FORWARD = re.compile(
    r"[^。；]{0,16}?(?:下一步|下一年|下步|明年|今后|接下来|[0-9]{4}年[，,]?(?:我[局区县市镇委办]|全[区县市省])?将)"
)


def opening_cue(norm: str) -> str | None:
    """What the start of a normalised paragraph announces: a plan, an admission, the
    principal leader's duty; None for the rest. A feature the model weighs, not a label."""
    if _FORWARD.match(norm):
        return "plans"
    if _admits(norm):
        return "shortcomings"
    if _led(norm):
        return "leadership"
    return None


class Tense(Protocol):
    """Which way a section faces, read from its body (`model.learn.tense.TenseModel`)."""

    def faces_forward(self, body: str) -> bool: ...


# A government work report is a speech to a people's congress: "各位代表：" opens it, after its
# title lines.
_CONGRESS = "各位代表"
_ADDRESS_SPAN = 8


def addresses_congress(paragraphs: Sequence[Paragraph]) -> bool:
    """The report is a speech to a congress (a 政府工作报告), whose sections after the review
    set the coming year's tasks under headings that often name no year."""
    return any(_CONGRESS in p.text for p in paragraphs[:_ADDRESS_SPAN])


def top_sections(paragraphs: Sequence[Paragraph], tense: Tense | None = None) -> list[str | None]:
    """For each paragraph, the label announced by the top-level heading it sits under.

    A top-level heading without cue words is about the reported year's work (achievements:
    many reports give each top-level section to a topic area) unless it names a later year
    than the report's own ("三、2025年政府工作任务" after "一、2024年工作回顾") or a later
    five-year plan ("二、“十五五”时期主要目标任务" after "一、2025年工作回顾"), or names 今年
    after the review (a speech given in the year it plans for), or follows a section of plans:
    once a report has turned to next year it stays there until a heading says otherwise. A
    review whose heading also names a later period ("二、“十三五”时期发展成就和“十四五”时期主要
    目标任务") turns to plans at the first paragraph that looks forward (`_turns_forward`). A
    section is never plans because of its position alone. In a speech to a congress
    (`addresses_congress`), `tense`, when given, reads the rest from the section's body: its
    task sections' headings often name no year ("二、保持国民经济发展的良好势头").
    """
    year = report_year(paragraphs)
    ask = tense is not None and addresses_congress(paragraphs)
    heads = [i for i, p in enumerate(paragraphs) if p.level == 1 and p.heading]
    ends = dict(zip(heads, [*heads[1:], len(paragraphs)], strict=False))
    sections: list[str | None] = []
    current: str | None = None
    turns = False  # a review whose heading names the period after it: it turns there
    for i, p in enumerate(paragraphs):
        if p.level == 1 and p.heading:
            cue = heading_says(p.text, year, current)
            if cue is None and current != "plans" and ask:
                body = "".join(q.text for q in paragraphs[i + 1 : ends[i]])
                cue = "plans" if tense.faces_forward(body) else None  # type: ignore[union-attr]
            current = cue or ("plans" if current == "plans" else "achievements")
            turns = (
                cue == "achievements" and year is not None and names_later(normalise(p.text), year)
            )
        elif turns and _turns_forward(normalise(p.text), year):  # type: ignore[arg-type]
            current, turns = "plans", False
        sections.append(current)
    return sections


def _turns_forward(norm: str, year: int) -> bool:
    """A paragraph of a review section that turns to the period after it: it opens looking
    forward, or its first clause names a later year or five-year plan ("“十四五”时期是开启…"
    under "二、“十三五”时期发展成就和“十四五”时期主要目标任务")."""
    first = re.split(r"[，,。；;：:]", norm, maxsplit=1)[0]
    return opening_cue(norm) == "plans" or names_later(first, year)


def heading_says(text: str, year: int | None, current: str | None) -> str | None:
    """What a top-level heading itself says its section is: its cue words, or plans for a
    later year or five-year plan than the report's, or 今年 after the review; None when it
    says nothing (`top_sections` then decides)."""
    cue = heading_cue(text)
    if cue is not None:
        return cue
    norm = normalise(text)
    later = year is not None and names_later(norm, year)
    this_year = current is not None and "今年" in norm  # after the review: its plans
    return "plans" if later or this_year else None


def said_sections(paragraphs: Sequence[Paragraph]) -> list[tuple[int, int, str]]:
    """(heading index, end, label) of each top-level section whose heading says what it is
    (`heading_says`): the examples a `Tense` model learns from."""
    year = report_year(paragraphs)
    heads = [i for i, p in enumerate(paragraphs) if p.level == 1 and p.heading]
    found, current = [], None
    for i, end in zip(heads, [*heads[1:], len(paragraphs)], strict=False):
        said = heading_says(paragraphs[i].text, year, current)
        if said is not None:
            found.append((i, end, said))
        current = said or ("plans" if current == "plans" else "achievements")
    return found


# The year a speech to a congress was given, in its title ("2026年政府工作报告") or the date
# line under it ("——2026年1月20日在…人民代表大会…上"): it reviews the year before.
_GIVEN = re.compile(
    r"((?:19|20)[0-9]{2})\s*年(?:[^。，；]{0,12}工作报告|\s*[0-9]{1,2}\s*月\s*[0-9]{1,2}\s*日)"
)


def report_year(paragraphs: Sequence[Paragraph]) -> int | None:
    """The year a report is about: the first its first top-level heading names
    ("一、2024年工作回顾"), else the one named most before that heading (title, preamble; in a
    speech to a congress, the year before the one its title or date line gives), else
    the last year of the five-year plan the heading names ("一、“十一五”时期国民经济和社会发展的
    回顾": 2010), else the one named most in the first section ("一、一年来工作回顾", whose
    figures are of 2003, before "二、2004年主要任务")."""
    years: list[int] = []
    given: int | None = None
    in_first_section = False
    for p in paragraphs:
        norm = normalise(p.text)
        found = [int(y) for y in YEAR.findall(norm)]
        if p.level == 1 and p.heading:
            if in_first_section:
                break
            if found:
                return found[0]
            if given is not None and addresses_congress(paragraphs):
                return given - 1
            if years:
                break  # named before the heading (a title)
            plans = plan_periods(norm)
            if plans:
                return plan_period_start(plans[0]) + 4
            in_first_section = True
            continue
        if given is None and not in_first_section and (m := _GIVEN.search(norm)):
            given = int(m.group(1))
        years += found
    if not years:
        return None
    # ties go to the earliest year (a rule-of-law report names the plan period's end, 2025,
    # as often as its own year), in a speech to a congress to the latest (1987's review names
    # 1984, 1985 and 1986 once each: the year it reviews is the last)
    return max(sorted(set(years), reverse=addresses_congress(paragraphs)), key=years.count)


def contexts(paragraphs: Sequence[Paragraph]) -> list[Context]:
    """Context features of every paragraph of one document."""
    return _contexts(paragraphs, top_sections(paragraphs), _shapes(paragraphs))


def document_cues(
    paragraphs: Sequence[Paragraph], tense: Tense | None = None
) -> tuple[list[Context], list[str | None]]:
    """`contexts` and `structural_labels` of one document, sharing their per-paragraph work;
    `tense` as `top_sections` takes it."""
    sections, shapes = top_sections(paragraphs, tense), _shapes(paragraphs)
    return _contexts(paragraphs, sections, shapes), _structural(paragraphs, sections, shapes)


def subsections(paragraphs: Sequence[Paragraph]) -> list[str | None]:
    """For each paragraph, the cue of the second-level heading it sits under (a heading line,
    or a run-in heading opening a paragraph: "（三）切实履行第一责任人职责。…")."""
    result, sub = [], None
    for p in paragraphs:
        if p.level == 1:
            sub = None
        elif p.level == 2:
            sub = heading_cue(_run_in(p.text) if not p.heading else p.text)
        result.append(sub)
    return result


def _run_in(text: str) -> str:
    """The run-in heading of a paragraph: its first sentence."""
    norm = normalise(text)
    end = min((i for i in (norm.find(c) for c in "。；：") if i >= 0), default=len(norm))
    return norm[: min(end, 40)]


def _contexts(
    paragraphs: Sequence[Paragraph], sections: Sequence[str | None], shapes: Sequence[_Shape]
) -> list[Context]:
    # Without any top-level heading there is no "before the first section": all is body.
    first_heading = next((i for i, s in enumerate(sections) if s is not None), 0)
    last_body = max((i for i, shape in enumerate(shapes) if shape.body), default=-1)
    result = []
    subs = subsections(paragraphs)
    for i, (p, section, shape) in enumerate(zip(paragraphs, sections, shapes, strict=True)):
        sub = subs[i]
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
                shape.opening,
            )
        )
    return result


# Paragraph-level cues that override the section's: the review of the year often holds a
# paragraph admitting problems (政府工作报告: "同时，我们也清醒看到…") and, by the
# 督察工作规定 convention, one on the principal leader's first-responsible-person duty.
# An admission is framed as one ("清醒看到", "存在…问题", "不足之处"); a bare 短板 or 困难 in
# the review is as often a measure ("补上消费短板", "帮助企业解决困难").
_ADMITS = re.compile(
    r"清醒|存在着?(?:的)?(?:一些|不少|诸多|以下)?(?:问题|不足|短板|困难|缺点)|不足之处|差距和不足|"
    r"问题和不足|缺点和不足|困难和问题|问题和困难|困难和挑战|仍有差距|还有差距|仍然存在|仍存在|还存在"
)
# The principal leader as the subject of the paragraph, not a passing mention of the duty.
_LEADER = re.compile(
    r"[^。；]{0,30}?(?:主要负责人|主要负责同志|主要领导|党组书记|党委书记|党工委书记|"
    r"[部厅局委办县区市镇乡省州旗]长)[^。；]{0,24}?(?:履行|带头|亲自|主持|高度重视|坚持|认真|"
    r"切实|严格|定期|多次|牵头|扛起|落实)"
)
# A run-in heading opening a paragraph ("1.严格落实主体责任。"), skipped to find its subject.
_RUN_IN = re.compile(
    r"(?:[（(]?[一二三四五六七八九十0-9]+[）)、.]|[一二三四五六七八九十]+是)[^。；：]{0,30}[。；：]"
)
_ADMITS_SPAN = 80
# The same words in a clause about meeting problems, or keeping a clear head, admit nothing:
# "针对民营企业发展遇到的困难和问题，千方百计帮助解忧纾困", "切实解决存在的问题", "保持清醒头脑".
_MEETS = re.compile(r"针对|解决|处理|应对|找出|克服|化解|破解|帮助")
_CLAUSE = re.compile(r"[，,。；;：:]")


def _admits(norm: str) -> bool:
    """The start of a normalised paragraph admits a problem (`_ADMITS`), not in a clause that
    meets it or keeps a clear head."""
    for m in _ADMITS.finditer(norm, 0, _ADMITS_SPAN):
        clause = _CLAUSE.split(norm[: m.start()])[-1]
        if not _MEETS.search(clause) and not norm.startswith("头脑", m.end()):
            return True
    return False


# A paragraph that goes on a list the paragraph before opened: "二是…", "（三）…", "——…".
_NEXT_ITEM = re.compile(r"\s*(?:[二三四五六七八九十]+是|[（(][二三四五六七八九十]+[）)]|——)")


def _led(norm: str) -> bool:
    """The paragraph's subject is the principal leader fulfilling the duty, at its start or
    just after its run-in heading."""
    if _LEADER.match(norm):
        return True
    m = _RUN_IN.match(norm)
    return m is not None and _LEADER.match(norm, m.end()) is not None


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
    sub = subsections(paragraphs)
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
            # an admission in a long preamble (the older work reports review their year
            # before their first heading: "我们也清醒地看到，…主要是：农民收入增长缓慢，…")
            admits = not shape.terse and _admits(text)
            label = "boilerplate" if shape.terse else "shortcomings" if admits else "preamble"
        elif i > last_body and shape.terse:
            label = "boilerplate"
        elif (
            section in ("achievements", "plans")
            and not p.heading
            and (
                _admits(text)
                or (labels and labels[-1] == "shortcomings" and _NEXT_ITEM.match(text))
            )
        ):
            # an admission, and the items of its list that follow it ("二是…", "——…")
            label = "shortcomings"
        elif section == "achievements" and (sub[i] == "leadership" or _led(text)):
            label = "leadership"
        else:
            label = section
        labels.append(label)
    return labels
