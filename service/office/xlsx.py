"""A round as an Excel workbook: the roster ledger, the reports, their problems and plans.

Every value from the data is written as a string, number or date, never as a formula, so a
report whose text begins with "=", "+", "-" or "@" cannot run anything when the file is opened.
"""

from __future__ import annotations

import math
import os
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

_Value = str | int | float | date | None

# Excel's "good / neutral / bad" colours, and an orange between neutral and bad: (fill, font).
_COLOURS = {
    "green": ("#C6EFCE", "#006100"),
    "yellow": ("#FFEB9C", "#9C5700"),
    "orange": ("#FCD5B4", "#974706"),
    "red": ("#FFC7CE", "#9C0006"),
}
_CORRECTED_FILL = "#DDEBF7"
_STATE_COLOUR = {"on_time": "green", "late": "orange", "missing": "red", "pending": "yellow"}
_TIMELINESS_COLOUR = {"on_time": "green", "late": "orange"}
_MATCH_COLOUR = {"ambiguous": "yellow", "unlisted": "orange", "duplicate": "orange"}
_PART = {"present": ("有", None), "weak": ("较弱", "yellow"), "missing": ("缺", "red")}
_PLAN = {"none": ("无对应安排", "orange"), "check": ("请核实", "yellow")}

# Widths in Excel's units (about one Latin character; a CJK character counts 2). Longer text
# wraps inside the cap, and a long header wraps rather than widening a column of short values.
_WIDTH_CAP = 60
_HEADER_CAP = 16
_MIN_WIDTH = 6
_FILTER_BUTTON = 3  # room beside a header's text for the filter drop-down
_LINE_HEIGHT = 15  # points, one line of the default 11 pt font


@dataclass(frozen=True, slots=True)
class _Cell:
    """A value and its look: `url` makes it a link, `colour` a status fill, `corrected` marks
    a value a person changed."""

    value: _Value
    url: str | None = None
    colour: str | None = None
    corrected: bool = False


@dataclass(frozen=True, slots=True)
class _Column:
    """A column's header, what it means (for the 说明 sheet), and the record field it shows,
    so a person's correction of that field marks its cell."""

    header: str
    note: str
    field: str | None = None


_BODY_COLUMNS = (
    _Column("序号", "单位在名单中的顺序。"),
    _Column("单位名称", "名单中的单位全称。", "name"),
    _Column("简称/别名", "名单为该单位登记的简称或别名，用于认出报告是哪个单位报送的。", "aliases"),
    _Column("层级", "单位的层级，如县级、乡镇。", "level"),
    _Column("类型", "单位的类型，如政府、部门。", "kind"),
    _Column("截止日期", "该单位的报送期限：名单中写明的日期，否则按期限规则推算。", "deadline"),
    _Column(
        "报送状态",
        "按时报送（绿）、逾期报送（橙）、未报送（红）、待确认（黄：有报告可能是该单位的，"
        "但未能确定）；已报送（日期不明）指报告中找不到日期，不着色。",
        "state",
    ),
    _Column("报送日期", "该单位报告的日期（有多份时取第一份）；找不到日期时为空。", "date"),
    _Column(
        "报告文件",
        "认定为该单位报送的报告文件，多份时逐行列出；只有一份且配置了网址时可点击打开报告页。",
        "reports",
    ),
    _Column("待确认的报告", "可能是该单位报送、但未能确定的报告文件。", "candidates"),
    _Column("人工修改", "报送情况经人工核对修改过的为“是”（浅蓝色斜体）。", "corrected"),
    _Column("备注", "人工核对时填写的说明。", "note"),
)

