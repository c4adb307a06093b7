"""Two summarisers side by side for a blind reading: `sectionrank` (the default) and `learnt`.

    python benchmarks/blind_pairs.py OUT_DIR [--max-chars 300] [--statecouncil 12]

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
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def summaries(budget: int, every: int, folds: int = 6) -> dict[str, dict[str, str]]:
    """{doc_id: {"sectionrank": text, "learnt": text, "report": text}}."""
    import numpy as np
    from sklearn.model_selection import GroupKFold

    from model.analyse import prepare
    from model.learn.scorer import LinearScorer
    from model.summary.base import Budget
    from model.summary.registry import get_summariser
    from model.summary.scorers import sentence_features
    from model.summary.select import select, summarise
    from training.corpus import seeds_dir
    from training.extracts import READERS, load_extracts, picked, report_texts
    from training.train import fit, fit_background, load_reports

    seeds = load_reports(seeds_dir(), None)
    by_doc: dict[str, dict[str, Any]] = {}
    for extract in load_extracts():
        by_doc.setdefault(extract.doc_id, {})[extract.reader] = extract
    texts = report_texts()
    doc_ids = sorted(d for d, r in by_doc.items() if set(r) >= set(READERS))
    docs, features, targets = {}, {}, {}
    for doc_id in doc_ids:
        left_out = [r for r in seeds if doc_id != f"seed_{r.name[:3]}"]
        model = fit(left_out, background=fit_background(left_out, seeds_dir()))
        doc = docs[doc_id] = prepare(texts[doc_id], model)
        features[doc_id] = sentence_features(doc)
        targets[doc_id] = picked(doc, by_doc[doc_id]["a"], 300) | picked(
            doc, by_doc[doc_id]["b"], 300
        )
    council = [d for d in doc_ids if not d.startswith("seed_")]
    shown = [d for d in doc_ids if d.startswith("seed_")] + council[::every]
    default = get_summariser()
    out: dict[str, dict[str, str]] = {}
    for train, test in GroupKFold(n_splits=folds).split(doc_ids, groups=doc_ids):
        train_ids = [doc_ids[i] for i in train]
        scorer = LinearScorer().fit(
            np.vstack([features[d] for d in train_ids]),
            np.concatenate([targets[d] for d in train_ids]),
        )
        for i in test:
            doc_id = doc_ids[i]
            if doc_id not in shown:
                continue
            doc = docs[doc_id]
            learnt = select(
                doc,
                scorer.predict(features[doc_id]),
                Budget(max_chars=budget),
                diversity=default.diversity,
                briefing=default.briefing,
            )
            ours = summarise(doc, Budget(max_chars=budget))
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
    args = parser.parse_args(argv)
    found = summaries(args.max_chars, args.every)
    rng = random.Random(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    key, lines = {}, []
    for n, (doc_id, texts) in enumerate(found.items(), 1):
        order = ["sectionrank", "learnt"]
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
