"""What a reader gets from a summary, counted (SPEC: "What a reader wants from a summary").

Whole reports, headings kept, as users give them. For every summary: how many of its sentences
are headings or run-in topic clauses, scraps, stock formulae (the definitions of
`model.text.units`); whether it has an admitted shortcoming when the report admits any, a plan
when the report has plans, a figure when the report gives at least five. Shortcomings and plans
are read from the reference labels of the report (hand-checked where there are any), never from
the labels of the model that made the summary, so a summary is not credited for a mislabelled
sentence.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from model.analyse import prepare
from model.learn.background import Background
from model.learn.classify import SectionClassifier
from model.summary.base import Budget
from model.summary.registry import SUMMARISERS
from model.summary.select import summarise
from model.text.units import sentence_kinds
from training.corpus import Report, seeds_dir
from training.evaluate import Rows, cross_validate, recovery_rows
from training.extracts import extract_id, fit_sentence_scorer
from training.train import fit_tense

RICH_IN_FIGURES = 5
FIGURES = (
    ("headings", "summary sentences that are headings or run-in topic clauses"),
    ("headings_body", "the same, on reports with body text"),
    ("scraps", "sentences of at most 14 characters (scraps)"),
    ("formulae", "sentences that are stock formulae"),
    ("shortcomings", "reports that admit shortcomings whose summary has one"),
    ("plans", "reports with plans whose summary has one"),
    ("figures", "reports with ≥ 5 figures whose summary has one"),
)


@dataclass(frozen=True, slots=True)
class ReaderRow:
    """Counts for one summary of one report."""

    sentences: int
    headings: int
    scraps: int
    formulae: int
    body: bool  # the report has body text
    admits: bool  # the report admits shortcomings
    has_admission: bool
    plans: bool  # the report has plans
    has_plan: bool
    rich: bool  # the report gives at least five figures
    has_figure: bool
    chars: int


def reader_rows(
    reports: Sequence[Report],
    classifier: SectionClassifier,
    budget: Budget,
    methods: Sequence[str] = tuple(SUMMARISERS),
) -> dict[str, list[ReaderRow]]:
    """One `ReaderRow` per report and method, each report summarised as a whole."""
    rows: dict[str, list[ReaderRow]] = {method: [] for method in methods}
    for report in reports:
        doc = prepare(report.text, classifier)
        gold = _gold_labels(report, [s.start for s in doc.sentences])
        kinds = sentence_kinds(doc)
        body = kinds.standalone.any()
        content = ~kinds.heading & ~kinds.chrome
        admits = any(g == "shortcomings" for g in gold[content])
        plans = any(g == "plans" for g in gold[content])
        rich = int(kinds.figure[content].sum()) >= RICH_IN_FIGURES
        starts = doc.spans()[0]
        for method in methods:
            # the sentence each pick quotes (from after a list marker it may open with)
            picked = [
                int(np.searchsorted(starts, p.start, side="right")) - 1
                for p in summarise(doc, budget, method)
            ]
            rows[method].append(
                ReaderRow(
                    sentences=len(picked),
                    headings=int((kinds.heading | kinds.topic)[picked].sum()),
                    scraps=int(kinds.scrap[picked].sum()),
                    formulae=int(kinds.formula[picked].sum()),
                    body=bool(body),
                    admits=admits,
                    has_admission=any(gold[i] == "shortcomings" for i in picked),
                    plans=plans,
                    has_plan=any(gold[i] == "plans" for i in picked),
                    rich=rich,
                    has_figure=bool(kinds.figure[picked].any()),
                    chars=int(sum(doc.lengths()[picked])),
                )
            )
    return rows


def _gold_labels(report: Report, starts: Sequence[int]) -> np.ndarray:
    """The reference label of the paragraph each offset falls in."""
    bounds = [p.start for p in report.paragraphs]
    labels = [
        report.labels[max(bisect_right(bounds, start) - 1, 0)] if bounds else None
        for start in starts
    ]
    return np.array(labels, dtype=object)


def reader_table(rows: dict[str, list[ReaderRow]]) -> dict[str, dict[str, Any]]:
    """The figures of `FIGURES` per method: shares of sentences, or of reports."""

    def share(part: Iterable[int], whole: Iterable[int]) -> float | None:
        total = sum(whole)
        return round(sum(part) / total, 4) if total else None

    table: dict[str, dict[str, Any]] = {}
    for method, found in rows.items():
        with_body = [r for r in found if r.body]
        table[method] = {
            "headings": share((r.headings for r in found), (r.sentences for r in found)),
            "headings_body": share(
                (r.headings for r in with_body), (r.sentences for r in with_body)
            ),
            "scraps": share((r.scraps for r in found), (r.sentences for r in found)),
            "formulae": share((r.formulae for r in found), (r.sentences for r in found)),
            "shortcomings": share(
                (r.has_admission for r in found if r.admits), (1 for r in found if r.admits)
            ),
            "plans": share((r.has_plan for r in found if r.plans), (1 for r in found if r.plans)),
            "figures": share((r.has_figure for r in found if r.rich), (1 for r in found if r.rich)),
            "reports": len(found),
            "admitting": sum(r.admits for r in found),
            "planning": sum(r.plans for r in found),
            "rich": sum(r.rich for r in found),
            "sentences_per_summary": round(float(np.mean([r.sentences for r in found])), 2)
            if found
            else 0.0,
        }
    return table


def format_table(table: dict[str, dict[str, Any]], out: Callable[[str], None] = print) -> None:
    """The figures side by side, one column per method."""
    methods = list(table)
    out(f"{'figure':<62}" + "".join(f"{m:>13}" for m in methods))
    for key, title in FIGURES:
        cells = []
        for m in methods:
            value = table[m][key]
            cells.append(f"{'n/a' if value is None else f'{100 * value:.1f}%':>13}")
        out(f"{title:<62}" + "".join(cells))
    first = table[methods[0]]
    out(
        f"({first['reports']} reports: {first['admitting']} admit shortcomings, "
        f"{first['planning']} have plans, {first['rich']} give ≥ {RICH_IN_FIGURES} figures)"
    )


def reader_cross_validation(
    train: Sequence[Report],
    test: Sequence[Report],
    budget: Budget,
    folds: int | None = None,
    background: Background | None = None,
    methods: Sequence[str] = tuple(SUMMARISERS),
    progress: Callable[[Iterable[Any]], Iterable[Any]] = lambda items: items,
    recovery_for: Collection[str] | None = None,
) -> tuple[dict[str, list[ReaderRow]], Rows]:
    """Reader rows and heading-recovery rows of `test`, each report summarised by the model of
    the grouped fold that never saw it (trained on `train` and the other folds). Heading
    recovery is run on the reports named in `recovery_for` (default: all)."""
    rows: dict[str, list[ReaderRow]] = {method: [] for method in methods}
    recovery: Rows = {}

    def on_fold(classifier: SectionClassifier, held_out: list[Report]) -> None:
        # The fold's tense model and `learnt` scorer, from the reports it may see.
        classifier.tense_ = fit_tense(seeds_dir(), exclude={r.name for r in held_out})
        if "learnt" in methods:
            unseen = {extract_id(r.name) for r in held_out}
            classifier.sentences_ = fit_sentence_scorer(classifier, seeds_dir(), unseen)
        for method, found in reader_rows(held_out, classifier, budget, methods).items():
            rows[method] += found
        texts = [r.text for r in held_out if recovery_for is None or r.name in recovery_for]
        for method, found in recovery_rows(texts, classifier, methods, oracle=False).items():
            recovery.setdefault(method, []).extend(found)

    cross_validate(
        train,
        progress=progress,
        test_reports=test,
        folds=folds,
        on_fold=on_fold,
        background=background,
    )
    return rows, recovery