_REPORT_HEAD = (
    _Column("文件", "报告文件的路径。", "source"),
    _Column("标题", "报告的标题；未识别出时为空。", "title"),
    _Column("报告单位", "报告的报送单位（经人工修改的以修改后为准）。", "issuer"),
    _Column(
        "机器识别的单位",
        "机器从报告中识别出的单位，仅在与报告单位不同时显示。",
        "issuer_machine",
    ),
    _Column(
        "名单匹配",
        "报告与名单的对应：已匹配、待确认（黄：可能是名单中的几个单位之一）、"
        "不在名单中（橙）、重复报送（橙）。",
        "match",
    ),
    _Column("匹配依据", "据以认定报送单位的文字及其位置（标题、落款、文件名等）。", "evidence"),
    _Column("层级", "报送单位的层级。", "level"),
    _Column("年度", "报告所述的年度。", "year"),
    _Column("落款日期", "报告落款处的日期。", "report_date"),
    _Column("发布日期", "报告公开发布的日期。", "published"),
    _Column("期限", "报送单位的报送期限。", "deadline"),
    _Column("时效", "按时（绿）、逾期（橙）或不明（无日期或无期限）。", "timeliness"),
)
_PART_NOTE = "报告中该项必备内容的情况：有、较弱（黄：只有零星表述）、缺（红）。"
_REPORT_TAIL = (
    _Column("问题数", "报告“存在的不足”部分列出的问题条数。", "problems"),
    _Column("说明原因的问题数", "其中说明了原因的问题条数。", "problems_with_cause"),
    _Column(
        "无对应安排的问题数",
        "其中在下一年度安排中找不到对应措施的问题条数。",
        "unanswered",
    ),
    _Column(
        "人工修改的字段",
        "经人工修改的字段（以本表列名表示）；这些单元格为浅蓝色斜体。",
        "corrected",
    ),
    _Column("链接", "报告在档案库中的页面；配置了网址时可点击。", "url"),
)

_PROBLEM_COLUMNS = (
    _Column("单位", "提出该问题的报告所属单位。", "body"),
    _Column("文件", "报告文件的路径。", "source"),
    _Column("序号", "问题在该报告中的顺序。", "index"),
    _Column("问题", "报告所写的问题原文。", "text"),
    _Column("是否说明原因", "是、否（橙），或“—”（未能判断）。", "cause"),
    _Column(
        "对应安排",
        "已对应（括注下一年度安排的序号）、无对应安排（橙）、请核实（黄：可能有对应，"
        "需人工判断）。",
        "plan",
    ),
    _Column(
        "人工修改",
        "经人工修改的字段（以本表列名表示）；这些单元格为浅蓝色斜体。",
        "corrected",
    ),
)

_PLAN_COLUMNS = (
    _Column("单位", "提出该安排的报告所属单位。", "body"),
    _Column("文件", "报告文件的路径。", "source"),
    _Column("序号", "安排在该报告中的顺序。", "index"),
    _Column("安排", "报告所写的下一年度安排原文。", "text"),
    _Column("回应的问题", "该安排对应的问题序号（见“问题清单”）。", "answers"),
)

_COMMON_COLUMNS = (
    _Column("问题", "多份报告都提到的问题（代表性表述）。", "text"),
    _Column("报告数", "提到该问题的报告份数。", "reports"),
    _Column("涉及单位", "提到该问题的单位。", "bodies"),
)

_NOTE_COLUMNS = (_Column("项目", "说明的对象。"), _Column("说明", "其含义。"))

_SHEET_NOTES = {
    "报送情况": "名单中的每个单位一行：期限、是否报送、何时报送、报送了哪些文件。",
    "报告一览": "收到的每份报告一行：由哪个单位报送、是否按时、必备内容是否齐全。",
    "问题清单": "各报告“存在的不足”部分列出的每个问题一行。",
    "下一年度安排": "各报告“下一年度主要安排”部分列出的每项安排一行。",
    "共性问题": "多份报告都提到的问题。",
}


