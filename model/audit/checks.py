"""The inspection audit of a report, as a legal-affairs office checks it each spring.

Against the 《法治政府建设与责任落实督察工作规定》 (2019): who reported and for which year
(model/audit/metadata.py), whether it was published on time (model/audit/deadlines.py),
whether the five required contents are there, the problems it admits (问题清单) with or without
causes, and whether next year's plans answer them. Every finding carries the offsets or paragraph
indices of its evidence; what the text does not say is None or "unknown", never a guess.

Pure: it reads a labelled Document, so the CLI, the server and the batch give one answer.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from model.audit.deadlines import Rules, load_rules
from model.audit.metadata import REPORT_TITLE, Context, Metadata, extract
from model.labels import PART_ZH, PARTS
from model.text.document import Document
from model.text.problems import Item, problem_items
from model.text.segment import cut_words, normalise, stop_words
from model.text.units import FIGURE, marker_end, sentence_kinds, specifics

# A paragraph shorter than this is a heading's echo or debris, not a part's content.
_MIN_PARAGRAPH = 15
_MIN_PART_CHARS = {"achievements": 100, "leadership": 60, "plans": 40}
CAUSE = re.compile(
    r"原因|由于|主要是|究其|根源|源于|在于|因为|(?<![原基])因(?![此而地素])|导致|造成|致使|"
    r"受[^。；]{1,12}影响|客观上|主观上"
)
_LEADERS = re.compile(r"第一责任人|主要负责人|主要领导|党政主要|一把手")
# A sentence whose subject is the principal leader doing the duty ("单位主要负责人严格按照…
# 履行…职责"), as against a passing mention ("形成了主要领导统筹抓…").
_LEADER_SUBJECT = re.compile(
    r"\W*(?:[\u4e00-\u9fff]{0,4}?(?:党政)?主要(?:负责人|领导)(?:同志)?|一把手|党组书记|"
    r"[局区县市镇]长)[^。；]{0,60}?(?:第一责任人|履行[^。；]{0,12}职责|履职)"
)
# What a problem statement says without naming anything: stock verdicts and filler words.
_STOCK_VERDICT = re.compile(
    r"仍有差距|还有差距|存在差距|有一定差距|有待[加进提完增]\w{0,2}|还需[加进提完增]\w{0,2}|"
    r"仍需[加进提完增]\w{0,2}|尚需[加进提完增]\w{0,2}|需要进一步\w{0,2}|还不够\w{0,2}|"
    r"不够到位|不到位|不够|不足|薄弱|短板|不强|不高|不平衡|不充分|不完善|欠缺|存在|一定|仍然|依然|"
    r"还|仍|尚|进一步|问题|方面|工作|水平|能力|有待|加强|提升|提高|完善|需要|的|和|与|等|较|比较"
)
GENERIC_CHARS = 8  # a problem naming fewer content characters than this names nothing
# Problem → plan links: cosine of IDF-weighted content words at or above this (see `link`).
# Chosen on the odd-year half of the readers' links (seeds/links, `python -m
# training.links_eval --sweep`): readers link plans that share only a word or two with the
# problem ("执法能力不均衡" → "健全执法责任制"), which 0.2 missed. There 0.02, 0.03 and 0.05
# score within 0.001 of each other; the highest keeps the most precision.
LINK_THRESHOLD = 0.05
# Words too common in both parts to show that a plan answers a problem.
_LINK_STOP = frozenset(
    [
        "工作",
        "问题",
        "进一步",
        "加强",
        "推进",
        "提升",
        "提高",
        "完善",
        "不足",
        "存在",
        "部分",
        "方面",
        "能力",
        "水平",
        "建设",
        "法治",
        "依法",
        "政府",
        "法治政府",
        "持续",
        "深入",
        "全面",
        "不断",
        "切实",
        "有效",
        "相关",
        "开展",
        "落实",
        "强化",
        "推动",
        "优化",
        "健全",
        "有待",
        "不够",
        "仍",
        "还",
    ]
)

# Genre evidence (log-odds added up; see `genre`).
_RULE_OF_LAW = re.compile(r"法治政府|依法行政|法治建设|依法治[国省市区县镇]")
_OTHER_TITLE = re.compile(
    r"政府工作报告|信息公开|工作要点|实施方案|工作计划|行动方案|通知|意见|讲话|纲要|规划|决定|办法"
)
_SPEECH = re.compile(r"各位代表")
_NEWS = re.compile(r"记者|本报讯|通讯员|日电|据[^。]{0,6}报道|新闻发布会")
_DISCLOSURE = re.compile(r"政府信息公开工作年度报告|信息公开工作年度报告")
_HEAD_CHARS = 400


@dataclass(frozen=True, slots=True)
class Genre:
    """Is the text a 法治政府建设 report at all, with how sure the rules are."""

    is_report: bool
    confidence: float
    reasons: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "is_report": self.is_report,
            "confidence": round(self.confidence, 3),
            "reasons": list(self.reasons),
        }


def genre(doc: Document, meta: Metadata) -> Genre:
    """Rules, each adding log-odds for or against; the confidence is their logistic.

    A 政府工作报告, a 政府信息公开工作年度报告, a news article or a work plan gets
    is_report False, so that it is not audited as a report full of missing parts. The
    confidence is the rules' own strength, not a probability fitted on data.
    """
    norm = doc.normalised()
    head = norm[:_HEAD_CHARS]
    title = normalise(meta.title or "")
    score, reasons = 0.0, []

    def add(weight: float, reason: str) -> None:
        nonlocal score
        score += weight
        reasons.append(reason)

    if title and REPORT_TITLE.search(title) and not _OTHER_TITLE.search(title):
        add(3.0, "标题为法治政府建设报告")
    elif title and _OTHER_TITLE.search(title):
        add(-4.0, f"标题为其他文种（{_OTHER_TITLE.search(title).group()}）")
    if _SPEECH.search(norm):
        add(-4.0, "向代表大会所作的报告（各位代表）")
    if _DISCLOSURE.search(head):
        add(-4.0, "政府信息公开工作年度报告")
    if _NEWS.search(head):
        add(-2.0, "新闻报道")
    density = len(_RULE_OF_LAW.findall(norm)) * 1000 / max(len(norm), 1)
    add(min(3.0, 1.5 * density) - 1.0, f"法治政府建设用语每千字 {density:.1f} 次")
    labels = set(doc.labels or [])
    if "achievements" in labels and labels & {"shortcomings", "plans", "leadership"}:
        add(1.0, "有成效与不足、安排或履职部分")
    confidence = 1 / (1 + math.exp(-score))
    return Genre(score > 0, confidence, tuple(reasons))


# -- required contents ---------------------------------------------------------------------------


def _body(doc: Document, label: str) -> list[int]:
    """Body paragraphs (not headings, not debris) labelled `label`."""
    assert doc.labels is not None
    return [
        i
        for i, p in enumerate(doc.paragraphs)
        if doc.labels[i] == label and not p.heading and len(p.text.strip()) >= _MIN_PARAGRAPH
    ]


def _headings(doc: Document, label: str) -> list[int]:
    assert doc.labels is not None
    return [i for i, p in enumerate(doc.paragraphs) if doc.labels[i] == label and p.heading]


def _chars(doc: Document, paragraphs: Sequence[int]) -> int:
    return sum(len(doc.paragraphs[i].text.strip()) for i in paragraphs)


def contents(doc: Document, problems: Sequence[Problem], plans: Sequence[Item]) -> dict[str, Any]:
    """present, weak or missing for each part, with the evidence paragraphs and a note."""
    found: dict[str, Any] = {}
    for part in PARTS:
        body, heads = _body(doc, part), _headings(doc, part)
        chars = _chars(doc, body)
        status, note = "present", ""
        if part == "shortcomings":
            if not body:
                status = "missing"
                note = "有“不足”标题但其下没有内容" if heads else "未写存在的不足"
            elif not any(
                CAUSE.search(doc.unwrapped(doc.paragraphs[i].start, doc.paragraphs[i].end))
                for i in body
            ):
                status, note = "weak", "列出不足但未说明原因"
            else:
                causes = sum(p.cause for p in problems)
                note = (
                    f"{len(problems)} 项不足，{causes} 项说明了原因" if problems else "说明了原因"
                )
        elif part == "leadership":
            if chars >= _MIN_PART_CHARS[part] or (heads and body):
                note = f"{len(body)} 段写主要负责人履职"
            elif body or (said := _leader_sentence(doc)) is not None:
                status, note = "weak", "只有一两句写主要负责人履职，没有专门的部分"
                body = body or [said]
            else:
                # Mentions of 第一责任人 inside other parts are not the part the rules require.
                status = "missing"
                note = "未写主要负责人履行第一责任人职责情况" + (
                    "（仅在其他部分顺带提及）" if _mentions_leaders(doc) else ""
                )
        elif part == "plans":
            concrete = [p for p in plans if not is_generic(doc, p.start, p.end)]
            if not body:
                status = "missing"
                note = "有“安排”标题但其下没有内容" if heads else "未写下一年度安排"
            elif chars < _MIN_PART_CHARS[part] or not concrete:
                status, note = "weak", "安排没有具体措施"
            else:
                note = f"{len(plans)} 项安排，{len(concrete)} 项有具体措施"
        elif part == "achievements":
            if not body:
                status, note = "missing", "未写主要举措和成效"
            elif chars < _MIN_PART_CHARS[part]:
                status, note = "weak", f"举措和成效只有 {chars} 字"
            else:
                note = f"{len(body)} 段，{chars} 字"
        else:  # other matters: optional
            if not body:
                status, note = "missing", "没有其他需要报告的情况（非必需）"
        found[part] = {"status": status, "paragraphs": body, "note": note}
    return found


def _leader_sentence(doc: Document) -> int | None:
    """The paragraph of the first sentence outside the plans about the leader's own duty."""
    assert doc.labels is not None
    for sentence in doc.sentences:
        if doc.labels[sentence.paragraph] != "plans" and _LEADER_SUBJECT.match(
            doc.unwrapped(sentence.start, sentence.end)
        ):
            return sentence.paragraph
    return None


