"""The round as the office sees it: the roster ledger, the reports with their matches, the
problems and plans, the common problems and the feedback, with a reviewer's corrections in
place and marked. One dict (`round_view`), which the workbook, the circular, the 报送情况
page and `GET /v1/round` all read, so they can never disagree.
"""

from __future__ import annotations

import contextlib
import json
from datetime import date
from pathlib import Path
from typing import Any

from model.audit.checks import default_rules
from model.audit.deadlines import Rules
from model.labels import PART_ZH, REQUIRED
from model.round.findings import apply, findings, link_state
from model.round.roster import (
    KIND_ZH,
    LEVEL_ZH,
    MATCH_ZH,
    Body,
    Evidence,
    Filed,
    Match,
    Roster,
    assign,
    counts,
    ledger,
    round_year,
)
from service.archive import corrections
from service.archive.comparing import entries
from service.archive.store import open_store

_HEAD_CHARS, _TAIL_PARAGRAPHS = 400, 3
TIMELINESS_ZH = {"on_time": "按时", "late": "逾期", "unknown": "不明"}


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def _texts(record: dict[str, Any]) -> tuple[str, str, list[str]]:
    """The opening, the signature lines and the headings of a stored record."""
    text = record.get("text") or ""
    paragraphs = record.get("paragraphs") or []
    parts = [text[p["start"] : p["end"]].strip() for p in paragraphs]
    head = "\n".join(parts)[:_HEAD_CHARS]
    tail = "\n".join(parts[-_TAIL_PARAGRAPHS:])
    headings = [t for p, t in zip(paragraphs, parts, strict=True) if p.get("heading") and t]
    return head, tail, headings


def _date_line(record: dict[str, Any], meta: dict[str, Any], corrected: list[str]) -> str:
    """The words a filing date was read from: the text's date line, the page's meta tag, or
    the reviewer's correction."""
    field = "published" if meta.get("published") else "report_date"
    if field in corrected:
        return f"人工核定的{'发布' if field == 'published' else '落款'}日期：{meta.get(field)}"
    span = (meta.get("evidence") or {}).get(field)
    text = record.get("text") or ""
    if span:
        start = text.rfind("\n", 0, span[0]) + 1
        end = text.find("\n", span[1])
        return text[start : end if end >= 0 else len(text)].strip()
    if meta.get(field):
        return f"页面发布日期：{meta[field]}"
    return ""


