"""results.jsonl, the batch's journal: one JSON record per document, appended as it lands.

The batch appends to it and resumes from it; the archive is built from it. A line torn by a
crash is cut off on reading, and a source analysed twice counts by its last record.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

log = logging.getLogger(__name__)

RESULTS = "results.jsonl"
# fsync at most this often: SIGKILL never loses written lines (they are in the page cache),
# and an fsync per record would cap throughput on slow disks for only power-loss safety.
FSYNC_SECONDS = 1.0


def dumps(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False)


def load_journal(path: Path) -> list[dict[str, Any]]:
    """Records of a previous run; a torn or damaged line is dropped and the file rewritten."""
    if not path.exists():
        return []
    raw = path.read_bytes()
    records, damaged = [], not raw.endswith(b"\n") and bool(raw)
    for line in raw.split(b"\n"):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            damaged = True
            continue
        if isinstance(record, dict) and "source" in record:
            records.append(record)
        else:
            damaged = True
    if damaged:
        log.warning("%s: repairing a torn or damaged line left by an interrupted run", path)
        tmp = path.with_name(path.name + ".tmp")
        with tmp.open("w", encoding="utf-8") as out:
            for record in records:
                out.write(dumps(record) + "\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    return records


@dataclass
class Journal:
    """Append-only results file: one line per record, flushed at once, fsynced every second."""

    stream: IO[str]
    last_sync: float = field(default_factory=time.monotonic)

    def append(self, line: str) -> None:
        self.stream.write(line + "\n")
        self.stream.flush()
        if time.monotonic() - self.last_sync >= FSYNC_SECONDS:
            self.sync()

    def sync(self) -> None:
        self.stream.flush()
        os.fsync(self.stream.fileno())
        self.last_sync = time.monotonic()


def key(record: dict[str, Any]) -> tuple[str, str]:
    """What makes a record the same document: its source and content hash."""
    return str(record.get("source")), str(record.get("sha256") or "")


def latest(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """One record per source, the last written (a source re-done after its file changed)."""
    by_source: dict[str, dict[str, Any]] = {}
    for record in records:
        by_source.pop(str(record["source"]), None)
        by_source[str(record["source"])] = record
    return list(by_source.values())
