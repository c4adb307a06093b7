"""HTTP routes: each view checks its JSON, calls one core function and returns JSON.

Validation is strict (unknown fields, wrong types and out-of-range numbers are 422) so a typo
such as `max_char` is reported instead of silently ignored.
"""

from __future__ import annotations

import copy
import hmac
import json
import logging
import os
import re
import signal
import time
from functools import cache
from importlib import resources
from pathlib import PurePosixPath
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template, request
from werkzeug.exceptions import ClientDisconnected

from model import persist
from model.analyse import analyse, paragraph_records, prepare, summary_record
from model.audit.checks import audit
from model.audit.metadata import Context
from model.ingest.readers import SUPPORTED_SUFFIXES, ReadError, read_document
from model.labels import LABEL_ZH, LABELS, PART_ZH, PARTS
from model.summary.base import Budget
from model.summary.registry import DEFAULT_METHOD, SUMMARISERS
from model.text.document import Document
from service.http import error_response, fail, holder

log = logging.getLogger(__name__)

bp = Blueprint("api", __name__)

MAX_PER_SECTION = 20
_SURROGATES = re.compile("[\ud800-\udfff]")


# -- request parsing ----------------------------------------------------------------------------


def json_body() -> dict[str, Any]:
    """The request's JSON object; 415 for other media types, 400 for anything unparseable."""
    if request.mimetype != "application/json":
        fail(415, "unsupported_media_type", "send the body as Content-Type: application/json")
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        fail(415, "unsupported_media_type", f"charset {charset} is not supported; use utf-8")
    data = read_body()
    limit = request.max_content_length
    if limit is not None and len(data) >= limit and request.content_length is None:
        # A chunked body is cut at the limit rather than refused; never parse a truncated one.
        fail(413, "body_too_large", f"request body is over the limit of {limit} bytes")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        fail(400, "invalid_utf8", f"body is not valid UTF-8 (byte {exc.start})")
    try:
        body = json.loads(text)
    except RecursionError:
        fail(400, "malformed_json", "JSON is nested too deeply")
    except ValueError as exc:
        fail(400, "malformed_json", f"body is not valid JSON: {exc}")
    if not isinstance(body, dict):
        fail(400, "not_an_object", f"body must be a JSON object, got {type(body).__name__}")
    return body


def read_body() -> bytes:
    """The raw body, read with a deadline so a client that stalls mid-body frees its thread.

    Werkzeug answers 413 from the Content-Length header before anything is read.
    """
    _body_deadline()
    try:
        return request.get_data(cache=False)
    except (ClientDisconnected, OSError):
        fail(408, "body_timeout", "the request body did not arrive in time")


def _body_deadline() -> None:
    sock = request.environ.get("gunicorn.socket")
    if sock is not None:
        # Left in place: draining an unread rest, or writing to a stalled reader, times out too.
        sock.settimeout(current_app.config["BODY_TIMEOUT"])


def _clean(text: str) -> str:
    """Lone surrogates cannot be encoded in the response; U+FFFD keeps every offset."""
    return _SURROGATES.sub("\ufffd", text) if _SURROGATES.search(text) else text


def document_input(body: dict[str, Any], allowed: frozenset[str]) -> str | list[str]:
    """`text` (a report) or `paragraphs` (one per item), checked against the limits."""
    unknown = sorted(set(body) - allowed)
    if unknown:
        fail(422, "unknown_field", f"unknown field(s) {unknown}; allowed: {sorted(allowed)}")
    if ("text" in body) == ("paragraphs" in body):
        fail(422, "missing_field", "give exactly one of `text` or `paragraphs`")
    config = current_app.config
    max_chars = config["MAX_TEXT_CHARS"]
    if "text" in body:
        text = body["text"]
        if not isinstance(text, str):
            fail(422, "invalid_type", f"`text` must be a string, got {_kind(text)}")
        if len(text) > max_chars:
            fail(422, "text_too_long", f"`text` has {len(text)} characters; limit {max_chars}")
        if not text.strip():
            fail(422, "empty_text", "`text` is empty")
        return _clean(text)
    paragraphs = body["paragraphs"]
    if not isinstance(paragraphs, list):
        fail(422, "invalid_type", f"`paragraphs` must be an array, got {_kind(paragraphs)}")
    if len(paragraphs) > config["MAX_PARAGRAPHS"]:
        limit = config["MAX_PARAGRAPHS"]
        fail(422, "too_many_paragraphs", f"{len(paragraphs)} paragraphs; limit {limit}")
    for i, item in enumerate(paragraphs):
        if not isinstance(item, str):
            fail(422, "invalid_type", f"`paragraphs[{i}]` must be a string, got {_kind(item)}")
    total = sum(len(p) for p in paragraphs)
    if total > max_chars:
        fail(422, "text_too_long", f"`paragraphs` have {total} characters; limit {max_chars}")
    if not any(p.strip() for p in paragraphs):
        fail(422, "empty_text", "`paragraphs` holds no text")
    return [_clean(p) for p in paragraphs]


