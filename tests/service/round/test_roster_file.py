"""Roster files as offices keep them: GBK CSV, .xlsx with a merged title row, and broken ones."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from model.round.roster import RosterError
from service.round.roster_file import read_roster

ROWS = [
    ["名称", "简称/别名", "层级", "类型", "截止日期"],
    ["某某区司法局", "区司法局", "县级", "部门", "2025-03-20"],
]


def test_gbk_csv(tmp_path: Path) -> None:
    path = tmp_path / "名单.csv"
    path.write_bytes("\n".join(",".join(r) for r in ROWS).encode("gbk"))
    bodies = read_roster(path)
    assert bodies[0].name == "某某区司法局" and bodies[0].aliases == ("区司法局",)


def test_xlsx_with_a_merged_title_row_and_date_cells(tmp_path: Path) -> None:
    import datetime as dt

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["2024年度法治政府建设年度报告报送名单"])
    sheet.merge_cells("A1:E1")
    sheet.append(ROWS[0])
    sheet.append([*ROWS[1][:4], dt.datetime(2025, 3, 20)])
    sheet.append(["某某区教育局", None, "县级", "部门", None])
    path = tmp_path / "名单.xlsx"
    book.save(path)
    bodies = read_roster(path)
    assert [b.row for b in bodies] == [3, 4]
    assert bodies[0].deadline == dt.date(2025, 3, 20) and bodies[1].deadline is None


def test_xlsx_header_merged_over_two_columns(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["名称", "简称/别名", None, "层级"])
    sheet.merge_cells("B1:C1")  # 简称/别名 over two columns: the first holds the aliases
    sheet.append(["某某区司法局", "区司法局", "", "县级"])
    path = tmp_path / "r.xlsx"
    book.save(path)
    with pytest.raises(RosterError, match=r"r\.xlsx, row 1, column 简称/别名: two columns"):
        read_roster(path)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("r.csv", b"\x00\x01\x02binary", "a binary file"),
        ("r.csv", b"", "no 名称 column"),
        ("r.xlsx", b"PK\x03\x04 broken", "not a readable .xlsx file"),
        ("r.txt", "名称\n甲局\n".encode(), "a roster is a .csv or .xlsx file"),
    ],
)
def test_broken_files_get_one_line(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(RosterError) as caught:
        read_roster(path)
    assert message in str(caught.value) and "\n" not in str(caught.value)
    assert str(caught.value).startswith(str(path))


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(RosterError, match="cannot read"):
        read_roster(tmp_path / "none.csv")
