"""The comparisons of an archive (`model.compare.Comparison`) as `build` runs them: in a second
process fed a chunk of reports at a time, written to the store, and never able to lose it.

Why a process of their own: the comparisons are the part of a build whose memory grows with the
archive, and the part most likely to fail on a strange archive. Run beside the writing, they
use the second core while the rows go in; if they raise, or the kernel kills them, the build
still writes its store, with the comparisons marked failed and the reason given (`status`).

The result is stored as one JSON row per entry in `comparison` (kind; `sort`, its place in its
list; `ref`, what it is about: a cluster's group, a body) and a cut-down copy for the pages in
`stats` ('compare_top'), so that neither writing nor reading ever holds the whole comparison of
a large archive as one string, and reports added later rewrite only the entries they change.
"""

from __future__ import annotations

import contextlib
import json
import logging
import multiprocessing
import os
import queue
import sqlite3
import threading
import time
import traceback
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

COMPARE_KINDS = ("clusters", "recurring", "recurring_issuers", "shared")
RESUME_CHUNK = 500  # reports read from the store at a time when going on from a state
INBOX = 4  # chunks of reports waiting for the comparison process: the writer waits beyond
WRITE_WAIT_S = 3600.0  # how long the comparison waits for the writer to let it write
POLL_S = 1.0  # how often either process checks that the other is still there


def status(conn: sqlite3.Connection) -> dict[str, Any] | None:
    """The state of the stored comparison: {"state": "ok" | "failed" | "stale", "reason",
    "seconds"}, or None when no build has compared."""
    row = conn.execute("SELECT value FROM stats WHERE key = 'compare_status'").fetchone()
    return json.loads(row[0]) if row is not None else None


def set_status(conn: sqlite3.Connection, state: str, reason: str | None, **extra: Any) -> None:
    value = json.dumps({"state": state, "reason": reason, **extra}, ensure_ascii=False)
    conn.execute("INSERT OR REPLACE INTO stats (key, value) VALUES ('compare_status', ?)", (value,))


def store(conn: sqlite3.Connection, compared: Any, whole: bool) -> None:
    """Write a `model.compare.Compared` into the store, in the caller's transaction (which
    then sets the status): from scratch (`whole`), or over the stored comparison, rewriting
    the cluster entries and bodies the new reports changed, adding their recurring pairs.
    The shared passages and the cut-down copy for the pages are written again whole."""
    changes = compared.changes
    if whole:
        conn.execute("DELETE FROM comparison")
    else:
        conn.execute("DELETE FROM comparison WHERE kind = 'shared'")
        conn.executemany(
            "DELETE FROM comparison INDEXED BY comparison_refs WHERE kind = 'clusters' AND ref = ?",
            ((ref,) for ref in changes.dropped),
        )
    insert = "INSERT INTO comparison (kind, sort, ref, value) VALUES (?, ?, ?, ?)"
    conn.executemany(
        insert,
        (("clusters", sort, ref, _json(entry)) for ref, sort, entry in changes.clusters),
    )
    # A body's line in `recurring_issuers` from all its pairs, in their order: from scratch,
    # the pairs come in that order, body after body; else a changed body's are read back.
    lines: list[tuple[str, list[Any]]] = []
    rows = []
    for issuer, sort, entry in changes.recurring:
        rows.append(("recurring", sort, issuer, _json(entry)))
        if whole:
            if not lines or lines[-1][0] != issuer:
                _issuer_lines(conn, insert, lines)
                lines = [(issuer, [])]
            lines[-1][1].append(entry)
        if len(rows) >= INSERT_CHUNK:
            conn.executemany(insert, rows)
            rows = []
    conn.executemany(insert, rows)
    if not whole:
        conn.executemany(
            "DELETE FROM comparison INDEXED BY comparison_refs "
            "WHERE kind = 'recurring_issuers' AND ref = ?",
            ((issuer,) for issuer in sorted(changes.issuers)),
        )
        lines = [(i, list(_values(conn, "recurring", i))) for i in sorted(changes.issuers)]
    _issuer_lines(conn, insert, lines)
    conn.executemany(
        insert,
        (("shared", f"{i:012d}", None, _json(entry)) for i, entry in enumerate(compared.shared)),
    )
    conn.execute(
        "INSERT OR REPLACE INTO stats (key, value) VALUES ('compare_top', ?)",
        (_json(_top(conn, compared.rates)),),
    )


INSERT_CHUNK = 10_000  # rows written at once