def write_workbook(view: Mapping[str, Any], path: Path) -> Path:
    """Write the round's workbook to `path` (through a temporary file beside it) and return it.

    A link is made only when the view has a `base_url`: the archive's own paths mean nothing
    once the file has left the server.
    """
    link = _linker(view.get("base_url"))
    parts = view.get("parts") or []
    # One column per required part, after the report's own fields.
    report_columns = (
        *_REPORT_HEAD,
        *(_Column(p["name"], _PART_NOTE, p["part"]) for p in parts),
        *_REPORT_TAIL,
    )
    reports = _report_rows(view.get("reports") or [], report_columns, parts, link)
    tables = [
        ("报送情况", _BODY_COLUMNS, _body_rows(view.get("bodies") or [], link)),
        ("报告一览", report_columns, reports),
        ("问题清单", _PROBLEM_COLUMNS, _problem_rows(view.get("problems") or [])),
        ("下一年度安排", _PLAN_COLUMNS, _plan_rows(view.get("plans") or [])),
        ("共性问题", _COMMON_COLUMNS, _common_rows(view.get("common") or [])),
    ]
    notes = _note_rows(view, [(name, columns) for name, columns, _ in tables])
    tables.append(("说明", _NOTE_COLUMNS, notes))

    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    options = {
        # In memory, with shared strings: the tables are small, and inline strings are rarer.
        "constant_memory": False,
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
    }
    try:
        book = Workbook(str(tmp), options)
        book.set_properties({"title": str(view.get("title") or "")})
        formats = _Formats(book)
        for name, columns, rows in tables:
            _write_table(book.add_worksheet(name), formats, columns, rows)
        book.close()
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


# -- rows ----------------------------------------------------------------------------------------


def _linker(base_url: str | None) -> Callable[[str | None], str | None]:
    """Turn an archive path into a full address, or None when there is no base to put it on."""
    if base_url and not base_url.startswith(("http://", "https://")):
        raise ValueError(f"base_url must start with http:// or https://, not {base_url!r}")

    def link(url: str | None) -> str | None:
        if not url or not base_url:
            return None
        if "://" in url:
            return url
        return base_url.rstrip("/") + "/" + url.lstrip("/")

    return link


