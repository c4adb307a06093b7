"""What a reader gets from a 300-character summary, for each summariser side by side.

    python benchmarks/bench_summary.py [--max-chars 300]

Whole reports with their headings, as users give them: the five seeds (each summarised by a
model trained on the other four and the openings), the openings corpus (five grouped folds,
trained on the seeds and the other folds) and the State Council reports (five grouped folds,
trained on the seeds, the openings and the other folds). Shortcomings and plans are read from
the reference labels (hand-checked for the seeds and the openings; for the State Council
reports, from headings, with a reader's labels of their sections where the structure reads them
otherwise: `training.sections_eval.with_reader_sections`), never from the model that made the
summary. Then heading recovery (R-2,
headings stripped) on the 1992+ State Council reports, from the same folds' models.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-chars", type=int, default=300)
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from model.summary.base import Budget
    from training.evaluate import mean_rows
    from training.reading import format_table, reader_cross_validation, reader_table
    from training.sections_eval import with_reader_sections
    from training.train import fit_background, load_reports

    seeds_dir = ROOT / "seeds"
    started = time.perf_counter()
    pool = load_reports(seeds_dir, None)
    names = {p.name for p in seeds_dir.iterdir()}
    seeds = [r for r in pool if r.name in names]
    openings = [r for r in pool if r.name not in names]
    council = with_reader_sections(
        load_reports(seeds_dir / "background" / "statecouncil.jsonl", None)
    )
    recent = {r.name for r in council if int(r.name[2:6]) >= 1992}
    background = fit_background(pool, seeds_dir)
    budget = Budget(max_chars=args.max_chars)
    runs = {
        "seeds (leave one out)": (pool, seeds, None),
        "openings": (pool, openings, args.folds),
        "State Council": (pool, council, args.folds),
    }
    everything: dict[str, list] = {}
    recovery = None
    for title, (train, test, folds) in runs.items():
        rows, rec = reader_cross_validation(
            train, test, budget, folds, background, recovery_for=recent
        )
        print(f"== {title}: {len(test)} reports, --max-chars {args.max_chars}")
        format_table(reader_table(rows))
        for method, found in rows.items():
            everything.setdefault(method, []).extend(found)
        if title == "State Council":
            recovery = mean_rows(rec)
    print(f"== all {sum(len(t) for _, t, _ in runs.values())} reports")
    format_table(reader_table(everything))
    if recovery:
        print("== heading recovery, State Council 1992+ (headings stripped), R-1 / R-2 / R-L")
        for method, row in recovery.items():
            print(
                f"{method:<14} {row['rouge1']:.3f} / {row['rouge2']:.3f} / {row['rougeL']:.3f}"
                f"  ({row['reports']} reports)"
            )
    print(f"({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
