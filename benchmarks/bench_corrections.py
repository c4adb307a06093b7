"""A reviewer's corrections survive a rebuild: N random corrections (and some reverts) of every
kind a reviewer makes, then `archive build --full` from the journal, then every correction in
force checked in the round view and the store.

    python benchmarks/make_round.py /tmp/round --half all --seeds
    fzreport batch /tmp/round/inbox --out /tmp/round/out --roster /tmp/round/roster.csv
    python benchmarks/bench_corrections.py /tmp/round/out --n 1000
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import sqlite3
import time
from pathlib import Path
from typing import Any

from model.labels import REQUIRED
from service.archive import corrections
from service.archive.store import open_store
from service.round.roster_file import find_roster, read_roster
from service.round.view import round_view


def view_of(folder: Path) -> dict[str, Any]:
    roster = find_roster(folder)
    return round_view(folder, read_roster(roster) if roster else None)


def random_correction(view: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """One correction a reviewer could make of a random report of the view."""
    report = rng.choice(view["reports"])
    source = report["source"]
    problems = [p for p in view["problems"] if p["source"] == source]
    choices = ["issuer", "year", "report_date", "published", "parts"]
    if view["bodies"]:
        choices.append("body")
    if problems:
        choices += ["cause", "plans"]
    if report["findings"]:
        choices.append("finding")
    kind = rng.choice(choices)
    if kind == "issuer":
        field, value = "issuer", f"某某单位{rng.randrange(10_000)}"
    elif kind == "year":
        field, value = "year", rng.randrange(2015, 2026)
    elif kind in ("report_date", "published"):
        field, value = kind, f"2025-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
    elif kind == "parts":
        field, value = f"parts.{rng.choice(REQUIRED)}", rng.choice(("present", "weak", "missing"))
    elif kind == "body":
        field = "body"
        value = rng.choice([b["name"] for b in view["bodies"]] + [""])
    elif kind == "cause":
        field, value = f"problems.{rng.randrange(1, len(problems) + 1)}.cause", rng.random() < 0.5
    elif kind == "plans":
        k = rng.randrange(1, len(problems) + 1)
        field, value = f"problems.{k}.plans", sorted(rng.sample(range(1, 5), rng.randrange(0, 3)))
    else:
        code = rng.choice(report["findings"])["code"]
        field, value = f"findings.{code}", rng.choice(("confirmed", "dismissed"))
    revert = rng.random() < 0.1
    return corrections.entry(source, field, value, f"抽查{rng.randrange(1000)}", revert)


def lost(view: dict[str, Any], fixes: dict[str, dict[str, dict[str, Any]]]) -> list[str]:
    """Corrections in force that the view does not show, as `source field`."""
    reports = {r["source"]: r for r in view["reports"]}
    problems = {(p["source"], p["index"]): p for p in view["problems"]}
    plans: dict[str, int] = {}
    for plan in view["plans"]:
        plans[plan["source"]] = plans.get(plan["source"], 0) + 1
    missing = []
    for source, fields in fixes.items():
        report = reports[source]
        for field, item in fields.items():
            value = item["value"]
            head, _, rest = field.partition(".")
            if field == "body":
                shown = report["body"] == (value or None) and (
                    report["match"] in ("matched", "duplicate") if value else True
                )
            elif head == "parts":
                shown = report["parts"][rest] == value
            elif head == "problems":
                k, what = rest.split(".")
                problem = problems[(source, int(k))]
                if what == "cause":
                    shown = problem["cause"] == value
                else:  # plan numbers the report does not have are dropped
                    shown = problem["plans"] == [n for n in value if n <= plans.get(source, 0)]
            elif head == "findings":
                codes = {f["code"]: f for f in report["findings"]}
                if value == "dismissed":
                    shown = rest not in codes
                else:  # a finding a later correction made moot is not shown at all
                    shown = rest not in codes or codes[rest]["review"] == "confirmed"
            else:
                shown = report[field] == value
            if not shown or field not in report["corrected"] and head != "findings":
                missing.append(f"{source} {field}")
    return missing


def main(argv: list[str] | None = None) -> int:
    from service.cli import main as fzreport

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path, help="a batch folder with its archive")
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    view = view_of(args.dir)
    start = time.perf_counter()
    with contextlib.closing(open_store(args.dir)) as conn:
        for _ in range(args.n):
            corrections.add(args.dir, conn, random_correction(view, rng))
    written = time.perf_counter() - start
    assert fzreport(["archive", "build", str(args.dir), "--full"]) in (0, 1)
    fixes = corrections.effective(corrections.read(args.dir))
    with sqlite3.connect(args.dir / "archive.sqlite") as conn:
        stored = conn.execute("SELECT count(*) FROM corrections").fetchone()[0]
    missing = lost(view_of(args.dir), fixes)
    result = {
        "corrections": args.n,
        "in the file": len(corrections.read(args.dir)),
        "in the rebuilt store": stored,
        "in force": sum(len(f) for f in fixes.values()),
        "lost after the rebuild": len(missing),
        "examples lost": missing[:5],
        "seconds to write": round(written, 2),
    }
    print(json.dumps(result, ensure_ascii=False, indent=1))
    return 0 if not missing and stored == args.n else 1


if __name__ == "__main__":
    raise SystemExit(main())
