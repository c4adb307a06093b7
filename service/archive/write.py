"""Writing the archive: records from the journal into the store (`build`, `update`), and the
comparisons of many reports beside them."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from model.labels import REQUIRED
from service.archive import comparing, corrections
from service.archive.export import EXPORT_TABLES
from service.archive.store import (
    BUSY_MS,
    DROP_TRIGGERS,
    FTS_TRIGGERS,
    StoreError,
    open_store,
    store_path,
)
from service.archive.tokens import ISSUER_MARK, facets, fts_tokens, issuer_norm
from service.journal import RESULTS

log = logging.getLogger(__name__)

CHUNK = 200  # records per transaction when building


def _report_row(record: dict[str, Any]) -> dict[str, Any]:
    audit = record.get("audit") or {}
    meta = audit.get("metadata") or {}
    timeliness = audit.get("timeliness") or {}
    contents = audit.get("contents") or {}
    genre = audit.get("genre") or {}
    row = {
        "source": str(record["source"]),
        "sha256": record.get("sha256"),
        "chars": record.get("chars", 0),
        "status": record.get("status") or "error",
        "error": record.get("error"),
        "title": meta.get("title"),
        "issuer": meta.get("issuer"),
        "issuer_norm": issuer_norm(meta.get("issuer")),
        "issuer_kind": meta.get("issuer_kind"),
        "level": meta.get("level"),
        "year": meta.get("year"),
        "report_date": meta.get("report_date"),
        "published": meta.get("published"),
        "deadline": timeliness.get("deadline"),
        "timeliness": timeliness.get("status"),
        "problems": len(audit.get("problems") or []),
        "figures": len(record.get("figures") or []),
        "is_report": genre.get("is_report"),
        "audited": bool(record.get("audit")),
        "record": json.dumps(record, ensure_ascii=False),
    }
    for part in REQUIRED:
        row[part] = (contents.get(part) or {}).get("status")
    return row


def _insert(conn: sqlite3.Connection, table: str, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    columns = list(rows[0])
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join(f":{c}" for c in columns)
    conn.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


def _pick(items: list[dict[str, Any]] | None, report_id: int, *keys: str) -> list[dict[str, Any]]:
    return [
        {"report_id": report_id, "idx": i, **{k: item.get(k) for k in keys}}
        for i, item in enumerate(items or [])
    ]


def paragraph_rows(
    record: dict[str, Any], report_id: int, report: dict[str, Any]
) -> list[dict[str, Any]]:
    """The `paragraphs` rows of a record, with their index columns; `report` is its reports
    row (`_report_row`), for the year, level and issuer the filters need."""
    text = record.get("text") or ""
    issuer = fts_tokens(report["issuer_norm"], ISSUER_MARK)
    rows = []
    for i, p in enumerate(record.get("paragraphs") or []):
        body = text[p["start"] : p["end"]]
        rows.append(
            {
                "report_id": report_id,
                "idx": i,
                "start": p["start"],
                "end": p["end"],
                "label": p.get("label"),
                "confidence": p.get("confidence"),
                "heading": p.get("heading"),
                "text": body,
                "tokens": fts_tokens(body),
                "facets": facets(p.get("label"), report["year"], report["level"]),
                "issuer_tokens": issuer,
            }
        )
    return rows


def _write_record(
    conn: sqlite3.Connection, record: dict[str, Any], report_id: int | None = None
) -> int:
    """Store one record (replacing a stored one of its source), as report `report_id` or the
    next free id; returns its id."""
    source = str(record["source"])
    old = conn.execute("SELECT id FROM reports WHERE source = ?", (source,)).fetchone()
    if old is not None:
        # Children first and explicitly, so the FTS delete trigger sees every paragraph.
        for table in ("paragraphs", *EXPORT_TABLES[2:]):
            conn.execute(f"DELETE FROM {table} WHERE report_id = ?", (old[0],))
        conn.execute("DELETE FROM reports WHERE id = ?", (old[0],))
    row = _report_row(record)
    names = ", ".join(f'"{c}"' for c in ["id", *row])
    marks = ", ".join(f":{c}" for c in ["id", *row])
    cursor = conn.execute(
        f"INSERT INTO reports ({names}) VALUES ({marks})", {"id": report_id, **row}
    )
    report_id = cursor.lastrowid
    assert report_id is not None
    _insert(conn, "paragraphs", paragraph_rows(record, report_id, row))
    keys = ("text", "start", "end", "label", "score", "rank")
    _insert(conn, "sentences", _pick(record.get("sentences"), report_id, *keys))
    keys = ("text", "value", "unit", "start", "end", "label")
    _insert(conn, "figures", _pick(record.get("figures"), report_id, *keys))
    audit = record.get("audit") or {}
    keys = ("title", "text", "start", "end", "cause", "generic")
    _insert(conn, "problems", _pick(audit.get("problems"), report_id, *keys))
    _insert(conn, "plans", _pick(audit.get("plans"), report_id, "title", "text", "start", "end"))
    return report_id


def _dicts(value: Any) -> bool:
    return value is None or (isinstance(value, list) and all(isinstance(v, dict) for v in value))


def malformed(record: Any) -> str | None:
    """Why a journal record cannot be stored, or None when it can.

    The batch writes well-formed records; this guards the fields the store reads against a
    hand-edited or foreign journal, whose bad records are skipped rather than stopping a build.
    """
    if not isinstance(record, dict):
        return "not a JSON object"
    if not isinstance(record.get("source"), str) or not record["source"]:
        return "no source"
    if not isinstance(record.get("text", ""), str | None):
        return "text is not a string"
    for key in ("paragraphs", "sentences", "figures"):
        if not _dicts(record.get(key)):
            return f"{key} is not a list of objects"
    for p in record.get("paragraphs") or []:
        if not (isinstance(p.get("start"), int) and isinstance(p.get("end"), int)):
            return "a paragraph without whole-number start and end"
    audit = record.get("audit")
    if audit is None:
        return None
    if not isinstance(audit, dict):
        return "audit is not an object"
    for key in ("metadata", "timeliness", "contents", "genre"):
        if not isinstance(audit.get(key), dict | None):
            return f"audit.{key} is not an object"
    if not all(isinstance(v, dict) for v in (audit.get("contents") or {}).values()):
        return "audit.contents holds a part that is not an object"
    for key in ("problems", "plans"):
        if not _dicts(audit.get(key)):
            return f"audit.{key} is not a list of objects"
    year = (audit.get("metadata") or {}).get("year")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
        return "audit.metadata.year is not a whole number"
    return None


def update(conn: sqlite3.Connection, records: Iterable[dict[str, Any]]) -> int:
    """Insert records, replacing any stored one of the same source, in one transaction.

    Raises ValueError, before writing anything, when a record is `malformed`. A stored
    comparison no longer describes all the reports: it stays, marked stale, until the next
    `build`.
    """
    records = list(records)
    for record in records:
        if reason := malformed(record):
            raise ValueError(f"cannot store {str(record)[:60]!r}: {reason}")
    with conn:
        for record in records:
            _write_record(conn, record)
        if records and comparing.status(conn) is not None:
            reason = f"{len(records)} reports stored since; run `fzreport archive build`"
            comparing.set_status(conn, "stale", reason)
    return len(records)


class JournalReader:
    """The journal's records in order, one at a time (iterate it); `skipped` counts the lines
    that are not JSON or hold a `malformed` record (each logged with its line number), and
    `read` the bytes read so far (from `start`; line numbers in the log count from there).
    Never rewrites the file, and stops before a last line still being written.

    `load_journal` repairs a torn last line by rewriting the journal, which would be wrong
    here: the archive may be built while a batch is still appending to it.
    """

    def __init__(self, path: Path, start: int = 0) -> None:
        self.path, self.skipped, self.read = path, 0, start

    def __iter__(self) -> Iterator[dict[str, Any]]:
        with self.path.open("rb") as journal:
            journal.seek(self.read)
            for number, line in enumerate(journal, 1):
                if not line.endswith(b"\n"):
                    break  # a line being written
                self.read += len(line)
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except ValueError:
                    record = None
                reason = "not JSON" if record is None else malformed(record)
                if reason:
                    self.skipped += 1
                    log.warning("%s:%d: skipped, %s", self.path, number, reason)
                    continue
                yield record


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _remove_leftovers(final: Path) -> None:
    """Delete the temporary files of builds that are no longer running (killed ones)."""
    for leftover in final.parent.glob(f"{final.name}.*.tmp*"):
        pid = leftover.name[len(final.name) + 1 :].split(".")[0]
        if pid.isdigit() and int(pid) != os.getpid() and _running(int(pid)):
            continue
        leftover.unlink(missing_ok=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def build(
    folder: Path | str,
    progress: Callable[[int, int], None] | None = None,
    scheduler: str | None = None,
    full: bool = False,
) -> dict[str, Any]:
    """Bring DIR/archive.sqlite up to DIR/results.jsonl; returns the counts and timings.

    When the journal has only grown since the store was built, by reports of new sources,
    and the stored comparison is whole, only the new records are read and stored, and the
    comparison goes on from its stored state (`extend`): the cost is that of what was added.
    Otherwise, or with `full`, the store is built anew (`rebuild`); both give the same store.
    """
    folder = Path(folder)
    journal = folder / RESULTS
    if not journal.is_file():
        raise StoreError(f"{folder}: no {RESULTS} (run `fzreport batch ... --out {folder}`)")
    _remove_leftovers(store_path(folder))
    if not full:
        why = _why_not_extend(folder, journal)
        if why is None:
            return extend(folder, journal, progress, scheduler)
        log.info("archive %s: built anew: %s", folder, why)
    return rebuild(folder, journal, progress, scheduler)


def rebuild(
    folder: Path,
    journal: Path,
    progress: Callable[[int, int], None] | None = None,
    scheduler: str | None = None,
) -> dict[str, Any]:
    """Build DIR/archive.sqlite anew from the whole journal.

    The journal is read one record at a time and each record stored as it comes (a later
    record of a source replaces the earlier, and takes the next id: reports are numbered in
    the order their latest record landed), so memory does not grow with the journal. Each
    chunk also goes to the comparison process (`comparing.Worker`, on the Dask cluster at
    `scheduler` when given), which compares while the rows are written and stores its
    result when they are in. If it fails, the store is still written, with the comparisons
    marked failed and the reason (`counts["compare_status"]`).

    Written into a temporary file that replaces the store only when complete, so a reader
    never sees a half-built archive, and a build killed at any moment leaves the previous
    store as it was (a reader that keeps a connection open goes on reading the old file;
    the API opens one per request). `progress(done, total)` counts bytes of the journal.
    """
    start = time.perf_counter()
    final = store_path(folder)
    tmp = final.with_name(f"{final.name}.{os.getpid()}.tmp")
    total = journal.stat().st_size
    worker = comparing.Worker(tmp, scheduler)  # forked before any connection is open
    conn = open_store(tmp)
    reader = JournalReader(journal)
    try:
        # The file is private until it replaces the store: no syncs while it fills, one
        # fsync before it goes live. WAL, so that the comparison can read the rows while the
        # index is made.
        conn.execute("PRAGMA synchronous = OFF")
        for statement in DROP_TRIGGERS:  # indexed at once below, three times faster
            conn.execute(statement)
        for chunk in _chunks(reader, CHUNK):
            with conn:
                ids = [_write_record(conn, record) for record in chunk]
            inputs = [compare_input(i, r) for i, r in zip(ids, chunk, strict=True)]
            worker.add([item for item in inputs if item is not None])
            if progress is not None:
                progress(reader.read, total)
        live = [row[0] for row in conn.execute("SELECT id FROM reports WHERE status = 'ok'")]
        worker.request(live)  # it compares while the index is made
        with conn:
            conn.execute("INSERT INTO paragraph_fts(paragraph_fts) VALUES ('rebuild')")
            for statement in FTS_TRIGGERS:
                conn.execute(statement)
            _mark(conn, journal, reader.read)
            corrections.load(conn, folder)
        waited = time.perf_counter()
        state, reason, compare_seconds = worker.finish()
        waited = time.perf_counter() - waited
        if state != "ok":
            log.warning("archive %s: comparisons failed: %s", folder, reason)
            with conn:
                conn.execute("DELETE FROM comparison")
                conn.execute("DELETE FROM stats WHERE key = 'compare_top'")
                comparing.set_status(conn, "failed", reason)
        counts = table_counts(conn)
        busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy:  # everything must be in the one file that goes live
            raise StoreError(f"{tmp}: could not write the index into the store (busy)")
    except BaseException:
        conn.close()
        worker.close()
        tmp.unlink(missing_ok=True)
        raise
    conn.close()
    worker.close()
    with tmp.open("rb+") as written:
        os.fsync(written.fileno())
    if final.exists():
        # Empty the live store's WAL so a new connection finds none of the old file's frames.
        with contextlib.closing(sqlite3.connect(final, timeout=BUSY_MS / 1000)) as old:
            old.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    os.replace(tmp, final)
    counts["compare"] = state == "ok"
    counts["compare_status"] = {"state": state, "reason": reason}
    counts["skipped"] = reader.skipped
    counts["seconds"] = round(time.perf_counter() - start, 3)
    # The comparison's own time, and how long the writing then waited for it.
    counts["compare_seconds"] = round(compare_seconds, 3)
    counts["compare_waited"] = round(waited, 3)
    counts["mode"] = "rebuild"
    return counts


# -- going on from the stored state ------------------------------------------------------------

TAIL = 4096  # bytes before the mark whose hash says the journal is the one the store read


def _tail_hash(journal: Path, read: int) -> str:
    with journal.open("rb") as stream:
        stream.seek(max(0, read - TAIL))
        return hashlib.sha256(stream.read(min(read, TAIL))).hexdigest()


def _mark(conn: sqlite3.Connection, journal: Path, read: int) -> None:
    """Record how far the store has read the journal, and what the bytes before say."""
    value = json.dumps({"read": read, "tail": _tail_hash(journal, read)})
    conn.execute("INSERT OR REPLACE INTO stats (key, value) VALUES ('journal', ?)", (value,))


def _why_not_extend(folder: Path, journal: Path) -> str | None:
    """Why the store cannot go on from where it stopped (None when it can)."""
    if not store_path(folder).exists():
        return "no store yet"
    try:
        with contextlib.closing(open_store(folder, readonly=True)) as conn:
            row = conn.execute("SELECT value FROM stats WHERE key = 'journal'").fetchone()
            state = comparing.status(conn)
            if row is None:
                return "the store does not say how far it read the journal"
            if state is None or state["state"] != "ok" or not comparing.can_go_on(conn):
                return "the stored comparison is not whole"
            mark = json.loads(row[0])
            if journal.stat().st_size < mark["read"]:
                return "the journal is shorter than what the store read"
            if _tail_hash(journal, mark["read"]) != mark["tail"]:
                return "the journal is not the one the store read"
            sources: set[str] = set()
            for record in JournalReader(journal, mark["read"]):
                source = str(record["source"])
                if (
                    source in sources
                    or conn.execute("SELECT 1 FROM reports WHERE source = ?", (source,)).fetchone()
                ):
                    return f"{source} is stored again (a replaced report)"
                sources.add(source)
    except (StoreError, sqlite3.Error, ValueError, KeyError) as exc:
        return f"the store cannot be read ({exc})"
    return None


def extend(
    folder: Path,
    journal: Path,
    progress: Callable[[int, int], None] | None = None,
    scheduler: str | None = None,
) -> dict[str, Any]:
    """Store the records added to the journal since the store was built, then compare them
    against the archive from the stored comparison state, in a process of their own.

    The rows and the new mark go in one transaction, with the comparison marked stale; the
    comparison and its new state in another. A kill between leaves a stale comparison, which
    the next build redoes whole; a failed comparison is marked failed, as in `rebuild`. The
    comparison process loads its state while the rows are written.
    """
    start = time.perf_counter()
    worker = comparing.Worker(store_path(folder), scheduler, resume=True)  # before any connection
    try:
        return _extend(folder, journal, worker, progress, start)
    finally:
        worker.close()


def _extend(
    folder: Path,
    journal: Path,
    worker: comparing.Worker,
    progress: Callable[[int, int], None] | None,
    start: float,
) -> dict[str, Any]:
    with contextlib.closing(open_store(folder)) as conn:
        mark = json.loads(
            conn.execute("SELECT value FROM stats WHERE key = 'journal'").fetchone()[0]
        )
        reader = JournalReader(journal, mark["read"])
        total = journal.stat().st_size
        added = 0
        with conn:
            # The index's new segments are not merged into its big one as the rows go in
            # (FTS5's automerge made adding 500 reports to 10,000 take 11 s instead of 5);
            # the next full build makes one segment again.
            conn.execute("INSERT INTO paragraph_fts(paragraph_fts, rank) VALUES ('automerge', 0)")
            for chunk in _chunks(reader, CHUNK):
                for record in chunk:
                    _write_record(conn, record)
                added += len(chunk)
                if progress is not None:
                    progress(reader.read, total)
            _mark(conn, journal, reader.read)
            corrections.load(conn, folder)
            conn.execute("INSERT INTO paragraph_fts(paragraph_fts, rank) VALUES ('automerge', 4)")
            if added:
                comparing.set_status(conn, "stale", f"comparing the {added} reports added")
    state, reason, compare_seconds = "ok", None, 0.0
    if added:
        state, reason, compare_seconds = worker.finish([])
    with contextlib.closing(open_store(folder)) as conn:
        if state != "ok":
            log.warning("archive %s: comparisons failed: %s", folder, reason)
            with conn:
                comparing.set_status(conn, "failed", reason)
        counts = table_counts(conn)
    if progress is not None:
        progress(total, total)
    counts.update(
        compare=state == "ok",
        compare_status={"state": state, "reason": reason},
        skipped=reader.skipped,
        seconds=round(time.perf_counter() - start, 3),
        compare_seconds=round(compare_seconds, 3),
        compare_waited=round(compare_seconds, 3),
        mode="extend",
        added=added,
    )
    return counts


def table_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Rows per table, and reports by status."""
    counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in EXPORT_TABLES}
    for status in ("ok", "error"):
        counts[status] = conn.execute(
            "SELECT count(*) FROM reports WHERE status = ?", (status,)
        ).fetchone()[0]
    return counts


def compare_input(report_id: int, record: dict[str, Any]) -> dict[str, Any] | None:
    """What the comparison process takes of a record as it is stored, or None: only ok
    reports with an audit are compared. Only what the shared passages read; the problems and
    rate fields it reads from the store once all rows are in (`comparing.problem_rows`)."""
    audit = record.get("audit")
    if record.get("status") != "ok" or not audit:
        return None
    text = record.get("text") or ""
    return {
        "id": report_id,
        "issuer": (audit.get("metadata") or {}).get("issuer"),
        "paragraphs": [
            {"index": i, "text": text[p["start"] : p["end"]], "label": p.get("label")}
            for i, p in enumerate(record.get("paragraphs") or [])
        ],
    }


# -- queries -----------------------------------------------------------------------------------
