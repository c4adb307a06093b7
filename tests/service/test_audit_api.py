"""POST /v1/audit through Flask's test client: the contract, paragraphs input, errors."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from model.labels import PARTS

KEYS = {"genre", "metadata", "contents", "timeliness", "problems", "plans", "indicators"}


def test_audit_text(client: FlaskClient, seed_text: str) -> None:
    response = client.post("/v1/audit", json={"text": seed_text})
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) >= KEYS
    assert body["genre"]["is_report"] is True
    assert set(body["contents"]) == set(PARTS)
    assert body["metadata"]["year"] == 2024
    assert body["timeliness"]["status"] == "on_time"
    assert body["problems"]
    for problem in body["problems"]:
        assert isinstance(problem["plans"], list)
        assert all(0 <= k < len(body["plans"]) for k in problem["plans"])
        assert seed_text[problem["start"] : problem["end"]] == problem["text"]
    assert len(body["model"]["sha256"]) == 64


def test_audit_paragraphs(client: FlaskClient, seed_text: str) -> None:
    paragraphs = [line for line in seed_text.split("\n") if line.strip()]
    response = client.post("/v1/audit", json={"paragraphs": paragraphs})
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) >= KEYS
    assert body["genre"]["is_report"] is True
    assert body["metadata"]["title"] == "硚口区2024年度法治政府建设情况报告"
    assert {p["status"] for p in body["contents"].values()} <= {"present", "weak", "missing"}


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        (b'{"text": ', 400, "malformed_json"),
        (b"[1, 2]", 400, "not_an_object"),
        (b'{"text": ""}', 422, "empty_text"),
        (b'{"text": "  \\n"}', 422, "empty_text"),
        (b"{}", 422, "missing_field"),
        (b'{"text": "x", "mode": 1}', 422, "unknown_field"),
    ],
)
def test_audit_bad_input(client: FlaskClient, data: bytes, status: int, code: str) -> None:
    response = client.post("/v1/audit", data=data, content_type="application/json")
    assert response.status_code == status
    error = response.get_json()["error"]
    assert error["code"] == code
    assert error["message"]


def test_audit_needs_json(client: FlaskClient) -> None:
    response = client.post("/v1/audit", data="text", content_type="text/plain")
    assert response.status_code == 415
    assert response.get_json()["error"]["code"] == "unsupported_media_type"


def test_openapi_documents_audit(client: FlaskClient) -> None:
    spec = client.get("/openapi.json").get_json()
    assert "post" in spec["paths"]["/v1/audit"]


PAGE = (
    '<html><head><meta charset="utf-8"><title>英德市下太镇2022年度法治政府建设情况报告'
    '_英德市人民政府门户网站</title><meta name="PubDate" content="2023-01-18"></head><body>'
    '<div id="zoom"><p>2022年，我镇坚持以习近平法治思想为指导，全面推进法治政府建设。</p>'
    "<p>一、主要举措和成效</p><p>全年办理行政复议案件13件，开展执法检查56次。</p></div>"
    "</body></html>"
)


def test_extract_then_audit_carries_the_page_into_the_metadata(client: FlaskClient) -> None:
    import io

    upload = {"file": (io.BytesIO(PAGE.encode()), "page.html")}
    extracted = client.post("/v1/extract", data=upload, content_type="multipart/form-data")
    assert extracted.status_code == 200
    body = extracted.get_json()
    assert body["meta"]["title"].startswith("英德市下太镇2022年度") and body["notes"] == []
    assert body["meta"]["pubdate"] == "2023-01-18"
    alone = client.post("/v1/audit", json={"text": body["text"]}).get_json()["metadata"]
    assert alone["issuer"] is None
    with_page = client.post(
        "/v1/audit", json={"text": body["text"], "page": body["meta"], "filename": "page.html"}
    ).get_json()["metadata"]
    assert with_page["issuer"] == "英德市下太镇人民政府"
    assert with_page["sources"]["issuer"] == "page"


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        ({"page": ["title"]}, "invalid_type"),
        ({"page": {"title": 3}}, "invalid_type"),
        ({"filename": 7}, "invalid_type"),
        ({"page": {"title": "x" * 3000}}, "invalid_type"),
    ],
)
def test_audit_refuses_a_malformed_page(client: FlaskClient, extra: dict, code: str) -> None:
    response = client.post("/v1/audit", json={"text": "全年办理案件13件。"} | extra)
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == code
