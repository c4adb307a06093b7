"""Recurring problems (`model.compare.recurring_problems`) on a test archive of real items.

The State Council's government work reports (seeds/background/statecouncil.jsonl) are one
issuer over three decades: each year's shortcomings part, labelled by the default classifier
and split by `model.text.problems.problem_items`, gives that year's problem items, all filed under
"国务院" (the 32 reports from MIN_YEAR on). A shortcomings paragraph that opens with a framing
("我们也清醒看到面临的困难和挑战。") gives one item per sentence after it, so most years give
several items. The pairs found are printed; the seeded `sample()` of SAMPLE of them was read by
hand and judged (seeds/audit/recurring.sample.jsonl: "same" is whether the two items state one
problem), and the precision on the judged pairs still found is printed when the file exists.

    PYTHONPATH=. python -m training.recurring_eval
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any, TextIO

from model.analyse import prepare
from model.compare import RECURRING_THRESHOLD, recurring_problems
from model.text.problems import problem_items
from training.train import ensure_model, seeds_dir

ISSUER = "国务院"
MIN_YEAR = 1992
SAMPLE = 30
SAMPLE_SEED = 20240601


def sample_path() -> Path:
    return seeds_dir() / "audit" / "recurring.sample.jsonl"


def build_archive(path: Path | None = None, min_year: int = MIN_YEAR) -> list[dict[str, Any]]:
    """One report dict per State Council work report from `min_year`, with its problem items."""
    path = path or seeds_dir() / "background" / "statecouncil.jsonl"
    classifier = ensure_model().classifier
    reports = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        if record.get("year") is None or record["year"] < min_year:
            continue
        doc = prepare(record["text"], classifier)
        items = problem_items(doc, "shortcomings")
        reports.append(
            {
                "id": record["doc_id"],
                "issuer": ISSUER,
                "year": record["year"],
                "problems": [
                    {"index": k, "title": item.title, "text": item.text}
                    for k, item in enumerate(items)
                ],
            }
        )
    return reports


def pair_key(pair: dict[str, Any]) -> tuple[int, int, str, str]:
    a, b = pair["items"]
    return (a["year"], b["year"], a["title"], b["title"])


def sample(pairs: list[dict[str, Any]], n: int = SAMPLE) -> list[dict[str, Any]]:
    """A seeded random sample of the pairs (all of them when there are no more than n)."""
    if len(pairs) <= n:
        return list(pairs)
    return random.Random(SAMPLE_SEED).sample(pairs, n)


def precision(pairs: list[dict[str, Any]], judged: list[dict[str, Any]]) -> dict[str, Any]:
    """Share of the judged pairs that are the same problem, among those still found."""
    found = {pair_key(p) for p in pairs}
    verdicts = [
        j["same"]
        for j in judged
        if (j["years"][0], j["years"][1], j["titles"][0], j["titles"][1]) in found
    ]
    right = sum(verdicts)
    return {
        "judged": len(verdicts),
        "same": right,
        "precision": right / len(verdicts) if verdicts else None,
    }


def run(out: TextIO | None = None, threshold: float = RECURRING_THRESHOLD) -> dict[str, Any]:
    out = out or sys.stdout
    reports = build_archive()
    items = sum(len(r["problems"]) for r in reports)
    pairs = recurring_problems(reports, threshold=threshold)
    print(f"{len(reports)} reports, {items} problem items, {len(pairs)} pairs", file=out)
    for p in pairs:
        a, b = p["items"]
        print(
            f"{p['similarity']:.3f} {a['year']} {a['title']} | {b['year']} {b['title']}", file=out
        )
    result: dict[str, Any] = {"reports": len(reports), "items": items, "pairs": len(pairs)}
    if sample_path().exists():
        judged = [
            json.loads(line) for line in sample_path().read_text("utf-8").splitlines() if line
        ]
        result |= precision(pairs, judged)
        print(
            f"precision on the hand-checked sample: {result['same']}/{result['judged']}"
            f" = {result['precision']}",
            file=out,
        )
    return result


if __name__ == "__main__":
    run()
