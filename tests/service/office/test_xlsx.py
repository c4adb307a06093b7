"""The round's workbook, read back with openpyxl and opened by LibreOffice where it is installed."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from service.office.xlsx import write_workbook

EXAMPLE = Path(__file__).with_name("round_example.json")
SHEETS = ["报送情况", "报告一览", "问题清单", "下一年度安排", "共性问题", "说明"]
PARTS = [
    "主要举措和成效",
    "存在的不足和原因",
    "党政主要负责人履行推进法治建设第一责任人职责情况",
    "下一年度推进法治政府建设的主要安排",
]
HEADERS = {
    "报送情况": [
        "序号", "单位名称", "简称/别名", "层级", "类型", "截止日期", "报送状态", "报送日期",
        "报告文件", "待确认的报告", "人工修改", "备注",
    ],
    "报告一览": [
        "文件", "标题", "报告单位", "机器识别的单位", "名单匹配", "匹配依据", "层级", "年度",
        "落款日期", "发布日期", "期限", "时效", *PARTS, "问题数", "说明原因的问题数",
        "无对应安排的问题数", "人工修改的字段", "链接",
    ],
    "问题清单": ["单位", "文件", "序号", "问题", "是否说明原因", "对应安排", "人工修改"],
    "下一年度安排": ["单位", "文件", "序号", "安排", "回应的问题"],
    "共性问题": ["问题", "报告数", "涉及单位"],
    "说明": ["项目", "说明"],
}  # fmt: skip
ROWS = {"报送情况": 4, "报告一览": 3, "问题清单": 3, "下一年度安排": 2, "共性问题": 1}
# Texts in the example that a spreadsheet would take for a formula if written carelessly.
RISKY = {
    ("报告一览", "标题"): "=SUM(A1:A9) 教育局报告",
    ("问题清单", "问题"): "-法律顾问作用发挥不充分，原因是人员不足。",
    ("下一年度安排", "安排"): "+推进学校章程建设。",
}
GREEN, ORANGE, RED, YELLOW = "FFC6EFCE", "FFFCD5B4", "FFFFC7CE", "FFFFEB9C"


@pytest.fixture()
def view() -> dict[str, Any]:
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


@pytest.fixture()
def book(view: dict[str, Any], tmp_path: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(write_workbook(view, tmp_path / "round.xlsx"))


def records(sheet: Worksheet) -> list[dict[str, Any]]:
    """The sheet's rows as dicts by header."""
    rows = sheet.iter_rows(values_only=True)
    header = next(rows)
    return [dict(zip(header, row, strict=True)) for row in rows]


def cell(sheet: Worksheet, row: int, header: str) -> Any:
    """The cell under `header` in data row `row` (1 is the first after the header)."""
    column = [c.value for c in sheet[1]].index(header) + 1
    return sheet.cell(row + 1, column)


def test_sheets_in_order(book: openpyxl.Workbook) -> None:
    assert book.sheetnames == SHEETS


@pytest.mark.parametrize("name", SHEETS)
def test_headers(book: openpyxl.Workbook, name: str) -> None:
    assert [c.value for c in book[name][1]] == HEADERS[name]


@pytest.mark.parametrize(("name", "count"), ROWS.items())
def test_one_row_per_record(book: openpyxl.Workbook, name: str, count: int) -> None:
    assert book[name].max_row == 1 + count


@pytest.mark.parametrize("name", SHEETS)
def test_header_frozen_and_filtered(book: openpyxl.Workbook, name: str) -> None:
    sheet = book[name]
    assert sheet.freeze_panes == "A2"
    last = get_column_letter(len(HEADERS[name]))
    assert sheet.auto_filter.ref == f"A1:{last}{sheet.max_row}"


def test_no_cell_is_a_formula(book: openpyxl.Workbook) -> None:
    for sheet in book:
        for row in sheet.iter_rows():
            for c in row:
                assert c.data_type != "f", f"{sheet.title}!{c.coordinate} holds a formula"


@pytest.mark.parametrize(("where", "text"), RISKY.items())
def test_risky_text_stays_text(book: openpyxl.Workbook, where: tuple[str, str], text: str) -> None:
    name, header = where
    found = [c for row in book[name].iter_rows() for c in row if c.value == text]
    assert found and all(c.data_type == "s" for c in found)
    assert text in [r[header] for r in records(book[name])]


def test_at_sign_stays_text(book: openpyxl.Workbook) -> None:
    problem = cell(book["问题清单"], 3, "问题")
    assert (problem.value, problem.data_type) == ("@依法治校水平有待提升。", "s")


