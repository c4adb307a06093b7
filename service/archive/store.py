"""The batch archive's SQLite store: its schema, migrations and opening.

The archive is a SQLite store of a batch's journal, for listing, reading and search.

`DIR/archive.sqlite` is built from `DIR/results.jsonl` alone (`build`: anew, or taking in only
the records added since, which gives the same store). The journal stays the source of truth:
the store can always be deleted and built again.

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

A query walks the index newest first and stops once it has counted `COUNT_CAP` matches
(`total_exact` is then false); the first `RANK_POOL` of them, the latest reports', are ranked
by BM25 computed over them. FTS5's own bm25 reads every match of each word for its
statistics: at 100,000 reports that made a common word's query take 100-400 ms. A query of one
character reads the index's prefix index (prefix='1') rather than merging the doclists of
every bigram it opens.

The comparisons (`comparing`) are stored as one row per entry in `comparison`, with the state
that lets a build take in more reports later in `compare_state`, and their status in `stats`.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
from collections.abc import Callable
from pathlib import Path

from model.labels import REQUIRED
from service.archive.comparing import top_of
from service.archive.corrections import TABLE as CORRECTIONS_TABLE
from service.archive.tokens import ISSUER_MARK, facets, fts_tokens, issuer_norm

log = logging.getLogger(__name__)

STORE_NAME, EXPORT_DIR, COMPARISON_FILE = "archive.sqlite", "export", "comparison.json"
BUSY_MS = 5000

_PART_COLUMNS = ", ".join(f"{part} TEXT" for part in REQUIRED)

# The index of schema version 3 and later. `build` drops the triggers while it loads and
# indexes all rows at once ('rebuild'), about three times faster than row by row.
FTS_COLUMNS = ("tokens", "facets", "issuer_tokens")
# The 'ascii' tokenizer: the columns hold lower-case tokens split by spaces already, so FTS5
# need only split on them (non-ASCII bytes are token characters), which indexes a fifth faster
# than unicode61 with the same tokens.
# prefix='1': an index of every token's first character, so that a query of one character
# (a prefix query: all the bigrams it opens) reads one doclist instead of merging hundreds;
# it made '法' a hundred times faster, for a build a fifth slower (10,000 reports).
_FTS_TABLE = f"""
CREATE VIRTUAL TABLE paragraph_fts USING fts5(
    {", ".join(FTS_COLUMNS)}, content='paragraphs', content_rowid='id', tokenize='ascii',
    prefix='1'
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
                fts_tokens(issuer_norm(issuer), ISSUER_MARK),
                pid,
            )
            for pid, text, label, year, level, issuer in rows
        ],
    )
    conn.execute(_FTS_TABLE)
    conn.execute("INSERT INTO paragraph_fts(paragraph_fts) VALUES ('rebuild')")
    for statement in FTS_TRIGGERS:
        conn.execute(statement)


def _comparison_rows(conn: sqlite3.Connection) -> None:
    """Schema v4: the comparison as one row per entry (`comparing.store`) instead of one JSON
    value, which a large archive made too big to write or read at once; the state that lets
    a build take in new reports without comparing the archive again; `reports.audited`; the
    index with a prefix index for one-character queries."""
    conn.execute(
        "CREATE TABLE comparison (kind TEXT NOT NULL, idx INTEGER NOT NULL, value TEXT NOT NULL,"
        " PRIMARY KEY (kind, idx)) WITHOUT ROWID"
    )
    # What the comparison needs to take in more reports later (`comparing.save_state`).
    conn.execute("CREATE TABLE compare_state (name TEXT PRIMARY KEY, value BLOB NOT NULL)")
    # Whether a report was audited: the comparisons read only those.
    conn.execute("ALTER TABLE reports ADD COLUMN audited INTEGER NOT NULL DEFAULT 0")
    conn.execute(
        "UPDATE reports SET audited = coalesce(json_extract(record, '$.audit'), '{}') != '{}'"
    )
    # Covering indexes for the rates and the dashboard, which would otherwise read every
    # report's whole record (about 20 kB each) to count a few short columns.
    conn.execute(
        f"CREATE INDEX reports_rates ON reports(status, {', '.join(REQUIRED)}, timeliness, "
        "problems, level, issuer_kind, year)"
    )
    conn.execute(
        "CREATE INDEX reports_dates ON reports(id, source, issuer, year, published, deadline)"
    )
    # The index again, with its prefix index (`_FTS_TABLE`).
    for statement in (*DROP_TRIGGERS, "DROP TABLE paragraph_fts", _FTS_TABLE):
        conn.execute(statement)
    conn.execute("INSERT INTO paragraph_fts(paragraph_fts) VALUES ('rebuild')")
    for statement in FTS_TRIGGERS:
        conn.execute(statement)
    row = conn.execute("SELECT value FROM stats WHERE key = 'compare'").fetchone()
    if row is None:
        return
    whole = json.loads(row[0])
    conn.execute("DELETE FROM stats WHERE key = 'compare'")
    if not isinstance(whole, dict):
        return
    for kind, value in whole.items():
        if isinstance(value, list):
            conn.executemany(
                "INSERT INTO comparison (kind, idx, value) VALUES (?, ?, ?)",
                ((kind, i, json.dumps(e, ensure_ascii=False)) for i, e in enumerate(value)),
            )
    conn.execute(
        "INSERT OR IGNORE INTO stats (key, value) VALUES ('compare_top', ?)",
        (json.dumps(top_of(whole), ensure_ascii=False),),
    )
    conn.execute(
        "INSERT OR REPLACE INTO stats (key, value) VALUES ('compare_status', ?)",
        ('{"state": "ok", "reason": null}',),
    )


def _comparison_refs(conn: sqlite3.Connection) -> None:
    """Schema v6: each comparison entry with its place in its list (`sort`) and what it is
    about (`ref`: a cluster's group, a recurring pair's body), so that adding reports rewrites
    the entries they change and no others (`comparing.store`). The state of v4 cannot go on
    that way: it is dropped, and the next build compares the archive whole. And an index that
    covers what the comparison reads of every report."""
    conn.execute(
        "CREATE TABLE comparison_v6 (kind TEXT NOT NULL, sort TEXT NOT NULL, ref TEXT,"
        " value TEXT NOT NULL, PRIMARY KEY (kind, sort)) WITHOUT ROWID"
    )
    conn.execute(
        "INSERT INTO comparison_v6 (kind, sort, value) "
        "SELECT kind, printf('%012d', idx), value FROM comparison"
    )
    conn.execute("DROP TABLE comparison")
    conn.execute("ALTER TABLE comparison_v6 RENAME TO comparison")
    conn.execute("CREATE INDEX comparison_refs ON comparison(kind, ref)")
    conn.execute("DELETE FROM compare_state")
    # What the comparison reads of every report, covered: `audited` sits after the record
    # (added to the table later), so reading it from the table reads every record whole.
    conn.execute(
        "CREATE INDEX reports_compared ON reports(status, audited, id, level, issuer_kind, "
        f"year, timeliness, {', '.join(REQUIRED)})"
    )


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
    # v4: the comparison as rows.
    _comparison_rows,
    # v5: a reviewer's corrections (a copy of DIR/corrections.jsonl).
    CORRECTIONS_TABLE,
    # v6: each comparison entry with its place in its list and what it is about.
    _comparison_refs,
]
SCHEMA_VERSION = len(MIGRATIONS)


class StoreError(RuntimeError):
    """The store cannot be used: newer than this code, or no journal to build it from."""


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
