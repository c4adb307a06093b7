"""The draft circular (通报) of a round and the feedback (反馈意见) to each body, as text.

Every sentence is made from the round's data (`service.round.view.round_view`): counts from
the ledger, names from the roster, findings with their quotations from the audit. Nothing is
said that the data does not hold, and nothing is left out to make it read better: it is a
draft for a person to edit. A value a reviewer corrected is marked (经人工核定), and a
finding a reviewer confirmed is marked (已核实). The layout is the service's
(`service.office.docx`); here only the blocks: h1, h2, p and quote.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from model.round.findings import SAME, chinese

_NUMERALS = "一二三四五六七八九十"


def _numeral(n: int) -> str:
    """一 … 九十九, as 公文 numbers its headings."""
    if n <= 10:
        return _NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    return (_NUMERALS[tens - 1] if tens > 1 else "") + "十" + (_NUMERALS[ones - 1] if ones else "")


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _names(rows: list[dict[str, Any]]) -> str:
    return "、".join(r["name"] + ("（经人工核定）" if r.get("corrected") else "") for r in rows)


def _counts_sentence(c: dict[str, Any]) -> str:
    """ "应报送单位12个，已报送9个（按时报送7个，逾期报送2个），未报送3个", without the
    parts that are zero."""
    parts = [
        f"{name}{c[key]}个"
        for key, name in (
            ("on_time", "按时报送"),
            ("late", "逾期报送"),
            ("undated", "报送日期不明"),
        )
        if c.get(key)
    ]
    text = f"应报送单位{c['bodies']}个"
    if c.get("reported"):
        text += f"，已报送{c['reported']}个"
        if len(parts) > 1:
            text += f"（{'，'.join(parts)}）"
        elif parts:
            text += f"（均为{parts[0][: -len(str(c['reported'])) - 1]}）"
    if c.get("pending"):
        text += f"，有报告待确认{c['pending']}个"
    if c.get("missing"):
        text += f"，未报送{c['missing']}个"
    return text


def _feedback_blocks(items: list[dict[str, Any]]) -> list[dict[str, str]]:
    blocks = []
    for k, item in enumerate(items, start=1):
        mark = "（已核实）" if item.get("review") == "confirmed" else ""
        blocks.append({"kind": "p", "text": f"{k}．{item['text']}。{mark}"})
        if item.get("quote") == SAME:
            blocks.append({"kind": "quote", "text": f"原文：{SAME}。"})
        elif item.get("quote"):
            blocks.append({"kind": "quote", "text": f"原文：“{item['quote']}”"})
    return blocks


def circular(view: dict[str, Any], office: str, day: date) -> dict[str, Any]:
    """The circular of the round: the numbers, compliance by part, the common problems, the
    bodies named under each finding, and each body's feedback."""
    year = view.get("year") or ""
    bodies = view.get("bodies", [])
    c = view.get("counts") or {}
    blocks: list[dict[str, str]] = []
    p = lambda text: blocks.append({"kind": "p", "text": text})  # noqa: E731
    h1 = lambda text: blocks.append({"kind": "h1", "text": text})  # noqa: E731
    h2 = lambda text: blocks.append({"kind": "h2", "text": text})  # noqa: E731
    reports = [r for r in view.get("reports", []) if r.get("in_round", True)]
    p(
        f"按照《法治政府建设与责任落实督察工作规定》要求，对{year}年度法治政府建设年度报告的"
        f"报送情况进行了梳理，共收到报告{len(reports)}份。现将有关情况通报如下。"
    )
    section = 0

    def section_head(text: str) -> None:
        nonlocal section
        section += 1
        h1(f"{_numeral(section)}、{text}")

    if bodies:
        section_head("报送基本情况")
        p(f"名单内{_counts_sentence(c)}。")
        by_level = c.get("by_level") or {}
        if len(by_level) > 1:
            p(
                "其中，"
                + "；".join(f"{level}{_counts_sentence(n)}" for level, n in by_level.items())
                + "。"
            )
        groups = [
            ("未报送的单位", [b for b in bodies if b["state"] == "missing"], None),
            ("逾期报送的单位", [b for b in bodies if b["state"] == "late"], "late"),
            ("报告待确认的单位", [b for b in bodies if b["state"] == "pending"], "pending"),
        ]
        sub = 0
        for title, rows, kind in groups:
            if not rows:
                continue
            sub += 1
            h2(f"（{_numeral(sub)}）{title}")
            if kind == "late":
                p(
                    "；".join(
                        f"{b['name']}（报送日期{chinese(b['date'])}，期限{chinese(b['deadline'])}）"
                        + ("（经人工核定）" if b.get("corrected") else "")
                        for b in rows
                    )
                    + "。"
                )
            elif kind == "pending":
                p(
                    "；".join(
                        f"{b['name']}（可能为："
                        + "、".join(_file(x["source"]) for x in b.get("candidates", []))
                        + "）"
                        for b in rows
                    )
                    + "。请核实报告单位。"
                )
            else:
                p(_names(rows) + "。")
        unlisted = [r for r in reports if r.get("match") == "unlisted"]
        if unlisted:
            sub += 1
            h2(f"（{_numeral(sub)}）名单以外的报告")
            p("；".join(f"{r['issuer'] or '单位未识别'}（{r['source']}）" for r in unlisted) + "。")
    section_head("必备内容情况")
    listed = [r for r in reports if r.get("is_report", True) and r.get("match") != "duplicate"]
    for part in view.get("parts", []):
        missing = [r for r in listed if r["parts"].get(part["part"]) == "missing"]
        weak = [r for r in listed if r["parts"].get(part["part"]) == "weak"]
        text = f"{part['name']}：{len(listed)}份报告中，{part['present']}份内容完整"
        if weak:
            text += f"，{len(weak)}份较弱（{'、'.join(_who(r) for r in weak)}）"
        if missing:
            text += f"，{len(missing)}份未报告（{'、'.join(_who(r) for r in missing)}）"
        p(text + "。")
    no_cause = [r for r in listed if r["problems"] and not r["problems_with_cause"]]
    unanswered = [r for r in listed if r["unanswered"]]
    if no_cause:
        who = "、".join(_who(r) for r in no_cause)
        p(f"列出问题但均未说明原因的报告{len(no_cause)}份：{who}。")
    if unanswered:
        p(
            f"有问题未见对应整改安排的报告{len(unanswered)}份："
            f"{'、'.join(_who(r) for r in unanswered)}。"
        )
    section_head("共性问题")
    common = view.get("common", [])
    if common:
        p(f"多个单位报告中共同提到的问题{len(common)}类，按涉及报告数排列：")
        for k, item in enumerate(common[:10], start=1):
            p(f"{k}．{item['text']}（{item['reports']}份报告：{'、'.join(item['bodies'])}）。")
    else:
        p("本轮报告中未发现多个单位共同提到的问题。")
    feedback = view.get("feedback", [])
    if feedback:
        section_head("各单位反馈意见")
        for k, entry in enumerate(feedback, start=1):
            h2(f"（{_numeral(k)}）{entry['body']}")
            blocks.extend(_feedback_blocks(entry["items"]))
    return {
        "title": f"关于{year}年度法治政府建设年度报告报送情况的通报",
        "subtitle": "（征求意见稿）",
        "recipient": "各单位：",
        "blocks": blocks,
        "signature": office,
        "date": chinese_date(day),
    }