def test_ledger_values(book: openpyxl.Workbook) -> None:
    rows = records(book["报送情况"])
    assert [r["序号"] for r in rows] == [1, 2, 3, 4]
    assert [r["报送状态"] for r in rows] == ["按时报送", "逾期报送", "未报送", "待确认"]
    assert rows[0]["截止日期"] == datetime(2025, 3, 31)
    assert rows[1]["报送日期"] == datetime(2025, 4, 8)
    assert rows[2]["报送日期"] is None
    assert [r["人工修改"] for r in rows] == [None, "是", None, None]
    assert rows[3]["待确认的报告"] == "inbox/附件1.docx"
    assert rows[1]["备注"] == "报送日期经人工核对"


def test_report_values(book: openpyxl.Workbook) -> None:
    rows = records(book["报告一览"])
    assert [r["机器识别的单位"] for r in rows] == [None, None, None]
    assert [r["存在的不足和原因"] for r in rows] == ["有", "较弱", "缺"]
    assert rows[1]["人工修改的字段"] == "报告单位、发布日期"
    assert rows[1]["发布日期"] == datetime(2025, 4, 8)
    assert [r["年度"] for r in rows] == [2024, 2024, 2024]
    assert [r["链接"] for r in rows] == [f"/archive/reports/{i}" for i in (1, 2, 3)]


def test_machine_issuer_shown_when_it_differs(view: dict[str, Any], tmp_path: Path) -> None:
    view["reports"][0]["issuer_machine"] = "区司法局"
    book = openpyxl.load_workbook(write_workbook(view, tmp_path / "round.xlsx"))
    assert records(book["报告一览"])[0]["机器识别的单位"] == "区司法局"


def test_problem_and_plan_values(book: openpyxl.Workbook) -> None:
    problems = records(book["问题清单"])
    assert [p["是否说明原因"] for p in problems] == ["是", "是", "否"]
    assert [p["对应安排"] for p in problems] == ["已对应（第1项）", "请核实", "无对应安排"]
    assert problems[2]["人工修改"] == "是否说明原因"
    plans = records(book["下一年度安排"])
    assert [p["回应的问题"] for p in plans] == ["1", None]
    common = records(book["共性问题"])
    assert common == [
        {"问题": "执法能力水平不均衡", "报告数": 2, "涉及单位": "某某区司法局、某某区教育局"}
    ]


def test_unknown_cause_is_a_dash(view: dict[str, Any], tmp_path: Path) -> None:
    view["problems"][0]["cause"] = None
    book = openpyxl.load_workbook(write_workbook(view, tmp_path / "round.xlsx"))
    assert records(book["问题清单"])[0]["是否说明原因"] == "—"


@pytest.mark.parametrize(
    ("name", "row", "header", "colour"),
    [
        ("报送情况", 1, "报送状态", GREEN),
        ("报送情况", 2, "报送状态", ORANGE),
        ("报送情况", 3, "报送状态", RED),
        ("报送情况", 4, "报送状态", YELLOW),
        ("报告一览", 2, "存在的不足和原因", YELLOW),
        ("报告一览", 3, "党政主要负责人履行推进法治建设第一责任人职责情况", RED),
    ],
)
def test_status_colours(
    book: openpyxl.Workbook, name: str, row: int, header: str, colour: str
) -> None:
    assert cell(book[name], row, header).fill.fgColor.rgb == colour


def test_corrected_cells_marked(book: openpyxl.Workbook) -> None:
    reports = book["报告一览"]
    assert cell(reports, 2, "报告单位").font.i
    assert cell(reports, 2, "发布日期").font.i
    assert not cell(reports, 2, "标题").font.i
    assert cell(book["问题清单"], 3, "是否说明原因").font.i
    assert cell(book["报送情况"], 2, "人工修改").font.i


def test_notes_explain_every_column(book: openpyxl.Workbook, view: dict[str, Any]) -> None:
    notes = {r["项目"]: r["说明"] for r in records(book["说明"])}
    assert notes["标题"] == view["title"]
    assert notes["年度"] == "2024"
    assert notes["名单文件"] == "roster.csv"
    assert "次年3月31日" in notes["期限：县级及以下"]
    for name in SHEETS[:-1]:
        assert notes[name]
        for header in HEADERS[name]:
            assert notes[f"{name}·{header}"], (name, header)