def segmented(source: str | list[str]) -> Document:
    """Segment once and check the size before the costly steps.

    The summariser compares every pair of sentences, so a text of tens of thousands of tiny
    sentences would exhaust memory even under the character limit.
    """
    doc = prepare(source)
    config = current_app.config
    if len(doc.paragraphs) > config["MAX_PARAGRAPHS"]:
        limit = config["MAX_PARAGRAPHS"]
        fail(422, "too_many_paragraphs", f"{len(doc.paragraphs)} paragraphs; limit {limit}")
    if len(doc.sentences) > config["MAX_SENTENCES"]:
        limit = config["MAX_SENTENCES"]
        fail(422, "too_many_sentences", f"{len(doc.sentences)} sentences; limit {limit}")
    if not doc.paragraphs:
        fail(422, "empty_text", "no paragraph with text")
    return doc


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _count(body: dict[str, Any], name: str, upper: int | None = None) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():  # JSON Schema counts 3.0 as an integer
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        fail(422, "invalid_type", f"`{name}` must be an integer, got {_kind(value)}")
    if value < 0 or (upper is not None and value > upper):
        bound = f"between 0 and {upper}" if upper is not None else "zero or more"
        fail(422, "out_of_range", f"`{name}` must be {bound}, got {value}")
    return value


def budget_input(body: dict[str, Any]) -> Budget:
    """The request's budget, or the configured default when it names none."""
    max_chars, max_sentences = _count(body, "max_chars"), _count(body, "max_sentences")
    if max_chars is None and max_sentences is None:
        config = current_app.config
        return Budget(config["SUMMARY_SENTENCES"], config["SUMMARY_CHARS"])
    return Budget(max_sentences=max_sentences, max_chars=max_chars)


def method_input(body: dict[str, Any]) -> str:
    method = body.get("method", DEFAULT_METHOD)
    if not isinstance(method, str) or method not in SUMMARISERS:
        fail(422, "invalid_method", f"`method` must be one of {sorted(SUMMARISERS)}")
    return method


def model_info(bundle: persist.Bundle) -> dict[str, str]:
    return {"version": bundle.version, "sha256": bundle.sha256}


# -- analysis routes ----------------------------------------------------------------------------

_DOCUMENT = frozenset({"text", "paragraphs"})
_CLASSIFY = _DOCUMENT | {"mode"}
_SUMMARY = _DOCUMENT | {"max_chars", "max_sentences", "method"}
_ANALYSIS = _SUMMARY | {"per_section"}
_AUDIT = _DOCUMENT | {"page", "filename"}


@bp.post("/v1/classify")
def classify() -> Response:
    """Every paragraph with its section label, Chinese name, confidence and label scores.

    `mode: isolated` labels each paragraph on its own, for paragraphs that are not one report.
    """
    body = json_body()
    doc = segmented(document_input(body, _CLASSIFY))
    mode = body.get("mode", "document")
    if mode not in ("document", "isolated"):
        fail(422, "invalid_mode", "`mode` must be `document` or `isolated`")
    bundle = holder().bundle
    prepare(doc, bundle.classifier, isolated=mode == "isolated")
    return jsonify(paragraphs=paragraph_records(doc), model=model_info(bundle))


@bp.post("/v1/summarise")
def summarise() -> Response:
    """Key sentences in document order within the budget; the CLI's JSON shape."""
    body = json_body()
    budget, method = budget_input(body), method_input(body)
    doc = segmented(document_input(body, _SUMMARY))
    bundle = holder().bundle
    result = summary_record(prepare(doc, bundle.classifier), budget, method)
    return jsonify(result | {"model": model_info(bundle)})