def _stored(folder: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The stored reports (id, source, record) in order, and the problem clusters."""
    with contextlib.closing(open_store(folder, readonly=True)) as conn:
        rows = conn.execute(
            "SELECT id, source, record FROM reports WHERE status = 'ok' ORDER BY id"
        ).fetchall()
        clusters = list(entries(conn, "clusters"))
    reports = [{"id": i, "source": s, "record": json.loads(r)} for i, s, r in rows]
    return reports, clusters


def round_view(
    folder: Path | str,
    bodies: list[Body] | None,
    *,
    year: int | None = None,
    rules: Rules | None = None,
    roster_file: str = "",
    base_url: str = "",
) -> dict[str, Any]:
    """The round of the batch archive in `folder` against the roster `bodies` (None: no
    roster; every report is then listed without a ledger)."""
    folder = Path(folder)
    rules = rules or default_rules()
    stored, clusters = _stored(folder)
    fixes = corrections.effective(corrections.read(folder))
    audits, changed, evidence, headings = [], [], [], []
    for report in stored:
        record = report["record"]
        fields = {f: c["value"] for f, c in fixes.get(report["source"], {}).items()}
        audit, corrected = apply(record.get("audit") or {}, fields)
        audits.append(audit)
        changed.append(corrected)
        meta = audit.get("metadata", {})
        head, tail, heads = _texts(record)
        headings.append(heads)
        evidence.append(
            Evidence(report["source"], meta.get("issuer"), meta.get("title"), head, tail)
        )
    year = year or round_year(a.get("metadata", {}).get("year") for a in audits)
    roster = Roster(bodies) if bodies else None
    fixed: dict[int, Match] = {}
    for k, report in enumerate(stored):
        body = fixes.get(report["source"], {}).get("body")
        if body is not None:
            value = body["value"]
            fixed[k] = (
                Match("matched", value, (), "人工核定")
                if value
                else Match("unlisted", evidence="人工核定：不在名单中")
            )
            changed[k].append("body")
    matches = assign(roster, evidence, year, fixed) if roster else []
    in_round = [a.get("metadata", {}).get("year") in (None, year) if year else True for a in audits]
    filed = [
        Filed(
            r["source"],
            m,
            _date(a["metadata"].get("published")) or _date(a["metadata"].get("report_date")),
        )
        for r, m, a, here in zip(stored, matches, audits, in_round, strict=False)
        if here
    ]
    entries_ = ledger(bodies, filed, year, rules) if bodies else []
    state_of = {e.body.name: e for e in entries_}
    # Paths of the archive's pages; the workbook makes links of them with `base_url`.
    url = {r["source"]: f"/archive/reports/{r['id']}" for r in stored}
    by_body = {b.name: b for b in bodies or []}

    view_reports, problems, plans, feedback = [], [], [], []
    for k, report in enumerate(stored):
        audit, meta = audits[k], audits[k].get("metadata", {})
        m = matches[k] if matches else None
        body = m.body if m else None
        entry = state_of.get(body) if body else None
        primary = bool(entry and entry.reports and entry.reports[0] == report["source"])
        deadline = entry.deadline if entry else _date(audit.get("timeliness", {}).get("deadline"))
        when = _date(meta.get("published")) or _date(meta.get("report_date"))
        timeliness = "unknown"
        if when and deadline:
            timeliness = "late" if when > deadline else "on_time"
        contents = audit.get("contents", {})
        found = findings(
            audit,
            entry.state if entry and primary else None,
            (when.isoformat() if when else None, deadline.isoformat() if deadline else None),
            headings[k],
            {
                f.split(".", 1)[1]: c["value"]
                for f, c in fixes.get(report["source"], {}).items()
                if f.startswith("findings.")
            },
            _date_line(report["record"], meta, changed[k]),
        )
        name = body or meta.get("issuer") or report["source"]
        level = by_body[body].level if body in by_body else meta.get("level")
        view_reports.append(
            {
                "id": report["id"],
                "source": report["source"],
                "url": url[report["source"]],
                "title": meta.get("title"),
                "issuer": meta.get("issuer"),
                "issuer_machine": (report["record"].get("audit") or {})
                .get("metadata", {})
                .get("issuer"),
                "body": body,
                "match": m.status if m else None,
                "match_zh": MATCH_ZH.get(m.status, "") if m else "",
                "candidates": list(m.candidates) if m else [],
                "evidence": m.evidence if m else "",
                "in_round": in_round[k],
                "level": LEVEL_ZH.get(level or "", level),
                "year": meta.get("year"),
                "report_date": meta.get("report_date"),
                "published": meta.get("published"),
                "deadline": deadline.isoformat() if deadline else None,
                "timeliness": timeliness,
                "timeliness_zh": TIMELINESS_ZH[timeliness],
                "is_report": audit.get("genre", {}).get("is_report", True),
                "parts": {p: contents.get(p, {}).get("status") for p in REQUIRED},
                "problems": len(audit.get("problems", [])),
                "problems_with_cause": sum(bool(p.get("cause")) for p in audit.get("problems", [])),
                "unanswered": len(audit.get("unanswered", [])),
                "corrected": changed[k],
                "findings": [f.as_dict() for f in found],
            }
        )
        for i, p in enumerate(audit.get("problems", []), start=1):
            problems.append(
                {
                    "body": name,
                    "source": report["source"],
                    "index": i,
                    "text": p.get("text", ""),
                    "cause": p.get("cause"),
                    "plan": link_state(p, len(audit.get("plans", []))),
                    "plans": [j + 1 for j in p.get("plans", [])],
                    "corrected": [f for f in changed[k] if f.startswith(f"problems.{i}.")],
                }
            )
        for j, p in enumerate(audit.get("plans", []), start=1):
            plans.append(
                {
                    "body": name,
                    "source": report["source"],
                    "index": j,
                    "text": p.get("text", ""),
                    "answers": [
                        i
                        for i, q in enumerate(audit.get("problems", []), start=1)
                        if j - 1 in q.get("plans", [])
                    ],
                }
            )
        if found:
            feedback.append(
                {"body": name, "source": report["source"], "items": view_reports[-1]["findings"]}
            )

    names = {r["id"]: (r["body"] or r["issuer"] or r["source"]) for r in view_reports}
    common = [
        {
            "text": c["name"],
            "reports": c["count"],
            "bodies": sorted(
                {names[m["report_id"]] for m in c["members"] if m["report_id"] in names}
            ),
        }
        for c in clusters
    ]
    parts = []
    listed = [r for r in view_reports if r["is_report"] and (r["match"] in (None, "matched"))]
    for part in REQUIRED:
        statuses = [r["parts"][part] for r in listed]
        parts.append(
            {
                "part": part,
                "name": PART_ZH[part],
                **{s: statuses.count(s) for s in ("present", "weak", "missing")},
            }
        )
    ledger_rows = []
    for e in entries_:
        row = e.as_dict()
        row["level"] = LEVEL_ZH.get(e.body.level or "", "")
        row["kind"] = KIND_ZH.get(e.body.kind or "", "")
        row["reports"] = [{"source": s, "url": url[s]} for s in e.reports]
        row["candidates"] = [{"source": s, "url": url[s]} for s in e.candidates]
        row["corrected"] = any(
            "body" in changed[k] for k, r in enumerate(stored) if r["source"] in e.reports
        )
        row["note"] = ""
        ledger_rows.append(row)
    return {
        "title": f"{year or ''}年度法治政府建设年度报告报送情况",
        "year": year,
        "generated": date.today().isoformat(),
        "roster_file": roster_file,
        "base_url": base_url,
        "rules": rules_rows(rules, bodies),
        "counts": counts(entries_) if bodies else {},
        "parts": parts,
        "bodies": ledger_rows,
        "reports": view_reports,
        "problems": problems,
        "plans": plans,
        "common": common,
        "feedback": feedback,
    }


def _month_day(deadline: str) -> str:
    month, day = deadline.split("-")
    return f"次年{int(month)}月{int(day)}日"


def rules_rows(rules: Rules, bodies: list[Body] | None) -> dict[str, Any]:
    """The deadline rules used, as the workbook's 说明 and the circular state them."""
    rows = [
        {
            "applies": ", ".join((*r.levels, *r.kinds))
            + (f" {r.issuer.pattern}" if r.issuer else ""),
            "deadline": _month_day(r.deadline),
            "source": r.source,
        }
        for r in rules.rules
    ]
    rows.append(
        {
            "applies": "其他单位" if rows else "全部单位",
            "deadline": _month_day(rules.default.deadline),
            "source": rules.default.source,
        }
    )
    own = [b for b in bodies or [] if b.deadline]
    if own:
        rows.insert(
            0,
            {
                "applies": f"名单中写明截止日期的单位（{len(own)} 个）",
                "deadline": "名单所列日期",
                "source": "名单",
            },
        )
    return {"file": rules.path, "deadlines": rows}


def served_round(
    folder: Path | str, rules: Rules | None, year: int | None = None, base_url: str = ""
) -> dict[str, Any]:
    """The round of a batch folder with the roster kept in it (none: no ledger), as the
    server shows it."""
    from service.round.roster_file import find_roster, read_roster

    roster = find_roster(folder)
    return round_view(
        folder,
        read_roster(roster) if roster else None,
        year=year,
        rules=rules,
        roster_file=roster.name if roster else "",
        base_url=base_url,
    )
