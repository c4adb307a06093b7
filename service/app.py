"""The Flask application factory: settings, the model held by the process, errors, access logs.

Settings come from DEFAULTS, then `FZREPORT_*` environment variables, then `overrides`, so a
test or `fzreport serve` can pin anything without touching the environment.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, g, request
from werkzeug.exceptions import HTTPException, InternalServerError

from model import persist
from model.analyse import analyse
from model.audit.deadlines import load_rules
from service.common import load_model
from service.http import ApiError, ModelHolder, api_error, error_response

log = logging.getLogger(__name__)
access_log = logging.getLogger("fzreport.access")

DEFAULTS: dict[str, Any] = {
    # None: the bundle named by $FZREPORT_MODEL, else the per-user cache bundle (built if absent).
    "MODEL_PATH": None,
    # Bytes of request body; larger bodies get 413 before they are read.
    "MAX_CONTENT_LENGTH": 5_000_000,
    # Characters, paragraphs and sentences accepted per request. An annual report has 3-10k
    # characters; the longest State Council work report 33k characters and 784 sentences. The
    # summariser's memory grows with the square of the sentence count: 1,500 sentences cost
    # about 60 MB on top of a worker's 80 MB, 3,000 about 250 MB.
    "MAX_TEXT_CHARS": 100_000,
    "MAX_PARAGRAPHS": 1_500,
    "MAX_SENTENCES": 1_500,
    # Summary budget when a request names none.
    "SUMMARY_SENTENCES": 5,
    # The web page asks a reviewer to check paragraphs labelled with less confidence (请复核).
    "REVIEW_CONFIDENCE": 0.8,
    "SUMMARY_CHARS": None,
    # Folder of an archive (DIR/archive.sqlite, built by `fzreport archive build DIR`) to serve.
    "ARCHIVE_DIR": None,
    # Deadline rules of the audit (TOML, see model/data/deadlines.toml); None: the bundled ones.
    "AUDIT_RULES": None,
    # Seconds a request body may take to arrive once its headers are in (408 after that).
    "BODY_TIMEOUT": 10,
    # Bearer token for POST /v1/admin/reload; the route answers 404 while it is unset.
    "ADMIN_TOKEN": None,
    # Writing a reviewer's corrections needs this token (FZREPORT_REVIEW_TOKEN, or
    # `serve --review-token`); without it the archive is read-only.
    "REVIEW_TOKEN": None,
    # Process id of the gunicorn master, set by `fzreport serve`: a reload then restarts all
    # workers through SIGHUP instead of swapping the model in one worker only.
    "SERVER_PID": None,
    # Run one small analysis at start-up so the word-cutter dictionary is loaded before forking.
    "WARM_UP": True,
}

_PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_WARM_UP_TEXT = (
    "一、主要举措和成效\n全年办理行政复议案件131件，同比增长12%。\n"
    "二、存在的不足\n执法队伍建设有待加强。"
)


def load_bundle(path: str | os.PathLike[str] | None) -> persist.Bundle:
    """The configured bundle, or the default one (built from the seeds on first use)."""
    return load_model(Path(path) if path else None)


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the app and load the model once for this process.

    Raises `persist.ModelError` when the bundle cannot be loaded: better to fail at start than
    to answer every request with an error.
    """
    app = Flask(__name__)
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("FZREPORT")
    if overrides:
        app.config.update(overrides)
    for name in ("ADMIN_TOKEN", "REVIEW_TOKEN"):  # FZREPORT_ADMIN_TOKEN=123 arrives as an int
        if app.config[name] is not None:
            app.config[name] = str(app.config[name]) or None
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]

    bundle = load_bundle(app.config["MODEL_PATH"])
    if app.config["WARM_UP"]:
        analyse(_WARM_UP_TEXT, bundle.classifier)
        if app.config.get("ARCHIVE_DIR"):
            from service.archive_api import warm_up

            warm_up()
    app.extensions["fzreport.model"] = ModelHolder(bundle)
    # A bad rules file stops the server at start (RulesError names the line), not each audit.
    app.extensions["fzreport.rules"] = load_rules(app.config["AUDIT_RULES"])
    app.extensions["fzreport.started"] = time.time()

    from service import api

    app.register_blueprint(api.bp)
    from service import archive_api

    app.register_blueprint(archive_api.bp)
    from service import review_api

    app.register_blueprint(review_api.bp)
    _install_request_hooks(app)
    _install_error_handlers(app)
    return app


def _install_request_hooks(app: Flask) -> None:
    @app.before_request
    def start_request() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        g.started = time.perf_counter()

    @app.after_request
    def finish_request(response: Response) -> Response:
        request_id = g.get("request_id") or uuid.uuid4().hex
        response.headers["X-Request-ID"] = request_id
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        if response.mimetype == "text/html":
            # The page loads only its own script and style: nothing from a CDN, no inline code.
            response.headers.setdefault("Content-Security-Policy", _PAGE_POLICY)
        if access_log.isEnabledFor(logging.INFO):
            started = g.get("started")
            elapsed = (time.perf_counter() - started) * 1000 if started else None
            record = {
                "ts": round(time.time(), 3),
                "request_id": request_id,
                "remote": request.remote_addr,
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "bytes": response.calculate_content_length(),
                "ms": round(elapsed, 2) if elapsed is not None else None,
                "pid": os.getpid(),
            }
            access_log.info(json.dumps(record, ensure_ascii=False))
        return response


# Codes for the HTTP errors Werkzeug raises before a view runs.
_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    408: "body_timeout",
    413: "body_too_large",
    415: "unsupported_media_type",
    422: "invalid_field",
}


def _install_error_handlers(app: Flask) -> None:
    app.register_error_handler(ApiError, api_error)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        if status >= 500:
            return server_error(exc)
        code = _HTTP_CODES.get(status, "http_error")
        message = exc.description or exc.name
        if status == 405:
            allowed = sorted(m for m in (exc.valid_methods or []) if m not in ("HEAD", "OPTIONS"))
            message = f"{request.method} is not allowed here; use {', '.join(allowed)}"
            response = error_response(status, code, message)
            response.headers["Allow"] = ", ".join(exc.valid_methods or [])
            return response
        if status == 413:
            limit = current_app.config["MAX_CONTENT_LENGTH"]
            message = f"request body is over the limit of {limit} bytes"
        if status == 404:
            message = f"no route {request.path}"
        return error_response(status, code, message)

    @app.errorhandler(Exception)
    def server_error(exc: Exception) -> Response:
        # The trace goes to the log with the request id, never into the response.
        original = getattr(exc, "original_exception", None) or exc
        if not isinstance(original, InternalServerError):
            log.error("request %s failed", g.get("request_id", "-"), exc_info=original)
        return error_response(500, "internal_error", "internal error; see the server log")
