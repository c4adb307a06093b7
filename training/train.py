"""Retrain the section classifier from a corpus, evaluate it, and write the bundle.

python -m training.train --corpus seeds/ --out model.joblib

The fitting and evaluation code (scikit-learn) is imported when a model is built: loading the
cache bundle (`ensure_model`) and the command's flags need none of it.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import logging
import os
import random
import sys
import time
from collections.abc import Callable, Collection, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from model import persist
from training.corpus import seeds_dir

if TYPE_CHECKING:
    from model.learn.background import Background
    from model.learn.classify import SectionClassifier
    from model.learn.tense import TenseModel
    from training.corpus import Report
    from training.evaluate import OutOfFold

log = logging.getLogger(__name__)


def default_model_path() -> Path:
    """$FZREPORT_MODEL, else a per-user cache file built from the seeds on first use."""
    if env := os.environ.get("FZREPORT_MODEL"):
        return Path(env)
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "fzreport" / "model.joblib"


def load_reports(corpus: Path, labels: Path | None, min_year: int | None = None) -> list[Report]:
    """Reports with weak labels, overridden by manual labels: the file given, or by default
    those that go with the corpus (`label_files`)."""
    from training.corpus import (
        fully_labelled,
        label_files,
        load_corpus,
        load_manual_labels,
        with_manual_labels,
    )

    reports = load_corpus(corpus, min_year=min_year)
    for path in [labels] if labels is not None else label_files(corpus):
        reports = with_manual_labels(reports, load_manual_labels(path))
    reports, skipped = fully_labelled(reports)
    if skipped:
        log.warning(
            "skipped %d report(s) without headings or manual labels: %s",
            len(skipped),
            ", ".join(skipped[:5]) + (" …" if len(skipped) > 5 else ""),
        )
    return reports


def fit_background(reports: list[Report], corpus: Path | None = None) -> Background:
    """Background statistics of the training reports and the corpus's `background/` reports."""
    from model.learn.background import Background
    from training.corpus import background_texts

    extra = background_texts([corpus]) if corpus is not None else []
    return Background().fit([*(r.text for r in reports), *extra])


def fit_tense(corpus: Path | None, exclude: Collection[str] = ()) -> TenseModel | None:
    """Which way a work report's section faces, learnt from the speeches to a congress among
    the corpus's `background/` reports but those named in `exclude`; None without any."""
    from model.learn.tense import TenseModel

    chosen = [e for name, e in _tense_examples(corpus) if name not in exclude]
    forward = [text for f, _ in chosen for text in f]
    back = [text for _, b in chosen for text in b]
    return TenseModel().fit(forward, back) if forward and back else None


@functools.cache
def _tense_examples(corpus: Path | None) -> tuple[tuple[str, tuple[list[str], list[str]]], ...]:
    """Each background report's (forward, back) section bodies, read once per corpus: a
    cross-validation fits a tense model per held-out report from the same reports."""
    from model.learn.tense import examples
    from training.corpus import background_reports

    reports = background_reports([corpus]) if corpus is not None else []
    return tuple((r.name, examples([r.paragraphs])) for r in reports)


def fit(
    reports: list[Report],
    seed: int = 0,
    background: Background | None = None,
    tense: TenseModel | None = None,
) -> SectionClassifier:
    """Fit deterministically: same data and seed, same model."""
    import numpy as np

    from model.learn.classify import SectionClassifier

    random.seed(seed)
    np.random.seed(seed)
    return SectionClassifier().fit(
        [r.paragraphs for r in reports],
        [r.labels for r in reports],
        background=background,
        tense=tense,
    )


def _bar(show: bool, desc: str) -> Callable[[Iterable[Any]], Iterable[Any]]:
    if not show:
        return lambda items: items
    from tqdm import tqdm

    return lambda items: tqdm(items, desc=desc, unit="fold", file=sys.stderr)


def evaluate(
    reports: list[Report],
    show: bool = True,
    background: Background | None = None,
    oof: dict[str, OutOfFold] | None = None,
) -> dict[str, Any]:
    """Grouped cross-validation: classification, calibration and heading recovery."""
    from training.evaluate import cross_validate_all

    bar = _bar(show, "cross-validation")
    return cross_validate_all(reports, progress=bar, background=background, oof=oof)


