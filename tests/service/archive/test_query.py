"""Listing, reading, searching and the statistics of the archive (service/archive/query.py)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from model import labels
from model.compare import Changes, Compared, Comparison, rates
from service.archive import query
from service.archive.query import get_report, list_reports, search, snippet
from service.archive.store import open_store
from service.archive.tokens import facets, fts_tokens, match_expression
from service.archive.write import build, update
from service.journal import load_journal
from tests.service.archive.conftest import HOSTILE, SEED_FILES, has_compare, ids

# -- listing -----------------------------------------------------------------------------------


def test_list_all_and_fields(conn: sqlite3.Connection) -> None:
    result = list_reports(conn)
    assert result["total"] == len(SEED_FILES) + 1
    first = result["reports"][0]
    assert set(first) >= {"id", "source", "issuer", "level", "year", "published", "timeliness"}
    assert set(first["contents"]) == {"achievements", "shortcomings", "leadership", "plans"}
    assert isinstance(first["problems"], int) and isinstance(first["figures"], int)
    assert ids(result) == sorted(ids(result))


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
    assert sum((ids(p) for p in pages), []) == ids(list_reports(conn))


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
        assert len(hit["snippet"]) <= query.SNIPPET_CHARS + len("<mark></mark>") + 2
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
    assert set(result) == {"total", "total_exact", "ranked", "hits"}
    assert isinstance(result["total"], int) and result["total_exact"] is True


@pytest.mark.parametrize("query", ["", "   ", '"', "*", "()", "，。！", "<>&"])
def test_queries_without_words_find_nothing(conn: sqlite3.Connection, query: str) -> None:
    assert match_expression(query) is None
    assert search(conn, query) == {"total": 0, "total_exact": True, "ranked": 0, "hits": []}


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
    monkeypatch.setattr(query, "RANK_POOL", 3)
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

    assert labels.REQUIRED == REQUIRED


# -- stats -------------------------------------------------------------------------------------


def test_stats_when_the_comparison_fails(own_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def finish(self: Comparison, live: object = None, text_of: object = None) -> dict:
        raise MemoryError("no room for the passages")

    monkeypatch.setattr(Comparison, "finish", finish)  # the comparison process is forked
    counts = build(own_dir)
    assert counts["compare"] is False
    assert counts["compare_status"] == {
        "state": "failed",
        "reason": "MemoryError: no room for the passages",
    }
    with open_store(own_dir, readonly=True) as conn:
        result = query.stats(conn)
        assert conn.execute("SELECT count(*) FROM comparison").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM reports").fetchone()[0] == len(SEED_FILES) + 1
    assert result["compare"] is False
    assert result["compare_status"]["state"] == "failed"
    rates = result["rates"]  # the store is served, with its rates from the rows
    assert rates["reports"] == len(SEED_FILES)
    for shares in rates["contents"].values():
        assert sum(shares.values()) == pytest.approx(1, abs=1e-3)


def test_stats_stores_the_comparison(own_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def finish(self: Comparison, live: object = None, text_of: object = None) -> Compared:
        self.passages.finish()  # for its state
        ids = sorted(row["id"] for row in self.summaries)
        assert set(self.summaries[0]) == {"id", "issuer_kind", "level", "year", "timeliness"} | {
            "contents"
        }
        return Compared(Changes([("0", "a", ids)], set(), [], set()), [], rates(self.summaries))

    monkeypatch.setattr(Comparison, "finish", finish)
    assert build(own_dir)["compare"] is True
    with open_store(own_dir) as conn:
        ok = [row[0] for row in conn.execute("SELECT id FROM reports WHERE status = 'ok'")]
        result = query.stats(conn)
        assert result["compare"] is True
        assert result["compare_status"]["state"] == "ok"
        assert result["clusters"] == [sorted(ok)]  # every ok report, and only those
        assert result["rates"]["all"]["reports"] + result["rates"]["non_reports"] == len(SEED_FILES)
        update(conn, [])
        assert query.stats(conn)["compare_status"]["state"] == "ok"
        update(conn, [load_journal(own_dir / "results.jsonl")[0]])
        stale = query.stats(conn)  # kept, and said to be stale, until the next build
        assert stale["compare"] is True and stale["clusters"] == [sorted(ok)]
        assert stale["compare_status"]["state"] == "stale"
        assert "archive build" in stale["compare_status"]["reason"]


def test_stats_from_the_real_compare(conn: sqlite3.Connection) -> None:
    if not has_compare():
        pytest.skip("model.compare is not there yet")
    result = query.stats(conn)
    assert result["compare"] is True
    assert {"clusters", "recurring", "shared", "rates"} <= set(result)


def test_search_counts_up_to_a_cap(
    conn: sqlite3.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    everything = search(conn, "法", limit=5)
    assert everything["total_exact"] is True and everything["total"] > 3
    monkeypatch.setattr(query, "COUNT_CAP", 3)  # as 10,000 is to a pool of 2,000
    monkeypatch.setattr(query, "RANK_POOL", 2)
    capped = search(conn, "法", limit=5)  # more than three: said so, not counted
    assert (capped["total"], capped["total_exact"], capped["ranked"]) == (3, False, 2)
    assert len(capped["hits"]) == 2


def test_one_character_queries_read_the_prefix_index(conn: sqlite3.Connection) -> None:
    sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'paragraph_fts'").fetchone()[0]
    assert "prefix='1'" in sql
    texts = [row[0] for row in conn.execute("SELECT text FROM paragraphs")]
    assert search(conn, "复")["total"] == sum("复" in t for t in texts)
