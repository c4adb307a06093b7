"""The batch archive store: build, list, read, search, migrations, WAL, export, CLI."""

from __future__ import annotations

import csv
import json
import shutil
import sqlite3
import sys
import types
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from service import archive
from service.archive import (
    MIGRATIONS,
    SCHEMA_VERSION,
    build,
    facets,
    fts_tokens,
    get_report,
    list_reports,
    match_expression,
    open_store,
    search,
    snippet,
    update,
)
from service.batch import load_journal
from service.cli import main
from tests.batch.conftest import SEEDS, version_2_store

SEED_FILES = sorted(SEEDS.glob("*.txt"))
HOSTILE = ['"', "NEAR(", "*", "AND OR", "a" * 10000, "", "复议\"'(", "NOT 复议", "复" * 5000]


def _batch_dir(root: Path, model_path: Path) -> Path:
    """A batch output folder from the seed reports and one file that cannot be read."""
    inputs = root / "in"
    inputs.mkdir()
    for path in SEED_FILES:
        shutil.copy(path, inputs / path.name)
    (inputs / "corrupt.docx").write_bytes(b"PK\x03\x04\x00\xff binary, not a package")
    out = root / "out"
    argv = ["batch", str(inputs), "--out", str(out), "--model", str(model_path), "--workers", "1"]
    assert main(argv) == 1  # the corrupt file fails
    return out


@pytest.fixture(scope="module")
def journal_dir(tmp_path_factory: pytest.TempPathFactory, model_path: Path) -> Path:
    """One real batch for the whole module; tests copy it before writing to it."""
    return _batch_dir(tmp_path_factory.mktemp("batch"), model_path)


@pytest.fixture(scope="module")
def built(journal_dir: Path) -> tuple[Path, dict]:
    return journal_dir, build(journal_dir)


@pytest.fixture
def conn(built: tuple[Path, dict]) -> sqlite3.Connection:
    connection = open_store(built[0], readonly=True)
    yield connection
    connection.close()


@pytest.fixture
def records(journal_dir: Path) -> list[dict]:
    return load_journal(journal_dir / "results.jsonl")


