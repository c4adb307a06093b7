"""HTTP routes of the archive: the reports table, one report, search and the comparisons.

Each request opens the store read-only (SQLite in WAL mode: a batch may be writing at the same
time) and closes it; the store's functions return the JSON shapes documented in openapi.json.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from model.labels import LABELS
from service.api import fail

bp = Blueprint("archive", __name__)

MAX_QUERY_CHARS = 200
MAX_LIMIT = 100
MAX_PAGE = 1_000_000
_MAX_ID = 2**63 - 1  # SQLite's largest integer


@contextmanager
def _store() -> Iterator[sqlite3.Connection]:
    from service import archive

    folder = current_app.config.get("ARCHIVE_DIR")
    if not folder:
        fail(404, "no_archive", "no archive is served: start with `fzreport serve --archive DIR`")
    path = Path(folder) / archive.STORE_NAME
    if not path.exists():
        fail(404, "no_archive", f"no store in {folder}: run `fzreport archive build {folder}`")
    conn = archive.open_store(path, readonly=True)
    try:
        yield conn
    finally:
        conn.close()


def _int_arg(
    name: str, default: int | None = None, lower: int = 1, upper: int | None = None
) -> int | None:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        fail(422, "invalid_parameter", f"`{name}` must be an integer, not {raw!r}")
    if value < lower or (upper is not None and value > upper):
        bound = f"between {lower} and {upper}" if upper is not None else f"at least {lower}"
        fail(422, "invalid_parameter", f"`{name}` must be {bound}")
    return value


def _text_arg(name: str) -> str | None:
    value = request.args.get(name)
    return value if value else None


def _choice_arg(name: str, allowed: tuple[str, ...]) -> str | None:
    value = request.args.get(name)
    if value is not None and value not in allowed:
        fail(422, "invalid_parameter", f"`{name}` must be one of {', '.join(allowed)}")
    return value


_LEVELS = ("national", "provincial", "municipal", "county", "township")
_TIMELINESS = ("on_time", "late", "unknown")
_PARTS = ("achievements", "shortcomings", "leadership", "plans")


@bp.get("/v1/archive/reports")
def reports() -> Response:
    """The reports table, filtered, sorted and paged."""
    from service import archive

    args: dict[str, Any] = {
        "issuer": _text_arg("issuer"),
        "year": _int_arg("year", lower=1900, upper=2100),
        "level": _choice_arg("level", _LEVELS),
        "part_missing": _choice_arg("part_missing", _PARTS),
        "timeliness": _choice_arg("timeliness", _TIMELINESS),
        "sort": request.args.get("sort", "id"),
        "page": _int_arg("page", 1, upper=MAX_PAGE),
        "per_page": _int_arg("per_page", 50, upper=archive.MAX_PER_PAGE),
    }
    with _store() as conn:
        try:
            return jsonify(archive.list_reports(conn, **args))
        except ValueError as exc:
            fail(422, "invalid_parameter", str(exc))


@bp.get("/v1/archive/reports/<int:report_id>")
def report(report_id: int) -> Response:
    """One report with its analysis and audit."""
    from service import archive

    with _store() as conn:
        found = archive.get_report(conn, report_id) if report_id <= _MAX_ID else None
    if found is None:
        fail(404, "not_found", f"no report {report_id} in the archive")
    return jsonify(found)


@bp.get("/v1/archive/search")
def search() -> Response:
    """Paragraphs matching `q` (two-character words work), with highlighted snippets."""
    from service import archive

    q = request.args.get("q", "")
    if not q.strip():
        fail(422, "empty_query", "give the words to search for as `q`")
    if len(q) > MAX_QUERY_CHARS:
        fail(422, "query_too_long", f"`q` has {len(q)} characters; at most {MAX_QUERY_CHARS}")
    limit = _int_arg("limit", 20, upper=MAX_LIMIT)
    with _store() as conn:
        return jsonify(
            archive.search(
                conn,
                q,
                label=_choice_arg("label", LABELS),
                issuer=_text_arg("issuer"),
                year=_int_arg("year", lower=1900, upper=2100),
                level=_choice_arg("level", _LEVELS),
                limit=limit,
            )
        )


@bp.get("/v1/archive/stats")
def stats() -> Response:
    """Compliance and timeliness rates, problem clusters, recurring problems, shared passages."""
    from service import archive

    with _store() as conn:
        return jsonify(archive.stats(conn))