@bp.post("/v1/analyse")
def analyse_report() -> Response:
    """Classification, summary, structured summary, figures and keywords from one pass."""
    body = json_body()
    source = document_input(body, _ANALYSIS)
    budget, method = budget_input(body), method_input(body)
    per_section = _count(body, "per_section", MAX_PER_SECTION)
    doc = segmented(source)
    bundle = holder().bundle
    result = analyse(
        doc, bundle.classifier, budget, method, 2 if per_section is None else per_section
    )
    return jsonify(result | {"model": model_info(bundle)})


_MAX_META_CHARS = 2000


def context_input(body: dict[str, Any]) -> Context | None:
    """What the file said beside its text (`/v1/extract`'s `meta` and `filename`), if given."""
    page, filename = body.get("page", {}), body.get("filename")
    if not isinstance(page, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and len(v) <= _MAX_META_CHARS
        for k, v in page.items()
    ):
        fail(422, "invalid_type", f"`page` must map names to strings of at most {_MAX_META_CHARS}")
    if filename is not None and (not isinstance(filename, str) or len(filename) > 1000):
        fail(422, "invalid_type", "`filename` must be a string of at most 1000 characters")
    if not page and filename is None:
        return None
    return Context(page={k: _clean(v) for k, v in page.items()}, filename=filename)


@bp.post("/v1/audit")
def audit_report() -> Response:
    """The inspection audit: metadata, genre, required contents, timeliness, problems, plans.

    `page` and `filename` (as `/v1/extract` returned them) let the metadata take evidence
    from a page's title and meta tags and from the file's name, as the batch does.
    """
    body = json_body()
    doc = segmented(document_input(body, _AUDIT))
    context = context_input(body)
    bundle = holder().bundle
    rules = current_app.extensions["fzreport.rules"]
    result = audit(prepare(doc, bundle.classifier), rules, context)
    return jsonify(result | {"model": model_info(bundle)})


@bp.post("/v1/extract")
def extract() -> Response:
    """Report text of an uploaded file, for the web page's upload button; with what the file
    says beside it (`meta`: a page's title and meta tags) and what the reader did (`notes`)."""
    if request.mimetype != "multipart/form-data":
        fail(415, "unsupported_media_type", "upload the file as multipart/form-data")
    _body_deadline()
    try:
        upload = request.files.get("file")
    except (ClientDisconnected, OSError):
        fail(408, "body_timeout", "the upload did not arrive in time")
    if upload is None:
        fail(422, "missing_field", "no `file` part in the upload")
    filename = upload.filename or "upload.txt"
    suffix = PurePosixPath(filename.replace("\\", "/")).suffix.lower()
    if suffix and suffix not in SUPPORTED_SUFFIXES:
        kinds = "/".join(sorted(SUPPORTED_SUFFIXES))
        fail(415, "unsupported_file_type", f"cannot read {suffix} files; use {kinds}")
    try:
        decoded = read_document(upload.read(), filename)
    except ReadError as exc:
        fail(422, "unreadable_file", f"{filename}: {exc}")
    text = _clean(decoded.text)
    limit = current_app.config["MAX_TEXT_CHARS"]
    if len(text) > limit:
        fail(422, "text_too_long", f"the file has {len(text)} characters; limit {limit}")
    return jsonify(
        text=text,
        encoding=decoded.encoding,
        filename=filename,
        chars=len(text),
        meta=dict(decoded.meta),
        notes=list(decoded.notes),
    )


# -- model, health, documentation -----------------------------------------------------------------