@pytest.fixture
def own_dir(journal_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the batch folder (journal only), for tests that write."""
    folder = tmp_path / "own"
    folder.mkdir()
    shutil.copy(journal_dir / "results.jsonl", folder / "results.jsonl")
    return folder


def _has_compare() -> bool:
    try:
        import model.compare  # noqa: F401
    except ImportError:
        return False
    return True


def _ids(result: dict) -> list[int]:
    return [r["id"] for r in result["reports"]]


# -- build -------------------------------------------------------------------------------------


def test_build_counts_match_the_journal(built: tuple[Path, dict], records: list[dict]) -> None:
    _, counts = built
    ok = [r for r in records if r["status"] == "ok"]
    assert counts["reports"] == len(records) == len(SEED_FILES) + 1
    assert (counts["ok"], counts["error"]) == (len(SEED_FILES), 1)
    assert counts["paragraphs"] == sum(len(r["paragraphs"]) for r in ok) > 0
    assert counts["sentences"] == sum(len(r["sentences"]) for r in ok) > 0
    assert counts["figures"] == sum(len(r["figures"]) for r in ok)
    assert counts["problems"] == sum(len(r["audit"]["problems"]) for r in ok) > 0
    assert counts["plans"] == sum(len(r["audit"]["plans"]) for r in ok) > 0
    assert counts["compare"] is _has_compare()
    assert not list(built[0].glob("*.tmp"))


def test_build_keeps_the_latest_record_per_source(own_dir: Path, records: list[dict]) -> None:
    newer = {**records[0], "chars": 7, "figures": []}
    with (own_dir / "results.jsonl").open("a", encoding="utf-8") as journal:
        journal.write(json.dumps(newer, ensure_ascii=False) + "\n")
        journal.write('{"source": "torn')  # a batch still writing: ignored, file untouched
    counts = build(own_dir)
    assert counts["reports"] == len(records)
    with open_store(own_dir, readonly=True) as conn:
        row = conn.execute(
            "SELECT chars, figures FROM reports WHERE source = ?", (newer["source"],)
        )
        assert tuple(row.fetchone()) == (7, 0)
    assert (own_dir / "results.jsonl").read_text("utf-8").endswith('{"source": "torn')


def test_build_stores_reports_by_year(built: tuple[Path, dict]) -> None:
    with open_store(built[0], readonly=True) as conn:
        years = [row[0] or 0 for row in conn.execute("SELECT year FROM reports ORDER BY id")]
    assert years == sorted(years) and len(set(years)) > 1


def test_build_in_parallel_stores_the_same(own_dir: Path) -> None:
    if not _has_compare():
        pytest.skip("no model.compare")
    build(own_dir, parallel=False)
    with open_store(own_dir, readonly=True) as conn:
        alone = conn.execute("SELECT key, value FROM stats ORDER BY key").fetchall()
    build(own_dir, parallel=True)  # the comparison in a second process
    with open_store(own_dir, readonly=True) as conn:
        assert conn.execute("SELECT key, value FROM stats ORDER BY key").fetchall() == alone
        assert len(alone) == 2


BAD_RECORDS = [
    (["a", "list"], "not a JSON object"),
    ({"status": "ok"}, "no source"),
    ({"source": 5}, "no source"),
    ({"source": "a.txt", "text": 3}, "text is not a string"),
    ({"source": "a.txt", "paragraphs": "x"}, "paragraphs is not a list of objects"),
    ({"source": "a.txt", "sentences": [1]}, "sentences is not a list of objects"),
    ({"source": "a.txt", "paragraphs": [{"start": 0}]}, "a paragraph without"),
    ({"source": "a.txt", "audit": "x"}, "audit is not an object"),
    ({"source": "a.txt", "audit": {"metadata": []}}, "audit.metadata is not an object"),
    ({"source": "a.txt", "audit": {"contents": {"plans": "ok"}}}, "audit.contents holds"),
    ({"source": "a.txt", "audit": {"problems": [None]}}, "audit.problems is not a list"),
    ({"source": "a.txt", "audit": {"metadata": {"year": "2024年"}}}, "year is not a whole"),
]


@pytest.mark.parametrize(("record", "reason"), BAD_RECORDS)
def test_malformed_records_say_why(record: object, reason: str) -> None:
    assert reason in archive.malformed(record)


def test_well_formed_records_pass(records: list[dict]) -> None:
    assert [archive.malformed(r) for r in records] == [None] * len(records)
    assert archive.malformed({"source": "bare.txt"}) is None  # an error record has no more


def test_build_skips_bad_lines_and_says_where(
    own_dir: Path, records: list[dict], caplog: pytest.LogCaptureFixture
) -> None:
    with (own_dir / "results.jsonl").open("a", encoding="utf-8") as journal:
        journal.write("\x00 not json\n\n")  # a blank line is no record, and no complaint
        for record, _ in BAD_RECORDS:
            journal.write(json.dumps(record) + "\n")
    counts = build(own_dir)
    assert counts["skipped"] == 1 + len(BAD_RECORDS)
    assert counts["reports"] == len(records)
    first_bad = len(records) + 1
    assert f"results.jsonl:{first_bad}: skipped, not JSON" in caplog.text
    assert f"results.jsonl:{first_bad + 2}: skipped, not a JSON object" in caplog.text


def test_update_refuses_a_malformed_record_and_writes_nothing(
    own_dir: Path, records: list[dict]
) -> None:
    build(own_dir)
    with open_store(own_dir) as conn:
        before = conn.execute("SELECT count(*) FROM reports").fetchone()[0]
        good = {**records[0], "source": "new.txt"}
        with pytest.raises(ValueError, match="audit is not an object"):
            update(conn, [good, {"source": "bad.txt", "audit": "x"}])
        assert conn.execute("SELECT count(*) FROM reports").fetchone()[0] == before


def test_build_without_a_journal_fails(tmp_path: Path) -> None:
    with pytest.raises(archive.StoreError, match="no results.jsonl"):
        build(tmp_path)


def test_update_replaces_by_source(own_dir: Path, records: list[dict]) -> None:
    build(own_dir)
    with open_store(own_dir) as conn:
        before = search(conn, "复议")["total"]
        assert before > 0
        update(conn, records)  # the same records again: nothing doubles
        assert conn.execute("SELECT count(*) FROM reports").fetchone()[0] == len(records)
        assert search(conn, "复议")["total"] == before
        emptied = [{**r, "paragraphs": []} for r in records if r["status"] == "ok"]
        update(conn, emptied)
        assert search(conn, "复议")["total"] == 0
        assert conn.execute("SELECT count(*) FROM paragraphs").fetchone()[0] == 0


# -- listing -----------------------------------------------------------------------------------


def test_list_all_and_fields(conn: sqlite3.Connection) -> None:
    result = list_reports(conn)
    assert result["total"] == len(SEED_FILES) + 1
    first = result["reports"][0]
    assert set(first) >= {"id", "source", "issuer", "level", "year", "published", "timeliness"}
    assert set(first["contents"]) == {"achievements", "shortcomings", "leadership", "plans"}
    assert isinstance(first["problems"], int) and isinstance(first["figures"], int)
    assert _ids(result) == sorted(_ids(result))


def test_list_filters(conn: sqlite3.Connection, records: list[dict]) -> None:
    metas = {r["source"]: (r["audit"] or {}).get("metadata") or {} for r in records}

    def sources(**filters: object) -> set[str]:
        return {r["source"] for r in list_reports(conn, **filters)["reports"]}

    assert sources(year=2024) == {s for s, m in metas.items() if m.get("year") == 2024}
    assert len(sources(year=2024)) >= 2
    assert sources(level="county") == {s for s, m in metas.items() if m.get("level") == "county"}
    assert sources(issuer="硚口") == {
        s for s, m in metas.items() if "硚口" in (m.get("issuer") or "")
    }
    assert len(sources(issuer="硚口")) == 1
    assert sources(year=1990) == set()
    missing = {
        r["source"]
        for r in records
        if r["audit"] and r["audit"]["contents"]["leadership"]["status"] == "missing"
    }
    assert missing and sources(part_missing="leadership") == missing
    on_time = {
        r["source"]
        for r in records
        if r["audit"] and r["audit"]["timeliness"]["status"] == "on_time"
    }
    assert on_time and sources(timeliness="on_time") == on_time


def test_list_sort_and_pages(conn: sqlite3.Connection) -> None:
    by_year = list_reports(conn, sort="-year")["reports"]
    years = [r["year"] for r in by_year if r["year"] is not None]
    assert years == sorted(years, reverse=True)
    assert by_year[-1]["year"] is None  # unknown years last
    problems = [r["problems"] for r in list_reports(conn, sort="problems")["reports"]]
    assert problems == sorted(problems)
    pages = [list_reports(conn, page=p, per_page=2) for p in (1, 2, 3, 4)]
    assert [len(p["reports"]) for p in pages] == [2, 2, 2, 0]
    assert {p["total"] for p in pages} == {len(SEED_FILES) + 1}
    assert sum((_ids(p) for p in pages), []) == _ids(list_reports(conn))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sort": "record"}, "cannot sort by 'record'"),
        ({"sort": "-id; DROP TABLE reports"}, "cannot sort"),
        ({"page": 0}, "page must be"),
        ({"page": "2"}, "page must be"),
        ({"per_page": 201}, "per_page must be at most 200"),
        ({"per_page": 0}, "per_page must be"),
        ({"part_missing": "other"}, "unknown part 'other'"),
    ],
)
def test_list_bad_arguments(conn: sqlite3.Connection, kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        list_reports(conn, **kwargs)


# -- one report --------------------------------------------------------------------------------


def test_get_report(conn: sqlite3.Connection, records: list[dict]) -> None:
    by_source = {r["source"]: r for r in records}
    for item in list_reports(conn)["reports"]:
        report = get_report(conn, item["id"])
        assert report is not None
        assert report["id"] == item["id"]
        assert report == {"id": item["id"], **by_source[item["source"]]}
    errors = [r for r in list_reports(conn)["reports"] if r["status"] == "error"]
    assert len(errors) == 1 and get_report(conn, errors[0]["id"])["audit"] is None
    assert get_report(conn, 10_000) is None


# -- search ------------------------------------------------------------------------------------


@pytest.mark.parametrize("word", ["复议", "调解"])
def test_search_finds_two_character_words(conn: sqlite3.Connection, word: str) -> None:
    result = search(conn, word, limit=200)
    assert result["total"] == len(result["hits"]) > 0
    for hit in result["hits"]:
        assert f"<mark>{word}</mark>" in hit["snippet"]
        assert len(hit["snippet"]) <= archive.SNIPPET_CHARS + len("<mark></mark>") + 2
        report = get_report(conn, hit["report_id"])
        assert word in report["text"][hit["start"] : hit["end"]]
        assert hit["source"] == report["source"]
        meta = report["audit"]["metadata"]
        assert (hit["issuer"], hit["year"]) == (meta["issuer"], meta["year"])
        assert report["paragraphs"][hit["paragraph"]]["label"] == hit["label"]
    texts = conn.execute("SELECT text FROM paragraphs").fetchall()
    assert result["total"] == sum(word in row[0] for row in texts)


def test_search_phrase_and_limit(conn: sqlite3.Connection) -> None:
    texts = [row[0] for row in conn.execute("SELECT text FROM paragraphs")]
    phrase = search(conn, "行政复议", limit=200)
    assert phrase["total"] == sum("行政复议" in t for t in texts) > 0
    assert phrase["total"] <= search(conn, "复议")["total"]
    assert len(search(conn, "复议", limit=1)["hits"]) == 1
    both = search(conn, "复议 调解", limit=200)
    assert both["total"] == sum("复议" in t and "调解" in t for t in texts)


def test_search_filters(conn: sqlite3.Connection) -> None:
    everything = search(conn, "复议", limit=200)["hits"]
    labelled = search(conn, "复议", label="achievements", limit=200)
    assert labelled["hits"] and all(h["label"] == "achievements" for h in labelled["hits"])
    assert labelled["total"] == sum(h["label"] == "achievements" for h in everything)
    by_issuer = search(conn, "复议", issuer="硚口区", limit=200)["hits"]
    issuers = {get_report(conn, h["report_id"])["audit"]["metadata"]["issuer"] for h in by_issuer}
    assert issuers == {"硚口区人民政府"}
    by_year = search(conn, "复议", year=2024, limit=200)["hits"]
    assert by_year and all(
        get_report(conn, h["report_id"])["audit"]["metadata"]["year"] == 2024 for h in by_year
    )
    assert search(conn, "复议", level="province")["total"] == 0


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_never_raise(conn: sqlite3.Connection, query: str) -> None:
    result = search(conn, query)
    assert set(result) == {"total", "ranked", "hits"} and isinstance(result["total"], int)


@pytest.mark.parametrize("query", ["", "   ", '"', "*", "()", "，。！", "<>&"])
def test_queries_without_words_find_nothing(conn: sqlite3.Connection, query: str) -> None:
    assert match_expression(query) is None
    assert search(conn, query) == {"total": 0, "ranked": 0, "hits": []}


@pytest.mark.parametrize(
    ("query", "expression"),
    [
        ("复议", '"复议"'),
        ("行政复议", '"行政 政复 复议"'),
        ("法", '"法"*'),
        ('AND "复议" OR', '"and" "复议" "or"'),
        ("ＡＢＣ１２", '"abc12"'),
        ("NEAR(复议,调解)", '"near" "复议" "调解"'),
    ],
)
def test_match_expression(query: str, expression: str) -> None:
    assert match_expression(query) == "{tokens} : (" + expression + ")"


def test_match_expression_with_filters() -> None:
    expression = match_expression("复议", label="plans", year=2024, level="county", issuer="硚口区")
    words, wanted, issuer = expression.split(" AND ")
    assert words == '{tokens} : ("复议")'
    assert (
        wanted
        == "{facets} : ("
        + " ".join(f'"{t}"' for t in facets("plans", 2024, "county").split())
        + ")"
    )
    assert issuer == '{issuer_tokens} : ("i硚口 i口区")'
    # Filter values never reach MATCH as written; an issuer of punctuation filters nothing.
    hostile = match_expression("复议", label='x" OR "', level="*", issuer="（）")
    assert hostile.count('"') % 2 == 0 and "OR" not in hostile and "issuer_tokens" not in hostile


def test_fts_tokens() -> None:
    assert fts_tokens("开展行政复议、ABC12 法") == "开展 展行 行政 政复 复议 议 法 abc12"
    assert fts_tokens("甲乙，乙丙") == "甲乙 乙 乙丙 丙"  # no phrase "甲乙 乙丙" across the comma
    assert fts_tokens("硚口区", "i") == "i硚口 i口区 i区"
    assert fts_tokens("") == fts_tokens(None) == ""
    assert facets("plans", None, "") == facets("plans", None, None) != facets("plan", None, None)
    assert len(facets("plans", 2024, "county").split()) == 3


def test_one_character_finds_the_end_of_a_run(own_dir: Path, records: list[dict]) -> None:
    build(own_dir)
    text = "学习宪法"  # 法 ends the run: no bigram starts with it
    record = {**records[0], "source": "one.txt", "text": text}
    record["paragraphs"] = [{"start": 0, "end": len(text), "label": "other"}]
    with open_store(own_dir) as conn:
        update(conn, [record])
        hits = search(conn, "法", limit=200)["hits"]
    assert "one.txt" in {h["source"] for h in hits}


def test_letters_are_found_in_any_case_and_width(own_dir: Path, records: list[dict]) -> None:
    build(own_dir)
    text = "上线OA系统与12345热线"
    record = {**records[0], "source": "oa.txt", "text": text}
    record["paragraphs"] = [{"start": 0, "end": len(text), "label": "achievements"}]
    with open_store(own_dir) as conn:
        update(conn, [record])
        for query in ("oa", "OA", "ＯＡ", "12345", "oa 热线"):
            sources = {h["source"] for h in search(conn, query, limit=200)["hits"]}
            assert "oa.txt" in sources, query


def test_search_ranks_the_last_matches(
    conn: sqlite3.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    everything = search(conn, "复议", limit=200)
    assert everything["ranked"] == everything["total"] > 3
    monkeypatch.setattr(archive, "RANK_POOL", 3)
    pooled = search(conn, "复议", limit=200)
    assert (pooled["total"], pooled["ranked"], len(pooled["hits"])) == (everything["total"], 3, 3)
    last = conn.execute(
        "SELECT report_id, idx FROM paragraphs WHERE id IN "
        "(SELECT rowid FROM paragraph_fts WHERE paragraph_fts MATCH ?) ORDER BY id DESC LIMIT 3",
        (match_expression("复议"),),
    ).fetchall()
    assert {(h["report_id"], h["paragraph"]) for h in pooled["hits"]} == {tuple(r) for r in last}


def test_snippet_marks_and_escapes() -> None:
    text = "<b>前言</b>" + "甲" * 100 + "开展行政复议&调解" + "乙" * 100
    result = snippet(text, "复议")
    assert "<mark>复议</mark>" in result
    assert "&amp;调解" in result and "<b>" not in result
    assert result.startswith("…") and result.endswith("…")
    assert snippet("<i>复议</i>", "复议") == "&lt;i&gt;<mark>复议</mark>&lt;/i&gt;"


def test_parts_are_the_audits() -> None:
    from model.labels import REQUIRED

    assert archive.REQUIRED == REQUIRED


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
    with pytest.raises(archive.StoreError, match="schema version 1"):
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

    monkeypatch.setattr(archive, "MIGRATIONS", [*MIGRATIONS[:2], broken])
    with pytest.raises(RuntimeError, match="half way"):
        open_store(path)
    with sqlite3.connect(path) as check:
        assert check.execute("PRAGMA user_version").fetchone()[0] == 2
        assert check.execute("SELECT count(*) FROM paragraph_fts").fetchone()[0] == 0


def test_upgrade_migrates_an_older_store_once(tmp_path: Path) -> None:
    path = version_2_store(tmp_path)
    assert archive.upgrade(tmp_path) == 2
    assert archive.upgrade(tmp_path) == SCHEMA_VERSION  # already current: nothing to do
    with open_store(path, readonly=True) as conn:
        assert search(conn, "复议")["total"] == 1
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(archive.StoreError, match="this code reads"):
        archive.upgrade(tmp_path)
    with pytest.raises(archive.StoreError, match="no archive in"):
        archive.upgrade(tmp_path / "elsewhere")


def test_newer_store_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "archive.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(archive.StoreError, match="this code reads"):
        open_store(path)


def test_reader_reads_while_a_writer_writes(own_dir: Path, records: list[dict]) -> None:
    build(own_dir)
    writer = open_store(own_dir)
    reader = open_store(own_dir, readonly=True)
    total = list_reports(reader)["total"]
    writer.execute("BEGIN IMMEDIATE")
    for n, record in enumerate(records * 3):
        archive._write_record(writer, {**record, "source": f"new/{n}"})
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


# -- stats -------------------------------------------------------------------------------------


def test_stats_without_compare(own_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "model.compare", None)  # importing it raises ImportError
    assert build(own_dir)["compare"] is False
    with open_store(own_dir, readonly=True) as conn:
        result = archive.stats(conn)
        assert conn.execute("SELECT count(*) FROM stats").fetchone()[0] == 0
    assert result["compare"] is False
    rates = result["rates"]
    assert rates["reports"] == len(SEED_FILES)
    for shares in rates["contents"].values():
        assert sum(shares.values()) == pytest.approx(1, abs=1e-3)


def test_stats_stores_the_comparison(own_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[list[dict]] = []

    def compare(reports: list[dict]) -> dict:
        seen.append(reports)
        return {"clusters": [[r["id"] for r in reports]], "recurring": [], "shared": []}

    monkeypatch.setitem(sys.modules, "model.compare", types.SimpleNamespace(compare=compare))
    assert build(own_dir)["compare"] is True
    (reports,) = seen
    assert len(reports) == len(SEED_FILES)
    assert set(reports[0]) == {"id", "issuer", "issuer_kind", "level", "year", "timeliness"} | {
        "contents",
        "problems",
        "paragraphs",
    }
    assert {"index", "text", "label"} == set(reports[0]["paragraphs"][0])
    with open_store(own_dir) as conn:
        result = archive.stats(conn)
        assert result["compare"] is True
        assert result["clusters"] == [[r["id"] for r in reports]]
        assert result["rates"]["reports"] == len(SEED_FILES)
        update(conn, [])
        assert archive.stats(conn)["compare"] is True
        update(conn, [load_journal(own_dir / "results.jsonl")[0]])
        assert archive.stats(conn)["compare"] is False  # stale comparisons are dropped


def test_stats_from_the_real_compare(conn: sqlite3.Connection) -> None:
    if not _has_compare():
        pytest.skip("model.compare is not there yet")
    result = archive.stats(conn)
    assert result["compare"] is True
    assert {"clusters", "recurring", "shared", "rates"} <= set(result)


# -- export and CLI ----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_export_round_trip(own_dir: Path, fmt: str) -> None:
    counts = build(own_dir)
    paths = archive.export(own_dir, fmt)
    names = [f"{t}.{fmt}" for t in archive.EXPORT_TABLES]
    assert [p.name for p in paths] == names + ["comparison.json"] * _has_compare()
    if _has_compare():
        with open_store(own_dir, readonly=True) as conn:
            stored = conn.execute("SELECT value FROM stats WHERE key = 'compare'").fetchone()[0]
        assert json.loads(paths[-1].read_text("utf-8")) == json.loads(stored)
        assert {"clusters", "recurring", "shared"} <= set(json.loads(stored))
    for table, path in zip(archive.EXPORT_TABLES, paths, strict=False):
        assert path.parent == own_dir / "export"
        if fmt == "parquet":
            data = pq.read_table(path)
            columns, rows = data.column_names, data.num_rows
        else:
            with path.open(encoding="utf-8", newline="") as stream:
                columns, *body = list(csv.reader(stream))
            rows = len(body)
        assert rows == counts[table]
        assert not set(columns) & {"record", *archive.FTS_COLUMNS}
        if table == "reports":
            assert {"source", "issuer", "year", "leadership", "problems"} <= set(columns)


def test_export_rejects_an_unknown_format(own_dir: Path) -> None:
    build(own_dir)
    with pytest.raises(ValueError, match="unknown export format"):
        archive.export(own_dir, "xlsx")


def test_cli_archive_build(own_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["archive", "build", str(own_dir)]) == 0
    out, err = capsys.readouterr()
    assert f"{len(SEED_FILES)} ok, 1 errors" in out and " s -> " in out
    n = len(SEED_FILES) + 1
    assert "archive: indexing, comparing: 100%" in err and f"{n}/{n}" in err  # the progress bar
    assert (own_dir / "archive.sqlite").exists()


def test_cli_archive_build_without_journal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["archive", "build", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("fzreport: ") and "no results.jsonl" in err
    assert err.count("\n") == 1


def test_cli_export_builds_first(own_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert not (own_dir / "archive.sqlite").exists()
    assert main(["export", str(own_dir), "--format", "csv"]) == 0
    listed = capsys.readouterr().out.split()
    names = [f"{t}.csv" for t in archive.EXPORT_TABLES] + ["comparison.json"] * _has_compare()
    assert listed == [str(own_dir / "export" / name) for name in names]
    assert (own_dir / "archive.sqlite").exists()
    assert main(["export", str(own_dir)]) == 0
    assert capsys.readouterr().out.split()[0].endswith("reports.parquet")
    assert main(["export", str(own_dir), "--format", "xml"]) == 2


def test_stats_cuts_long_lists_and_gives_totals(
    own_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    n = archive.STATS_TOP + 25

    def compare(reports: list[dict]) -> dict:
        pairs = [{"issuer": "某局", "similarity": 0.5, "items": [k]} for k in range(n)]
        members = [{"report_id": k, "index": 0} for k in range(n)]
        cluster = {"name": "问题", "count": n, "members": members}
        return {"clusters": [cluster], "recurring": pairs, "shared": [], "rates": {}}

    monkeypatch.setitem(sys.modules, "model.compare", types.SimpleNamespace(compare=compare))
    build(own_dir)
    with open_store(own_dir, readonly=True) as conn:
        result = archive.stats(conn)
        full = json.loads(
            conn.execute("SELECT value FROM stats WHERE key = 'compare'").fetchone()[0]
        )
    assert len(result["recurring"]) == archive.STATS_TOP
    assert result["recurring"][0]["items"] == [0]  # the first entries, in order
    assert result["totals"] == {"clusters": 1, "recurring": n, "shared": 0}
    assert len(full["recurring"]) == n  # the whole list stays in the store
    (cluster,) = result["clusters"]  # its members cut too, with how many there are
    assert cluster["members"] == full["clusters"][0]["members"][: archive.MEMBERS_TOP]
    assert (cluster["count"], cluster["members_total"]) == (n, n)