def _date(value: str | None) -> _Value:
    """An ISO date as a real date (so Excel sorts and filters it); anything else as text."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return value


def _marked(
    columns: Sequence[_Column], cells: Sequence[_Cell], corrected: Sequence[str]
) -> list[_Cell]:
    """Mark the cells whose field a person corrected."""
    return [
        _Cell(cell.value, cell.url, cell.colour, True) if column.field in corrected else cell
        for column, cell in zip(columns, cells, strict=True)
    ]


def _field_names(columns: Sequence[_Column], fields: Sequence[str]) -> str:
    """Corrected fields under the names the reader sees, in the order given."""
    headers = {column.field: column.header for column in columns}
    return "、".join(headers.get(name, name) for name in fields)


def _body_rows(
    bodies: Sequence[Mapping[str, Any]], link: Callable[[str | None], str | None]
) -> list[list[_Cell]]:
    rows = []
    for number, body in enumerate(bodies, 1):
        reports = body["reports"]
        url = link(reports[0].get("url")) if len(reports) == 1 else None
        cells = [
            _Cell(number),
            _Cell(body["name"]),
            _Cell("、".join(body.get("aliases") or [])),
            _Cell(body.get("level")),
            _Cell(body.get("kind")),
            _Cell(_date(body.get("deadline"))),
            _Cell(body["state_zh"], colour=_STATE_COLOUR.get(body["state"])),
            _Cell(_date(body.get("date"))),
            _Cell("\n".join(r["source"] for r in reports), url=url),
            _Cell("\n".join(c["source"] for c in body.get("candidates") or [])),
            _Cell("是" if body.get("corrected") else None),
            _Cell(body.get("note")),
        ]
        rows.append(_marked(_BODY_COLUMNS, cells, ["corrected"] if body.get("corrected") else []))
    return rows


def _report_rows(
    reports: Sequence[Mapping[str, Any]],
    columns: Sequence[_Column],
    parts: Sequence[Mapping[str, Any]],
    link: Callable[[str | None], str | None],
) -> list[list[_Cell]]:
    rows = []
    for report in reports:
        machine = report.get("issuer_machine")
        own = report.get("parts") or {}
        corrected = report.get("corrected") or []
        url = report.get("url")
        cells = [
            _Cell(report["source"]),
            _Cell(report.get("title")),
            _Cell(report.get("issuer")),
            _Cell(machine if machine != report.get("issuer") else None),
            _Cell(report["match_zh"], colour=_MATCH_COLOUR.get(report["match"])),
            _Cell(report.get("evidence")),
            _Cell(report.get("level")),
            _Cell(report.get("year")),
            _Cell(_date(report.get("report_date"))),
            _Cell(_date(report.get("published"))),
            _Cell(_date(report.get("deadline"))),
            _Cell(report["timeliness_zh"], colour=_TIMELINESS_COLOUR.get(report["timeliness"])),
            *(_part_cell(own.get(p["part"])) for p in parts),
            _Cell(report.get("problems")),
            _Cell(report.get("problems_with_cause")),
            _Cell(report.get("unanswered")),
            _Cell(_field_names(columns, corrected)),
            _Cell(link(url) or url, url=link(url)),
        ]
        rows.append(_marked(columns, cells, corrected))
    return rows


def _part_cell(state: str | None) -> _Cell:
    if state is None:
        return _Cell(None)
    text, colour = _PART[state]
    return _Cell(text, colour=colour)


def _problem_rows(problems: Sequence[Mapping[str, Any]]) -> list[list[_Cell]]:
    rows = []
    for problem in problems:
        cause = problem.get("cause")
        if problem["plan"] == "answered":
            numbers = "、".join(str(n) for n in problem.get("plans") or [])
            plan = _Cell(f"已对应（第{numbers}项）" if numbers else "已对应")
        else:
            text, colour = _PLAN[problem["plan"]]
            plan = _Cell(text, colour=colour)
        corrected = problem.get("corrected") or []
        cells = [
            _Cell(problem["body"]),
            _Cell(problem["source"]),
            _Cell(problem["index"]),
            _Cell(problem["text"]),
            _Cell("—") if cause is None else _Cell("是") if cause else _Cell("否", colour="orange"),
            plan,
            _Cell(_field_names(_PROBLEM_COLUMNS, corrected)),
        ]
        rows.append(_marked(_PROBLEM_COLUMNS, cells, corrected))
    return rows


def _plan_rows(plans: Sequence[Mapping[str, Any]]) -> list[list[_Cell]]:
    return [
        [
            _Cell(plan["body"]),
            _Cell(plan["source"]),
            _Cell(plan["index"]),
            _Cell(plan["text"]),
            _Cell("、".join(str(n) for n in plan.get("answers") or [])),
        ]
        for plan in plans
    ]


def _common_rows(common: Sequence[Mapping[str, Any]]) -> list[list[_Cell]]:
    return [
        [_Cell(item["text"]), _Cell(item["reports"]), _Cell("、".join(item.get("bodies") or []))]
        for item in common
    ]


def _note_rows(
    view: Mapping[str, Any], sheets: Sequence[tuple[str, Sequence[_Column]]]
) -> list[list[_Cell]]:
    """The round itself, its deadline rules, then every sheet and column."""
    rules = view.get("rules") or {}
    year = view.get("year")
    rows: list[tuple[str, _Value]] = [
        ("标题", view.get("title")),
        ("年度", None if year is None else str(year)),
        ("生成日期", view.get("generated")),
        ("名单文件", view.get("roster_file")),
        ("期限规则文件", rules.get("file")),
    ]
    for rule in rules.get("deadlines") or []:
        source = f"（依据：{rule['source']}）" if rule.get("source") else ""
        rows.append((f"期限：{rule['applies']}", f"{rule['deadline']}{source}"))
    rows.append(("颜色", "浅蓝色斜体的单元格经人工修改；状态颜色见各列说明。"))
    for name, columns in sheets:
        rows.append((name, _SHEET_NOTES[name]))
        rows += [(f"{name}·{column.header}", column.note) for column in columns]
    return [[_Cell(item), _Cell(value)] for item, value in rows]


# -- writing -------------------------------------------------------------------------------------


class _Formats:
    """One Format per look, made on first use (a workbook holds a limited number of them)."""

    def __init__(self, book: Workbook) -> None:
        self._book = book
        self._made: dict[tuple[object, ...], Format] = {}

    def get(
        self, kind: str, colour: str | None = None, corrected: bool = False, wrap: bool = False
    ) -> Format:
        key = (kind, colour, corrected, wrap)
        if key not in self._made:
            props: dict[str, object] = {"valign": "top", "text_wrap": wrap}
            if kind == "header":
                props |= {"bold": True, "bg_color": "#D9D9D9", "bottom": 1, "text_wrap": True}
            elif kind == "date":
                props["num_format"] = "yyyy-mm-dd"
            elif kind == "link":
                props |= {"font_color": "#0563C1", "underline": 1}
            if colour:
                fill, font = _COLOURS[colour]
                props |= {"bg_color": fill, "font_color": font}
            if corrected:
                props["italic"] = True
                props.setdefault("bg_color", _CORRECTED_FILL)
            self._made[key] = self._book.add_format(props)
        return self._made[key]


def _line_width(line: str) -> int:
    """Display width of one line, a wide (CJK) character counting 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