def _mentions_leaders(doc: Document) -> bool:
    """Whether any paragraph names the principal leader's duty (`_LEADERS`)."""
    return any(_LEADERS.search(doc.unwrapped(p.start, p.end)) for p in doc.paragraphs)


# -- problems and plans --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Problem:
    """An admitted problem: the item as written, whether a cause is given, whether it names
    anything, and the plan items that answer it."""

    item: Item
    cause: bool
    generic: bool
    plans: tuple[int, ...]
    link_score: float = 0.0  # the best plan's `link_scores`: how sure "no plan answers it" is

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": self.item.title,
            "text": self.item.text,
            "start": self.item.start,
            "end": self.item.end,
            "cause": self.cause,
            "generic": self.generic,
            "plans": list(self.plans),
            "link_score": round(self.link_score, 3),
        }


def is_generic(doc: Document, start: int, end: int) -> bool:
    """Stock phrases only ("法治建设水平仍有差距"): no specifics, and without the stock
    verdicts and filler fewer than `GENERIC_CHARS` content characters name anything."""
    text = doc.normalised()[start:end]
    if specifics(text):
        return False
    text = text[marker_end(text) :]
    rest = _STOCK_VERDICT.sub("", text)
    return sum(c.isalnum() for c in rest) < GENERIC_CHARS


