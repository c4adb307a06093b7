"""The archive over HTTP: the reports table, one report, search, the comparisons, and errors."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from service.app import create_app


def test_reports_table(archive_client: FlaskClient) -> None:
    body = archive_client.get("/v1/archive/reports").get_json()
    assert body["total"] == 6  # five seeds and the broken file
    row = next(r for r in body["reports"] if r["source"].endswith("003_5c5bdc2152d9c680.txt"))
    assert row["year"] == 2024
    assert row["timeliness"] == "on_time"
    assert row["contents"]["leadership"] == "missing"
    assert row["problems"] == 4


def test_reports_filters_sort_and_pages(archive_client: FlaskClient) -> None:
    missing = archive_client.get("/v1/archive/reports?part_missing=leadership").get_json()
    assert missing["total"] >= 1
    assert all(r["contents"]["leadership"] == "missing" for r in missing["reports"])
    by_year = archive_client.get("/v1/archive/reports?year=2024").get_json()
    assert by_year["total"] >= 1 and all(r["year"] == 2024 for r in by_year["reports"])
    paged = archive_client.get("/v1/archive/reports?per_page=2&page=2&sort=-id").get_json()
    assert paged["total"] == 6
    assert [r["id"] for r in paged["reports"]] == [4, 3]


@pytest.mark.parametrize(
    "query",
    ["page=0", "per_page=201", "year=abc", "sort=secret", "sort=id;drop", "part_missing=other"],
)
def test_reports_bad_parameters(archive_client: FlaskClient, query: str) -> None:
    response = archive_client.get(f"/v1/archive/reports?{query}")
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "invalid_parameter"


def test_one_report_has_its_analysis_and_audit(archive_client: FlaskClient) -> None:
    table = archive_client.get("/v1/archive/reports?sort=id").get_json()["reports"]
    first = archive_client.get(f"/v1/archive/reports/{table[0]['id']}").get_json()
    assert first["id"] == table[0]["id"]
    assert first["sentences"] and first["audit"]["contents"]
    missing = archive_client.get("/v1/archive/reports/99999")
    assert missing.status_code == 404
    assert missing.get_json()["error"]["code"] == "not_found"


def test_search_two_character_words(archive_client: FlaskClient) -> None:
    body = archive_client.get("/v1/archive/search?q=复议&limit=5").get_json()
    assert body["total"] >= 2
    assert 0 < len(body["hits"]) <= 5
    assert all("<mark>复议</mark>" in hit["snippet"] for hit in body["hits"])
    plans = archive_client.get("/v1/archive/search?q=复议&label=plans").get_json()
    assert plans["hits"] and all(hit["label"] == "plans" for hit in plans["hits"])


@pytest.mark.parametrize("q", ['"', "NEAR(", "*", "AND OR", "复议\"'("])
def test_search_hostile_queries(archive_client: FlaskClient, q: str) -> None:
    response = archive_client.get("/v1/archive/search", query_string={"q": q})
    assert response.status_code == 200
    assert isinstance(response.get_json()["hits"], list)


@pytest.mark.parametrize(
    ("q", "code"), [("", "empty_query"), ("   ", "empty_query"), ("复" * 201, "query_too_long")]
)
def test_search_bad_queries(archive_client: FlaskClient, q: str, code: str) -> None:
    response = archive_client.get("/v1/archive/search", query_string={"q": q})
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == code


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", "1000001"])
def test_search_bad_pages(archive_client: FlaskClient, page: str) -> None:
    response = archive_client.get("/v1/archive/search", query_string={"q": "复议", "page": page})
    assert response.status_code == 422
    assert "page" in response.get_json()["error"]["message"]


def test_search_pages_go_on_where_the_last_stopped(archive_client: FlaskClient) -> None:
    def hits(**args: object) -> dict:
        return archive_client.get("/v1/archive/search", query_string={"q": "法", **args}).get_json()

    whole = hits(limit=20)
    assert whole["ranked"] == whole["total"] > 20
    first, second = hits(limit=10, page=1), hits(limit=10, page=2)
    assert first["hits"] + second["hits"] == whole["hits"]
    beyond = hits(limit=10, page=1000)
    assert beyond["hits"] == [] and beyond["total"] == whole["total"]


def test_stats(archive_client: FlaskClient) -> None:
    body = archive_client.get("/v1/archive/stats").get_json()
    assert body["rates"]["all"]["reports"] == 5
    assert {"clusters", "recurring", "shared"} <= set(body)


@pytest.mark.parametrize(
    "path",
    [
        "/v1/archive/reports",
        "/v1/archive/reports/1",
        "/v1/archive/search?q=复议",
        "/v1/archive/stats",
    ],
)
def test_without_an_archive_every_route_is_404(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "no_archive"


# -- the web pages ------------------------------------------------------------------------------

_OUTSIDE = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.I)


def _html(client: FlaskClient, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/html"
    text = response.get_data(as_text=True)
    assert not _OUTSIDE.search(text), "a page must not load anything from elsewhere"
    return text


def test_reports_page_has_the_table_filters_and_search(archive_client: FlaskClient) -> None:
    page = _html(archive_client, "/archive")
    assert '<table id="reports"' in page
    for column in ("来源", "报告单位", "层级", "年度", "发布日期", "时效", "四个必备部分"):
        assert f">{column}<" in page
    assert "问题数" in page and "数据数" in page
    for control in ("f-issuer", "f-year", "f-level", "f-timeliness", "f-part", "search-q"):
        assert f'id="{control}"' in page
    assert "archive.js" in page and "archive.css" in page


def test_search_page_has_its_filters(archive_client: FlaskClient) -> None:
    page = _html(archive_client, "/archive/search?q=复议")
    assert 'id="hits"' in page
    assert 'value="复议"' in page
    for control in ("s-label", "s-issuer", "s-year", "s-level"):
        assert f'id="{control}"' in page
    assert "请在上方输入" in _html(archive_client, "/archive/search")


def test_report_page_has_metadata_audit_and_paragraphs(archive_client: FlaskClient) -> None:
    table = archive_client.get("/v1/archive/reports?sort=id").get_json()["reports"]
    row = next(r for r in table if r["source"].endswith("003_5c5bdc2152d9c680.txt"))
    record = archive_client.get(f"/v1/archive/reports/{row['id']}").get_json()
    page = _html(archive_client, f"/archive/reports/{row['id']}")
    assert "硚口区人民政府" in page
    assert 'id="audit"' in page
    assert 'data-part="leadership" data-status="missing"' in page
    assert page.count('class="audit-problem"') == 4
    assert "加强抽象行政行为监管" in page
    text = record["text"]
    for i, p in enumerate(record["paragraphs"]):
        assert f'id="p-{i}"' in page
        body = text[p["start"] : p["end"]]
        assert html.escape(body, quote=False) in page


def test_report_page_of_a_failed_file(archive_client: FlaskClient) -> None:
    table = archive_client.get("/v1/archive/reports?sort=id").get_json()["reports"]
    broken = next(r for r in table if r["status"] != "ok")
    assert "处理失败" in _html(archive_client, f"/archive/reports/{broken['id']}")


@pytest.mark.parametrize("report_id", ["99999", str(2**63)])
def test_report_page_of_a_missing_id_is_404(archive_client: FlaskClient, report_id: str) -> None:
    page = _html(archive_client, f"/archive/reports/{report_id}", status=404)
    assert "没有编号为" in page


def test_dashboard_has_inline_svg_charts_and_tables(archive_client: FlaskClient) -> None:
    page = _html(archive_client, "/archive/dashboard")
    assert page.count("<svg") >= 2
    assert 'data-chart="compliance"' in page and 'data-chart="timeliness"' in page
    assert "style=" not in page and "<style" not in page  # the page policy forbids inline style
    assert "<text" in page  # svg.fonttype none: labels are text the browser draws
    assert "县级" in page  # a level of the seeds, in Chinese on the chart
    for table in ("共性问题", "连年出现的问题", "雷同段落"):
        assert table in page


def test_dashboard_of_an_empty_archive(
    bundle_path: Path, tmp_path: Path, archive_dir: Path
) -> None:
    from service.archive.write import build

    (tmp_path / "results.jsonl").write_text("", encoding="utf-8")
    build(tmp_path)
    app = create_app(
        {"TESTING": True, "MODEL_PATH": str(bundle_path), "ARCHIVE_DIR": str(tmp_path)}
    )
    client = app.test_client()
    page = _html(client, "/archive/dashboard")
    assert "暂无数据" in page
    assert "<svg" not in page
    assert _html(client, "/archive").count("<tbody>") == 1


def test_dashboard_lists_the_bodies_that_repeat_problems(
    bundle_path: Path, tmp_path: Path, archive_dir: Path
) -> None:
    from service.archive.write import build
    from service.journal import load_journal

    records = [
        r
        for r in load_journal(archive_dir / "results.jsonl")
        if r["status"] == "ok" and r["audit"]["problems"]
    ]
    first = records[0]
    meta = first["audit"]["metadata"]
    lines = []
    for year in (2022, 2023):  # one body's report, and the same problems again a year later
        audit = {**first["audit"], "metadata": {**meta, "issuer": "某市司法局", "year": year}}
        lines.append(json.dumps({**first, "source": f"{year}.txt", "audit": audit}))
    (tmp_path / "results.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    build(tmp_path)
    app = create_app(
        {"TESTING": True, "MODEL_PATH": str(bundle_path), "ARCHIVE_DIR": str(tmp_path)}
    )
    client = app.test_client()
    page = _html(client, "/archive/dashboard")
    table = page[page.index('<table id="recurring"') :]
    table = table[: table.index("</table>")]
    rows = re.findall(r"<tr><td>(.*?)</td>", table)
    assert rows == ["某市司法局"]
    problems = len(first["audit"]["problems"])
    assert f'<td class="num">{problems}</td><td>2022、2023</td>' in table  # all came back
    assert "1 个单位" in page
    ids = {r["source"]: r["id"] for r in client.get("/v1/archive/reports").get_json()["reports"]}
    for year in (2022, 2023):  # each example links an item of each year to its report
        assert table.count(f'href="/archive/reports/{ids[f"{year}.txt"]}">{year}：') >= 1
    titles = {p["title"] for p in first["audit"]["problems"]}
    assert table.count("<br>") + 1 == min(3, len(titles))  # one example per problem, at most 3


def test_charts_without_data_are_none() -> None:
    from service.archive_api import dashboard_charts

    assert dashboard_charts({}, []) == {"compliance": None, "timeliness": None, "delay": None}
    delay = dashboard_charts({}, [("2025-04-03", "2025-03-31"), (None, "2025-03-31")])["delay"]
    assert delay is not None and delay.startswith("<svg")


def test_delay_weeks_end_on_the_deadline_day() -> None:
    from service.archive_api import delay_weeks

    deadline = "2025-04-01"
    days = ["2025-04-01", "2025-03-26", "2025-03-25", "2025-04-02", "2025-04-08", "2025-04-09"]
    weeks = delay_weeks([(day, deadline) for day in days] + [("不明", deadline), (None, None)])
    # 0 and -6 days: week 0 (on time); -7: week -1; 1 and 7 days late: week 1; 8: week 2.
    assert weeks == {0: 2, -1: 1, 1: 2, 2: 1}


def test_single_report_page_links_to_the_archive(
    archive_client: FlaskClient, client: FlaskClient
) -> None:
    assert "报告库" in _html(archive_client, "/")
    assert "报告库" not in _html(client, "/")


@pytest.mark.parametrize(
    "path", ["/archive", "/archive/search?q=复议", "/archive/reports/1", "/archive/dashboard"]
)
def test_without_an_archive_every_page_is_404(client: FlaskClient, path: str) -> None:
    page = _html(client, path, status=404)
    assert "没有提供报告库" in page
    assert "fzreport serve --archive" in page


def test_recurring_bodies_of_a_store_built_before_they_were_kept() -> None:
    from model.compare import recurring_by_issuer
    from service.archive_api import _recurring_issuers

    item = {"report_id": 1, "index": 0, "year": 2022, "title": "执法不规范"}
    pairs = [{"issuer": "某局", "similarity": 0.9, "items": [item, {**item, "year": 2023}]}]
    assert _recurring_issuers({"recurring": pairs}) == (recurring_by_issuer(pairs), 1)
    kept = {"recurring_issuers": [{"issuer": "某局"}], "totals": {"recurring_issuers": 7}}
    assert _recurring_issuers(kept) == ([{"issuer": "某局"}], 7)


def test_a_store_of_another_version_is_503_not_500(bundle_path: Path, tmp_path: Path) -> None:
    import sqlite3

    from service.archive.store import SCHEMA_VERSION

    with sqlite3.connect(tmp_path / "archive.sqlite") as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    app = create_app(
        {"TESTING": True, "MODEL_PATH": str(bundle_path), "ARCHIVE_DIR": str(tmp_path)}
    )
    client = app.test_client()
    response = client.get("/v1/archive/reports")
    assert response.status_code == 503
    error = response.get_json()["error"]
    assert error["code"] == "archive_unavailable" and "archive build" in error["message"]
    for path in ("/archive", "/archive/dashboard", "/archive/reports/1"):
        page = client.get(path)
        assert page.status_code == 503 and "报告库无法读取" in page.get_data(as_text=True)
