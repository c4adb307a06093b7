"""Two summarisers side by side for a blind reading: `sectionrank` and `learnt` (the default).

    python benchmarks/blind_pairs.py OUT_DIR [--max-chars 300] [--every 3]
    python benchmarks/blind_pairs.py OUT_DIR --against EARLIER.json   # learnt, then and now
    python benchmarks/blind_pairs.py OUT_DIR --against EARLIER.json --changed-only
    python benchmarks/blind_pairs.py OUT_DIR --against-reader a         # against a reader's extract

`OUT_DIR/learnt.json` keeps each report's `learnt` summary ({doc_id: text}); given back with
`--against` (from a run of an earlier version), it takes the place of `sectionrank`, as
"earlier", so that a change of the default is read blind against what it replaced;
`--changed-only` keeps only the reports whose summary the change altered.
`--against-reader R` puts reader R's extract of the same budget (`seeds/extracts/R/`) in its
place, as "human": how often a reader prefers the summary to a careful person's extract.

For the five seeds and every n-th State Council work report that has readers' extracts, both
summaries at the budget, each report's pair shown in a random order as X and Y. `learnt` is
trained as `fzreport evaluate --extracts` trains its `learnt-cv`: on the readers' extracts of
the other folds' reports, so no summary comes from a scorer that saw its report's extract; the
seeds are labelled by a classifier trained without them. Writes OUT_DIR/pairs.md (what the
readers see: the report, then X and Y) and OUT_DIR/key.json (which is which), kept apart.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def summaries(budget: int, every: int) -> dict[str, dict[str, str]]:
    """{doc_id: {"report": text, "sectionrank": summary, "learnt": summary}} of the shown
    reports, `learnt` scored by its fold's scorer (`training.extracts_eval.fold_scorers`)."""
    from model.summary.base import Budget
    from model.summary.registry import get_summariser
    from model.summary.select import select_for, summarise
    from training.extracts import report_texts
    from training.extracts_eval import extract_docs, fold_scorers

    prepared = extract_docs()
    council = [d for d in prepared.doc_ids if not d.startswith("seed_")]
    shown = [d for d in prepared.doc_ids if d.startswith("seed_")] + council[::every]
    default, texts = get_summariser("learnt"), report_texts()
    out: dict[str, dict[str, str]] = {}
    for scorer, held_out in fold_scorers(prepared):
        for doc_id in (d for d in held_out if d in shown):
            doc = prepared.docs[doc_id]
            learnt = select_for(
                default, doc, scorer.predict(prepared.features[doc_id]), Budget(max_chars=budget)
            )
            ours = summarise(doc, Budget(max_chars=budget), method="sectionrank")
            out[doc_id] = {
                "report": texts[doc_id],
                "sectionrank": "".join(s.text for s in ours),
                "learnt": "".join(s.text for s in learnt),
            }
    return {d: out[d] for d in shown}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--max-chars", type=int, default=300)
    parser.add_argument("--every", type=int, default=3, help="every n-th State Council report")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--against", type=Path, help="an earlier run's learnt.json")
    parser.add_argument("--against-reader", help="a reader of seeds/extracts (a or b)")
    parser.add_argument(
        "--changed-only",
        action="store_true",
        help="with --against: only the reports whose summary differs from the earlier one",
    )
    args = parser.parse_args(argv)
    from training.extracts import READERS, load_extracts

    if args.changed_only and not args.against:
        parser.error("--changed-only needs --against")
    if args.against_reader and args.against_reader not in READERS:
        parser.error(f"--against-reader: one of {', '.join(READERS)}")
    earlier: dict[str, str] = {}
    if args.against:
        try:
            earlier = json.loads(args.against.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            parser.error(f"--against {args.against}: {err}")
    found = summaries(args.max_chars, args.every)
    other = "sectionrank"
    if args.against:
        other, missing = "earlier", sorted(set(found) - set(earlier))
        if missing:
            parser.error(f"--against {args.against}: no summary of {', '.join(missing)}")
        found = {
            d: texts | {other: earlier[d]}
            for d, texts in found.items()
            if not args.changed_only or texts["learnt"] != earlier[d]
        }
    elif args.against_reader:
        other = "human"
        extracts = {e.doc_id: e for e in load_extracts() if e.reader == args.against_reader}
        found = {
            d: texts | {other: "".join(extracts[d].items[args.max_chars])}
            for d, texts in found.items()
        }
    rng = random.Random(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    learnt = {d: texts["learnt"] for d, texts in found.items()}
    (args.out / "learnt.json").write_text(json.dumps(learnt, ensure_ascii=False, indent=1), "utf-8")
    key, lines = {}, []
    for n, (doc_id, texts) in enumerate(found.items(), 1):
        order = [other, "learnt"]
        rng.shuffle(order)
        key[f"R{n}"] = {"doc_id": doc_id, "X": order[0], "Y": order[1]}
        lines += [
            f"## R{n}",
            "",
            "### Report",
            "",
            texts["report"].strip(),
            "",
            f"### X\n\n{texts[order[0]]}\n",
            f"### Y\n\n{texts[order[1]]}\n",
        ]
    (args.out / "pairs.md").write_text("\n".join(lines), encoding="utf-8")
    (args.out / "key.json").write_text(json.dumps(key, ensure_ascii=False, indent=1), "utf-8")
    print(f"{len(key)} reports -> {args.out / 'pairs.md'} (key apart in key.json)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