def _content_words(text: str) -> list[str]:
    return [
        w
        for w in cut_words(normalise(text))
        if len(w) >= 2 and w not in stop_words() and w not in _LINK_STOP and not w.isdigit()
    ]


def _unit_rows(doc: Document, bags: Sequence[Sequence[str]]) -> np.ndarray:
    """Unit-length IDF-weighted rows of word counts, one per bag (background IDF when the
    document has one); an empty bag is a zero row."""
    vocab = sorted({w for bag in bags for w in bag})
    rows = np.zeros((len(bags), len(vocab)))
    if not vocab:
        return rows
    index = {w: k for k, w in enumerate(vocab)}
    for r, bag in enumerate(bags):
        for w in bag:
            rows[r, index[w]] += 1
    rows *= doc.background.idf(vocab) if doc.background is not None else 1.0
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return np.divide(rows, norms, out=np.zeros_like(rows), where=norms > 0)


def similarity(doc: Document, a: Sequence[str], b: Sequence[str]) -> float:
    """Cosine of IDF-weighted bags of content words: what `link` compares."""
    rows = _unit_rows(doc, [a, b])
    return float(rows[0] @ rows[1])


def link_scores(doc: Document, problems: Sequence[Item], plans: Sequence[Item]) -> np.ndarray:
    """How well each plan answers each problem (problems × plans): the best `similarity` of
    three views, whole texts, titles, or the problem's title against the plan's text
    ("行政复议体制改革仍需进一步推进" and "探索行政复议管理新模式" share only 行政复议,
    which the titles show and the long texts dilute). One vocabulary, three matrix products."""
    if not problems or not plans:
        return np.zeros((len(problems), len(plans)))
    items = (*problems, *plans)
    rows = _unit_rows(
        doc, [_content_words(i.text) for i in items] + [_content_words(i.title) for i in items]
    )
    n = len(problems)
    texts, titles = rows[: len(items)], rows[len(items) :]
    return np.maximum.reduce(
        [
            texts[:n] @ texts[n:].T,
            titles[:n] @ titles[n:].T,
            titles[:n] @ texts[n:].T,
        ]
    )