def build_bundle(
    corpus: Path,
    out: Path,
    labels: Path | None = None,
    *,
    run_evaluation: bool = True,
    seed: int = 0,
    show: bool = True,
) -> dict[str, Any]:
    """Load, fit, evaluate, save (atomically); return the manifest."""
    from training.corpus import data_hash
    from training.evaluate import calibrate, new_out_of_fold
    from training.extracts import fit_sentence_scorer

    reports = load_reports(corpus, labels)
    if not reports:
        raise ValueError(f"no reports in {corpus}")
    background = fit_background(reports, corpus)
    classifier = fit(reports, seed, background, fit_tense(corpus))
    # What careful readers pick (CORPUS/extracts/), for the `learnt` summariser.
    classifier.sentences_ = fit_sentence_scorer(classifier, corpus)
    oof = new_out_of_fold() if run_evaluation else None
    metrics = evaluate(reports, show, background, oof) if run_evaluation else {}
    calibration = calibrate(
        classifier, reports, background, oof=oof, progress=_bar(show, "calibration")
    )
    extra = {
        "corpus": str(corpus),
        "reports": len(reports),
        "seed": seed,
        "calibration": calibration,
        "source": source_fingerprint(corpus),
    }
    return persist.save(classifier, out, data_hash=data_hash(reports), metrics=metrics, extra=extra)


def source_fingerprint(corpus: Path | None = None) -> str:
    """sha256 of the code that pickles and trains a classifier, and of the corpus files.

    The default cache bundle is rebuilt when this changes: a classifier pickled by other
    code can load fine and fail later (a missing attribute) instead of with a ModelError.
    """
    root = Path(__file__).resolve().parent.parent
    # every module of the core's subpackages (a change in model/learn/ matters as much)
    files = sorted([*(root / "model").rglob("*.py"), *(root / "training").glob("*.py")])
    if corpus is not None and corpus.is_dir():
        files += sorted(corpus.rglob("*"))
    digest = hashlib.sha256()
    for file in files:
        if file.is_file():
            digest.update(file.name.encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def ensure_model(path: Path | None = None) -> persist.Bundle:
    """Load the bundle; the default cache bundle is (re)built from the seeds when needed.

    An explicit bundle (argument or $FZREPORT_MODEL) is never rebuilt: it fails loudly.
    """
    explicit = path is not None or "FZREPORT_MODEL" in os.environ
    path = path or default_model_path()
    try:
        bundle = persist.load(path)
        if explicit or bundle.manifest.get("source") == source_fingerprint(seeds_dir()):
            return bundle
    except persist.ModelError:
        if explicit:
            raise
    log.info("building the default model from %s into %s", seeds_dir(), path)
    build_bundle(seeds_dir(), path, run_evaluation=False, show=False)
    return persist.load(path)


def print_report(metrics: dict[str, Any], out: TextIO | None = None) -> None:
    """Human-readable evaluation tables (to stdout as it is at call time, by default)."""
    out = out or sys.stdout
    for mode, result in metrics.get("classification", {}).items():
        acc, f1 = result["accuracy"], result["macro_f1"]
        print(f"classification [{mode}]: accuracy {acc:.3f}  macro-F1 {f1:.3f}", file=out)
        for label, f1 in result["per_label_f1"].items():
            print(f"    {label:<13} F1 {f1:.3f}", file=out)
        if calibration := result.get("calibration"):
            print(
                f"    calibration   ECE {calibration['ece']:.3f} "
                f"(uncalibrated {calibration['ece_uncalibrated']:.3f}); "
                f"wrong among confidence >= 0.99: {100 * calibration['wrong_at_0.99']:.1f}% "
                f"of {calibration['sure_at_0.99']} "
                f"(uncalibrated {100 * calibration['wrong_at_0.99_uncalibrated']:.1f}%)",
                file=out,
            )
    if summary := metrics.get("summary"):
        print("summary (heading recovery, char ROUGE F1):", file=out)
        width = max(12, *map(len, summary))
        print(f"    {'method':<{width}} {'R-1':>6} {'R-2':>6} {'R-L':>6}  reports", file=out)
        for method, row in summary.items():
            r1, r2, rl, n = row["rouge1"], row["rouge2"], row["rougeL"], row["reports"]
            print(f"    {method:<{width}} {r1:6.3f} {r2:6.3f} {rl:6.3f}  {n}", file=out)


def save_plots(metrics: dict[str, Any], stem: Path) -> list[Path]:
    """Confusion matrices and reliability diagrams of the learned modes, next to `stem`."""
    from training.evaluate import plot_confusion, plot_reliability

    written = []
    for mode, result in metrics.get("classification", {}).items():
        if "calibration" not in result:  # the baselines: no model, no confidence
            continue
        confusion = stem.with_name(stem.name + f".confusion-{mode}.png")
        plot_confusion(result, str(confusion), mode)
        diagram = stem.with_name(stem.name + f".reliability-{mode}.png")
        plot_reliability(result, str(diagram), mode)
        written += [confusion, diagram]
    return written


def print_label_table(reports: list[Report], out: TextIO | None = None) -> None:
    """Per-report paragraph labels, for a person to check the weak labels."""
    out = out or sys.stdout
    for r in reports:
        print(f"== {r.name} ({len(r.paragraphs)} paragraphs, {r.manual} manual labels)", file=out)
        for i, (p, label) in enumerate(zip(r.paragraphs, r.labels, strict=True)):
            mark = "H" if p.heading else " "
            print(f"  {i:3d} {mark} {label:<13} {p.text[:40]}", file=out)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--corpus",
        type=Path,
        default=None,
        help="folder of .txt reports or a JSONL corpus (default: bundled seeds)",
    )
    parser.add_argument(
        "--labels",
        type=Path,
        default=None,
        help="manual labels CSV/JSONL (default: CORPUS/labels.jsonl if present)",
    )
    parser.add_argument(
        "--out", type=Path, default=None, help="bundle path (default: the per-user cache bundle)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-eval", action="store_true", help="skip cross-validation (faster)")
    parser.add_argument(
        "--show-labels", action="store_true", help="print the per-report label table"
    )


