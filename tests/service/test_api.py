"""The JSON API through Flask's test client: every endpoint, every error, hostile input."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model.labels import LABEL_ZH, LABELS
from model.summary.registry import SUMMARISERS
from model.text.segment import unwrap
from service.app import create_app
from tests.conftest import modules_after
from tests.service.conftest import ADMIN_TOKEN, copy_bundle

# -- happy paths --------------------------------------------------------------------------------


def test_classify_text(client: FlaskClient, seed_text: str) -> None:
    response = client.post("/v1/classify", json={"text": seed_text})
    assert response.status_code == 200
    body = response.get_json()
    paragraphs = body["paragraphs"]
    assert len(paragraphs) > 10
    for p in paragraphs:
        assert p["label"] in LABELS
        assert p["label_zh"] == LABEL_ZH[p["label"]]
        assert 0 <= p["confidence"] <= 1
        assert seed_text[p["start"] : p["end"]] == p["text"]
        assert set(p["scores"]) <= set(LABELS)
    assert {"achievements", "plans"} <= {p["label"] for p in paragraphs}
    assert len(body["model"]["sha256"]) == 64


def test_classify_paragraphs_keeps_order_and_skips_blanks(client: FlaskClient) -> None:
    items = ["一、主要举措和成效", "", "全年办理行政复议案件131件。", "  ", "二、存在的不足"]
    response = client.post("/v1/classify", json={"paragraphs": items})
    assert response.status_code == 200
    texts = [p["text"] for p in response.get_json()["paragraphs"]]
    assert texts == ["一、主要举措和成效", "全年办理行政复议案件131件。", "二、存在的不足"]


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("工作仍存在不足，执法人员专业能力有待提高，基层法治力量较为薄弱。", "shortcomings"),
        ("下一步，我们将进一步深化行政复议体制改革。", "plans"),
        ("全年办理行政复议案件131件，出庭应诉率达100%。", "achievements"),
    ],
)
def test_classify_isolated_paragraph(client: FlaskClient, text: str, label: str) -> None:
    response = client.post("/v1/classify", json={"paragraphs": [text], "mode": "isolated"})
    assert response.status_code == 200
    assert response.get_json()["paragraphs"][0]["label"] == label


def test_classify_rejects_unknown_mode(client: FlaskClient) -> None:
    response = client.post("/v1/classify", json={"text": "报告", "mode": "whole"})
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "invalid_mode"


def test_summarise_respects_char_budget(client: FlaskClient, seed_text: str) -> None:
    response = client.post("/v1/summarise", json={"text": seed_text, "max_chars": 150})
    assert response.status_code == 200
    body = response.get_json()
    sentences = body["sentences"]
    assert sentences
    assert sum(len(s["text"]) for s in sentences) <= 150
    assert [s["start"] for s in sentences] == sorted(s["start"] for s in sentences)
    assert body["summary"] == "".join(s["text"] for s in sentences)
    for s in sentences:
        assert seed_text[s["start"] : s["end"]] == s["text"]
        assert set(s) >= {"text", "score", "rank", "start", "end", "label"}


@pytest.mark.parametrize("method", sorted(SUMMARISERS))
def test_summarise_every_method(client: FlaskClient, seed_text: str, method: str) -> None:
    body = {"text": seed_text, "max_sentences": 3, "method": method}
    response = client.post("/v1/summarise", json=body)
    assert response.status_code == 200
    assert len(response.get_json()["sentences"]) == 3


def test_summarise_default_budget_from_config(client: FlaskClient, seed_text: str) -> None:
    response = client.post("/v1/summarise", json={"text": seed_text})
    assert len(response.get_json()["sentences"]) == client.application.config["SUMMARY_SENTENCES"]


def test_summarise_zero_sentences(client: FlaskClient, seed_text: str) -> None:
    response = client.post("/v1/summarise", json={"text": seed_text, "max_sentences": 0})
    assert response.status_code == 200
    body = response.get_json()
    assert body["sentences"] == [] and body["summary"] == ""
    assert body["from"] == "body" and body["outline"]  # the outline does not depend on a budget


def test_summarise_budget_larger_than_document(client: FlaskClient) -> None:
    text = "全年办理行政复议案件131件。出庭应诉率达100%，同比提高5个百分点。"
    response = client.post("/v1/summarise", json={"text": text, "max_sentences": 50})
    texts = [s["text"] for s in response.get_json()["sentences"]]
    assert texts == ["全年办理行政复议案件131件。", "出庭应诉率达100%，同比提高5个百分点。"]


def test_analyse_has_every_part(client: FlaskClient, seed_text: str) -> None:
    response = client.post("/v1/analyse", json={"text": seed_text, "max_sentences": 4})
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {
        "paragraphs",
        "sentences",
        "summary",
        "sections",
        "structured",
        "figures",
        "keywords",
        "outline",
        "from",
        "repairs",
        "model",
    }
    assert len(body["sentences"]) == 4
    assert sum(body["sections"].values()) == len(body["paragraphs"])
    assert "achievements" in body["structured"]
    # Two sentences per section; the shortcomings entry lists every admitted problem.
    assert all(len(v) <= 2 for k, v in body["structured"].items() if k != "shortcomings")
    assert all(item["title"] in item["text"] for item in body["structured"]["shortcomings"])
    assert body["figures"] and all(f["unit"] for f in body["figures"])
    assert body["keywords"] and all(k["word"] for k in body["keywords"])


def test_analyse_per_section(client: FlaskClient, seed_text: str) -> None:
    response = client.post("/v1/analyse", json={"text": seed_text, "per_section": 1})
    structured = response.get_json()["structured"]
    assert all(len(v) == 1 for k, v in structured.items() if k != "shortcomings")


def test_analyse_mixed_width_and_one_line_report(client: FlaskClient) -> None:
    text = "一、主要举措和成效 全年办理案件131件,同比增长12%; 二、存在的不足 队伍建设有待加强"
    response = client.post("/v1/analyse", json={"text": text})
    assert response.status_code == 200
    assert len(response.get_json()["paragraphs"]) >= 2


def test_lone_surrogate_is_replaced_not_a_500(client: FlaskClient) -> None:
    body = b'{"text": "\\ud800\xe6\x8a\xa5\xe5\x91\x8a"}'
    response = client.post("/v1/analyse", data=body, content_type="application/json")
    assert response.status_code == 200
    assert response.get_json()["paragraphs"][0]["text"] == "\ufffd报告"


def test_model_endpoint(client: FlaskClient) -> None:
    body = client.get("/v1/model").get_json()
    assert [x["name"] for x in body["labels"]]
    assert {x["name"]: x["zh"] for x in body["labels"]}.items() <= LABEL_ZH.items()
    assert body["methods"] == sorted(SUMMARISERS)
    assert body["manifest"]["sha256"] == body["model"]["sha256"]
    assert "metrics" in body
    assert body["limits"]["max_text_chars"] == client.application.config["MAX_TEXT_CHARS"]


def test_health_and_ready(client: FlaskClient) -> None:
    assert client.get("/healthz").get_json()["status"] == "ok"
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json()["model"]["sha256"]


def test_openapi_document_matches_config(bundle_path: Path) -> None:
    app = create_app({"MODEL_PATH": str(bundle_path), "MAX_TEXT_CHARS": 1234, "WARM_UP": False})
    spec = app.test_client().get("/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    request = spec["components"]["schemas"]["AnalyseRequest"]["properties"]
    assert request["text"]["maxLength"] == 1234
    assert request["method"]["enum"] == sorted(SUMMARISERS)
    assert set(spec["paths"]) >= {
        "/v1/classify",
        "/v1/summarise",
        "/v1/analyse",
        "/v1/model",
        "/healthz",
        "/readyz",
        "/v1/admin/reload",
    }


def test_index_page(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "法治政府建设年度报告分析" in page
    for zh in LABEL_ZH.values():
        assert zh in page
    assert "http://" not in page and "https://" not in page  # nothing from a CDN
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get("/static/app.js").status_code == 200
    assert client.get("/static/app.css").status_code == 200


# -- request ids and access logs ----------------------------------------------------------------


def test_request_id_generated_and_echoed(client: FlaskClient) -> None:
    generated = client.get("/healthz").headers["X-Request-ID"]
    assert len(generated) == 32
    echoed = client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"]
    assert echoed == "abc-123"
    bogus = client.get("/healthz", headers={"X-Request-ID": "a b<c>"}).headers["X-Request-ID"]
    assert bogus != "a b<c>"


def test_errors_carry_request_id(client: FlaskClient) -> None:
    response = client.post("/v1/analyse", data="x", content_type="text/plain")
    assert response.headers["X-Request-ID"]


def test_access_log_is_json(client: FlaskClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="fzreport.access"):
        client.get("/healthz", headers={"X-Request-ID": "log-me"})
    records = [json.loads(r.getMessage()) for r in caplog.records if r.name == "fzreport.access"]
    assert records[-1]["request_id"] == "log-me"
    assert records[-1]["status"] == 200
    assert records[-1]["path"] == "/healthz"


# -- hostile input: every one a 4xx JSON error ----------------------------------------------------

JSON = "application/json"
HOSTILE = [
    ("malformed JSON", b'{"text": ', JSON, 400, "malformed_json"),
    ("text/plain body", "报告".encode(), "text/plain", 415, "unsupported_media_type"),
    ("form body", b"text=x", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
    ("no content type", b'{"text": "x"}', None, 415, "unsupported_media_type"),
    ("other charset", b'{"text": "x"}', "application/json; charset=gbk", 415, None),
    ("JSON array", b'["text"]', JSON, 400, "not_an_object"),
    ("JSON string", b'"text"', JSON, 400, "not_an_object"),
    ("JSON null", b"null", JSON, 400, "not_an_object"),
    ("empty body", b"", JSON, 400, "malformed_json"),
    ("empty object", b"{}", JSON, 422, "missing_field"),
    ("text is a number", b'{"text": 42}', JSON, 422, "invalid_type"),
    ("text is null", b'{"text": null}', JSON, 422, "invalid_type"),
    ("text is a list", b'{"text": ["a"]}', JSON, 422, "invalid_type"),
    ("empty text", b'{"text": ""}', JSON, 422, "empty_text"),
    ("blank text", b'{"text": " \\n\\t\\u3000"}', JSON, 422, "empty_text"),
    ("both inputs", b'{"text": "a", "paragraphs": ["b"]}', JSON, 422, "missing_field"),
    ("unknown field", b'{"text": "a", "max_char": 5}', JSON, 422, "unknown_field"),
    ("max_chars negative", b'{"text": "a", "max_chars": -1}', JSON, 422, "out_of_range"),
    ("max_chars string", b'{"text": "a", "max_chars": "100"}', JSON, 422, "invalid_type"),
    ("max_chars bool", b'{"text": "a", "max_chars": true}', JSON, 422, "invalid_type"),
    ("max_chars fraction", b'{"text": "a", "max_chars": 1.5}', JSON, 422, "invalid_type"),
    ("max_chars huge float", b'{"text": "a", "max_chars": 1e999}', JSON, 422, "invalid_type"),
    ("max_chars NaN", b'{"text": "a", "max_chars": NaN}', JSON, 422, "invalid_type"),
    ("max_sentences negative", b'{"text": "a", "max_sentences": -3}', JSON, 422, "out_of_range"),
    ("unknown method", b'{"text": "a", "method": "gpt"}', JSON, 422, "invalid_method"),
    ("method not a string", b'{"text": "a", "method": 1}', JSON, 422, "invalid_method"),
    ("per_section too big", b'{"text": "a", "per_section": 1000}', JSON, 422, "out_of_range"),
    ("invalid UTF-8", b'{"text": "\xff\xfe\xc3("}', JSON, 400, "invalid_utf8"),
    ("UTF-16 body", '{"text": "报告"}'.encode("utf-16"), JSON, 400, "invalid_utf8"),
    ("nested brackets", b"[" * 100_000, JSON, 400, "malformed_json"),
    ("nested objects", b'{"a":' * 100_000, JSON, 400, "malformed_json"),
    ("paragraphs non-strings", b'{"paragraphs": ["a", 1, null]}', JSON, 422, "invalid_type"),
    ("paragraphs nested list", b'{"paragraphs": [["a"]]}', JSON, 422, "invalid_type"),
    ("paragraphs not a list", b'{"paragraphs": "a"}', JSON, 422, "invalid_type"),
    ("paragraphs empty", b'{"paragraphs": []}', JSON, 422, "empty_text"),
    ("paragraphs blank", b'{"paragraphs": ["", "  "]}', JSON, 422, "empty_text"),
]


@pytest.mark.parametrize("path", ["/v1/analyse", "/v1/summarise"])
@pytest.mark.parametrize(
    ("data", "content_type", "status", "code"),
    [case[1:] for case in HOSTILE],
    ids=[case[0] for case in HOSTILE],
)
def test_hostile_input(
    client: FlaskClient,
    path: str,
    data: bytes,
    content_type: str | None,
    status: int,
    code: str | None,
) -> None:
    if path == "/v1/summarise" and b"per_section" in data:
        code = "unknown_field"  # only /v1/analyse takes per_section
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.post(path, data=data, headers=headers)
    assert response.status_code == status
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert set(error) == {"code", "message"}
    assert error["message"]
    if code:
        assert error["code"] == code
    assert "Traceback" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "status"),
    [
        (b'{"text": 42}', 422),
        (b'{"paragraphs": [1]}', 422),
        (b'{"text": "a", "max_chars": 3}', 422),  # classify takes no budget
        (b"[]", 400),
        (b"{", 400),
    ],
)
def test_classify_rejects(client: FlaskClient, data: bytes, status: int) -> None:
    response = client.post("/v1/classify", data=data, content_type=JSON)
    assert response.status_code == status
    assert response.get_json()["error"]["code"]


def test_body_over_limit_is_413_before_reading(client: FlaskClient) -> None:
    body = b'{"text": "' + b"a" * (30 * 1024 * 1024) + b'"}'
    response = client.post("/v1/analyse", data=body, content_type=JSON)
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "body_too_large"


def test_declared_length_over_limit_is_413(client: FlaskClient) -> None:
    # The stream is never read: the Content-Length header alone decides.
    response = client.post(
        "/v1/analyse",
        input_stream=io.BytesIO(b"{}"),
        content_type=JSON,
        environ_overrides={"CONTENT_LENGTH": str(30 * 1024 * 1024)},
    )
    assert response.status_code == 413


def test_chunked_body_over_limit_is_413_not_truncated(client: FlaskClient) -> None:
    # Padding after a valid object: a body cut at the limit would still parse.
    body = b'{"text": "x"}' + b" " * (6 * 1024 * 1024)
    response = client.post(
        "/v1/analyse",
        input_stream=io.BytesIO(body),
        content_type=JSON,
        environ_overrides={"HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input_terminated": True},
    )
    assert response.status_code == 413


def test_body_shorter_than_its_length_is_408(client: FlaskClient) -> None:
    response = client.post(
        "/v1/analyse",
        input_stream=io.BytesIO(b'{"te'),
        content_type=JSON,
        environ_overrides={"CONTENT_LENGTH": "100"},
    )
    assert response.status_code == 408
    assert response.get_json()["error"]["code"] == "body_timeout"


def test_text_over_char_limit(bundle_path: Path) -> None:
    app = create_app({"MODEL_PATH": str(bundle_path), "MAX_TEXT_CHARS": 10, "WARM_UP": False})
    client = app.test_client()
    response = client.post("/v1/analyse", json={"text": "报" * 11})
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "text_too_long"
    response = client.post("/v1/classify", json={"paragraphs": ["报" * 6, "告" * 6]})
    assert response.get_json()["error"]["code"] == "text_too_long"


def test_too_many_paragraphs(bundle_path: Path) -> None:
    app = create_app({"MODEL_PATH": str(bundle_path), "MAX_PARAGRAPHS": 2, "WARM_UP": False})
    response = app.test_client().post("/v1/classify", json={"paragraphs": ["a", "b", "c"]})
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "too_many_paragraphs"


def test_too_many_sentences(bundle_path: Path) -> None:
    app = create_app({"MODEL_PATH": str(bundle_path), "MAX_SENTENCES": 5, "WARM_UP": False})
    client = app.test_client()
    for path in ("/v1/classify", "/v1/summarise", "/v1/analyse"):
        response = client.post(path, json={"text": "执法。" * 6})
        assert response.status_code == 422
        assert response.get_json()["error"]["code"] == "too_many_sentences"
    assert client.post("/v1/analyse", json={"text": "执法。" * 5}).status_code == 200


def test_many_tiny_paragraphs_are_refused_not_a_memory_blowup(client: FlaskClient) -> None:
    # 33,000 headings fit the character limit; without the paragraph limit the summariser's
    # pairwise similarity would need tens of gigabytes.
    response = client.post("/v1/analyse", json={"text": "一、\n" * 33_000})
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "too_many_paragraphs"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/v1/analyse", 405),
        ("GET", "/v1/classify", 405),
        ("GET", "/v1/summarise", 405),
        ("PUT", "/v1/analyse", 405),
        ("DELETE", "/v1/model", 405),
        ("POST", "/healthz", 405),
        ("GET", "/v1/nothing", 404),
        ("POST", "/v2/analyse", 404),
    ],
)
def test_unknown_routes_and_methods(
    client: FlaskClient, method: str, path: str, status: int
) -> None:
    response = client.open(path, method=method)
    assert response.status_code == status
    assert response.get_json()["error"]["code"] in ("not_found", "method_not_allowed")
    if status == 405:
        assert "POST" in response.headers["Allow"] or "GET" in response.headers["Allow"]


def test_a_bug_is_a_json_500_without_trace(
    bundle_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app({"MODEL_PATH": str(bundle_path), "WARM_UP": False})

    def broken() -> str:
        raise ZeroDivisionError("secret detail")

    app.add_url_rule("/broken", view_func=broken)
    with caplog.at_level(logging.ERROR):
        response = app.test_client().get("/broken", headers={"X-Request-ID": "bug-1"})
    assert response.status_code == 500
    assert response.get_json()["error"]["code"] == "internal_error"
    assert "secret detail" not in response.get_data(as_text=True)
    assert any("bug-1" in r.getMessage() and r.exc_info for r in caplog.records)


# -- uploads for the web page -------------------------------------------------------------------


def test_extract_txt_in_gb18030(client: FlaskClient, seed_text: str) -> None:
    data = {"file": (io.BytesIO(seed_text.encode("gb18030")), "report.txt")}
    response = client.post("/v1/extract", data=data, content_type="multipart/form-data")
    assert response.status_code == 200
    body = response.get_json()
    assert body["text"].strip() == seed_text.strip()
    assert body["encoding"] == "gb18030"


def test_extract_html(client: FlaskClient) -> None:
    html = "<html><body><p>一、主要举措和成效</p><p>全年办理案件131件。</p></body></html>"
    data = {"file": (io.BytesIO(html.encode()), "report.html")}
    response = client.post("/v1/extract", data=data, content_type="multipart/form-data")
    assert response.status_code == 200
    assert "全年办理案件131件" in response.get_json()["text"]


def test_extract_docx(client: FlaskClient) -> None:
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.add_paragraph("一、主要举措和成效")
    document.add_paragraph("全年办理行政复议案件131件。")
    buffer = io.BytesIO()
    document.save(buffer)
    buffer.seek(0)
    data = {"file": (buffer, "report.docx")}
    response = client.post("/v1/extract", data=data, content_type="multipart/form-data")
    assert response.status_code == 200
    assert "131件" in response.get_json()["text"]


@pytest.mark.parametrize(
    ("filename", "payload", "status", "code"),
    [
        ("report.exe", b"MZ", 415, "unsupported_file_type"),
        ("report.docx", b"not a zip", 422, "unreadable_file"),
        ("report.txt", b"\x00\x01\x02binary", 422, "unreadable_file"),
        ("report.txt", b"   ", 422, "unreadable_file"),
    ],
)
def test_extract_rejects(
    client: FlaskClient, filename: str, payload: bytes, status: int, code: str
) -> None:
    data = {"file": (io.BytesIO(payload), filename)}
    response = client.post("/v1/extract", data=data, content_type="multipart/form-data")
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code


def test_extract_needs_multipart_and_file(client: FlaskClient) -> None:
    assert client.post("/v1/extract", json={"text": "x"}).status_code == 415
    response = client.post("/v1/extract", data={"other": "x"}, content_type="multipart/form-data")
    assert response.status_code == 422


# -- configuration ------------------------------------------------------------------------------


def test_config_from_env_then_overrides(bundle_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FZREPORT_MODEL_PATH", str(bundle_path))
    monkeypatch.setenv("FZREPORT_MAX_TEXT_CHARS", "777")
    monkeypatch.setenv("FZREPORT_SUMMARY_SENTENCES", "2")
    monkeypatch.setenv("FZREPORT_ADMIN_TOKEN", "12345")
    app = create_app({"SUMMARY_SENTENCES": 3, "WARM_UP": False})
    assert app.config["MODEL_PATH"] == str(bundle_path)
    assert app.config["MAX_TEXT_CHARS"] == 777
    assert app.config["SUMMARY_SENTENCES"] == 3  # overrides beat the environment
    assert app.config["ADMIN_TOKEN"] == "12345"  # a numeric token stays a string


def test_bad_model_path_fails_at_start(tmp_path: Path) -> None:
    from model.persist import ModelError

    with pytest.raises(ModelError, match="no model bundle"):
        create_app({"MODEL_PATH": str(tmp_path / "missing.joblib")})


# -- admin reload -------------------------------------------------------------------------------


@pytest.fixture()
def served_copy(tmp_path: Path, bundle_path: Path) -> Path:
    return copy_bundle(bundle_path, tmp_path / "served" / "model.joblib")


def _admin_app(path: Path, token: str | None = ADMIN_TOKEN) -> FlaskClient:
    app = create_app({"MODEL_PATH": str(path), "ADMIN_TOKEN": token, "WARM_UP": False})
    return app.test_client()


def _auth(token: str = ADMIN_TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_reload_disabled_without_token(served_copy: Path) -> None:
    client = _admin_app(served_copy, token=None)
    response = client.post("/v1/admin/reload", headers=_auth())
    assert response.status_code == 404


@pytest.mark.parametrize(
    "header", [None, "Bearer wrong", "Basic dGVzdA==", f"bearer{ADMIN_TOKEN}", "Bearer "]
)
def test_reload_needs_the_token(served_copy: Path, header: str | None) -> None:
    client = _admin_app(served_copy)
    headers = {"Authorization": header} if header else {}
    response = client.post("/v1/admin/reload", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_reload_swaps_in_a_new_bundle(served_copy: Path, other_bundle_path: Path) -> None:
    client = _admin_app(served_copy)
    before = client.get("/v1/model").get_json()["model"]["sha256"]
    copy_bundle(other_bundle_path, served_copy)
    response = client.post("/v1/admin/reload", headers=_auth())
    assert response.status_code == 200
    body = response.get_json()
    assert body["previous"]["sha256"] == before
    assert body["model"]["sha256"] != before
    assert body["workers"] == "this process"
    assert client.get("/v1/model").get_json()["model"]["sha256"] == body["model"]["sha256"]
    assert client.post("/v1/analyse", json={"text": "全年办理案件131件。"}).status_code == 200


def test_reload_keeps_old_model_when_new_one_is_corrupt(served_copy: Path) -> None:
    client = _admin_app(served_copy)
    before = client.get("/v1/model").get_json()["model"]["sha256"]
    served_copy.write_bytes(served_copy.read_bytes()[:-100] + b"\0" * 100)
    response = client.post("/v1/admin/reload", headers=_auth())
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "model_invalid"
    assert "sha256" in error["message"]
    assert client.get("/v1/model").get_json()["model"]["sha256"] == before
    response = client.post("/v1/analyse", json={"text": "全年办理案件131件。"})
    assert response.status_code == 200
    assert response.get_json()["model"]["sha256"] == before


def test_reload_keeps_old_model_when_file_is_gone(served_copy: Path) -> None:
    client = _admin_app(served_copy)
    served_copy.unlink()
    response = client.post("/v1/admin/reload", headers=_auth())
    assert response.status_code == 409
    assert client.get("/readyz").status_code == 200


# -- any text: a 200 whose offsets slice the input, or a 4xx; never a 500 --------------------------

_REPORT_ALPHABET = st.sampled_from(
    list("法治政府建设报告一二三是、。，；！？：（）()“”《》 \n\t\u3000,.;!?:%％０１2024年件")
    + ["\ud800", "\x00", "\ufeff", "\u200b", "😀", "\r"]
)
# The client fixture is stateless between examples.
_FIXTURE_OK = [HealthCheck.function_scoped_fixture]


@settings(max_examples=60, deadline=None, suppress_health_check=_FIXTURE_OK)
@given(
    text=st.text(_REPORT_ALPHABET, max_size=300),
    budget=st.one_of(st.none(), st.integers(0, 400)),
)
def test_any_text_is_answered(client: FlaskClient, text: str, budget: int | None) -> None:
    body = json.dumps({"text": text, "max_chars": budget})  # \u escapes carry lone surrogates
    response = client.post("/v1/analyse", data=body, content_type=JSON)
    assert response.status_code in (200, 422)
    if response.status_code == 422:
        assert response.get_json()["error"]["code"] == "empty_text"
        return
    result = response.get_json()
    sent = text.replace("\ud800", "\ufffd")
    for p in result["paragraphs"]:
        assert unwrap(sent[p["start"] : p["end"]]) == p["text"]
    for s in result["sentences"]:
        assert unwrap(sent[s["start"] : s["end"]]) + ("…" if s["cut"] else "") == s["text"]
    if budget is not None:
        assert sum(len(s["text"]) for s in result["sentences"]) <= budget


@settings(max_examples=30, deadline=None, suppress_health_check=_FIXTURE_OK)
@given(paragraphs=st.lists(st.text(_REPORT_ALPHABET, max_size=40), min_size=1, max_size=12))
def test_any_paragraph_list_is_answered(client: FlaskClient, paragraphs: list[str]) -> None:
    body = json.dumps({"paragraphs": paragraphs})
    response = client.post("/v1/classify", data=body, content_type=JSON)
    assert response.status_code in (200, 422)
    if response.status_code == 200:
        texts = [p["text"] for p in response.get_json()["paragraphs"]]
        assert all(t.strip() for t in texts)


# -- start-up ----------------------------------------------------------------------------------


def test_the_app_serves_without_scikit_learn(tmp_path: Path, bundle_path: Path) -> None:
    code = (
        "import sys\nfrom service.app import create_app\n"
        "client = create_app({'MODEL_PATH': sys.argv[1]}).test_client()\n"
        "assert client.post('/v1/analyse', json={'text': '全年办理案件131件。'}).status_code == 200"
    )
    loaded = modules_after(tmp_path, code, bundle_path)
    assert {"flask", "numpy", "rjieba"} <= loaded
    assert not loaded & {"sklearn", "scipy", "jieba", "joblib", "matplotlib"}