def link(doc: Document, problems: Sequence[Item], plans: Sequence[Item]) -> list[tuple[int, ...]]:
    """For each problem, the plan items that answer it, best first: those whose
    `link_scores` reach `LINK_THRESHOLD`."""
    return _linked(link_scores(doc, problems, plans))


def _linked(scores: np.ndarray) -> list[tuple[int, ...]]:
    return [
        tuple(int(k) for k in np.argsort(-row, kind="stable") if row[k] >= LINK_THRESHOLD)
        for row in scores
    ]


# -- indicators ----------------------------------------------------------------------------------


def indicators(doc: Document, problems: Sequence[Problem], plans: Sequence[Item]) -> dict[str, Any]:
    """Figures an office compares across reports."""
    assert doc.labels is not None
    chars: dict[str, int] = {}
    for i, p in enumerate(doc.paragraphs):
        chars[doc.labels[i]] = chars.get(doc.labels[i], 0) + len(p.text.strip())
    norm = doc.normalised()
    achieved = [doc.paragraphs[i] for i in _body(doc, "achievements")]
    achieved_chars = sum(p.end - p.start for p in achieved)
    figures = sum(len(FIGURE.findall(norm, p.start, p.end)) for p in achieved)
    kinds = sentence_kinds(doc)
    body = kinds.body & ~kinds.scrap
    generic = sum(p.generic for p in problems)
    return {
        "chars": chars,
        "figures_per_1000_achievements": round(figures * 1000 / achieved_chars, 2)
        if achieved_chars
        else None,
        "formula_share": round(float(kinds.formula[body].mean()), 3) if body.any() else None,
        "problems": len(problems),
        "problems_with_cause": sum(p.cause for p in problems),
        "generic_problems": generic,
        "specific_problems": len(problems) - generic,
        "plans": len(plans),
        "unanswered_problems": sum(not p.plans for p in problems),
    }


# -- timeliness ----------------------------------------------------------------------------------


def timeliness(meta: Metadata, rules: Rules) -> dict[str, Any]:
    """on_time, late or unknown against the deadline that applies, saying which date it used.

    The publication date is what the rule is about; without one the report's own date stands
    in (a report dated after the deadline cannot have been published in time).
    """
    rule = rules.rule_for(meta.level, meta.issuer_kind, meta.issuer)
    deadline = rule.due(meta.year) if meta.year is not None else None
    used, when = None, None
    if meta.published is not None:
        used, when = "published", meta.published
    elif meta.report_date is not None:
        used, when = "report_date", meta.report_date
    if deadline is None or when is None:
        status = "unknown"
    else:
        status = "on_time" if when <= deadline else "late"
    if deadline is None:
        note = "报告年度不明，无法确定期限"
    elif when is None:
        note = "文中没有发布日期或落款日期"
    else:
        which = "发布" if used == "published" else "落款"
        note = f"{which}日期 {when.isoformat()}，期限 {deadline.isoformat()}"
    return {
        "deadline": deadline.isoformat() if deadline else None,
        "date_used": used,
        "date": when.isoformat() if when else None,
        "status": status,
        "rule": rule.source or rule.deadline,
        "note": note,
    }


# -- the audit -----------------------------------------------------------------------------------


