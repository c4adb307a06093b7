"""Reading a roster file (.csv in any common encoding, or .xlsx) into `model.round.roster`.

Offices keep their lists in Excel or WPS and save CSV as GBK as often as UTF-8, often with a
title row merged across the columns above the header. The header row is the first row that
names a 名称 column; every error is one line naming the file, the row and the column.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path

from model.round.roster import Body, RosterError, parse

ROSTER_SUFFIXES = (".csv", ".xlsx")
ROSTER_NAMES = tuple(f"roster{s}" for s in ROSTER_SUFFIXES)
_HEADER_SCAN = 10  # title rows an office puts above the header
_MAX_BYTES = 20 * 1024 * 1024


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _csv_rows(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    if len(data) > _MAX_BYTES:
        raise RosterError(str(path), None, None, "larger than 20 MB: not a roster")
    if b"\x00" in data[:4096]:
        raise RosterError(str(path), None, None, "a binary file, not a CSV roster")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is None:
            raise RosterError(str(path), None, None, "cannot tell the file's encoding")
        text = str(best)
    return [[_cell(c) for c in row] for row in csv.reader(io.StringIO(text))]


def _xlsx_rows(path: Path) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=False, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise RosterError(str(path), None, None, f"not a readable .xlsx file ({exc})") from None
    sheet = book.worksheets[0]
    # A merged cell holds its value in its top-left cell only; spread it over the range, so
    # a header merged over two columns names both.
    values = [[_cell(c) for c in row] for row in sheet.iter_rows(values_only=True)]
    for merged in sheet.merged_cells.ranges:
        top = values[merged.min_row - 1][merged.min_col - 1]
        for r in range(merged.min_row, merged.max_row + 1):
            for c in range(merged.min_col, merged.max_col + 1):
                values[r - 1][c - 1] = top
    return values


def read_roster(path: Path | str) -> list[Body]:
    """The bodies of a roster file; RosterError (one line: file, row, column) when it cannot
    be used."""
    path = Path(path)
    if path.suffix.lower() not in ROSTER_SUFFIXES:
        raise RosterError(str(path), None, None, "a roster is a .csv or .xlsx file")
    try:
        rows = _csv_rows(path) if path.suffix.lower() == ".csv" else _xlsx_rows(path)
    except OSError as exc:
        raise RosterError(str(path), None, None, f"cannot read: {exc.strerror}") from None
    start = 0
    for k, row in enumerate(rows[:_HEADER_SCAN]):
        if any(c.strip() in ("名称", "单位名称", "单位", "机关名称") for c in row):
            start = k
            break
    header = rows[start] if rows else []
    # Rows keep their numbers as a spreadsheet shows them.
    return parse(header, rows[start + 1 :], str(path), first_row=start + 2)


def find_roster(folder: Path | str) -> Path | None:
    """The roster a batch or build left in its folder (`roster.csv` or `roster.xlsx`)."""
    for name in ROSTER_NAMES:
        path = Path(folder) / name
        if path.is_file():
            return path
    return None
