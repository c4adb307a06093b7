"""HTTP routes of the round: the ledger (`GET /v1/round`, the 报送情况 page), the workbook, and
a reviewer's corrections (`GET`/`POST /v1/corrections`).

Writing needs the token set at `serve` time (`--review-token`, or FZREPORT_REVIEW_TOKEN):
`Authorization: Bearer TOKEN`. Without a token configured the archive is read-only and every
write is refused (403); a write without the header gets 401, with a wrong token 403, and
nothing is changed. Corrections go to DIR/corrections.jsonl (under a file lock, so concurrent
writes are ordered, none lost) and to the store's table.
"""

from __future__ import annotations

import contextlib
import hmac
import io
import tempfile
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, send_file

from service.http import fail

bp = Blueprint("review", __name__)


def _folder() -> Path:
    folder = current_app.config.get("ARCHIVE_DIR")
    if not folder:
        fail(404, "no_archive", "no archive is served: start with `fzreport serve --archive DIR`")
    return Path(folder)


def _year() -> int | None:
    raw = request.args.get("year")
    if raw is None:
        return None
    if not raw.isdigit() or not 1990 <= int(raw) <= 2100:
        fail(400, "bad_parameter", "year must be a year between 1990 and 2100")
    return int(raw)


def round_data(folder: Path, year: int | None = None, base_url: str = "") -> dict[str, Any]:
    """The round view of the served archive, with the roster kept in its folder."""
    from model.round.roster import RosterError
    from service.archive.store import StoreError
    from service.round.view import served_round

    try:
        return served_round(folder, current_app.extensions["fzreport.rules"], year, base_url)
    except RosterError as exc:
        fail(500, "bad_roster", str(exc))
    except StoreError as exc:
        fail(404, "no_archive", str(exc))


@bp.get("/v1/round")
def round_json() -> Response:
    """The roster ledger, reports, problems, plans, common problems and feedback."""
    return jsonify(round_data(_folder(), _year()))


@bp.get("/v1/round/workbook")
def workbook() -> Response:
    """The round's workbook (the same as `fzreport export DIR --format xlsx`)."""
    from service.office.xlsx import write_workbook
    from service.round.command import WORKBOOK_NAME

    # The workbook's links lead back to this server's report pages.
    view = round_data(_folder(), _year(), request.host_url.rstrip("/"))
    with tempfile.TemporaryDirectory() as tmp:
        path = write_workbook(view, Path(tmp) / WORKBOOK_NAME)
        data = path.read_bytes()
    return send_file(
        io.BytesIO(data),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=WORKBOOK_NAME,
    )


@bp.get("/v1/corrections")
def list_corrections() -> Response:
    """Every correction in order (of one report with ?source=), and those in force."""
    from service.archive import corrections

    items = corrections.read(_folder())
    source = request.args.get("source")
    if source is not None:
        items = [c for c in items if c["source"] == source]
    effective = corrections.effective(items)
    return jsonify({"corrections": items, "effective": effective})


def _authorise() -> None:
    expected = current_app.config.get("REVIEW_TOKEN")
    if not expected:
        fail(403, "read_only", "corrections are off: start serve with --review-token")
    given = request.headers.get("Authorization", "")
    if not given.startswith("Bearer ") or not given[7:].strip():
        fail(401, "no_token", "send the review token as 'Authorization: Bearer TOKEN'")
    if not hmac.compare_digest(given[7:].strip().encode(), str(expected).encode()):
        fail(403, "bad_token", "the review token is wrong")


@bp.post("/v1/corrections")
def add_correction() -> tuple[Response, int]:
    """Correct one field of one report: {source, field, value, note} or {source, field,
    revert: true}; 201 with the correction as stored."""
    from service.archive import corrections, store

    _authorise()
    folder = _folder()
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        fail(400, "bad_json", "send a JSON object: {source, field, value, note}")
    source = body.get("source")
    try:
        item = corrections.entry(
            source,
            body.get("field"),
            body.get("value"),
            body.get("note") or "",
            bool(body.get("revert")),
        )
    except corrections.CorrectionError as exc:
        fail(400, "bad_correction", str(exc))
    if item["field"] == "body" and item["value"]:
        from service.round.roster_file import find_roster, read_roster

        roster = find_roster(folder)
        names = {b.name for b in read_roster(roster)} if roster else set()
        if item["value"] not in names:
            fail(400, "bad_correction", f"body: {item['value']!r} is not on the roster")
    with contextlib.closing(store.open_store(folder)) as conn:
        if conn.execute("SELECT 1 FROM reports WHERE source = ?", (source,)).fetchone() is None:
            fail(404, "no_report", f"no report with source {source!r} in the archive")
        number = corrections.add(folder, conn, item)
    return jsonify({"id": number, **item}), 201


@bp.get("/archive/round")
def round_page() -> tuple[str, int]:
    """The 报送情况 page: the roster ledger with filters, the reports received with their
    matches, and the reviewer's correction forms when a review token is set."""
    from model.round.roster import STATE_ZH
    from service.archive_api import missing_page, render_page

    missing = missing_page()
    if missing:
        return missing
    view = round_data(_folder(), _year())
    return render_page(
        "archive_round.html",
        title="报送情况",
        page="round",
        view=view,
        states=STATE_ZH,
        levels_seen=sorted({b["level"] for b in view["bodies"] if b["level"]}),
        kinds_seen=sorted({b["kind"] for b in view["bodies"] if b["kind"]}),
        writable=bool(current_app.config.get("REVIEW_TOKEN")),
    )