def run(args: argparse.Namespace) -> int:
    corpus = args.corpus or seeds_dir()
    out = args.out or default_model_path()
    started = time.perf_counter()
    try:
        reports = load_reports(corpus, args.labels)
    except (OSError, ValueError) as exc:
        print(f"fzreport train: {exc}", file=sys.stderr)
        return 2
    if not reports:
        print(f"fzreport train: no reports in {corpus}", file=sys.stderr)
        return 2
    if out.is_dir():
        print(
            f"fzreport train: --out {out} is a folder: give a file, e.g. {out / 'model.joblib'}",
            file=sys.stderr,
        )
        return 2
    try:  # before the work, not after it: an --out that cannot be written fails at once
        out.parent.mkdir(parents=True, exist_ok=True)
        if not os.access(out.parent, os.W_OK):
            raise PermissionError(13, "Permission denied")
    except OSError as exc:
        print(f"fzreport train: cannot write {out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    if args.show_labels:
        print_label_table(reports)
    try:
        manifest = build_bundle(
            corpus, out, args.labels, run_evaluation=not args.no_eval, seed=args.seed
        )
        metrics = manifest["metrics"]
        if metrics:
            print_report(metrics)
            save_plots(metrics, out)
            out.with_name(out.name + ".metrics.json").write_text(
                json.dumps(metrics, ensure_ascii=False, indent=2), encoding="utf-8"
            )
    except OSError as exc:  # an unwritable --out: the atomic write left no half bundle
        print(f"fzreport train: cannot write {out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    elapsed = time.perf_counter() - started
    print(f"wrote {out} ({len(reports)} reports, sha256 {manifest['sha256'][:12]}, {elapsed:.1f}s)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="fzreport train", description=__doc__)
    add_arguments(parser)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