def _cell_width(value: _Value) -> int:
    if value is None:
        return 0
    if isinstance(value, date):
        return 10
    return max(_line_width(line) for line in str(value).split("\n"))


def _lines(value: _Value, width: float) -> int:
    """How many lines a value takes when wrapped in a column `width` wide (an estimate)."""
    if not isinstance(value, str) or not value:
        return 1
    return sum(max(1, math.ceil(_line_width(line) / width)) for line in value.split("\n"))


def _write_table(
    sheet: Worksheet, formats: _Formats, columns: Sequence[_Column], rows: Sequence[list[_Cell]]
) -> None:
    """A header row, frozen and filtered, then the rows, each column as wide as its text.

    Row heights are set for wrapped text: LibreOffice keeps the default height otherwise.
    """
    widths, wraps = [], []
    for col, column in enumerate(columns):
        longest = max((_cell_width(row[col].value) for row in rows), default=0)
        multiline = any(isinstance(row[col].value, str) and "\n" in row[col].value for row in rows)
        wraps.append(multiline or longest > _WIDTH_CAP)
        header = min(_line_width(column.header), _HEADER_CAP) + _FILTER_BUTTON
        widths.append(max(_MIN_WIDTH, min(_WIDTH_CAP, max(longest + 2, header))))
        sheet.set_column(col, col, widths[-1])
        sheet.write_string(0, col, column.header, formats.get("header"))
    header_lines = max(
        _lines(c.header, w - _FILTER_BUTTON) for c, w in zip(columns, widths, strict=True)
    )
    sheet.set_row(0, header_lines * _LINE_HEIGHT)
    for number, row in enumerate(rows, 1):
        lines = max(
            _lines(cell.value, w - 1) if wrap else 1
            for cell, w, wrap in zip(row, widths, wraps, strict=True)
        )
        if lines > 1:
            sheet.set_row(number, lines * _LINE_HEIGHT)
        for col, cell in enumerate(row):
            _write_cell(sheet, number, col, cell, formats, wraps[col])
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, len(rows), len(columns) - 1)
    sheet.repeat_rows(0)
    sheet.set_paper(9)  # A4
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)


def _write_cell(
    sheet: Worksheet, row: int, col: int, cell: _Cell, formats: _Formats, wrap: bool
) -> None:
    """One cell by its type: text only ever through write_string, so it is never a formula."""
    value = cell.value
    if cell.url and isinstance(value, str):
        fmt = formats.get("link", cell.colour, cell.corrected, wrap)
        # write_url refuses (with a negative code) an address longer than Excel allows.
        if sheet.write_url(row, col, cell.url, fmt, value) == 0:
            return
    if isinstance(value, date):
        sheet.write_datetime(row, col, value, formats.get("date", cell.colour, cell.corrected))
        return
    fmt = formats.get("text", cell.colour, cell.corrected, wrap)
    if value is None or value == "":
        sheet.write_blank(row, col, None, fmt)
    elif isinstance(value, int | float):
        sheet.write_number(row, col, value, fmt)
    else:
        sheet.write_string(row, col, value, fmt)
