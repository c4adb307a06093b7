"""HTTP routes of the archive: the reports table, one report, search and the comparisons.

Each request opens the store read-only (SQLite in WAL mode: a batch may be writing at the same
time) and closes it; the store's functions return the JSON shapes documented in openapi.json.
"""

from __future__ import annotations

import functools
import html
import json
import re
import sqlite3
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from model.labels import LABELS, PART_SHORT, PART_ZH, REQUIRED
from service.http import fail

bp = Blueprint("archive", __name__)

MAX_QUERY_CHARS = 200
MAX_LIMIT = 100
MAX_PAGE = 1_000_000
_MAX_ID = 2**63 - 1  # SQLite's largest integer


@contextmanager
def _store() -> Iterator[sqlite3.Connection]:
    from service.archive import store

    folder = current_app.config.get("ARCHIVE_DIR")
    if not folder:
        fail(404, "no_archive", "no archive is served: start with `fzreport serve --archive DIR`")
    path = Path(folder) / store.STORE_NAME
    if not path.exists():
        fail(404, "no_archive", f"no store in {folder}: run `fzreport archive build {folder}`")
    try:
        conn = store.open_store(path, readonly=True)
    except store.StoreError as exc:  # replaced by a store of another version while serving
        fail(503, "archive_unavailable", f"{exc}: run `fzreport archive build {folder}`")
    try:
        yield conn
    finally:
        conn.close()


def _int_arg(
    name: str, default: int | None = None, lower: int = 1, upper: int | None = None
) -> int | None:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        fail(422, "invalid_parameter", f"`{name}` must be an integer, not {raw!r}")
    if value < lower or (upper is not None and value > upper):
        bound = f"between {lower} and {upper}" if upper is not None else f"at least {lower}"
        fail(422, "invalid_parameter", f"`{name}` must be {bound}")
    return value


def _text_arg(name: str) -> str | None:
    value = request.args.get(name)
    return value if value else None


def _choice_arg(name: str, allowed: tuple[str, ...]) -> str | None:
    value = request.args.get(name)
    if value is not None and value not in allowed:
        fail(422, "invalid_parameter", f"`{name}` must be one of {', '.join(allowed)}")
    return value


_LEVELS = ("national", "provincial", "municipal", "county", "township")
_TIMELINESS = ("on_time", "late", "unknown")


@bp.get("/v1/archive/reports")
def reports() -> Response:
    """The reports table, filtered, sorted and paged."""
    from service.archive import query

    args: dict[str, Any] = {
        "issuer": _text_arg("issuer"),
        "year": _int_arg("year", lower=1900, upper=2100),
        "level": _choice_arg("level", _LEVELS),
        "part_missing": _choice_arg("part_missing", REQUIRED),
        "timeliness": _choice_arg("timeliness", _TIMELINESS),
        "sort": request.args.get("sort", "id"),
        "page": _int_arg("page", 1, upper=MAX_PAGE),
        "per_page": _int_arg("per_page", 50, upper=query.MAX_PER_PAGE),
    }
    with _store() as conn:
        try:
            return jsonify(query.list_reports(conn, **args))
        except ValueError as exc:
            fail(422, "invalid_parameter", str(exc))


@bp.get("/v1/archive/reports/<int:report_id>")
def report(report_id: int) -> Response:
    """One report with its analysis and audit."""
    from service.archive import query

    with _store() as conn:
        found = query.get_report(conn, report_id) if report_id <= _MAX_ID else None
    if found is None:
        fail(404, "not_found", f"no report {report_id} in the archive")
    return jsonify(found)


@bp.get("/v1/archive/search")
def search() -> Response:
    """Paragraphs matching `q` (two-character words work), with highlighted snippets."""
    from service.archive import query

    q = request.args.get("q", "")
    if not q.strip():
        fail(422, "empty_query", "give the words to search for as `q`")
    if len(q) > MAX_QUERY_CHARS:
        fail(422, "query_too_long", f"`q` has {len(q)} characters; at most {MAX_QUERY_CHARS}")
    limit = _int_arg("limit", 20, upper=MAX_LIMIT)
    page = _int_arg("page", 1, upper=MAX_PAGE)
    with _store() as conn:
        return jsonify(
            query.search(
                conn,
                q,
                page=page,
                label=_choice_arg("label", LABELS),
                issuer=_text_arg("issuer"),
                year=_int_arg("year", lower=1900, upper=2100),
                level=_choice_arg("level", _LEVELS),
                limit=limit,
            )
        )


