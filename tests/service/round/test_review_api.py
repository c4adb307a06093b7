"""Corrections through the API: the token, concurrent writes, surviving a rebuild; the round's
JSON, workbook and page."""

from __future__ import annotations

import json
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from service.app import create_app
from service.archive import corrections

TOKEN = "review-secret-42"


def client_for(folder: Path, bundle_path: Path, token: str | None = TOKEN) -> FlaskClient:
    config = {"TESTING": True, "MODEL_PATH": str(bundle_path), "ARCHIVE_DIR": str(folder)}
    if token:
        config["REVIEW_TOKEN"] = token
    return create_app(config).test_client()


def stray_source(client: FlaskClient) -> str:
    reports = client.get("/v1/round").get_json()["reports"]
    return next(r["source"] for r in reports if r["source"].endswith("附件1.txt"))


def post(client: FlaskClient, body: object, token: str | None = TOKEN) -> object:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return client.post("/v1/corrections", json=body, headers=headers)


def test_round_json(round_dir: Path, bundle_path: Path) -> None:
    data = client_for(round_dir, bundle_path).get("/v1/round").get_json()
    assert data["counts"]["missing"] == 2 and len(data["bodies"]) == 5
    assert {r["match"] for r in data["reports"]} == {"matched", "duplicate", "unlisted"}


@pytest.mark.parametrize(
    ("configured", "sent", "status", "code"),
    [
        (None, TOKEN, 403, "read_only"),
        (TOKEN, None, 401, "no_token"),
        (TOKEN, "wrong", 403, "bad_token"),
        (TOKEN, "", 401, "no_token"),
    ],
)
def test_writes_need_the_token(round_copy, bundle_path, configured, sent, status, code) -> None:
    client = client_for(round_copy, bundle_path, configured)
    source = stray_source(client)
    answer = post(client, {"source": source, "field": "year", "value": 2024}, sent)
    assert answer.status_code == status and answer.get_json()["error"]["code"] == code
    assert corrections.read(round_copy) == []  # nothing changed


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"field": "year", "value": 2024}, 400),
        ({"field": "year", "value": "2024"}, 400),
        ({"field": "colour", "value": "red"}, 400),
        ({"field": "parts.plans", "value": "great"}, 400),
        ({"field": "problems.1.plans", "value": [1, "2"]}, 400),
        ({"field": "body", "value": "某某市教育局"}, 400),  # not on the roster
        ({"field": "note", "value": 1, "note": "x" * 5000}, 400),
    ],
)
def test_bad_corrections_are_refused(round_copy, bundle_path, body, status) -> None:
    client = client_for(round_copy, bundle_path)
    if body.get("field") != "year" or "value" in body and body["value"] != 2024:
        body = {"source": stray_source(client), **body}
    answer = post(client, body)
    assert answer.status_code == status, answer.get_json()
    assert corrections.read(round_copy) == []


def test_malformed_json_and_unknown_report(round_copy: Path, bundle_path: Path) -> None:
    client = client_for(round_copy, bundle_path)
    answer = client.post(
        "/v1/corrections",
        data=b"{not json",
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
    )
    assert answer.status_code == 400
    answer = post(client, {"source": "nowhere.txt", "field": "year", "value": 2024})
    assert answer.status_code == 404


def test_a_correction_is_kept_apart_and_shown_marked(round_copy, bundle_path) -> None:
    client = client_for(round_copy, bundle_path)
    source = stray_source(client)
    answer = post(
        client,
        {"source": source, "field": "body", "value": "武汉市硚口区司法局", "note": "核对原件"},
    )
    assert answer.status_code == 201 and answer.get_json()["id"] == 1
    line = json.loads((round_copy / corrections.CORRECTIONS_FILE).read_text(encoding="utf-8"))
    assert line["value"] == "武汉市硚口区司法局" and line["note"] == "核对原件"
    with sqlite3.connect(round_copy / "archive.sqlite") as conn:
        assert conn.execute("SELECT count(*) FROM corrections").fetchone()[0] == 1
    data = client.get("/v1/round").get_json()
    report = next(r for r in data["reports"] if r["source"] == source)
    assert report["body"] == "武汉市硚口区司法局" and "body" in report["corrected"]
    listed = client.get("/v1/corrections", query_string={"source": source}).get_json()
    assert listed["effective"][source]["body"]["value"] == "武汉市硚口区司法局"


def test_concurrent_writes_are_all_kept(round_copy: Path, bundle_path: Path) -> None:
    app = client_for(round_copy, bundle_path).application
    source = stray_source(app.test_client())

    def write(k: int) -> int:
        body = {"source": source, "field": "year", "value": 2000 + k % 25, "note": f"n{k}"}
        return post(app.test_client(), body).status_code

    # One write first, so that the threads find every module imported (compiling in several
    # threads at once trips a CPython 3.11 bug that has nothing to do with the writes).
    assert write(0) == 201
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(write, range(1, 64)))
    assert statuses == [201] * 63
    items = corrections.read(round_copy)
    assert sorted(int(c["note"][1:]) for c in items) == list(range(64))
    with sqlite3.connect(round_copy / "archive.sqlite") as conn:
        ids = [row[0] for row in conn.execute("SELECT id FROM corrections ORDER BY id")]
    assert ids == list(range(1, 65))


def test_corrections_survive_a_rebuild(round_copy: Path, bundle_path: Path) -> None:
    from service.cli import main

    client = client_for(round_copy, bundle_path)
    source = stray_source(client)
    assert post(client, {"source": source, "field": "year", "value": 2023}).status_code == 201
    assert main(["archive", "build", str(round_copy), "--full"]) == 0
    with sqlite3.connect(round_copy / "archive.sqlite") as conn:
        assert conn.execute("SELECT field, value FROM corrections").fetchall() == [("year", "2023")]
    report = next(r for r in client.get("/v1/round").get_json()["reports"] if r["source"] == source)
    assert report["year"] == 2023 and "year" in report["corrected"]


def test_round_page_and_read_only_notice(round_dir: Path, bundle_path: Path) -> None:
    page = client_for(round_dir, bundle_path).get("/archive/round").get_data(as_text=True)
    assert 'id="ledger"' in page and "武汉市硚口区财政局" in page and "未报送" in page
    assert 'id="review-token"' in page and 'form class="correction"' in page
    read_only = client_for(round_dir, bundle_path, None).get("/archive/round")
    text = read_only.get_data(as_text=True)
    assert 'id="read-only"' in text and 'form class="correction"' not in text


def test_dashboard_counts_missing_and_late_bodies(round_dir: Path, bundle_path: Path) -> None:
    page = client_for(round_dir, bundle_path).get("/archive/dashboard").get_data(as_text=True)
    assert 'id="roster-counts"' in page
    assert '<b data-count="missing">2</b>' in page and '<b data-count="late">1</b>' in page


def test_report_page_shows_the_correction_and_the_machine_value(round_copy, bundle_path) -> None:
    from service.archive.export import export

    client = client_for(round_copy, bundle_path)
    source = next(r for r in client.get("/v1/round").get_json()["reports"] if r["issuer"])
    body = {
        "source": source["source"],
        "field": "issuer",
        "value": "某某区司法局",
        "note": "见落款",
    }
    assert post(client, body).status_code == 201
    page = client.get(f"/archive/reports/{source['id']}").get_data(as_text=True)
    assert 'id="corrections"' in page and "某某区司法局" in page
    assert source["issuer"] in page  # the machine's value stays visible
    assert '<dd data-field="issuer">某某区司法局</dd>' in page
    names = [p.name for p in export(round_copy, "csv")]
    assert "corrections.csv" in names
