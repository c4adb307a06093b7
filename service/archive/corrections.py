"""A reviewer's corrections: kept apart from the machine's values, and surviving every build.

`DIR/corrections.jsonl` is the plain record, one correction a line, appended under a file
lock; the store's `corrections` table holds the same lines for the pages, and `build` fills it
again from the file, so rebuilding the archive from the journal never loses one. A correction
names the report by its source (ids change when the archive is rebuilt) and one field; the
last correction of a field wins, and a `revert` puts the machine's value back.

The fields a reviewer may correct (`FIELDS`): the issuer, the roster body the report is from
("" for none on the roster), the year, the two dates, the status of each required part, a
problem's cause and the plans that answer it, and a finding (confirmed or dismissed).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import re
import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from model.labels import REQUIRED

CORRECTIONS_FILE = "corrections.jsonl"
NOTE_MAX = 2000
_PART_STATUS = ("present", "weak", "missing")
_FINDING_STATE = ("confirmed", "dismissed")
_PROBLEM_FIELD = re.compile(r"^problems\.([1-9][0-9]{0,3})\.(cause|plans)$")
_FINDING_FIELD = re.compile(r"^findings\.([a-z_]+(?::[a-z0-9_]+)?)$")
_PART_FIELD = re.compile(r"^parts\.(" + "|".join(REQUIRED) + ")$")
FIELDS = (
    "issuer",
    "body",
    "year",
    "report_date",
    "published",
    *(f"parts.{p}" for p in REQUIRED),
    "problems.N.cause",
    "problems.N.plans",
    "findings.CODE",
)

# The store's copy (schema v5). The file is what the outputs read: a correction written while
# a build runs is in the file at once, and in the new store's table at the next build.
TABLE = """
CREATE TABLE corrections (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    field TEXT NOT NULL,
    value TEXT,
    revert INTEGER NOT NULL DEFAULT 0,
    note TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL
);
CREATE INDEX corrections_source ON corrections(source, field, id);
"""


class CorrectionError(ValueError):
    """A correction that cannot be taken: the message says which part of it and why."""


def check(field: str, value: Any) -> Any:
    """The value in its stored form, or CorrectionError when the field does not take it."""
    if field == "issuer":
        if not isinstance(value, str) or not value.strip() or len(value) > 200:
            raise CorrectionError("issuer: a name of 1 to 200 characters")
        return value.strip()
    if field == "body":
        if not isinstance(value, str) or len(value) > 200:
            raise CorrectionError('body: a roster name, or "" for a body not on the roster')
        return value.strip()
    if field == "year":
        if isinstance(value, bool) or not isinstance(value, int) or not 1990 <= value <= 2100:
            raise CorrectionError("year: a whole year between 1990 and 2100")
        return value
    if field in ("report_date", "published"):
        if value is None:
            return None
        try:
            return date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise CorrectionError(f"{field}: a date as YYYY-MM-DD, or null") from None
    if _PART_FIELD.match(field):
        if value not in _PART_STATUS:
            raise CorrectionError(f"{field}: one of {', '.join(_PART_STATUS)}")
        return value
    m = _PROBLEM_FIELD.match(field)
    if m and m.group(2) == "cause":
        if not isinstance(value, bool):
            raise CorrectionError(f"{field}: true or false")
        return value
    if m:
        if not isinstance(value, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 9999 for v in value
        ):
            raise CorrectionError(f"{field}: a list of plan numbers (1, 2, …), [] for none")
        return sorted(set(value))
    if _FINDING_FIELD.match(field):
        if value not in _FINDING_STATE:
            raise CorrectionError(f"{field}: one of {', '.join(_FINDING_STATE)}")
        return value
    raise CorrectionError(f"unknown field {field!r}: one of {', '.join(FIELDS)}")


def entry(
    source: str, field: str, value: Any = None, note: str = "", revert: bool = False
) -> dict[str, Any]:
    """A correction as stored, checked; `at` is now in UTC."""
    if not isinstance(source, str) or not source:
        raise CorrectionError("source: the report's source, as the archive lists it")
    if not isinstance(field, str):
        raise CorrectionError("field: a string")
    if not isinstance(note, str) or len(note) > NOTE_MAX:
        raise CorrectionError(f"note: text of at most {NOTE_MAX} characters")
    if revert:
        check_field(field)
        value = None
    else:
        value = check(field, value)
    return {
        "source": source,
        "field": field,
        "value": value,
        "revert": bool(revert),
        "note": note.strip(),
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def check_field(field: str) -> None:
    """CorrectionError unless `field` is one a reviewer may correct."""
    if field in ("issuer", "body", "year", "report_date", "published"):
        return
    if _PART_FIELD.match(field) or _PROBLEM_FIELD.match(field) or _FINDING_FIELD.match(field):
        return
    raise CorrectionError(f"unknown field {field!r}: one of {', '.join(FIELDS)}")


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[Any]:
    with (Path(folder) / CORRECTIONS_FILE).open("a+", encoding="utf-8") as stream:
        fcntl.flock(stream, fcntl.LOCK_EX)
        try:
            yield stream
        finally:
            fcntl.flock(stream, fcntl.LOCK_UN)


def read(folder: Path | str) -> list[dict[str, Any]]:
    """Every correction in the file, in order, numbered from 1; a torn last line (a write
    cut short) is left out."""
    path = Path(folder) / CORRECTIONS_FILE
    if not path.exists():
        return []
    found = []
    with path.open(encoding="utf-8") as stream:
        for line in stream:
            try:
                item = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(item, dict) and {"source", "field"} <= item.keys():
                found.append({"id": len(found) + 1, **item})
    return found


def add(folder: Path | str, conn: sqlite3.Connection | None, item: dict[str, Any]) -> int:
    """Append a checked correction (`entry`) to the file and, when given, the store's table;
    returns its id. The file lock orders concurrent writers; the file is written first, so a
    store lost or rebuilt gets the correction back from it."""
    folder = Path(folder)
    with _locked(folder) as stream:
        stream.seek(0)
        number = sum(1 for line in stream if line.strip()) + 1
        stream.seek(0, 2)
        stream.write(json.dumps(item, ensure_ascii=False) + "\n")
        stream.flush()
        if conn is not None:
            with conn:
                _insert(conn, [{"id": number, **item}])
    return number


def _insert(conn: sqlite3.Connection, items: list[dict[str, Any]]) -> None:
    conn.executemany(
        "INSERT OR REPLACE INTO corrections (id, source, field, value, revert, note, at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (
                c["id"],
                c["source"],
                c["field"],
                json.dumps(c.get("value"), ensure_ascii=False),
                int(bool(c.get("revert"))),
                c.get("note", ""),
                c.get("at", ""),
            )
            for c in items
        ],
    )


def load(conn: sqlite3.Connection, folder: Path | str) -> int:
    """Fill the store's table from the file again (in a build's transaction); returns the
    count."""
    items = read(folder)
    conn.execute("DELETE FROM corrections")
    _insert(conn, items)
    return len(items)


def effective(items: list[dict[str, Any]]) -> dict[str, dict[str, dict[str, Any]]]:
    """source -> field -> the correction in force (the last one, unless it was reverted)."""
    found: dict[str, dict[str, dict[str, Any]]] = {}
    for item in items:
        fields = found.setdefault(item["source"], {})
        if item.get("revert"):
            fields.pop(item["field"], None)
        else:
            fields[item["field"]] = item
    return {source: fields for source, fields in found.items() if fields}
