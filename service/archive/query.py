"""Reading the archive: listing, one report, full-text search, rates and the comparisons."""

from __future__ import annotations

import html
import json
import logging
import math
import sqlite3
from typing import Any

from model.labels import REQUIRED
from service.archive import comparing
from service.archive.tokens import issuer_norm, match_expression, runs

log = logging.getLogger(__name__)

MAX_PER_PAGE = 200
SNIPPET_CHARS = 80
# Matches ranked (BM25 over the pool: the last ones in the store, the latest reports); 500 rank
# in a few milliseconds, and the walk of the index stops at COUNT_CAP (≥ RANK_POOL).
RANK_POOL = 500
COUNT_CAP = 1_000  # matches counted: beyond, the total is given as "more than"


SORTS = ("id", "source", "issuer", "level", "year", "published", "timeliness", "problems")
SORTS += ("figures", "chars", "report_date")


def _page(value: Any, name: str, upper: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a whole number of at least 1, got {value!r}")
    if upper is not None and value > upper:
        raise ValueError(f"{name} must be at most {upper}, got {value!r}")
    return value


def _filters(
    issuer: str | None, year: int | None, level: str | None
) -> tuple[list[str], list[Any]]:
    where: list[str] = []
    params: list[Any] = []
    if issuer:
        where.append("instr(issuer_norm, ?) > 0")
        params.append(issuer_norm(issuer))
    if year is not None:
        where.append("year = ?")
        params.append(int(year))
    if level:
        where.append("level = ?")
        params.append(level)
    return where, params


def list_reports(
    conn: sqlite3.Connection,
    issuer: str | None = None,
    year: int | None = None,
    level: str | None = None,
    part_missing: str | None = None,
    timeliness: str | None = None,
    sort: str = "id",
    page: int = 1,
    per_page: int = 50,
) -> dict[str, Any]:
    """One page of reports, filtered and sorted; `total` counts all that match."""
    column = sort[1:] if sort.startswith("-") else sort
    if column not in SORTS:
        raise ValueError(f"cannot sort by {sort!r}: choose among {', '.join(SORTS)} (- for desc)")
    _page(page, "page")
    _page(per_page, "per_page", MAX_PER_PAGE)
    where, params = _filters(issuer, year, level)
    if part_missing:
        if part_missing not in REQUIRED:
            raise ValueError(f"unknown part {part_missing!r}: choose among {', '.join(REQUIRED)}")
        where.append(f"{part_missing} = 'missing'")
    if timeliness:
        where.append("timeliness = ?")
        params.append(timeliness)
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    total = conn.execute(f"SELECT count(*) FROM reports {clause}", params).fetchone()[0]
    order = f"{column} {'DESC' if sort.startswith('-') else 'ASC'}"
    rows = conn.execute(
        f"SELECT id, source, status, title, issuer, level, year, published, timeliness, "
        f"{', '.join(REQUIRED)}, problems, figures FROM reports {clause} "
        f"ORDER BY {order} NULLS LAST, id LIMIT ? OFFSET ?",
        [*params, per_page, (page - 1) * per_page],
    )
    reports = []
    for row in rows:
        item = {k: row[k] for k in row.keys() if k not in REQUIRED}  # noqa: SIM118 (a Row iterates values)
        item["contents"] = {part: row[part] for part in REQUIRED}
        reports.append(item)
    return {"total": total, "reports": reports}


def get_report(conn: sqlite3.Connection, report_id: int) -> dict[str, Any] | None:
    """The whole stored record (analysis and audit) with its id, or None."""
    row = conn.execute("SELECT record FROM reports WHERE id = ?", (report_id,)).fetchone()
    if row is None:
        return None
    return {"id": report_id, **json.loads(row["record"])}


def snippet(text: str, query: str, width: int = SNIPPET_CHARS) -> str:
    """About `width` characters around the first query term, marked, the rest HTML-escaped."""
    from model.text.segment import normalise

    folded = normalise(text).lower()  # one character for one: offsets hold in `text`
    hits = [(folded.find(run), run) for run in runs(query)]
    hits = [(at, run) for at, run in hits if at >= 0]
    if not hits:
        return html.escape(text[:width])
    at, run = min(hits)
    end = at + len(run)
    left = max(0, min(at - (width - len(run)) // 2, len(text) - width))
    right = max(end, left + width)
    return (
        ("…" if left else "")
        + html.escape(text[left:at])
        + f"<mark>{html.escape(text[at:end])}</mark>"
        + html.escape(text[end:right])
        + ("…" if right < len(text) else "")
    )


def _bm25(texts: list[str], terms: list[str], k1: float = 1.2, b: float = 0.75) -> list[float]:
    """Okapi BM25 of each text for the query's terms (its runs, as `search` matches them),
    with document frequencies and lengths taken over these texts: the pool being ranked."""
    from model.text.segment import normalise

    folded = [normalise(t).lower() for t in texts]
    if not folded or not terms:
        return [0.0] * len(folded)
    mean = sum(map(len, folded)) / len(folded) or 1.0
    counts = [[text.count(term) for term in terms] for text in folded]
    n = len(folded)
    idf = [
        math.log(1 + (n - df + 0.5) / (df + 0.5))
        for df in (sum(1 for c in counts if c[k]) for k in range(len(terms)))
    ]
    out = []
    for text, tf in zip(folded, counts, strict=True):
        norm = k1 * (1 - b + b * len(text) / mean)
        out.append(sum(w * f * (k1 + 1) / (f + norm) for w, f in zip(idf, tf, strict=True)))
    return out


def search(
    conn: sqlite3.Connection,
    q: str,
    label: str | None = None,
    issuer: str | None = None,
    year: int | None = None,
    level: str | None = None,
    limit: int = 20,
    page: int = 1,
) -> dict[str, Any]:
    """Page `page` of `limit` paragraphs matching every word of `q` and the filters, best
    first (BM25 over the last `RANK_POOL` matches: see the module's docstring); `total`
    counts the matches up to `COUNT_CAP` (`total_exact` false beyond: counting every one of a
    million hits of "法" would hold the first page back), `ranked` how many were ranked, and
    so can be paged through; `start`/`end` locate the paragraph in its report's text."""
    _page(limit, "limit", MAX_PER_PAGE)
    _page(page, "page")
    expression = match_expression(q or "", label, issuer, year, level)
    if expression is None:
        return {"total": 0, "total_exact": True, "ranked": 0, "hits": []}
    # One walk of the index, newest first, that stops at the count cap; the first RANK_POOL
    # are ranked (FTS5's bm25 would read every match of each word for its statistics).
    found = [
        row[0]
        for row in conn.execute(
            "SELECT rowid FROM paragraph_fts WHERE paragraph_fts MATCH ? "
            "ORDER BY rowid DESC LIMIT ?",
            (expression, COUNT_CAP + 1),
        )
    ]
    exact = len(found) <= COUNT_CAP
    total = min(len(found), COUNT_CAP)
    pool = found[:RANK_POOL]
    rows: dict[int, Any] = {}
    for at in range(0, len(pool), 900):  # SQLite's limit on bound values
        part = pool[at : at + 900]
        rows.update(
            (row["id"], row)
            for row in conn.execute(
                "SELECT p.id, p.report_id, r.source, r.issuer, r.year, p.idx, p.label, p.text, "
                'p."start", p."end" FROM paragraphs p JOIN reports r ON r.id = p.report_id '
                f"WHERE p.id IN ({', '.join('?' * len(part))})",
                part,
            )
        )
    pool = [i for i in pool if i in rows]
    score = _bm25([rows[i]["text"] for i in pool], runs(q))
    ranked = sorted(range(len(pool)), key=lambda k: (-score[k], -pool[k]))
    ids = [pool[k] for k in ranked[(page - 1) * limit : page * limit]]
    hits = [
        {
            "report_id": row["report_id"],
            "source": row["source"],
            "issuer": row["issuer"],
            "year": row["year"],
            "paragraph": row["idx"],
            "label": row["label"],
            "snippet": snippet(row["text"], q),
            "start": row["start"],
            "end": row["end"],
        }
        for row in (rows[i] for i in ids if i in rows)
    ]
    return {"total": total, "total_exact": exact, "ranked": len(pool), "hits": hits}


def rates(conn: sqlite3.Connection) -> dict[str, Any]:
    """Shares of ok reports per part status and timeliness status, from the stored rows."""
    n = conn.execute("SELECT count(*) FROM reports WHERE status = 'ok'").fetchone()[0]

    def shares(column: str) -> dict[str, float]:
        rows = conn.execute(
            f"SELECT coalesce({column}, 'unknown'), count(*) FROM reports "
            f"WHERE status = 'ok' GROUP BY 1 ORDER BY 1"
        )
        return {value: round(count / n, 4) for value, count in rows} if n else {}

    problems = conn.execute("SELECT avg(problems) FROM reports WHERE status = 'ok'").fetchone()[0]
    return {
        "reports": n,
        "contents": {part: shares(part) for part in REQUIRED},
        "timeliness": shares("timeliness"),
        "problems_per_report": round(problems or 0.0, 2),
    }


def stats(conn: sqlite3.Connection) -> dict[str, Any]:
    """The stored comparison (clusters, recurring, shared, rates; cut by `top_of`) with its
    `compare_status`, else rates computed here. `compare` says whether there is one; a
    failed or stale one says why in `compare_status`."""
    state = comparing.status(conn)
    row = conn.execute("SELECT value FROM stats WHERE key = 'compare_top'").fetchone()
    if row is None:
        return {"compare": False, "compare_status": state, "rates": rates(conn)}
    result = json.loads(row["value"])
    if not isinstance(result, dict):
        result = {"result": result}
    if "rates" not in result:
        result["rates"] = rates(conn)
    return {"compare": True, "compare_status": state, **result}


# -- export ------------------------------------------------------------------------------------
