"""The archive store: schema versions, migrations and opening (service/archive/store.py)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from service.archive import comparing, store, write
from service.archive.query import list_reports, search
from service.archive.store import MIGRATIONS, SCHEMA_VERSION, open_store
from service.archive.write import build
from tests.service.conftest import version_2_store

# -- schema ------------------------------------------------------------------------------------


def test_store_settings(built: tuple[Path, dict]) -> None:
    with open_store(built[0]) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] > 0
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION >= 2
    with (
        open_store(built[0], readonly=True) as reader,
        pytest.raises(sqlite3.OperationalError, match="readonly"),
    ):
        reader.execute("DELETE FROM reports")


def test_migration_from_version_1_keeps_rows(tmp_path: Path) -> None:
    path = tmp_path / "archive.sqlite"
    old = sqlite3.connect(path)
    old.executescript(MIGRATIONS[0] + "\nPRAGMA user_version = 1;")
    old.execute(
        "INSERT INTO reports (id, source, status, year, record) "
        "VALUES (1, 'old.txt', 'ok', 2023, '{\"source\": \"old.txt\"}')"
    )
    text = "全年办理行政复议案件131件，开展人民调解。"
    old.execute(
        'INSERT INTO paragraphs (report_id, idx, start, "end", label, text, tokens) '
        "VALUES (1, 0, 0, ?, 'achievements', ?, ?)",
        (len(text), text, "全年 办理 行政 复议 案件 131 件 开展 人民 调解"),  # v1: word cuts
    )
    old.commit()
    old.close()
    with pytest.raises(store.StoreError, match="schema version 1"):
        open_store(path, readonly=True)
    conn = open_store(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert list_reports(conn)["reports"][0]["source"] == "old.txt"
    hits = search(conn, "调解")["hits"]
    assert [(h["report_id"], h["source"]) for h in hits] == [(1, "old.txt")]
    assert conn.execute("SELECT count(*) FROM stats").fetchone()[0] == 0
    conn.close()


def test_migration_from_version_2_reindexes_with_filters(tmp_path: Path) -> None:
    path = tmp_path / "archive.sqlite"
    old = sqlite3.connect(path)
    old.executescript(MIGRATIONS[0] + "\nPRAGMA user_version = 1;")
    old.executescript(f"BEGIN;\n{MIGRATIONS[1]}\nPRAGMA user_version = 2;\nCOMMIT;")
    for n, (issuer, year) in enumerate([("硚口区人民政府", 2023), ("嘉兴市司法局", 2024)], 1):
        old.execute(
            "INSERT INTO reports (id, source, status, issuer, issuer_norm, year, level, record) "
            "VALUES (?, ?, 'ok', ?, ?, ?, 'county', '{}')",
            (n, f"r{n}.txt", issuer, issuer, year),
        )
        text = "全年办理行政复议案件131件。"
        old.execute(  # the v2 index held word cuts: 行政复议 as one token
            'INSERT INTO paragraphs (report_id, idx, start, "end", label, text, tokens) '
            "VALUES (?, 0, 0, ?, 'achievements', ?, '全年 办理 行政复议 案件 131 件')",
            (n, len(text), text),
        )
    old.commit()
    assert (
        old.execute("SELECT count(*) FROM paragraph_fts WHERE tokens MATCH '复议'").fetchone()[0]
        == 0
    )  # the word cut hid the two-character word
    old.close()
    conn = open_store(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert search(conn, "复议")["total"] == 2
    assert [h["source"] for h in search(conn, "复议", issuer="嘉兴")["hits"]] == ["r2.txt"]
    assert [h["source"] for h in search(conn, "复议", year=2023)["hits"]] == ["r1.txt"]
    assert search(conn, "复议", label="plans")["total"] == 0
    # The triggers follow the new columns: a delete leaves nothing behind in the index.
    with conn:
        conn.execute("DELETE FROM paragraphs WHERE report_id = 1")
    assert [h["source"] for h in search(conn, "复议")["hits"]] == ["r2.txt"]
    assert conn.execute(
        "INSERT INTO paragraph_fts(paragraph_fts, rank) VALUES ('integrity-check', 1)"
    )
    conn.close()


def test_a_failed_migration_leaves_the_store_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "archive.sqlite"
    old = sqlite3.connect(path)
    old.executescript(MIGRATIONS[0] + "\nPRAGMA user_version = 1;")
    old.executescript(f"BEGIN;\n{MIGRATIONS[1]}\nPRAGMA user_version = 2;\nCOMMIT;")
    old.close()

    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("DROP TABLE paragraph_fts")
        raise RuntimeError("half way")

    monkeypatch.setattr(store, "MIGRATIONS", [*MIGRATIONS[:2], broken])
    with pytest.raises(RuntimeError, match="half way"):
        open_store(path)
    with sqlite3.connect(path) as check:
        assert check.execute("PRAGMA user_version").fetchone()[0] == 2
        assert check.execute("SELECT count(*) FROM paragraph_fts").fetchone()[0] == 0


def test_upgrade_migrates_an_older_store_once(tmp_path: Path) -> None:
    path = version_2_store(tmp_path)
    assert store.upgrade(tmp_path) == 2
    assert store.upgrade(tmp_path) == SCHEMA_VERSION  # already current: nothing to do
    with open_store(path, readonly=True) as conn:
        assert search(conn, "复议")["total"] == 1
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(store.StoreError, match="this code reads"):
        store.upgrade(tmp_path)
    with pytest.raises(store.StoreError, match="no archive in"):
        store.upgrade(tmp_path / "elsewhere")


def test_newer_store_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "archive.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(store.StoreError, match="this code reads"):
        open_store(path)


def test_reader_reads_while_a_writer_writes(own_dir: Path, records: list[dict]) -> None:
    build(own_dir)
    writer = open_store(own_dir)
    reader = open_store(own_dir, readonly=True)
    total = list_reports(reader)["total"]
    writer.execute("BEGIN IMMEDIATE")
    for n, record in enumerate(records * 3):
        write._write_record(writer, {**record, "source": f"new/{n}"})
    # Uncommitted: the reader neither waits nor sees the rows.
    assert list_reports(reader)["total"] == total
    assert search(reader, "复议")["total"] > 0
    writer.commit()
    assert list_reports(reader)["total"] == total + 3 * len(records)
    writer.close()
    reader.close()


def test_rebuild_leaves_an_open_reader_working(own_dir: Path) -> None:
    build(own_dir)
    reader = open_store(own_dir, readonly=True)
    total = list_reports(reader)["total"]
    build(own_dir)
    assert list_reports(reader)["total"] == total
    reader.close()
    with open_store(own_dir, readonly=True) as fresh:
        assert list_reports(fresh)["total"] == total


def test_migration_to_version_6_keeps_the_comparison_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "archive.sqlite"
    with monkeypatch.context() as patch:  # a store as version 5 left it
        patch.setattr(store, "MIGRATIONS", MIGRATIONS[:5])
        patch.setattr(store, "SCHEMA_VERSION", 5)
        conn = open_store(path)
        with conn:
            conn.executemany(
                "INSERT INTO comparison (kind, idx, value) VALUES (?, ?, ?)",
                [("clusters", k, f'{{"n": {k}}}') for k in (10, 2, 1)],
            )
            conn.execute("INSERT INTO compare_state (name, value) VALUES ('keys#0000', x'00')")
        conn.close()
    conn = open_store(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert [e["n"] for e in comparing.entries(conn, "clusters")] == [1, 2, 10]
    # A state of the old kind cannot go on: the next build compares the archive whole.
    assert conn.execute("SELECT count(*) FROM compare_state").fetchone()[0] == 0
    assert comparing.load_state(conn) is None
    conn.close()
