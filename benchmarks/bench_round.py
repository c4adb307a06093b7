"""A spring round end to end: roster matching against the round's gold, and the time of the
whole commands an office runs (batch, archive build, export --format xlsx, report).

    python benchmarks/make_round.py /tmp/round --half test
    python benchmarks/bench_round.py /tmp/round            # matching and timings
    python benchmarks/bench_round.py /tmp/round --no-time  # matching only

Matching, per received file: correct when the roster body it is matched to (or duplicates) is
the gold's, or when it is called not on the roster and the gold's body is null. A match to
another body is a wrong certain match; `ambiguous` (待确认) is neither correct nor wrong.
Every gold-missing body must be listed as missing.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any


def run(argv: list[str]) -> float:
    """Seconds for one whole `fzreport` command, as a user runs it."""
    start = time.perf_counter()
    done = subprocess.run(["fzreport", *argv], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):
        sys.exit(f"fzreport {' '.join(argv)} failed:\n{done.stderr}")
    return seconds


def score(view: dict[str, Any], gold: dict[str, Any], inbox: Path) -> dict[str, Any]:
    found = {str(Path(r["source"]).resolve().relative_to(inbox)): r for r in view["reports"]}
    outcome: Counter[str] = Counter()
    wrong = []
    for path, truth in gold["files"].items():
        report = found.get(path)
        if report is None:
            outcome["not analysed"] += 1
            continue
        body, status = report["body"], report["match"]
        if status in ("matched", "duplicate"):
            if body == truth["body"]:
                outcome["correct"] += 1
            else:
                outcome["wrong certain"] += 1
                wrong.append((path, truth["body"], body, report["evidence"]))
        elif status == "unlisted":
            outcome["correct" if truth["body"] is None else "missed (not on roster)"] += 1
        else:
            outcome["ambiguous"] += 1
    states = {b["name"]: b["state"] for b in view["bodies"]}
    missing = [name for name, b in gold["bodies"].items() if b["state"] == "missing"]
    listed = sum(states.get(name) == "missing" for name in missing)
    late = [name for name, b in gold["bodies"].items() if b["state"] == "late"]
    return {
        "files": len(gold["files"]),
        "outcome": dict(outcome),
        "accuracy": outcome["correct"] / len(gold["files"]),
        "wrong": wrong,
        "missing bodies listed": f"{listed} of {len(missing)}",
        "late bodies found": f"{sum(states.get(n) == 'late' for n in late)} of {len(late)}",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("round", type=Path, help="a folder made by make_round.py")
    parser.add_argument("--no-time", action="store_true", help="reuse OUT; score matching only")
    args = parser.parse_args(argv)
    folder = args.round.resolve()
    inbox, out = folder / "inbox", folder / "out"
    gold = json.loads((folder / "gold.json").read_text(encoding="utf-8"))
    timings = {}
    if not args.no_time or not (out / "archive.sqlite").exists():
        shutil.rmtree(out, ignore_errors=True)
        roster = str(folder / "roster.csv")
        timings["batch"] = run(["batch", str(inbox), "--out", str(out), "--roster", roster])
        timings["archive build"] = run(["archive", "build", str(out)])
        timings["export --format xlsx"] = run(["export", str(out), "--format", "xlsx"])
        timings["report"] = run(
            ["report", str(out), "--out", str(out / "通报.docx"), "--per-body", str(out / "反馈")]
        )
        timings["total"] = sum(timings.values())
    from service.round.roster_file import read_roster
    from service.round.view import round_view

    view = round_view(out, read_roster(out / "roster.csv"), year=gold["year"])
    result = score(view, gold, inbox) | {"seconds": {k: round(v, 2) for k, v in timings.items()}}
    print(json.dumps(result, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
