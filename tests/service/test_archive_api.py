"""The archive over HTTP: the reports table, one report, search, the comparisons, and errors."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient


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