def _issuer_lines(
    conn: sqlite3.Connection, insert: str, lines: list[tuple[str, list[Any]]]
) -> None:
    """Write the `recurring_issuers` line of each (body, its pairs in order)."""
    from model.compare import recurring_by_issuer

    conn.executemany(
        insert,
        (
            (
                "recurring_issuers",
                f"{10**9 - line['problems']:010d}\x1f{issuer}",
                issuer,
                _json(line),
            )
            for issuer, pairs in lines
            for line in recurring_by_issuer(pairs)
        ),
    )


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _values(conn: sqlite3.Connection, kind: str, ref: str) -> Iterator[Any]:
    for (value,) in conn.execute(
        # By the index of refs: without statistics SQLite would walk every entry of the kind.
        "SELECT value FROM comparison INDEXED BY comparison_refs WHERE kind = ? AND ref = ? "
        "ORDER BY sort",
        (kind, ref),
    ):
        yield json.loads(value)


def _top(conn: sqlite3.Connection, rates: dict[str, Any]) -> dict[str, Any]:
    """What the pages show of the stored comparison (`top_of`), read from its rows."""
    lists, totals = {}, {}
    for kind in COMPARE_KINDS:
        rows = conn.execute(
            "SELECT value FROM comparison WHERE kind = ? ORDER BY sort LIMIT ?", (kind, STATS_TOP)
        )
        lists[kind] = [_members_cut(json.loads(value)) for (value,) in rows]
        totals[kind] = conn.execute(
            "SELECT count(*) FROM comparison WHERE kind = ?", (kind,)
        ).fetchone()[0]
    return {**lists, "rates": rates, "totals": totals}


def entries(conn: sqlite3.Connection, kind: str) -> Iterator[Any]:
    """The stored comparison's entries of one kind, in order, one at a time."""
    for (value,) in conn.execute(
        "SELECT value FROM comparison WHERE kind = ? ORDER BY sort", (kind,)
    ):
        yield json.loads(value)


STATS_TOP = 100  # entries of each comparison list that stats() returns; totals say how many
MEMBERS_TOP = 50  # members (reports, paragraphs) of each entry that stats() returns


def _members_cut(entry: Any) -> Any:
    """An entry with each of its lists (a cluster's members, a passage's paragraphs) cut to
    `MEMBERS_TOP`, and KEY_total saying how long the list is."""
    if not isinstance(entry, dict):
        return entry
    out = dict(entry)
    for key, value in entry.items():
        if isinstance(value, list) and len(value) > MEMBERS_TOP:
            out[key], out[f"{key}_total"] = value[:MEMBERS_TOP], len(value)
    return out


def top_of(comparison: dict[str, Any]) -> dict[str, Any]:
    """The comparison with each list cut to its first `STATS_TOP` entries (they come sorted:
    biggest clusters first), each entry's own lists to `MEMBERS_TOP`, and a `totals` entry:
    what a page shows, without the tens of thousands of pairs and members a large archive has
    (those stay in the store, and `export` writes them)."""
    lists = {k: v for k, v in comparison.items() if isinstance(v, list)}
    return {
        **comparison,
        **{k: [_members_cut(e) for e in v[:STATS_TOP]] for k, v in lists.items()},
        "totals": {k: len(v) for k, v in lists.items()},
    }


# -- what the comparison reads of the store, and keeps there ----------------------------------

STATE_PIECE = 1 << 27  # bytes of one array in one row (SQLite values stop at 1 GB)
COMPARED = "compared_through"  # the last report id the stored comparison has taken in
JSON = "!json"  # the end of the name of a state value stored as JSON


STATE_FORMAT = 3  # of the rows below; a store with another has no state to go on from
SHAPES = "shapes"  # JSON: {array: [rows, pieces]} of the arrays stored


