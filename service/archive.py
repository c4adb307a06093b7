"""The batch archive: a SQLite store of a batch's journal, for listing, reading and search.

`DIR/archive.sqlite` is rebuilt from `DIR/results.jsonl` alone (`build`), or kept current as
records land (`update`). The journal stays the source of truth: the store can always be
deleted and built again.

Full-text search uses FTS5 over pre-tokenised columns, because its tokenizers keep a run of
Chinese characters as one token and so would only find a paragraph by its whole run. A
paragraph's `tokens` are, for each Chinese run, its character bigrams then its last character
("行政复议" -> "行政 政复 复议 议"), then its ASCII letter and digit runs. A query is rebuilt
by code from its own runs: a Chinese run becomes the phrase of its bigrams ("行政复议" ->
"行政 政复 复议", which needs them adjacent, so any word of two characters or more is found
wherever it stands), a single character a prefix token (the bigrams it opens and the run-final
character), an alphanumeric run one quoted token; the phrases are ANDed. Nothing the user types
reaches MATCH, so no query can be a syntax error.

The filters are in the index too, so that FTS5 intersects them with the words instead of SQL
joining every hit: `facets` holds a token for the paragraph's label and its report's year and
level, `issuer_tokens` the bigrams of the report's normalised issuer, marked with ISSUER_MARK
so that they make doclists of their own (a phrase of them is a substring match). The FTS table
is external content over `paragraphs` (kept in sync by triggers), so the tokens are stored
once and a migration can re-index existing rows.

A query that matches many paragraphs is ranked (bm25) among the `RANK_POOL` of them that come
last in the store, and `total` still counts them all: ranking all 108,115 hits of 执法 in a
10,000-report archive took 187 ms in FTS5 alone, and the last are the latest reports, as
`build` inserts the reports by year.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import functools
import html
import json
import logging
import os
import re
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

log = logging.getLogger(__name__)

STORE_NAME, EXPORT_DIR, COMPARISON_FILE = "archive.sqlite", "export", "comparison.json"
EXPORT_FORMATS = ("parquet", "csv")
EXPORT_TABLES = ("reports", "paragraphs", "sentences", "problems", "plans", "figures")
# Columns that stay in the store: the whole record (for the report page) and the index columns.
_UNEXPORTED = {"record", "tokens", "facets", "issuer_tokens"}
CHUNK = 200  # records per transaction when building
PARALLEL_MIN = 500  # reports from which `build` compares in a second process
BUSY_MS = 5000
MAX_PER_PAGE = 200
MAX_QUERY_TERMS = 32  # a 10 kB query makes a long phrase, not a slow one
SNIPPET_CHARS = 80
# Matches ranked by bm25 (the last ones in the store): 2,000 rank in a few milliseconds.
RANK_POOL = 2000

# The parts the 督察工作规定 requires (model.audit.checks.REQUIRED, which a test keeps equal): spelt
# out so that `fzreport --help` does not import the audit and its numerical stack.
REQUIRED = ("achievements", "shortcomings", "leadership", "plans")
_PART_COLUMNS = ", ".join(f"{part} TEXT" for part in REQUIRED)

# The index of schema version 3 and later. `build` drops the triggers while it loads and
# indexes all rows at once ('rebuild'), about three times faster than row by row.
FTS_COLUMNS = ("tokens", "facets", "issuer_tokens")
# The 'ascii' tokenizer: the columns hold lower-case tokens split by spaces already, so FTS5
# need only split on them (non-ASCII bytes are token characters), which indexes a fifth faster
# than unicode61 with the same tokens.
_FTS_TABLE = f"""
CREATE VIRTUAL TABLE paragraph_fts USING fts5(
    {", ".join(FTS_COLUMNS)}, content='paragraphs', content_rowid='id', tokenize='ascii'
);
"""
_NEW = ", ".join(f"new.{c}" for c in FTS_COLUMNS)
_OLD = ", ".join(f"old.{c}" for c in FTS_COLUMNS)
_FTS = f"paragraph_fts(rowid, {', '.join(FTS_COLUMNS)})"
_FTS_DELETE = f"paragraph_fts(paragraph_fts, rowid, {', '.join(FTS_COLUMNS)})"
FTS_TRIGGERS = (
    f"""CREATE TRIGGER paragraphs_ai AFTER INSERT ON paragraphs BEGIN
        INSERT INTO {_FTS} VALUES (new.id, {_NEW});
    END""",
    f"""CREATE TRIGGER paragraphs_ad AFTER DELETE ON paragraphs BEGIN
        INSERT INTO {_FTS_DELETE} VALUES ('delete', old.id, {_OLD});
    END""",
    f"""CREATE TRIGGER paragraphs_au AFTER UPDATE ON paragraphs BEGIN
        INSERT INTO {_FTS_DELETE} VALUES ('delete', old.id, {_OLD});
        INSERT INTO {_FTS} VALUES (new.id, {_NEW});
    END""",
)
DROP_TRIGGERS = tuple(f"DROP TRIGGER IF EXISTS paragraphs_{t}" for t in ("ai", "ad", "au"))


def _reindex(conn: sqlite3.Connection) -> None:
    """Schema v3: every paragraph's tokens, facets and issuer tokens computed again, and the
    index remade over the three columns."""
    for statement in (
        *DROP_TRIGGERS,
        "DROP TABLE IF EXISTS paragraph_fts",
        "ALTER TABLE paragraphs ADD COLUMN facets TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE paragraphs ADD COLUMN issuer_tokens TEXT NOT NULL DEFAULT ''",
    ):
        conn.execute(statement)
    rows = conn.execute(
        "SELECT p.id, p.text, p.label, r.year, r.level, r.issuer FROM paragraphs p "
        "JOIN reports r ON r.id = p.report_id"
    ).fetchall()
    conn.executemany(
        "UPDATE paragraphs SET tokens = ?, facets = ?, issuer_tokens = ? WHERE id = ?",
        [
            (
                fts_tokens(text),
                facets(label, year, level),
                fts_tokens(_issuer_norm(issuer), ISSUER_MARK),
                pid,
            )
            for pid, text, label, year, level, issuer in rows
        ],
    )
    conn.execute(_FTS_TABLE)
    conn.execute("INSERT INTO paragraph_fts(paragraph_fts) VALUES ('rebuild')")
    for statement in FTS_TRIGGERS:
        conn.execute(statement)


# Version n of the schema is MIGRATIONS[:n]; each step moves a store one version up: a script,
# or a function where the new columns are computed in Python.
MIGRATIONS: list[str | Callable[[sqlite3.Connection], None]] = [
    # v1: the tables.
    f"""
    CREATE TABLE reports (
        id INTEGER PRIMARY KEY,
        source TEXT NOT NULL UNIQUE,
        sha256 TEXT,
        chars INTEGER,
        status TEXT NOT NULL,
        error TEXT,
        title TEXT,
        issuer TEXT,
        issuer_norm TEXT,
        issuer_kind TEXT,
        level TEXT,
        year INTEGER,
        report_date TEXT,
        published TEXT,
        deadline TEXT,
        timeliness TEXT,
        {_PART_COLUMNS},
        problems INTEGER NOT NULL DEFAULT 0,
        figures INTEGER NOT NULL DEFAULT 0,
        is_report INTEGER,
        record TEXT NOT NULL
    );
    CREATE TABLE paragraphs (
        id INTEGER PRIMARY KEY,
        report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        "start" INTEGER, "end" INTEGER,
        label TEXT, confidence REAL, heading INTEGER,
        text TEXT NOT NULL,
        tokens TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE sentences (
        report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        text TEXT, "start" INTEGER, "end" INTEGER, label TEXT, score REAL, rank INTEGER
    );
    CREATE TABLE problems (
        report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        title TEXT, text TEXT, "start" INTEGER, "end" INTEGER, cause INTEGER, generic INTEGER
    );
    CREATE TABLE plans (
        report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        title TEXT, text TEXT, "start" INTEGER, "end" INTEGER
    );
    CREATE TABLE figures (
        report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        text TEXT, value REAL, unit TEXT, "start" INTEGER, "end" INTEGER, label TEXT
    );
    CREATE INDEX paragraphs_report ON paragraphs(report_id, idx);
    CREATE INDEX sentences_report ON sentences(report_id, idx);
    CREATE INDEX problems_report ON problems(report_id, idx);
    CREATE INDEX plans_report ON plans(report_id, idx);
    CREATE INDEX figures_report ON figures(report_id, idx);
    """,
    # v2: full-text search over the paragraphs' tokens, the comparison table, filter indexes.
    # (v3 replaces this index; the script stays as it was, for stores at version 1.)
    """
    CREATE VIRTUAL TABLE paragraph_fts USING fts5(
        tokens, content='paragraphs', content_rowid='id', tokenize='unicode61'
    );
    CREATE TRIGGER paragraphs_ai AFTER INSERT ON paragraphs BEGIN
        INSERT INTO paragraph_fts(rowid, tokens) VALUES (new.id, new.tokens);
    END;
    CREATE TRIGGER paragraphs_ad AFTER DELETE ON paragraphs BEGIN
        INSERT INTO paragraph_fts(paragraph_fts, rowid, tokens)
        VALUES ('delete', old.id, old.tokens);
    END;
    CREATE TRIGGER paragraphs_au AFTER UPDATE ON paragraphs BEGIN
        INSERT INTO paragraph_fts(paragraph_fts, rowid, tokens)
        VALUES ('delete', old.id, old.tokens);
        INSERT INTO paragraph_fts(rowid, tokens) VALUES (new.id, new.tokens);
    END;
    INSERT INTO paragraph_fts(paragraph_fts) VALUES ('rebuild');
    CREATE TABLE stats (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE INDEX reports_year ON reports(year);
    CREATE INDEX reports_level ON reports(level);
    """,
    # v3: bigram tokens without word cuts, and the filters in the index (facets, issuer).
    _reindex,
]
SCHEMA_VERSION = len(MIGRATIONS)


class StoreError(RuntimeError):
    """The store cannot be used: newer than this code, or no journal to build it from."""


# -- opening -----------------------------------------------------------------------------------


def store_path(folder: Path | str) -> Path:
    """Where the archive of a batch output folder lives."""
    return Path(folder) / STORE_NAME


def open_store(path: Path | str, readonly: bool = False) -> sqlite3.Connection:
    """A connection to the store at `path` (a folder or the .sqlite file), migrated if writable.

    WAL lets readers go on reading while a build or a batch writes. A read-only connection
    never migrates; it refuses a store older or newer than this code.
    """
    path = Path(path)
    if path.is_dir():
        path = store_path(path)
    if readonly:
        if not path.exists():
            raise StoreError(f"{path}: no archive; run `fzreport archive build` first")
        conn = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_MS / 1000
        )
    else:
        conn = sqlite3.connect(path, timeout=BUSY_MS / 1000)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION or (readonly and version != SCHEMA_VERSION):
        conn.close()
        raise StoreError(f"{path}: schema version {version}, this code reads {SCHEMA_VERSION}")
    if not readonly:
        conn.execute("PRAGMA journal_mode = WAL")
        migrate(conn)
    return conn


def upgrade(folder: Path | str) -> int:
    """Migrate DIR/archive.sqlite to SCHEMA_VERSION when it is older; returns the version it
    had. Raises StoreError when there is no store or it is newer than this code.

    `serve` calls it once before its workers start, which open the store read-only.
    """
    path = store_path(folder)
    if not path.exists():
        raise StoreError(f"no archive in {folder}: run `fzreport archive build {folder}` first")
    uri = f"{path.resolve().as_uri()}?mode=ro"
    with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=BUSY_MS / 1000)) as peek:
        version = peek.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise StoreError(f"{path}: schema version {version}, this code reads {SCHEMA_VERSION}")
    if version < SCHEMA_VERSION:
        open_store(path).close()
    return version


def migrate(conn: sqlite3.Connection) -> int:
    """Apply the scripts from the store's version up to SCHEMA_VERSION; each in a transaction."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    for n in range(version, SCHEMA_VERSION):
        step = MIGRATIONS[n]
        if isinstance(step, str):
            # executescript commits first; BEGIN/COMMIT inside make each step all-or-nothing.
            conn.executescript(f"BEGIN;\n{step}\nPRAGMA user_version = {n + 1};\nCOMMIT;")
        else:
            conn.execute("BEGIN")
            try:
                step(conn)
                conn.execute(f"PRAGMA user_version = {n + 1}")
            except BaseException:
                conn.rollback()
                raise
            conn.commit()
        log.info("archive migrated to schema version %d", n + 1)
    return SCHEMA_VERSION


# -- tokens ------------------------------------------------------------------------------------

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN = re.compile(rf"[{_CJK}]+|[0-9A-Za-z]+")


def _runs(text: str) -> list[str]:
    from model.text.segment import normalise

    return _RUN.findall(normalise(text).lower())


def _is_cjk(run: str) -> bool:
    return not run.isascii()


# At each Chinese character, it and the next one, or itself alone at the end of its run.
_GRAM = re.compile(rf"(?=([{_CJK}][{_CJK}]?))[{_CJK}]")
_ALNUM = re.compile(r"[0-9a-z]+")


def fts_tokens(text: str | None, mark: str = "") -> str:
    """An FTS column for `text`: each Chinese run's bigrams then its last character (which a
    one-character query finds as a prefix, with the bigrams it opens), then the alphanumeric
    runs. The last character keeps runs apart: "甲乙，乙丙" gives "甲乙 乙 乙丙 丙", with no
    "甲乙 乙丙" phrase for "甲乙丙" to match. `mark` starts every token, so that a column's
    tokens share no doclist with the text's."""
    from model.text.segment import normalise

    folded = normalise(text or "").lower()
    out = _GRAM.findall(folded) + _ALNUM.findall(folded)
    return " ".join(mark + token for token in out) if mark else " ".join(out)


ISSUER_MARK = "i"  # the issuer's tokens: "i硚口 i口区 i区"


def _facet(kind: str, value: object) -> str:
    """One index token for a filter value: its kind's letter and the value's UTF-8 in hex, so
    that any value is one alphanumeric token and equal only to itself."""
    return kind + str(value).encode().hex()


@functools.lru_cache(maxsize=4096)
def facets(label: str | None, year: int | None, level: str | None) -> str:
    """The `facets` column: a token each for the label, the year and the level that are known.
    Cached: an archive has a few hundred distinct combinations."""
    pairs = (("l", label), ("y", year), ("v", level))
    return " ".join(_facet(kind, value) for kind, value in pairs if value not in (None, ""))


def _phrases(query: str, mark: str = "") -> list[str]:
    phrases = []
    for run in _runs(query)[:MAX_QUERY_TERMS]:
        if _is_cjk(run) and len(run) == 1:
            phrases.append(f'"{mark}{run}"*')
        elif _is_cjk(run):
            grams = [mark + run[i : i + 2] for i in range(min(len(run), MAX_QUERY_TERMS) - 1)]
            phrases.append('"' + " ".join(grams) + '"')
        else:
            phrases.append(f'"{mark}{run}"')
    return phrases


def match_expression(
    query: str,
    label: str | None = None,
    issuer: str | None = None,
    year: int | None = None,
    level: str | None = None,
) -> str | None:
    """A safe FTS5 MATCH string for what the user typed, in the paragraph's own tokens, and
    the filters; None when the query has nothing to find. An issuer without a letter or a
    character filters nothing."""
    words = _phrases(query)
    if not words:
        return None
    parts = ["{tokens} : (" + " ".join(words) + ")"]
    wanted = facets(label, year, level)
    if wanted:
        parts.append("{facets} : (" + " ".join(f'"{t}"' for t in wanted.split()) + ")")
    names = _phrases(_issuer_norm(issuer) or "", ISSUER_MARK)
    if names:
        parts.append("{issuer_tokens} : (" + " ".join(names) + ")")
    return " AND ".join(parts)


# -- writing -----------------------------------------------------------------------------------


def _issuer_norm(issuer: str | None) -> str | None:
    """The issuer as the filters match it: width and case folded, spaces dropped, every part
    kept. Not `model.compare.normalise_issuer`, which drops brackets and 中共 to match one
    body across years: a filter for "汉南区" must still find "武汉经济技术开发区（汉南区）"."""
    from model.text.segment import normalise

    return "".join(normalise(issuer).split()).lower() if issuer else None


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
        "issuer_norm": _issuer_norm(meta.get("issuer")),
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
) -> None:
    """Store one record (replacing a stored one of its source), as report `report_id` or the
    next free id."""
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
    comparison no longer describes the reports, so it is dropped: `stats` then computes rates
    from the current rows until the next `build`.
    """
    records = list(records)
    for record in records:
        if reason := malformed(record):
            raise ValueError(f"cannot store {str(record)[:60]!r}: {reason}")
    with conn:
        for record in records:
            _write_record(conn, record)
        if records:
            conn.execute("DELETE FROM stats WHERE key IN ('compare', 'compare_top')")
    return len(records)


def read_journal(path: Path) -> tuple[list[dict[str, Any]], int]:
    """The journal's records, latest per source, and how many lines were skipped (not JSON,
    or a `malformed` record, each logged with its line number); never rewrites the file.

    `load_journal` repairs a torn last line by rewriting the journal, which would be wrong
    here: the archive may be built while a batch is still appending to it.
    """
    from service.batch import latest

    records, skipped = [], 0
    with path.open("rb") as journal:
        for number, line in enumerate(journal, 1):
            if not line.endswith(b"\n"):
                break  # a line being written
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError:
                record = None
            reason = "not JSON" if record is None else malformed(record)
            if reason:
                skipped += 1
                log.warning("%s:%d: skipped, %s", path, number, reason)
                continue
            records.append(record)
    return latest(records), skipped


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _in_order(record: dict[str, Any]) -> tuple[int, str, str]:
    """Reports by year reported on, then publication date and source: the order `build`
    stores them in, so that the last rows (which search ranks first) are the latest."""
    meta = (record.get("audit") or {}).get("metadata") or {}
    year = meta.get("year")
    published = str(meta.get("published") or "")
    return (year if isinstance(year, int) else 0, published, str(record["source"]))


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _timed_compare(reports: list[dict[str, Any]]) -> tuple[Any, float]:
    """`model.compare.compare(reports)` and the seconds it took (in whichever process)."""
    from model.compare import compare

    start = time.perf_counter()
    return compare(reports), time.perf_counter() - start


def _start_compare(
    reports: list[dict[str, Any]], parallel: bool
) -> Callable[[], tuple[Any, float]]:
    """A call that returns `_timed_compare(reports)`, (None, 0.0) without `model.compare`.
    With `parallel` the comparison runs at once in a second process, while the caller writes."""
    try:
        import model.compare  # noqa: F401
    except ImportError:
        return lambda: (None, 0.0)
    if not parallel:
        return lambda: _timed_compare(reports)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # fork: the child needs no import of the caller's main module (spawn would re-run it,
    # and cannot from a REPL); the store is opened only after it starts.
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    pool = ProcessPoolExecutor(1, mp_context=context)
    future = pool.submit(_timed_compare, reports)
    pool.shutdown(wait=False)
    return future.result


def build(
    folder: Path | str,
    progress: Callable[[int, int], None] | None = None,
    parallel: bool | None = None,
) -> dict[str, Any]:
    """(Re)build DIR/archive.sqlite from DIR/results.jsonl; returns the counts and timings.

    Written into a temporary file that replaces the store only when complete, so a reader
    never sees a half-built archive (a reader that keeps a connection open goes on reading
    the old file; the API opens one per request). The comparison runs in a second process
    while the rows are written (`parallel`; by default from `PARALLEL_MIN` reports when
    there is a second core), and the index is made once all rows are in.
    """
    from service.batch import RESULTS

    folder = Path(folder)
    journal = folder / RESULTS
    if not journal.is_file():
        raise StoreError(f"{folder}: no {RESULTS} (run `fzreport batch ... --out {folder}`)")
    start = time.perf_counter()
    records, skipped = read_journal(journal)
    records.sort(key=_in_order)
    numbered = list(enumerate(records, 1))
    inputs = [item for n, r in numbered if (item := compare_input(n, r)) is not None]
    if parallel is None:
        parallel = len(inputs) >= PARALLEL_MIN and _cpus() > 1
    final = store_path(folder)
    tmp = final.with_name(f"{final.name}.{os.getpid()}.tmp")
    for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        leftover.unlink(missing_ok=True)
    comparison = _start_compare(inputs, parallel)
    conn = open_store(tmp)
    try:
        # The file is private until it replaces the store: no rollback journal and no syncs
        # while it fills (a fifth of the build); WAL again and one fsync before it goes live.
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        for statement in DROP_TRIGGERS:  # indexed at once below, three times faster
            conn.execute(statement)
        for chunk in _chunks(numbered, CHUNK):
            with conn:
                for report_id, record in chunk:
                    _write_record(conn, record, report_id)
            if progress is not None:
                progress(chunk[-1][0], len(records))
        with conn:
            conn.execute("INSERT INTO paragraph_fts(paragraph_fts) VALUES ('rebuild')")
            for statement in FTS_TRIGGERS:
                conn.execute(statement)
        waited = time.perf_counter()
        result, compare_seconds = comparison()
        waited = time.perf_counter() - waited
        if result is not None:
            with conn:
                conn.execute(
                    "INSERT OR REPLACE INTO stats (key, value) VALUES ('compare', ?)",
                    (json.dumps(result, ensure_ascii=False),),
                )
                conn.execute(
                    "INSERT OR REPLACE INTO stats (key, value) VALUES ('compare_top', ?)",
                    (json.dumps(top_of(result), ensure_ascii=False),),
                )
        counts = table_counts(conn)
        conn.execute("PRAGMA journal_mode = WAL")
    except BaseException:
        conn.close()
        tmp.unlink(missing_ok=True)
        raise
    conn.close()
    with tmp.open("rb+") as written:
        os.fsync(written.fileno())
    if final.exists():
        # Empty the live store's WAL so a new connection finds none of the old file's frames.
        with contextlib.closing(sqlite3.connect(final, timeout=BUSY_MS / 1000)) as old:
            old.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    os.replace(tmp, final)
    counts["compare"] = result is not None
    counts["skipped"] = skipped
    counts["seconds"] = round(time.perf_counter() - start, 3)
    # The comparison's own time, and how long the writing then waited for it.
    counts["compare_seconds"] = round(compare_seconds, 3)
    counts["compare_waited"] = round(waited, 3)
    counts["parallel"] = parallel
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
    """What `model.compare.compare` takes of a stored record, or None: only ok reports with
    an audit are compared."""
    audit = record.get("audit")
    if record.get("status") != "ok" or not audit:
        return None
    meta, text = audit.get("metadata") or {}, record.get("text") or ""
    return {
        "id": report_id,
        "issuer": meta.get("issuer"),
        "issuer_kind": meta.get("issuer_kind"),
        "level": meta.get("level"),
        "year": meta.get("year"),
        "timeliness": (audit.get("timeliness") or {}).get("status"),
        "contents": {k: v.get("status") for k, v in (audit.get("contents") or {}).items()},
        "problems": [
            {"index": i, "title": p.get("title"), "text": p.get("text")}
            for i, p in enumerate(audit.get("problems") or [])
        ],
        "paragraphs": [
            {"index": i, "text": text[p["start"] : p["end"]], "label": p.get("label")}
            for i, p in enumerate(record.get("paragraphs") or [])
        ],
    }


# -- queries -----------------------------------------------------------------------------------

SORTS = ("id", "source", "issuer", "level", "year", "published", "timeliness", "problems")
SORTS += ("figures", "chars", "report_date")


def _page(value: Any, name: str, upper: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a whole number of at least 1, got {value!r}")
    if upper is not None and value > upper:
        raise ValueError(f"{name} must be at most {upper}, got {value!r}")
    return value


def _filters(
    issuer: str | None, year: int | None, level: str | None
) -> tuple[list[str], list[Any]]:
    where: list[str] = []
    params: list[Any] = []
    if issuer:
        where.append("instr(issuer_norm, ?) > 0")
        params.append(_issuer_norm(issuer))
    if year is not None:
        where.append("year = ?")
        params.append(int(year))
    if level:
        where.append("level = ?")
        params.append(level)
    return where, params


def list_reports(
    conn: sqlite3.Connection,
    issuer: str | None = None,
    year: int | None = None,
    level: str | None = None,
    part_missing: str | None = None,
    timeliness: str | None = None,
    sort: str = "id",
    page: int = 1,
    per_page: int = 50,
) -> dict[str, Any]:
    """One page of reports, filtered and sorted; `total` counts all that match."""
    column = sort[1:] if sort.startswith("-") else sort
    if column not in SORTS:
        raise ValueError(f"cannot sort by {sort!r}: choose among {', '.join(SORTS)} (- for desc)")
    _page(page, "page")
    _page(per_page, "per_page", MAX_PER_PAGE)
    where, params = _filters(issuer, year, level)
    if part_missing:
        if part_missing not in REQUIRED:
            raise ValueError(f"unknown part {part_missing!r}: choose among {', '.join(REQUIRED)}")
        where.append(f"{part_missing} = 'missing'")
    if timeliness:
        where.append("timeliness = ?")
        params.append(timeliness)
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    total = conn.execute(f"SELECT count(*) FROM reports {clause}", params).fetchone()[0]
    order = f"{column} {'DESC' if sort.startswith('-') else 'ASC'}"
    rows = conn.execute(
        f"SELECT id, source, status, title, issuer, level, year, published, timeliness, "
        f"{', '.join(REQUIRED)}, problems, figures FROM reports {clause} "
        f"ORDER BY {order} NULLS LAST, id LIMIT ? OFFSET ?",
        [*params, per_page, (page - 1) * per_page],
    )
    reports = []
    for row in rows:
        item = {k: row[k] for k in row.keys() if k not in REQUIRED}  # noqa: SIM118 (a Row iterates values)
        item["contents"] = {part: row[part] for part in REQUIRED}
        reports.append(item)
    return {"total": total, "reports": reports}


def get_report(conn: sqlite3.Connection, report_id: int) -> dict[str, Any] | None:
    """The whole stored record (analysis and audit) with its id, or None."""
    row = conn.execute("SELECT record FROM reports WHERE id = ?", (report_id,)).fetchone()
    if row is None:
        return None
    return {"id": report_id, **json.loads(row["record"])}


def snippet(text: str, query: str, width: int = SNIPPET_CHARS) -> str:
    """About `width` characters around the first query term, marked, the rest HTML-escaped."""
    from model.text.segment import normalise

    folded = normalise(text).lower()  # one character for one: offsets hold in `text`
    hits = [(folded.find(run), run) for run in _runs(query)]
    hits = [(at, run) for at, run in hits if at >= 0]
    if not hits:
        return html.escape(text[:width])
    at, run = min(hits)
    end = at + len(run)
    left = max(0, min(at - (width - len(run)) // 2, len(text) - width))
    right = max(end, left + width)
    return (
        ("…" if left else "")
        + html.escape(text[left:at])
        + f"<mark>{html.escape(text[at:end])}</mark>"
        + html.escape(text[end:right])
        + ("…" if right < len(text) else "")
    )


def search(
    conn: sqlite3.Connection,
    q: str,
    label: str | None = None,
    issuer: str | None = None,
    year: int | None = None,
    level: str | None = None,
    limit: int = 20,
    page: int = 1,
) -> dict[str, Any]:
    """Page `page` of `limit` paragraphs matching every word of `q` and the filters, best
    first (bm25, among the last `RANK_POOL` matches: see the module's docstring); `total`
    counts every match, `ranked` how many were ranked, and so can be paged through;
    `start`/`end` locate the paragraph in its report's text."""
    _page(limit, "limit", MAX_PER_PAGE)
    _page(page, "page")
    expression = match_expression(q or "", label, issuer, year, level)
    if expression is None:
        return {"total": 0, "ranked": 0, "hits": []}
    total = conn.execute(
        "SELECT count(*) FROM paragraph_fts WHERE paragraph_fts MATCH ?", (expression,)
    ).fetchone()[0]
    weights = ", ".join(["1.0"] + ["0.0"] * (len(FTS_COLUMNS) - 1))  # the words alone rank
    best = conn.execute(
        "SELECT rowid FROM (SELECT rowid, bm25(paragraph_fts, "
        f"{weights}) AS score FROM paragraph_fts WHERE paragraph_fts MATCH ? "
        "ORDER BY rowid DESC LIMIT ?) ORDER BY score, rowid DESC LIMIT ? OFFSET ?",
        (expression, RANK_POOL, limit, (page - 1) * limit),
    ).fetchall()
    ids = [row[0] for row in best]
    marks = ", ".join("?" * len(ids))
    rows = {
        row["id"]: row
        for row in conn.execute(
            "SELECT p.id, p.report_id, r.source, r.issuer, r.year, p.idx, p.label, p.text, "
            'p."start", p."end" '
            f"FROM paragraphs p JOIN reports r ON r.id = p.report_id WHERE p.id IN ({marks})",
            ids,
        )
    }
    hits = [
        {
            "report_id": row["report_id"],
            "source": row["source"],
            "issuer": row["issuer"],
            "year": row["year"],
            "paragraph": row["idx"],
            "label": row["label"],
            "snippet": snippet(row["text"], q),
            "start": row["start"],
            "end": row["end"],
        }
        for row in (rows[i] for i in ids if i in rows)
    ]
    return {"total": total, "ranked": min(total, RANK_POOL), "hits": hits}


def rates(conn: sqlite3.Connection) -> dict[str, Any]:
    """Shares of ok reports per part status and timeliness status, from the stored rows."""
    n = conn.execute("SELECT count(*) FROM reports WHERE status = 'ok'").fetchone()[0]

    def shares(column: str) -> dict[str, float]:
        rows = conn.execute(
            f"SELECT coalesce({column}, 'unknown'), count(*) FROM reports "
            f"WHERE status = 'ok' GROUP BY 1 ORDER BY 1"
        )
        return {value: round(count / n, 4) for value, count in rows} if n else {}

    problems = conn.execute("SELECT avg(problems) FROM reports WHERE status = 'ok'").fetchone()[0]
    return {
        "reports": n,
        "contents": {part: shares(part) for part in REQUIRED},
        "timeliness": shares("timeliness"),
        "problems_per_report": round(problems or 0.0, 2),
    }


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


def stats(conn: sqlite3.Connection) -> dict[str, Any]:
    """The stored comparison (clusters, recurring, shared, rates; cut by `top_of`), else rates
    computed here."""
    row = conn.execute("SELECT value FROM stats WHERE key = 'compare_top'").fetchone()
    if row is None:  # a store built before the cut-down copy was kept
        row = conn.execute("SELECT value FROM stats WHERE key = 'compare'").fetchone()
        if row is not None:
            full = json.loads(row["value"])
            row = {"value": json.dumps(top_of(full)) if isinstance(full, dict) else row["value"]}
    if row is None:
        return {"compare": False, "rates": rates(conn)}
    result = json.loads(row["value"])
    if not isinstance(result, dict):
        result = {"result": result}
    result.setdefault("rates", rates(conn))
    return {"compare": True, **result}


# -- export ------------------------------------------------------------------------------------

_ARROW_TYPES = {"INTEGER": "int64", "REAL": "float64", "TEXT": "string"}


def _columns(conn: sqlite3.Connection, table: str) -> list[tuple[str, str]]:
    return [
        (row["name"], row["type"].upper() or "TEXT")
        for row in conn.execute(f"PRAGMA table_info({table})")
        if row["name"] not in _UNEXPORTED
    ]


def export(folder: Path | str, fmt: str) -> list[Path]:
    """One file per table in DIR/export/, as Parquet or UTF-8 CSV, and the comparison as
    `COMPARISON_FILE` when the store has one; returns the paths."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}: choose among {', '.join(EXPORT_FORMATS)}")
    folder = Path(folder)
    out = folder / EXPORT_DIR
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    with contextlib.closing(open_store(folder, readonly=True)) as conn:
        for table in EXPORT_TABLES:
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
        # nested lists that no flat table holds well.
        row = conn.execute("SELECT value FROM stats WHERE key = 'compare'").fetchone()
        if row is not None:
            path = out / COMPARISON_FILE
            tmp = path.with_name(path.name + ".tmp")
            tmp.write_text(row["value"] + "\n", encoding="utf-8")
            os.replace(tmp, path)
            paths.append(path)
    return paths


# -- command line ------------------------------------------------------------------------------


def cmd_build(args: argparse.Namespace, out: TextIO) -> int:
    from service.batch import progress_bar
    from service.cli import CliError

    bars: list[Any] = []

    def progress(done: int, total: int) -> None:
        if not bars:
            bars.append(progress_bar(total, sys.stderr, desc="archive", unit="report"))
        bars[0].update(done - bars[0].n)
        if done == total:  # what follows the rows: the index, then the comparisons
            bars[0].set_description("archive: indexing, comparing")

    try:
        counts = build(args.dir, progress=progress)
    except StoreError as exc:
        raise CliError(str(exc)) from None
    finally:
        for bar in bars:
            bar.close()
    tables = ", ".join(f"{counts[t]} {t}" for t in EXPORT_TABLES)
    skipped = f", {counts['skipped']} journal lines skipped" if counts["skipped"] else ""
    out.write(
        f"archive: {counts['ok']} ok, {counts['error']} errors{skipped}; {tables} "
        f"in {counts['seconds']:.2f} s -> {store_path(args.dir)}\n"
    )
    return 0


def cmd_export(args: argparse.Namespace, out: TextIO) -> int:
    from service.cli import CliError

    try:
        if not store_path(args.dir).exists():
            build(args.dir)
        paths = export(args.dir, args.format)
    except StoreError as exc:
        raise CliError(str(exc)) from None
    for path in paths:
        out.write(f"{path}\n")
    return 0


def register(sub: Any) -> None:
    """Add `archive build` and `export` to the `fzreport` parser."""
    p = sub.add_parser(
        "archive",
        help="the searchable store of a batch's results (DIR/archive.sqlite)",
        description="Manage DIR/archive.sqlite, built from a batch's DIR/results.jsonl.",
    )
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    b = actions.add_parser("build", help="(re)build DIR/archive.sqlite from DIR/results.jsonl")
    b.add_argument("dir", type=Path, metavar="DIR", help="a batch output folder")
    b.set_defaults(func=cmd_build)

    e = sub.add_parser(
        "export",
        help="write a batch archive's tables as Parquet or CSV into DIR/export/",
        description="Write the archive's tables (reports, paragraphs, sentences, problems, "
        "plans, figures) into DIR/export/, and its comparison (clusters, recurring problems, "
        "shared passages) as comparison.json, building the archive first if it is missing.",
    )
    e.add_argument("dir", type=Path, metavar="DIR", help="a batch output folder")
    e.add_argument("--format", choices=EXPORT_FORMATS, default="parquet")
    e.set_defaults(func=cmd_export)