def test_widths_follow_the_text(book: openpyxl.Workbook) -> None:
    reports = book["报告一览"]
    widths = {c.value: reports.column_dimensions[c.column_letter].width for c in reports[1]}
    # "某某区司法局2024年度法治政府建设情况报告": 16 CJK characters and 4 digits, 36 wide.
    assert widths["标题"] >= 36
    assert widths["年度"] < widths["标题"]
    assert all(width <= 61 for width in widths.values())


def test_links_need_a_base_url(view: dict[str, Any], tmp_path: Path) -> None:
    plain = openpyxl.load_workbook(write_workbook(view, tmp_path / "plain.xlsx"))
    assert not [c for s in plain for row in s.iter_rows() for c in row if c.hyperlink]
    view["base_url"] = "https://fz.example.org/"
    linked = openpyxl.load_workbook(write_workbook(view, tmp_path / "linked.xlsx"))
    ledger = cell(linked["报送情况"], 1, "报告文件")
    assert ledger.value == "inbox/区司法局.docx"
    assert ledger.hyperlink.target == "https://fz.example.org/archive/reports/1"
    assert cell(linked["报送情况"], 4, "报告文件").hyperlink is None
    report = cell(linked["报告一览"], 3, "链接")
    assert report.hyperlink.target == report.value == "https://fz.example.org/archive/reports/3"


def test_base_url_needs_a_scheme(view: dict[str, Any], tmp_path: Path) -> None:
    view["base_url"] = "fz.example.org"
    with pytest.raises(ValueError, match="base_url"):
        write_workbook(view, tmp_path / "round.xlsx")


def test_empty_view_writes_every_sheet(tmp_path: Path) -> None:
    book = openpyxl.load_workbook(write_workbook({}, tmp_path / "empty.xlsx"))
    assert book.sheetnames == SHEETS
    for name in SHEETS[:-1]:
        headers = [h for h in HEADERS[name] if h not in PARTS]
        assert [c.value for c in book[name][1]] == headers
        assert book[name].max_row == 1
        assert book[name].auto_filter.ref == f"A1:{get_column_letter(len(headers))}1"


def test_replaces_the_file_whole(view: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "round.xlsx"
    path.write_bytes(b"old")
    assert write_workbook(view, path) == path
    assert openpyxl.load_workbook(path).sheetnames == SHEETS
    assert sorted(p.name for p in tmp_path.iterdir()) == ["round.xlsx"]


# -- LibreOffice -----------------------------------------------------------------------------------


def convert(soffice: str, source: Path, target: str, folder: Path) -> subprocess.CompletedProcess:
    """Convert with LibreOffice headless, on a profile of its own."""
    profile = (folder / "lo").as_uri()
    command = [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", target]
    return subprocess.run(
        [*command, "--outdir", str(folder), str(source)], capture_output=True, timeout=180
    )


@pytest.fixture(scope="module")
def calc(tmp_path_factory: pytest.TempPathFactory) -> str:
    """soffice, once it has shown it reads spreadsheets (a Writer-only install does not)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    folder = tmp_path_factory.mktemp("probe")
    probe = folder / "probe.xlsx"
    openpyxl.Workbook().save(probe)
    if convert(soffice, probe, "csv", folder).returncode or not probe.with_suffix(".csv").exists():
        pytest.skip("LibreOffice cannot read spreadsheets here (is Calc installed?)")
    return soffice


@pytest.mark.slow
def test_libreoffice_reads_every_sheet_as_text(
    calc: str, view: dict[str, Any], tmp_path: Path
) -> None:
    source = write_workbook(view, tmp_path / "round.xlsx")
    # UTF-8, every sheet to its own file (token 12 = -1), formulas as they would be computed.
    target = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
    result = convert(calc, source, target, tmp_path)
    assert result.returncode == 0, result.stderr
    read = {}
    for name in SHEETS:
        with (tmp_path / f"round-{name}.csv").open(encoding="utf-8", newline="") as stream:
            read[name] = list(csv.DictReader(stream))
    assert [len(read[name]) for name in ROWS] == list(ROWS.values())
    for (name, header), text in RISKY.items():
        assert text in [row[header] for row in read[name]]
    assert read["问题清单"][2]["问题"] == "@依法治校水平有待提升。"


@pytest.mark.slow
@pytest.mark.parametrize("empty", [False, True])
def test_libreoffice_prints_it(
    calc: str, view: dict[str, Any], tmp_path: Path, empty: bool
) -> None:
    source = write_workbook({} if empty else view, tmp_path / "round.xlsx")
    result = convert(calc, source, "pdf", tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "round.pdf").stat().st_size > 0
