"""The archive's tables as Parquet or CSV files for pandas."""

from __future__ import annotations

import contextlib
import csv
import json
import logging
import os
import sqlite3
from pathlib import Path
from typing import TextIO

from service.archive.comparing import COMPARE_KINDS, entries
from service.archive.store import COMPARISON_FILE, EXPORT_DIR, open_store

log = logging.getLogger(__name__)

EXPORT_FORMATS = ("parquet", "csv")
EXPORT_TABLES = ("reports", "paragraphs", "sentences", "problems", "plans", "figures")
# Columns that stay in the store: the whole record (for the report page) and the index columns.
_UNEXPORTED = {"record", "tokens", "facets", "issuer_tokens"}


_ARROW_TYPES = {"INTEGER": "int64", "REAL": "float64", "TEXT": "string"}


def _columns(conn: sqlite3.Connection, table: str) -> list[tuple[str, str]]:
    return [
        (row["name"], row["type"].upper() or "TEXT")
        for row in conn.execute(f"PRAGMA table_info({table})")
        if row["name"] not in _UNEXPORTED
    ]


def export(folder: Path | str, fmt: str) -> list[Path]:
    """One file per table in DIR/export/, as Parquet or UTF-8 CSV (and the reviewer's
    corrections when there are any), and the comparison as `COMPARISON_FILE` when the store
    has one; returns the paths."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}: choose among {', '.join(EXPORT_FORMATS)}")
    folder = Path(folder)
    out = folder / EXPORT_DIR
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    with contextlib.closing(open_store(folder, readonly=True)) as conn:
        # A reviewer's corrections, when there are any, beside the machine's values.
        reviewed = conn.execute("SELECT 1 FROM corrections LIMIT 1").fetchone() is not None
        for table in (*EXPORT_TABLES, *(("corrections",) if reviewed else ())):
            columns = _columns(conn, table)
            names = ", ".join(f'"{name}"' for name, _ in columns)
            rows = conn.execute(f"SELECT {names} FROM {table} ORDER BY rowid").fetchall()
            path = out / f"{table}.{fmt}"
            tmp = path.with_name(path.name + ".tmp")
            if fmt == "csv":
                with tmp.open("w", encoding="utf-8", newline="") as stream:
                    writer = csv.writer(stream)
                    writer.writerow([name for name, _ in columns])
                    writer.writerows(tuple(row) for row in rows)
            else:
                import pyarrow as pa
                import pyarrow.parquet as pq

                schema = pa.schema(
                    [(name, _ARROW_TYPES.get(kind, "string")) for name, kind in columns]
                )
                data = {name: [row[i] for row in rows] for i, (name, _) in enumerate(columns)}
                pq.write_table(pa.table(data, schema=schema), tmp)
            os.replace(tmp, path)
            paths.append(path)
        # The comparison whole (clusters with all members, every pair and passage) as JSON:
        # nested lists that no flat table holds well. Written an entry at a time.
        if conn.execute("SELECT 1 FROM stats WHERE key = 'compare_top'").fetchone():
            path = out / COMPARISON_FILE
            tmp = path.with_name(path.name + ".tmp")
            with tmp.open("w", encoding="utf-8") as stream:
                _write_comparison(conn, stream)
            os.replace(tmp, path)
            paths.append(path)
    return paths


def _write_comparison(conn: sqlite3.Connection, stream: TextIO) -> None:
    """{"clusters": [...], "recurring": [...], "recurring_issuers": [...], "shared": [...],
    "rates": {...}} from the stored rows, one entry in memory at a time."""
    top = json.loads(
        conn.execute("SELECT value FROM stats WHERE key = 'compare_top'").fetchone()[0]
    )
    stream.write("{")
    for kind in COMPARE_KINDS:
        stream.write(f"{json.dumps(kind)}: [")
        for i, entry in enumerate(entries(conn, kind)):
            stream.write((", " if i else "") + json.dumps(entry, ensure_ascii=False))
        stream.write("], ")
    stream.write(f'"rates": {json.dumps(top.get("rates"), ensure_ascii=False)}}}\n')


# -- command line ------------------------------------------------------------------------------
