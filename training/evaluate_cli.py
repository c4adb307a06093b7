"""`fzreport evaluate`: measure the classifier and the summarisers on any corpus.

fzreport evaluate                                   # seeds, leave-one-report-out
fzreport evaluate --corpus ../shared/corpus/statecouncil.jsonl --min-year 1992
fzreport evaluate --diversity 0.5 0.7 0.9           # the summary's MMR weight, swept
fzreport evaluate --audit                           # the audit against seeds/audit/ gold
fzreport evaluate --extracts                        # summaries against the human extracts
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from training.train import fit_background, load_reports, print_report, save_plots, seeds_dir


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--corpus",
        type=Path,
        default=None,
        help="reports to score (default: the seed reports, each left out in turn)",
    )
    parser.add_argument("--labels", type=Path, default=None, help="manual labels for --corpus")
    parser.add_argument(
        "--train-corpus",
        type=Path,
        default=None,
        help="training reports besides the scored ones (default: the seeds folder)",
    )
    parser.add_argument(
        "--min-year", type=int, default=None, help="JSONL corpora: skip older reports"
    )
    parser.add_argument(
        "--folds", type=int, default=None, help="grouped folds (default: one per report)"
    )
    parser.add_argument(
        "--traditional",
        action="store_true",
        help="score traditional-character copies of the reports (OpenCC, offsets kept)",
    )
    parser.add_argument(
        "--diversity",
        type=_weight,
        nargs="+",
        default=(),
        metavar="D",
        help="also score the default summary with these MMR weights (0-1); given several, "
        "add a nested row: each fold with the weight best on the other folds",
    )
    parser.add_argument(
        "--audit",
        action="store_true",
        help="score the audit instead: metadata, genre, contents and problem items (seeds/audit/)",
    )
    parser.add_argument(
        "--extracts",
        action="store_true",
        help="score the summarisers against the human extracts (seeds/extracts/) instead",
    )
    parser.add_argument(
        "--json",
        type=Path,
        default=None,
        help="also write the figures here, and the confusion and reliability diagrams beside",
    )


def _weight(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"not a weight between 0 and 1: {text!r}")
    return value


def run(args: argparse.Namespace) -> int:
    if args.audit:
        return _run_audit(args)
    if args.extracts:
        return _run_extracts(args)
    from tqdm import tqdm

    from training.corpus import load_corpus
    from training.evaluate import cross_validate_all, weak_label_agreement

    seeds = seeds_dir()
    try:
        train = load_reports(args.train_corpus or seeds, None)
        if args.corpus is None:  # the seed reports themselves, one left out at a time
            names = {p.name for p in seeds.iterdir()}
            test = [r for r in train if r.name in names]
        else:
            test = load_reports(args.corpus, args.labels, args.min_year)
        background = fit_background(train, args.train_corpus or seeds)
    except (OSError, ValueError) as exc:
        print(f"fzreport evaluate: {exc}", file=sys.stderr)
        return 2
    if not test:
        print(f"fzreport evaluate: no reports in {args.corpus or seeds}", file=sys.stderr)
        return 2
    if args.traditional:
        from training.traditional import traditional_copies

        test = traditional_copies(test)
    bar = lambda items: tqdm(items, desc="folds", unit="fold", file=sys.stderr)  # noqa: E731
    metrics: dict = {"corpus": str(args.corpus or seeds), "reports": len(test)}
    metrics.update(
        cross_validate_all(
            train,
            bar,
            test_reports=test,
            folds=args.folds,
            diversities=args.diversity,
            background=background,
        )
    )
    if args.corpus is None and not args.traditional:
        weak = load_corpus(seeds)
        gold = {r.name: r for r in test}
        weak = [r for r in weak if r.name in gold]
        metrics["weak_label_agreement"] = weak_label_agreement(weak, [gold[r.name] for r in weak])
    print_report(metrics)
    if agreement := metrics.get("weak_label_agreement"):
        print(
            f"weak labels vs manual labels: accuracy {agreement['accuracy']:.3f} "
            f"macro-F1 {agreement['macro_f1']:.3f} over {agreement['reports_compared']} reports"
        )
    if args.json:
        args.json.write_text(json.dumps(metrics, ensure_ascii=False, indent=2), encoding="utf-8")
        for path in save_plots(metrics, args.json.with_suffix("")):
            print(f"wrote {path}")
    return 0


def _run_audit(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from training.audit_eval import evaluate_audit, print_audit
    from training.train import ensure_model

    bar = lambda items: tqdm(items, desc="seeds", unit="seed", file=sys.stderr)  # noqa: E731
    metrics = evaluate_audit(ensure_model().classifier, bar)
    print_audit(metrics)
    if args.json:
        args.json.write_text(json.dumps(metrics, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


def _run_extracts(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from training.extracts_eval import evaluate_extracts, learnt_cv, print_evaluation

    bar = lambda items: tqdm(items, desc="reports", unit="report", file=sys.stderr)  # noqa: E731
    metrics = evaluate_extracts(bar) | learnt_cv(bar=bar)
    print_evaluation(metrics)
    if args.json:
        args.json.write_text(json.dumps(metrics, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0