def audit(
    doc: Document, rules: Rules | None = None, context: Context | None = None
) -> dict[str, Any]:
    """The audit of a labelled document (see the contract in README, "Audit")."""
    if doc.labels is None:
        raise ValueError("audit needs a labelled document: prepare(text, classifier) first")
    rules = rules or default_rules()
    meta = extract(doc, context)
    kind = genre(doc, meta)
    result: dict[str, Any] = {"genre": kind.as_dict(), "metadata": meta.as_dict()}
    if not kind.is_report:
        return result | {
            "contents": {},
            "timeliness": {
                "deadline": None,
                "date_used": None,
                "date": None,
                "status": "unknown",
                "rule": None,
                "note": "不是法治政府建设年度报告，未作审查",
            },
            "problems": [],
            "plans": [],
            "indicators": {},
            "note": "不是法治政府建设年度报告：" + "；".join(kind.reasons),
        }
    items = problem_items(doc, "shortcomings")
    plans = problem_items(doc, "plans")
    scores = link_scores(doc, items, plans)
    problems = [
        Problem(
            item,
            bool(CAUSE.search(doc.unwrapped(item.start, item.end))),
            is_generic(doc, item.start, item.end),
            linked,
            float(row.max()) if row.size else 0.0,
        )
        for item, linked, row in zip(items, _linked(scores), scores, strict=True)
    ]
    return result | {
        "contents": contents(doc, problems, plans),
        "timeliness": timeliness(meta, rules),
        "problems": [p.as_dict() for p in problems],
        "plans": [
            {"title": p.title, "text": p.text, "start": p.start, "end": p.end} for p in plans
        ],
        "unanswered": [k for k, p in enumerate(problems) if not p.plans],
        "indicators": indicators(doc, problems, plans),
    }


@cache
def default_rules() -> Rules:
    """The bundled rules, read once."""
    return load_rules()


_STATUS_MARK = {"present": "●", "weak": "◐", "missing": "○"}
_TIMELINESS_ZH = {"on_time": "按时", "late": "逾期", "unknown": "不明"}


def card(result: dict[str, Any], source: str = "") -> str:
    """The audit as a card for a terminal: what an office reads first, evidence offsets after."""
    meta = result["metadata"]
    lines = [f"== {source}" if source else "=="]
    g = result["genre"]
    if not g["is_report"]:
        lines.append(
            f"不是法治政府建设年度报告（把握 {g['confidence']:.2f}）：{result.get('note', '')}"
        )
        return "\n".join(lines) + "\n"
    show = lambda v: "—" if v is None else str(v)  # noqa: E731
    lines += [
        f"标题      {show(meta['title'])}",
        f"报告单位  {show(meta['issuer'])}（{show(meta['issuer_kind'])}，{show(meta['level'])}）",
        f"年度      {show(meta['year'])}    落款 {show(meta['report_date'])}    "
        f"发布 {show(meta['published'])}",
    ]
    t = result["timeliness"]
    lines.append(f"时效      {_TIMELINESS_ZH[t['status']]}：{t['note']}")
    lines.append("必备内容")
    for part in PARTS:
        c = result["contents"][part]
        paragraphs = ",".join(map(str, c["paragraphs"][:8])) + (
            "…" if len(c["paragraphs"]) > 8 else ""
        )
        lines.append(
            f"  {_STATUS_MARK[c['status']]} {PART_ZH[part]:<16} {c['status']:<8} {c['note']}"
            + (f"  [段 {paragraphs}]" if paragraphs else "")
        )
    lines.append(f"问题清单（{len(result['problems'])} 项）")
    for k, p in enumerate(result["problems"], start=1):
        flags = ("有原因" if p["cause"] else "无原因") + ("，泛泛" if p["generic"] else "")
        answered = "、".join(str(j + 1) for j in p["plans"])
        answer = f"对应安排 {answered}" if answered else "无对应安排"
        lines.append(f"  {k}. {p['title']}（{flags}；{answer}）")
    lines.append(f"下一年度安排（{len(result['plans'])} 项）")
    for k, p in enumerate(result["plans"], start=1):
        lines.append(f"  {k}. {p['title']}")
    ind = result["indicators"]
    lines.append(
        f"指标      成效每千字数据 {show(ind['figures_per_1000_achievements'])}，"
        f"套话句占比 {show(ind['formula_share'])}，问题 {ind['problems']}（具体 "
        f"{ind['specific_problems']}，泛泛 {ind['generic_problems']}），未回应 "
        f"{ind['unanswered_problems']}"
    )
    return "\n".join(lines) + "\n"