def save_state(
    conn: sqlite3.Connection,
    state: dict[str, Any],
    through: int,
    growing: Mapping[str, frozenset[str]] | None = None,
) -> None:
    """Store a `Comparison.state()` and the last report id it covers, in the caller's
    transaction: each array as .npy pieces of whole rows, anything else as JSON.

    `growing`: when the state goes on from the stored one, the arrays of each part that only
    grew since; only their new rows are written, in pieces of their own (a country's year
    has 400 MB of state, of which an update of 1,000 reports changes a few)."""
    import io

    import numpy as np

    stored = {}
    if growing is not None:
        row = conn.execute("SELECT value FROM compare_state WHERE name = ?", (SHAPES,)).fetchone()
        stored = json.loads(row[0]) if row is not None else {}
    kept = {
        f"{part}.{name}"
        for part, names in (growing or {}).items()
        for name in names
        if f"{part}.{name}" in stored
    }
    for (name,) in conn.execute("SELECT name FROM compare_state").fetchall():
        if name.split("#")[0] not in kept:
            conn.execute("DELETE FROM compare_state WHERE name = ?", (name,))
    rows: list[tuple[str, bytes]] = [(COMPARED, str(through).encode())]
    shapes: dict[str, list[int]] = {}
    for part, values in state.items():
        for name, value in values.items():
            key = f"{part}.{name}"
            if not isinstance(value, np.ndarray):
                rows.append((f"{key}{JSON}", json.dumps(value, ensure_ascii=False).encode()))
                continue
            start, pieces = stored[key] if key in kept else (0, 0)
            if len(value) < start:
                raise ValueError(f"{key} has {len(value)} rows, fewer than the {start} stored")
            step = max(1, STATE_PIECE // max(1, value[:1].nbytes))
            for at in range(start, len(value), step):
                buffer = io.BytesIO()
                np.save(buffer, np.ascontiguousarray(value[at : at + step]), allow_pickle=False)
                rows.append((f"{key}#{pieces:06d}", buffer.getvalue()))
                pieces += 1
            if not len(value) and not pieces:  # an empty array keeps its dtype and shape
                buffer = io.BytesIO()
                np.save(buffer, value, allow_pickle=False)
                rows.append((f"{key}#{pieces:06d}", buffer.getvalue()))
                pieces += 1
            shapes[key] = [len(value), pieces]
    rows += [
        (SHAPES, json.dumps(shapes).encode()),
        ("format", str(STATE_FORMAT).encode()),
    ]
    conn.executemany("INSERT OR REPLACE INTO compare_state (name, value) VALUES (?, ?)", rows)


def load_state(conn: sqlite3.Connection) -> tuple[dict[str, Any], int] | None:
    """The stored `Comparison.state()` and the last report id it covers, or None (none
    stored, or one of another format)."""
    import io

    import numpy as np

    pieces: dict[str, list[bytes]] = {}
    for name, value in conn.execute("SELECT name, value FROM compare_state ORDER BY name"):
        pieces.setdefault(name.split("#")[0], []).append(value)
    if pieces.pop("format", [b""])[0] != str(STATE_FORMAT).encode() or COMPARED not in pieces:
        return None
    through = int(pieces.pop(COMPARED)[0])
    pieces.pop(SHAPES, None)
    state: dict[str, dict[str, Any]] = {"passages": {}, "problems": {}}
    for key, parts in pieces.items():
        part, _, name = key.partition(".")
        if part not in state:
            return None
        if name.endswith(JSON):
            state[part][name.removesuffix(JSON)] = json.loads(parts[0])
        else:
            arrays = [np.load(io.BytesIO(p), allow_pickle=False) for p in parts]
            state[part][name] = arrays[0] if len(arrays) == 1 else np.concatenate(arrays)
    if not all(state.values()):
        return None
    return state, through


def can_go_on(conn: sqlite3.Connection) -> bool:
    """Whether the store keeps a comparison state this code can go on from."""
    row = conn.execute("SELECT value FROM compare_state WHERE name = 'format'").fetchone()
    return row is not None and row[0] == str(STATE_FORMAT).encode()


def problem_rows(conn: sqlite3.Connection, after: int = 0) -> Iterator[Any]:
    """The problem rows (`model.compare.ProblemRow`) of the compared reports with ids above
    `after`, as stored."""
    from model.compare import problem_rows as rows_of

    current: dict[str, Any] | None = None
    for report_id, issuer, year, idx, title, text in conn.execute(
        "SELECT r.id, r.issuer, r.year, p.idx, p.title, p.text FROM problems p "
        "JOIN reports r ON r.id = p.report_id WHERE r.status = 'ok' AND r.audited "
        "AND r.id > ? ORDER BY r.id, p.idx",
        (after,),
    ):
        if current is None or current["id"] != report_id:
            if current is not None:
                yield from rows_of(current)
            current = {"id": report_id, "issuer": issuer, "year": year, "problems": []}
        current["problems"].append({"index": idx, "title": title, "text": text})
    if current is not None:
        yield from rows_of(current)


def summaries(conn: sqlite3.Connection) -> Iterator[dict[str, Any]]:
    """The fields `model.compare.rates` reads, of each compared report, as stored."""
    from model.labels import REQUIRED

    for row in conn.execute(
        f"SELECT id, level, issuer_kind, year, timeliness, {', '.join(REQUIRED)} FROM reports "
        "WHERE status = 'ok' AND audited ORDER BY id"
    ):
        contents = {part: row[5 + k] for k, part in enumerate(REQUIRED) if row[5 + k]}
        yield {
            "id": row[0],
            "level": row[1],
            "issuer_kind": row[2],
            "year": row[3],
            "timeliness": row[4],
            "contents": contents,
        }


def stored_reports(
    conn: sqlite3.Connection, after: int, chunk: int
) -> Iterator[list[dict[str, Any]]]:
    """The compared reports with ids above `after`, as the passages read them (id, issuer and
    paragraphs), `chunk` reports at a time."""
    ids = [
        r[0]
        for r in conn.execute(
            "SELECT id FROM reports WHERE status = 'ok' AND audited AND id > ? ORDER BY id",
            (after,),
        )
    ]
    for at in range(0, len(ids), chunk):
        part = ids[at : at + chunk]
        marks = ", ".join("?" * len(part))
        reports = {
            i: {"id": i, "issuer": issuer, "paragraphs": []}
            for i, issuer in conn.execute(
                f"SELECT id, issuer FROM reports WHERE id IN ({marks})", part
            )
        }
        for report_id, idx, text, label in conn.execute(
            f"SELECT report_id, idx, text, label FROM paragraphs WHERE report_id IN ({marks}) "
            "ORDER BY report_id, idx",
            part,
        ):
            reports[report_id]["paragraphs"].append({"index": idx, "text": text, "label": label})
        yield [reports[i] for i in part]


# -- the comparison process ----------------------------------------------------------------------


def _dask_work(scheduler: str) -> tuple[Any, Any, Any]:
    """A client of the Dask cluster at `scheduler`, and the keyer and verifier that send the
    heavy work (signatures and banding of each chunk, the checks of candidate pairs) to it."""
    from distributed import Client

    from model.compare import pair_jaccards, passage_keys

    client = Client(scheduler, timeout="30s")

    def keyer(texts: list[str]) -> Any:
        return client.submit(passage_keys, texts, pure=False)

    def verifier(texts: list[str], pairs: Any) -> Any:
        return client.submit(pair_jaccards, texts, pairs, pure=False).result()

    return client, keyer, verifier


def _paragraph_text(conn: sqlite3.Connection) -> Any:
    def text_of(report_id: int, index: int) -> str:
        row = conn.execute(
            "SELECT text FROM paragraphs WHERE report_id = ? AND idx = ?", (report_id, index)
        ).fetchone()
        return row[0] if row else ""

    return text_of


def _watch(parent: int) -> None:
    """End this process as soon as its build is gone (killed: nobody will use its work)."""
    while os.getppid() == parent:
        time.sleep(POLL_S)
    os._exit(1)


def _compare(
    conn: sqlite3.Connection,
    comparison: Any,
    live: list[int] | None,
    start: float,
    through: int | None,
    before: dict[str, float] | None = None,
) -> float:
    """Finish `comparison` with the store's problem rows (those above `through`, when it
    goes on from a state) and rate fields, and store it all, with the seconds of each step
    (the status's `steps`: where a large build's time goes)."""
    steps = {**(before or {}), "taking in": time.perf_counter() - start}
    clock = time.perf_counter()
    comparison.take(problem_rows(conn, through or 0), summaries(conn))
    steps["reading problems"] = time.perf_counter() - clock
    compared = comparison.finish(live, _paragraph_text(conn))
    steps.update(comparison.timings)
    clock = time.perf_counter()
    state = comparison.state()
    comparison_growing = comparison.GROWING
    last = conn.execute("SELECT coalesce(max(id), 0) FROM reports").fetchone()[0]
    del comparison
    with conn:
        store(conn, compared, whole=through is None)
        save_state(conn, state, last, None if through is None else comparison_growing)
        steps["storing"] = time.perf_counter() - clock
        seconds = time.perf_counter() - start
        set_status(conn, "ok", None, seconds=round(seconds, 3), steps=_rounded(steps))
    return seconds


def _rounded(steps: dict[str, float]) -> dict[str, float]:
    return {step: round(seconds, 1) for step, seconds in steps.items()}


def _work(
    inbox: Any, outbox: Any, path: str, scheduler: str | None, parent: int, resume: bool
) -> None:
    """The comparison process. Building: take chunks of reports until ("finish", live ids),
    then compare. Resuming: load the stored state while the writer stores the new reports,
    and when told ("finish") go on with the reports stored since. Either way write the result
    into the store at `path` and report ("ok", seconds) or ("failed", reason)."""
    from model.compare import Comparison

    threading.Thread(target=_watch, args=(parent,), daemon=True).start()
    client = None
    try:
        keyer = verifier = None
        if scheduler:
            client, keyer, verifier = _dask_work(scheduler)
        start = time.perf_counter()
        # It reads while the writer indexes (WAL), and may wait that long to write.
        with contextlib.closing(sqlite3.connect(path, timeout=WRITE_WAIT_S)) as conn:
            if resume:
                found = load_state(conn)
                if found is None:
                    raise ValueError("the store keeps no comparison state to go on from")
                state, through = found
                comparison = Comparison.resume(state, keyer=keyer, verifier=verifier)
                del state
                before = {
                    "loading the state (while the writer writes)": time.perf_counter() - start
                }
                inbox.get()  # the writer has stored the new reports ("finish")
                start = time.perf_counter()
                for reports in stored_reports(conn, through, RESUME_CHUNK):
                    comparison.passages.add(reports)
                live = None
            else:
                through, before = None, None
                comparison = Comparison(keyer=keyer, verifier=verifier)
                while True:
                    kind, payload = inbox.get()
                    if kind == "finish":
                        break
                    comparison.passages.add(payload)
                live = payload
            seconds = _compare(conn, comparison, live, start, through, before)
        outbox.put(("ok", seconds))
    except Exception as exc:  # reported to the writer, which stores the archive without them
        log.debug("comparison failed", exc_info=True)
        outbox.put(("failed", f"{type(exc).__name__}: {exc}".strip()))
        outbox.put(("traceback", traceback.format_exc()))
    finally:
        if client is not None:
            client.close()


class Worker:
    """The comparison process of one build: `add` chunks as rows are written, then `finish`;
    or, with `resume`, go on from the stored state with the reports stored since (`finish`
    with no ids). Started before the caller opens the store: SQLite connections must not
    cross a fork."""

    def __init__(self, path: Path, scheduler: str | None = None, resume: bool = False) -> None:
        # fork: the child needs no import of the caller's main module (spawn would re-run it,
        # and cannot from a REPL); nothing is open on the store yet.
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        self.inbox, self.outbox = context.Queue(INBOX), context.Queue()
        self.process = context.Process(
            target=_work,
            args=(self.inbox, self.outbox, str(path), scheduler, os.getpid(), resume),
            name="fzreport-compare",
            daemon=True,
        )
        self.process.start()

    def _put(self, message: tuple[str, Any]) -> bool:
        """Send a message; False when the process has died (nothing more is sent)."""
        while self.process.is_alive():
            try:
                self.inbox.put(message, timeout=POLL_S)
                return True
            except queue.Full:
                continue
        return False

    def add(self, reports: list[dict[str, Any]]) -> None:
        if reports:
            self._put(("add", reports))

    def request(self, live: Iterable[int]) -> None:
        """Start comparing the reports in `live` (the writer may go on indexing meanwhile)."""
        self._put(("finish", list(live)))

    def finish(self, live: Iterable[int] | None = None) -> tuple[str, str | None, float]:
        """Wait for the comparison (of the reports in `live`, if not `request`ed already):
        ("ok", None, seconds) once it is in the store, or ("failed", reason, 0.0)."""
        if live is not None:
            self.request(live)
        answer: tuple[str, Any] | None = None
        while answer is None:
            try:
                answer = self.outbox.get(timeout=POLL_S)
            except queue.Empty:
                if not self.process.is_alive():
                    break
        if answer is None:
            code = self.process.exitcode
            why = " (killed by the system: out of memory?)" if code == -9 else ""
            return "failed", f"the comparison process ended with exit code {code}{why}", 0.0
        kind, value = answer
        if kind == "failed":
            with contextlib.suppress(queue.Empty):
                log.debug("%s", self.outbox.get(timeout=POLL_S)[1])
        self.process.join(timeout=30)
        return ("ok", None, float(value)) if kind == "ok" else ("failed", str(value), 0.0)

    def close(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
