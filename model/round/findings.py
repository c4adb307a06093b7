"""What an office says back to a body about its report: findings, each with its quotation.

Pure: it reads an audit (`model.audit.checks.audit`), with a reviewer's corrections applied
first (`apply`), and the body's state in the ledger. Every finding says what is wrong in the
words an office uses ("未报告党政主要负责人履行推进法治建设第一责任人职责情况",
"第2项问题无对应整改安排") and quotes the text that supports it, so a person can check it
before it goes out. Where the machine is not sure, the finding asks for a check (请核实)
instead of asserting: a problem is said to have no plan only when no plan comes near it.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from model.labels import REQUIRED

# A problem is said to have no plan when no plan comes nearer than this (the best of
# `model.audit.checks.link_scores`); below the audit's LINK_THRESHOLD otherwise, the feedback
# asks to check. On the readers' links (`python -m training.links_eval`) no positive value
# was safe: readers link problems to plans that share almost nothing with them (seed 004's
# first problem scores 0.016 against the plan both readers gave it), so a report with plan
# items never gets the claim from the model alone.
NO_PLAN = 0.0
QUOTE_MAX = 120
SAME = "同上"  # the quotation of a finding that rests on the one before
# The parts as the 《法治政府建设与责任落实督察工作规定》 (art. 25) names them, which is how
# an office's feedback names what is missing.
PART_FEEDBACK = {
    "achievements": "推进法治政府建设的主要举措和成效",
    "shortcomings": "推进法治政府建设存在的不足和原因",
    "leadership": "党政主要负责人履行推进法治建设第一责任人职责情况",
    "plans": "下一年度推进法治政府建设的主要安排",
}
_METADATA_FIELDS = ("issuer", "year", "report_date", "published")


@dataclass(frozen=True, slots=True)
class Finding:
    """One item of feedback: a stable `code` (what a reviewer confirms or dismisses), the
    sentence, the quotation, and the reviewer's verdict when there is one."""

    code: str
    text: str
    quote: str
    review: str | None = None  # confirmed, or None; dismissed findings are dropped

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "text": self.text, "quote": self.quote, "review": self.review}


def apply(audit: dict[str, Any], fields: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The audit with the reviewer's values in place of the machine's, and the fields that
    were corrected. `fields` maps a corrections field ("issuer", "parts.plans",
    "problems.2.cause" …) to its value; fields the audit does not have are ignored."""
    if not fields:
        return audit, []
    result = copy.deepcopy(audit)
    changed: list[str] = []
    meta = result.setdefault("metadata", {})
    for field in _METADATA_FIELDS:
        if field in fields:
            meta[field] = fields[field]
            changed.append(field)
    for part in REQUIRED:
        field = f"parts.{part}"
        if field in fields and part in result.get("contents", {}):
            result["contents"][part]["status"] = fields[field]
            result["contents"][part]["note"] = "人工核定"
            changed.append(field)
    problems = result.get("problems", [])
    plans = result.get("plans", [])
    for k, problem in enumerate(problems, start=1):
        if f"problems.{k}.cause" in fields:
            problem["cause"] = bool(fields[f"problems.{k}.cause"])
            changed.append(f"problems.{k}.cause")
        if f"problems.{k}.plans" in fields:
            numbers = fields[f"problems.{k}.plans"]
            problem["plans"] = [n - 1 for n in numbers if 1 <= n <= len(plans)]
            problem["reviewed_plans"] = True
            changed.append(f"problems.{k}.plans")
    if problems:
        result["unanswered"] = [k for k, p in enumerate(problems) if not p["plans"]]
    return result, changed


def link_state(problem: dict[str, Any], plans: int) -> str:
    """answered; none (a reviewer said so, the report has no plan items, or none comes
    nearer than NO_PLAN); or check (a person should look)."""
    if problem.get("plans"):
        return "answered"
    if problem.get("reviewed_plans") or not plans or problem.get("link_score", 0.0) < NO_PLAN:
        return "none"
    return "check"


def chinese(day: str | None) -> str:
    """ "2025-04-01" as 公文 writes it, "2025年4月1日"; other text as it is."""
    try:
        y, m, d = (int(x) for x in (day or "").split("-"))
    except ValueError:
        return day or "不明"
    return f"{y}年{m}月{d}日"


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_MAX else text[: QUOTE_MAX - 1] + "…"


def findings(
    audit: dict[str, Any],
    state: str | None = None,
    dates: tuple[str | None, str | None] = (None, None),
    headings: list[str] | None = None,
    reviews: dict[str, str] | None = None,
    date_quote: str = "",
) -> list[Finding]:
    """The feedback on one report, in the order a circular gives it: timeliness, the
    required parts, then the problems one by one.

    `state` is the body's ledger state, `dates` the date it filed on and its deadline,
    `headings` the report's own headings (the quotation for a part that is missing: what
    the report has instead; given once for all the missing parts), `reviews` the reviewer's
    verdict by finding code, `date_quote` the line the filing date was read from."""
    reviews = reviews or {}
    found: list[Finding] = []

    def add(code: str, text: str, quote: str) -> None:
        verdict = reviews.get(code)
        if verdict != "dismissed":
            found.append(Finding(code, text, quote, verdict))

    if state == "late":
        when, due = dates
        add(
            "late",
            f"逾期报送（报送日期{chinese(when)}，期限{chinese(due)}）",
            _quote(date_quote or f"报送日期：{when}"),
        )
    if not audit.get("genre", {}).get("is_report", True):
        add("genre", "报送的文件不是法治政府建设年度报告", _quote(audit.get("note", "")))
        return found
    outline = f"报告结构：{_quote('；'.join(headings or []) or '报告未设标题')}"
    contents = audit.get("contents", {})
    for part in REQUIRED:
        status = contents.get(part, {}).get("status")
        if status == "missing":
            add(f"missing:{part}", f"未报告{PART_FEEDBACK[part]}", outline)
            outline = SAME
        elif status == "weak" and part != "shortcomings":
            note = contents[part].get("note") or "内容较弱"
            add(
                f"weak:{part}",
                f"{PART_FEEDBACK[part]}不够具体（{note}）",
                f"报告结构：{_quote(outline)}",
            )
    problems = audit.get("problems", [])
    if problems and not any(p.get("cause") for p in problems):
        add("no_cause", "问题未说明原因", _quote(problems[0]["text"]))
    for k, problem in enumerate(problems, start=1):
        quote = _quote(problem["text"])
        if problem.get("cause") is False and any(p.get("cause") for p in problems):
            add(f"no_cause:{k}", f"第{k}项问题未说明原因", quote)
        if problem.get("generic"):
            add(f"generic:{k}", f"第{k}项问题表述笼统，未指明具体问题", quote)
        link = link_state(problem, len(audit.get("plans", [])))
        if link == "none":
            add(f"no_plan:{k}", f"第{k}项问题无对应整改安排", quote)
        elif link == "check":
            add(f"check_plan:{k}", f"第{k}项问题是否有对应整改安排，请核实", quote)
    return found