def _file(source: str) -> str:
    """A received file as the circular names it: its name, without the folders it came in."""
    return source.replace("\\", "/").rsplit("/", 1)[-1]


def _who(report: dict[str, Any]) -> str:
    return report.get("body") or report.get("issuer") or _file(report["source"])


def feedback(view: dict[str, Any], office: str, day: date) -> list[dict[str, Any]]:
    """One 反馈意见 per roster body (or per report, without a roster): its findings, each
    with its quotation; a missing body is told it has not reported."""
    year = view.get("year") or ""
    by_body = {f["body"]: f for f in view.get("feedback", [])}
    reports = {r["source"]: r for r in view.get("reports", [])}
    letters = []
    names = [b["name"] for b in view.get("bodies", [])] or [
        f["body"] for f in view.get("feedback", [])
    ]
    states = {b["name"]: b for b in view.get("bodies", [])}
    for name in names:
        blocks: list[dict[str, str]] = []
        state = states.get(name, {}).get("state")
        entry = by_body.get(name)
        if state == "missing":
            text = f"截至本通报起草时，未收到你单位{year}年度法治政府建设年度报告。"
            blocks.append({"kind": "p", "text": text})
        elif entry:
            report = reports.get(entry["source"], {})
            title = report.get("title") or _file(entry["source"])
            blocks.append(
                {"kind": "p", "text": f"经审核，你单位报送的《{title}》有以下需要补充完善之处："}
            )
            blocks.extend(_feedback_blocks(entry["items"]))
        else:
            blocks.append({"kind": "p", "text": "经审核，未发现需要补充完善之处。"})
        letters.append(
            {
                "title": f"关于{name}{year}年度法治政府建设年度报告的反馈意见",
                "recipient": f"{name}：",
                "blocks": blocks,
                "signature": office,
                "date": chinese_date(day),
            }
        )
    return letters