@bp.get("/v1/archive/stats")
def stats() -> Response:
    """Compliance and timeliness rates, problem clusters, recurring problems, shared passages."""
    from service.archive import query

    with _store() as conn:
        return jsonify(query.stats(conn))


# -- web pages ----------------------------------------------------------------------------------

LEVEL_ZH = {
    "national": "国家级",
    "provincial": "省级",
    "municipal": "市级",
    "county": "县级",
    "township": "乡镇级",
    "unknown": "未识别",
}
TIMELINESS_ZH = {"on_time": "按时", "late": "逾期", "unknown": "不明"}
STATUS_ZH = {"present": "具备", "weak": "薄弱", "missing": "缺失"}
TOP_ROWS = 20  # rows of each dashboard table


def _page_names() -> dict[str, Any]:
    from model.labels import LABEL_ZH

    return {
        "levels": LEVEL_ZH,
        "timeliness_zh": TIMELINESS_ZH,
        "status_zh": STATUS_ZH,
        "parts": PART_ZH,
        "part_short": PART_SHORT,
        "required": REQUIRED,
        "label_zh": LABEL_ZH,
    }


def render_page(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    from flask import render_template

    return render_template(template, **_page_names(), **context), status


def missing_page() -> tuple[str, int] | None:
    """The 404 page when no archive is served, the 503 page when its store cannot be read (of
    another schema version), else None."""
    from service.archive import store

    folder = current_app.config.get("ARCHIVE_DIR")
    if not folder:
        message = "当前没有提供报告库。请用 `fzreport serve --archive 目录` 启动服务。"
    elif not (Path(folder) / store.STORE_NAME).exists():
        message = f"{folder} 中还没有报告库。请先运行 `fzreport archive build {folder}`。"
    else:
        try:
            store.open_store(Path(folder) / store.STORE_NAME, readonly=True).close()
        except store.StoreError as exc:
            message = f"报告库无法读取（{exc}）。请运行 `fzreport archive build {folder}`。"
            return render_page("archive_missing.html", 503, title="报告库无法读取", message=message)
        return None
    return render_page("archive_missing.html", 404, title="没有报告库", message=message)


@bp.get("/archive")
def reports_page() -> tuple[str, int]:
    """The reports table; archive.js fills it from /v1/archive/reports."""
    return missing_page() or render_page("archive.html", title="报告库", page="table")


@bp.get("/archive/search")
def search_page() -> tuple[str, int]:
    """Search results; archive.js fills them from /v1/archive/search."""
    return missing_page() or render_page(
        "archive_search.html",
        title="全文检索",
        page="search",
        q=request.args.get("q", "")[:MAX_QUERY_CHARS],
        labels=LABELS,
    )


def _paragraph_at(paragraphs: list[dict[str, Any]], offset: Any) -> int | None:
    if not isinstance(offset, int):
        return None
    for i, p in enumerate(paragraphs):
        if p["start"] <= offset < p["end"]:
            return i
    return None


def report_view(record: dict[str, Any]) -> dict[str, Any]:
    """What the report page shows: metadata, audit parts, problems with plans, paragraphs."""
    text = record.get("text") or ""
    paragraphs = [
        {**p, "index": i, "text": text[p["start"] : p["end"]]}
        for i, p in enumerate(record.get("paragraphs") or [])
    ]
    audit = record.get("audit") or {}
    contents = audit.get("contents") or {}
    parts = []
    for part in PART_ZH:
        entry = contents.get(part) or {"status": "missing", "paragraphs": [], "note": ""}
        status = entry.get("status") or "missing"
        shade = "optional" if status == "missing" and part == "other" else status
        parts.append({"part": part, "status": status, "shade": shade, **entry})
    plans = audit.get("plans") or []
    problems = []
    for problem in audit.get("problems") or []:
        answers = []
        for p in problem.get("plans") or []:
            if isinstance(p, int) and 0 <= p < len(plans):
                plan = plans[p]
                answers.append(
                    {
                        "index": p,
                        "title": plan.get("title") or (plan.get("text") or "")[:30],
                        "para": _paragraph_at(paragraphs, plan.get("start")),
                    }
                )
        problems.append(
            {**problem, "para": _paragraph_at(paragraphs, problem.get("start")), "answers": answers}
        )
    return {
        "record": record,
        "genre": audit.get("genre") or {},
        "meta": audit.get("metadata") or {},
        "timeliness": audit.get("timeliness") or {},
        "has_audit": bool(audit),
        "audit_parts": parts,
        "problems": problems,
        "paragraphs": paragraphs,
    }


@bp.get("/archive/reports/<int:report_id>")
def report_page(report_id: int) -> tuple[str, int]:
    """One report: metadata, audit and its text paragraph by paragraph (#p-N)."""
    from service.archive import query

    missing = missing_page()
    if missing:
        return missing
    with _store() as conn:
        found = query.get_report(conn, report_id) if report_id <= _MAX_ID else None
    if found is None:
        return render_page(
            "archive_missing.html",
            404,
            title="没有这份报告",
            message=f"报告库中没有编号为 {report_id} 的报告。",
        )
    corrected = _corrected(found)
    view = report_view(found)
    name = view["meta"].get("issuer") or Path(str(found.get("source", ""))).name
    return render_page(
        "archive_report.html", title=name, page="report", corrected=corrected, **view
    )


def _corrected(record: dict[str, Any]) -> list[dict[str, Any]]:
    """Put a reviewer's corrections in the record's audit (in place) and list them with the
    machine's values, which the page keeps visible."""
    from model.round.findings import apply
    from service.archive import corrections

    fixes = corrections.effective(corrections.read(current_app.config["ARCHIVE_DIR"]))
    fields = fixes.get(str(record.get("source")), {})
    if not fields:
        return []
    machine = record.get("audit") or {}
    audit, changed = apply(machine, {f: c["value"] for f, c in fields.items()})
    record["audit"] = audit
    meta = machine.get("metadata") or {}
    return [
        {
            "field": f,
            "value": c["value"],
            "machine": meta.get(f, "—") if f in meta else "—",
            "note": c.get("note", ""),
            "at": c.get("at", ""),
            "applied": f in changed,
        }
        for f, c in fields.items()
    ]


LINKS_PER_ROW = 12  # report links in one table row; the rest is counted ("等 N 项")


def _total(data: dict[str, Any], key: str) -> int:
    """How many entries the whole comparison has (stats() returns the first ones only)."""
    return int((data.get("totals") or {}).get(key, len(data.get(key) or [])))


def _recurring_issuers(data: dict[str, Any]) -> tuple[list[dict[str, Any]], int]:
    """The bodies that repeat problems, most first (`model.compare.recurring_by_issuer`), and
    how many there are; for a store built before the comparison had them, made here from the
    pairs that stats() holds."""
    if "recurring_issuers" in data:
        return data["recurring_issuers"] or [], _total(data, "recurring_issuers")
    from model.compare import recurring_by_issuer

    bodies = recurring_by_issuer(data.get("recurring") or [])
    return bodies, len(bodies)


def _roster_counts() -> dict[str, Any] | None:
    """The ledger's counts when the served folder keeps a roster (missing and late bodies)."""
    from service.round.roster_file import find_roster

    folder = Path(current_app.config["ARCHIVE_DIR"])
    if find_roster(folder) is None:
        return None
    from service.round.view import served_round

    return served_round(folder, current_app.extensions["fzreport.rules"])["counts"]


@bp.get("/archive/dashboard")
def dashboard_page() -> tuple[str, int]:
    """Rates as server-drawn SVG charts; clusters, recurring problems and shared passages."""
    from service.archive import query

    missing = missing_page()
    if missing:
        return missing
    with _store() as conn:
        data = query.stats(conn)
        rows = conn.execute(
            "SELECT id, source, issuer, year, published, deadline FROM reports ORDER BY id"
        ).fetchall()
    names = {row["id"]: row["issuer"] or Path(row["source"]).name for row in rows}
    timing = [(row["published"], row["deadline"]) for row in rows]
    rates = data.get("rates") or {}
    bodies, bodies_total = _recurring_issuers(data)
    return render_page(
        "archive_dashboard.html",
        roster=_roster_counts(),
        title="统计",
        page="dashboard",
        compare=data.get("compare", False),
        compare_status=data.get("compare_status"),
        overall=rates.get("all") or {},
        non_reports=rates.get("non_reports"),
        charts=dashboard_charts(rates, timing),
        clusters=(data.get("clusters") or [])[:TOP_ROWS],
        clusters_total=_total(data, "clusters"),
        recurring=bodies[:TOP_ROWS],
        recurring_bodies=bodies_total,
        recurring_total=_total(data, "recurring"),
        shared=(data.get("shared") or [])[:TOP_ROWS],
        shared_total=_total(data, "shared"),
        LINKS=LINKS_PER_ROW,
        names=names,
    )


# -- charts -------------------------------------------------------------------------------------

_SVG_HEAD = re.compile(r"^.*?(?=<svg)", re.S)
_SVG_DROP = re.compile(r"<metadata>.*?</metadata>|<style[^>]*>.*?</style>|<defs>\s*</defs>", re.S)
_SVG_STYLE = re.compile(r'style="([^"]*)"')
_SVG_IDS = re.compile(r'(id="|url\(#|href="#)')
_SVG_SIZE = re.compile(r'^<svg([^>]*?) width="[^"]*" height="[^"]*"')
# What matplotlib's own <style> set for every element, as inherited attributes of the root.
_SVG_ROOT = 'stroke-linejoin="round" stroke-linecap="butt"'
_PART_COLOURS = ("#546e7a", "#2e7d32", "#c62828", "#6a1b9a", "#1565c0")
_TIME_COLOURS = {"on_time": "#2e7d32", "late": "#c62828", "unknown": "#9e9e9e"}


def _attributes(match: re.Match[str]) -> str:
    """`style="fill: #fff; stroke: #000"` as presentation attributes, which the page's
    Content-Security-Policy (no inline style) allows."""
    pairs = [item.split(":", 1) for item in match.group(1).split(";") if ":" in item]
    return " ".join(
        f'{name.strip()}="{value.strip().replace(chr(34), chr(39))}"' for name, value in pairs
    )


def _figure(width: float = 6.4, height: float = 3.2) -> Any:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import rcParams
    from matplotlib.figure import Figure

    rcParams["svg.fonttype"] = "none"  # text stays text: the browser draws the Chinese
    rcParams["svg.hashsalt"] = "fzreport"  # stable clip-path ids
    rcParams["font.size"] = 9
    figure = Figure(figsize=(width, height))
    return figure, figure.subplots()


def warm_up() -> None:
    """Import matplotlib and draw an empty chart, at start rather than on the first visit to
    the dashboard (about a second)."""
    figure, _ = _figure()
    svg_markup(figure, "warm", "")


def svg_markup(figure: Any, name: str, title: str) -> str:
    """The figure as an inline <svg>: no XML header, metadata or <style>, ids prefixed by
    `name` so several charts can share a page."""
    import io
    import logging
    import warnings

    buffer = io.StringIO()
    quiet = logging.getLogger("matplotlib.font_manager")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # no CJK font in matplotlib: sizes are estimates
            figure.tight_layout()
            figure.savefig(buffer, format="svg")
    finally:
        quiet.setLevel(level)
    svg = _SVG_DROP.sub("", _SVG_HEAD.sub("", buffer.getvalue(), count=1))
    svg = _SVG_STYLE.sub(_attributes, svg)
    svg = _SVG_IDS.sub(lambda m: f"{m.group(1)}{name}-", svg)
    label = html.escape(title, quote=True)
    return _SVG_SIZE.sub(
        rf'<svg\1 class="chart-svg" {_SVG_ROOT} role="img" aria-label="{label}"',
        svg,
        count=1,
    )


def _percent_axis(axes: Any) -> None:
    axes.set_ylim(0, 1.05)
    axes.yaxis.set_major_formatter(lambda value, _: f"{value:.0%}")
    axes.spines[["top", "right"]].set_visible(False)
    axes.grid(axis="y", color="#d9dee5", linewidth=0.6)
    axes.set_axisbelow(True)


def compliance_chart(by_level: dict[str, Any]) -> str | None:
    """Bars per level: all four parts present, then each part present."""
    levels = [level for level in by_level if (by_level[level] or {}).get("reports")]
    if not levels:
        return None
    figure, axes = _figure()
    series = [("四部分齐全", "compliance", None)] + [
        (PART_SHORT[part], "parts", part) for part in REQUIRED
    ]
    width = 0.8 / len(series)
    for k, (name, key, part) in enumerate(series):
        values = []
        for level in levels:
            group = by_level[level]
            value = group.get(key) if part is None else (group.get(key) or {}).get(part)
            values.append(value or 0.0)
        xs = [i + (k - (len(series) - 1) / 2) * width for i in range(len(levels))]
        axes.bar(xs, values, width, label=name, color=_PART_COLOURS[k])
    axes.set_xticks(range(len(levels)))
    labels = [
        f"{LEVEL_ZH.get(level, level)}（{by_level[level]['reports']} 份）" for level in levels
    ]
    axes.set_xticklabels(labels)
    _percent_axis(axes)
    axes.legend(ncols=len(series), loc="upper center", bbox_to_anchor=(0.5, -0.12), frameon=False)
    return svg_markup(figure, "compliance", "各层级合规率")


def timeliness_chart(by_year: dict[str, Any]) -> str | None:
    """Stacked bars per year: on time, late, unknown."""
    years = [year for year in by_year if (by_year[year] or {}).get("reports")]
    if not years:
        return None
    figure, axes = _figure()
    bottom = [0] * len(years)
    for status in ("on_time", "late", "unknown"):
        counts = [by_year[year].get(status) or 0 for year in years]
        axes.bar(
            range(len(years)),
            counts,
            0.6,
            bottom=bottom,
            label=TIMELINESS_ZH[status],
            color=_TIME_COLOURS[status],
        )
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    axes.set_xticks(range(len(years)))
    axes.set_xticklabels(["年度不明" if year == "unknown" else f"{year} 年" for year in years])
    axes.set_ylabel("报告数")
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.spines[["top", "right"]].set_visible(False)
    # Below the axes: inside, it would cover the bars that reach the top.
    axes.legend(ncols=3, loc="upper center", bbox_to_anchor=(0.5, -0.12), frameon=False)
    return svg_markup(figure, "timeliness", "各年度发布时效")


def _date(value: Any) -> Any:
    import datetime as dt

    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def delay_weeks(timing: list[tuple[Any, Any]]) -> Counter[int]:
    """Reports per week k of publication minus deadline: week k holds delays of 7(k-1)+1 to
    7k days, so week 0 ends on the deadline day and week 1 is the first late one."""
    weeks: Counter[int] = Counter()
    for published, deadline in timing:
        day, limit = _date(published), _date(deadline)
        if day is not None and limit is not None:
            weeks[-((limit - day).days // 7)] += 1
    return weeks


def delay_chart(timing: list[tuple[Any, Any]]) -> str | None:
    """Reports by week of publication relative to the deadline: bars up to the deadline day
    on time, after it late. A histogram rather than one mark per report: thousands of reports
    draw a few dozen bars, and the shape (how many early, how late the late ones) reads at
    once."""
    weeks = delay_weeks(timing)
    if not weeks:
        return None
    figure, axes = _figure(6.4, 2.8)
    ks = sorted(weeks)
    colours = [_TIME_COLOURS["late" if k > 0 else "on_time"] for k in ks]
    axes.bar([7 * (k - 1) for k in ks], [weeks[k] for k in ks], 7, align="edge", color=colours)
    axes.axvline(0, color="#5f6b7a", linewidth=0.8, linestyle="--")
    axes.set_xlabel("发布日期 − 期限（天）")
    axes.set_ylabel("报告数")
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.spines[["top", "right"]].set_visible(False)
    return svg_markup(figure, "delay", "发布日期与期限之差")


def dashboard_charts(rates: dict[str, Any], timing: list[tuple[Any, Any]]) -> dict[str, Any]:
    """The dashboard's SVG charts by name; None where there is nothing to draw. Drawn once per
    worker for the same rates and dates: matplotlib takes most of the page's time."""
    return dict(_charts(json.dumps(rates, sort_keys=True), tuple(map(tuple, timing))))


@functools.lru_cache(maxsize=4)
def _charts(rates_json: str, timing: tuple[tuple[Any, Any], ...]) -> tuple[tuple[str, Any], ...]:
    rates = json.loads(rates_json)
    return (
        ("compliance", compliance_chart(rates.get("by_level") or {})),
        ("timeliness", timeliness_chart(rates.get("by_year") or {})),
        ("delay", delay_chart(list(timing))),
    )