@bp.get("/v1/model")
def model_details() -> Response:
    """Labels, the bundle's manifest with its evaluation figures, methods and limits."""
    state = holder()
    bundle = state.bundle
    config = current_app.config
    return jsonify(
        model=model_info(bundle) | {"path": str(bundle.path)},
        labels=[{"name": label, "zh": LABEL_ZH[label]} for label in bundle.classifier.labels_],
        methods=sorted(SUMMARISERS),
        default_method=DEFAULT_METHOD,
        limits={
            "max_content_length": config["MAX_CONTENT_LENGTH"],
            "max_text_chars": config["MAX_TEXT_CHARS"],
            "max_paragraphs": config["MAX_PARAGRAPHS"],
            "max_sentences": config["MAX_SENTENCES"],
        },
        default_budget={
            "max_sentences": config["SUMMARY_SENTENCES"],
            "max_chars": config["SUMMARY_CHARS"],
        },
        loaded_at=round(state.loaded_at, 3),
        metrics=bundle.manifest.get("metrics", {}),
        manifest=bundle.manifest,
    )


@bp.get("/healthz")
def healthz() -> Response:
    """The process is alive and answering."""
    return jsonify(status="ok", pid=os.getpid())


@bp.get("/readyz")
def readyz() -> Response:
    """Ready once a model is loaded (create_app refuses to start without one)."""
    bundle = current_app.extensions.get("fzreport.model")
    if bundle is None:
        return error_response(503, "not_ready", "no model loaded")
    return jsonify(status="ready", model=model_info(bundle.bundle))


@cache
def _openapi_template() -> dict[str, Any]:
    text = resources.files("service").joinpath("openapi.json").read_text(encoding="utf-8")
    return json.loads(text)


def openapi_document(config: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI file with this app's limits and the registry's methods filled in."""
    spec = copy.deepcopy(_openapi_template())
    schemas = spec["components"]["schemas"]
    for name in ("ClassifyRequest", "SummariseRequest", "AnalyseRequest", "AuditRequest"):
        props = schemas[name]["properties"]
        props["text"]["maxLength"] = config["MAX_TEXT_CHARS"]
        props["paragraphs"]["maxItems"] = config["MAX_PARAGRAPHS"]
        if "method" in props:
            props["method"]["enum"] = sorted(SUMMARISERS)
            props["method"]["default"] = DEFAULT_METHOD
    schemas["Label"]["enum"] = list(LABELS)
    return spec


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_document(current_app.config))


# -- admin --------------------------------------------------------------------------------------


@bp.post("/v1/admin/reload")
def reload_model() -> Response:
    """Load the bundle file again after a retrain; on failure the old model keeps serving.

    Under `fzreport serve` the worker that takes the request verifies the new bundle, then sends
    SIGHUP to the gunicorn master, which loads it once and replaces every worker gracefully.
    """
    token = current_app.config["ADMIN_TOKEN"]
    if not token:
        fail(404, "not_found", "no route /v1/admin/reload (set FZREPORT_ADMIN_TOKEN to enable)")
    given = request.headers.get("Authorization", "")
    scheme, _, secret = given.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(secret.encode(), token.encode()):
        response = error_response(401, "unauthorized", "missing or wrong bearer token")
        response.headers["WWW-Authenticate"] = 'Bearer realm="fzreport"'
        return response
    state = holder()
    previous = state.bundle
    started = time.perf_counter()
    try:
        bundle = state.replace(previous.path)
    except persist.ModelError as exc:
        log.warning("reload of %s refused: %s", previous.path, exc)
        message = f"{exc}; still serving sha256 {previous.sha256[:12]}"
        return error_response(409, "model_invalid", message)
    workers = "this process"
    master = current_app.config["SERVER_PID"]
    if master and os.getppid() == master:
        os.kill(master, signal.SIGHUP)
        workers = "restarting"
    log.info("reloaded %s (sha256 %s)", bundle.path, bundle.sha256[:12])
    return jsonify(
        status="reloaded",
        model=model_info(bundle),
        previous=model_info(previous),
        workers=workers,
        seconds=round(time.perf_counter() - started, 3),
    )


# -- web page -----------------------------------------------------------------------------------


@bp.get("/")
def index() -> str:
    """The one page: paste or upload a report, see it coloured by section."""
    config = current_app.config
    return render_template(
        "index.html",
        labels=[(label, LABEL_ZH[label]) for label in LABELS],
        parts=[(part, PART_ZH[part]) for part in PARTS],
        accept=",".join(sorted(SUPPORTED_SUFFIXES)),
        max_chars=config["MAX_TEXT_CHARS"],
        max_bytes=config["MAX_CONTENT_LENGTH"],
        review=config["REVIEW_CONFIDENCE"],
    )
