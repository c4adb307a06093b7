"""Building and updating the archive from a batch journal (service/archive/write.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.archive import store, write
from service.archive.query import search
from service.archive.store import open_store
from service.archive.write import build, update
from service.journal import load_journal
from tests.service.archive.conftest import SEED_FILES, has_compare

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
    assert counts["compare"] is has_compare()
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


def test_build_numbers_reports_in_journal_order(built: tuple[Path, dict]) -> None:
    folder = built[0]
    landed = [r["source"] for r in load_journal(folder / "results.jsonl")]
    with open_store(folder, readonly=True) as conn:
        stored = [row[0] for row in conn.execute("SELECT source FROM reports ORDER BY id")]
    assert stored == landed


def test_a_later_record_of_a_source_replaces_it_and_takes_the_next_id(own_dir: Path) -> None:
    journal = own_dir / "results.jsonl"
    first = journal.read_text("utf-8").splitlines(keepends=True)[0]
    with journal.open("a", encoding="utf-8") as out:
        out.write(first)  # the same source again, as a re-run of the batch would append
    build(own_dir)
    with open_store(own_dir, readonly=True) as conn:
        rows = conn.execute("SELECT id, source FROM reports ORDER BY id").fetchall()
    assert len({source for _, source in rows}) == len(rows)
    assert rows[-1][1] == json.loads(first)["source"]


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
    assert reason in write.malformed(record)


def test_well_formed_records_pass(records: list[dict]) -> None:
    assert [write.malformed(r) for r in records] == [None] * len(records)
    assert write.malformed({"source": "bare.txt"}) is None  # an error record has no more


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
    with pytest.raises(store.StoreError, match="no results.jsonl"):
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
