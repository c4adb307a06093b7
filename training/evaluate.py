"""Measured quality: leave-one-report-out classification, heading-recovery summaries."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score

from model.analyse import prepare
from model.labels import LABELS
from model.learn.background import Background
from model.learn.calibrate import expected_calibration_error, fit_temperature, reliability, scale
from model.learn.classify import DOCUMENT, ISOLATED, SectionClassifier, isolated_unit
from model.summary.base import Budget
from model.summary.registry import DEFAULT_METHOD, SUMMARISERS, get_summariser
from model.summary.select import select, summarise
from model.text.segment import normalise, split_paragraphs, strip_numbering
from model.text.structure import looks_like_boilerplate, structural_labels
from training.corpus import Report

Progress = Callable[[Iterable[Any]], Iterable[Any]]


def _quiet(items: Iterable[Any]) -> Iterable[Any]:
    return items


# -- classification ----------------------------------------------------------------------------

_RULES = (
    ("shortcomings", re.compile(r"不足|问题|差距|有待|薄弱|不够")),
    ("leadership", re.compile(r"第一责任人|党组书记|亲自部署|主要负责人")),
    (
        "plans",
        re.compile(r"^.{0,20}(?:将|下一步|计划|拟|继续|进一步)|20[0-9]{2}年.{0,6}(?:计划|安排)"),
    ),
)


def rules_baseline(report: Report) -> list[str]:
    """The ten-line floor: SPEC cue words per paragraph, first paragraph is the preamble."""
    labels = []
    for i, p in enumerate(report.paragraphs):
        text = normalise(p.text)
        label = "boilerplate" if looks_like_boilerplate(text) else "preamble" if i == 0 else None
        for name, pattern in _RULES:
            if label is None and pattern.search(text):
                label = name
        labels.append(label or "achievements")
    return labels


def scores(y_true: Sequence[str], y_pred: Sequence[str]) -> dict[str, Any]:
    """Accuracy, macro-F1 over the labels present in the truth, per-label F1, confusion."""
    present = [label for label in LABELS if label in set(y_true)]
    if not present:  # nothing to score (e.g. no report whose units could be compared)
        return {
            "n": 0,
            "accuracy": 0.0,
            "macro_f1": 0.0,
            "per_label_f1": {},
            "labels": [],
            "confusion": [],
        }
    per_label = f1_score(y_true, y_pred, labels=present, average=None, zero_division=0)
    return {
        "n": len(y_true),
        "accuracy": round(float(accuracy_score(y_true, y_pred)), 4),
        "macro_f1": round(float(np.mean(per_label)), 4) if present else 0.0,
        "per_label_f1": {
            label: round(float(f), 4) for label, f in zip(present, per_label, strict=True)
        },
        "labels": present,
        "confusion": confusion_matrix(y_true, y_pred, labels=present).tolist(),
    }


@dataclass
class OutOfFold:
    """Uncalibrated predictions of held-out paragraphs, in `LABELS` columns, with their fold."""

    probs: list[np.ndarray] = field(default_factory=list)
    predicted: list[int] = field(default_factory=list)
    truth: list[int] = field(default_factory=list)
    fold: list[int] = field(default_factory=list)

    def add(self, probs: np.ndarray, predicted: np.ndarray, truth: Sequence[str], fold: int):
        self.probs.append(probs)
        self.predicted += predicted.tolist()
        self.truth += [LABELS.index(label) for label in truth]
        self.fold += [fold] * len(truth)

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        probs = np.vstack(self.probs) if self.probs else np.zeros((0, len(LABELS)))
        return probs, np.array(self.predicted), np.array(self.truth), np.array(self.fold)


def _in_label_columns(clf: SectionClassifier, probs: np.ndarray) -> np.ndarray:
    """Probabilities over the model's labels as columns of all `LABELS` (0 for the others)."""
    out = np.zeros((len(probs), len(LABELS)))
    out[:, [LABELS.index(label) for label in clf.labels_]] = probs
    return out


def cross_validate(
    reports: Sequence[Report],
    make: Callable[[], SectionClassifier] = SectionClassifier,
    progress: Progress = _quiet,
    test_reports: Sequence[Report] | None = None,
    folds: int | None = None,
    on_fold: Callable[[SectionClassifier, list[Report]], None] | None = None,
    background: Background | None = None,
    oof: dict[str, OutOfFold] | None = None,
) -> dict[str, Any]:
    """Grouped cross-validation by report: a report is never in its own training set.

    Default is leave-one-report-out over `reports` (ten folds past 20 reports). With
    `test_reports`, only those are scored, each fold trained on `reports` plus the test reports
    outside the fold; `folds` groups the scored reports into that many folds (round robin).
    `on_fold(classifier, held_out)` lets other measures use each fold's model. `background`
    is given to every fold's model (unsupervised statistics; by default each fold's own).
    The document and isolated modes also report calibration (`calibration_figures`); `oof`,
    when given, receives their uncalibrated out-of-fold predictions.
    """
    held = list(test_reports) if test_reports is not None else list(reports)
    # A report named in the scored set is never also a training report (the same report may
    # be loaded twice: as a seed and as part of the training corpus).
    names = {r.name for r in held}
    pool = [r for r in reports if r.name not in names] + held
    k = min(folds or default_folds(len(held)), len(held))
    groups = [held[i::k] for i in range(k)]
    truth: list[str] = []
    preds: dict[str, list[str]] = {"structure": [], "rules": []}
    found = new_out_of_fold() if oof is None else oof
    for fold, group in enumerate(progress(groups)):
        ids = {id(r) for r in group}
        train = [r for r in pool if id(r) not in ids]
        clf = make().fit(
            [r.paragraphs for r in train], [r.labels for r in train], background=background
        )
        for report in group:
            texts = [p.text for p in report.paragraphs]
            truth += report.labels
            mode, path, probs = clf.document_probabilities(report.paragraphs)
            probs = _in_label_columns(clf, probs)
            found[DOCUMENT].add(
                probs,
                probs.argmax(axis=1)
                if path is None
                else np.array([LABELS.index(clf.labels_[i]) for i in path], dtype=np.int64),
                report.labels,
                fold,
            )
            isolated = _in_label_columns(clf, clf.predict_units([isolated_unit(t) for t in texts]))
            found[ISOLATED].add(isolated, isolated.argmax(axis=1), report.labels, fold)
            # What headings and position alone say (no learning): the prior the model builds on.
            preds["structure"] += [
                label or "achievements" for label in structural_labels(report.paragraphs)
            ]
            preds["rules"] += rules_baseline(report)
        if on_fold is not None:
            on_fold(clf, group)
    result = {}
    for mode in (DOCUMENT, ISOLATED):
        _, predicted, _, _ = found[mode].arrays()
        result[mode] = scores(truth, [LABELS[i] for i in predicted])
        result[mode]["calibration"] = calibration_figures(found[mode])
    result |= {mode: scores(truth, y) for mode, y in preds.items()}
    return result


CONFIDENT = 0.99
CALIBRATION_FOLDS = 5


def new_out_of_fold() -> dict[str, OutOfFold]:
    return {DOCUMENT: OutOfFold(), ISOLATED: OutOfFold()}


def temperatures(oof: dict[str, OutOfFold]) -> dict[str, float]:
    """The calibration temperature of each mode, fitted on all its out-of-fold predictions."""
    result = {}
    for mode, found in oof.items():
        probs, _, truth, _ = found.arrays()
        result[mode] = fit_temperature(probs, truth)
    return result


def calibrate(
    classifier: SectionClassifier,
    reports: Sequence[Report],
    background: Background | None = None,
    folds: int = CALIBRATION_FOLDS,
    oof: dict[str, OutOfFold] | None = None,
    progress: Progress = _quiet,
) -> dict[str, float]:
    """Give `classifier` (fitted on all `reports`) temperatures from grouped cross-validation.

    `oof`: out-of-fold predictions already made (by an evaluation run); else `folds` folds
    are run here. A corpus of one report cannot be cross-validated: it stays uncalibrated.
    """
    if oof is None:
        if len(reports) < 2:
            classifier.calibration_ = {}
            return {}
        oof = new_out_of_fold()
        cross_validate(reports, folds=folds, background=background, oof=oof, progress=progress)
    classifier.calibration_ = temperatures(oof)
    return classifier.calibration_


def calibration_figures(oof: OutOfFold, bins: int = 10) -> dict[str, Any]:
    """How far confidences are from accuracy, before and after temperature scaling.

    Cross-fitted: each fold's predictions are scaled with the temperature fitted on the other
    folds' out-of-fold predictions, so no paragraph helps calibrate its own confidence.
    """
    probs, predicted, truth, fold = oof.arrays()
    rows = np.arange(len(predicted))
    raw = probs[rows, predicted] if len(rows) else np.zeros(0)
    scaled = np.zeros(len(rows))
    temperatures = []
    for k in np.unique(fold):
        inside, others = fold == k, fold != k
        t = fit_temperature(probs[others], truth[others]) if others.any() else 1.0
        temperatures.append(t)
        picked = np.arange(int(inside.sum())), predicted[inside]
        scaled[inside] = scale(probs[inside], t)[picked]
    correct = predicted == truth

    def wrong_when_sure(confidence: np.ndarray) -> float:
        sure = confidence >= CONFIDENT
        return round(float((~correct[sure]).mean()), 4) if sure.any() else 0.0

    return {
        "ece_uncalibrated": round(expected_calibration_error(raw, correct, bins), 4),
        "ece": round(expected_calibration_error(scaled, correct, bins), 4),
        "wrong_at_0.99_uncalibrated": wrong_when_sure(raw),
        "wrong_at_0.99": wrong_when_sure(scaled),
        "sure_at_0.99": int((scaled >= CONFIDENT).sum()),
        "temperatures": [round(t, 3) for t in temperatures],
        "reliability": reliability(scaled, correct, bins),
    }


def default_folds(n: int) -> int:
    """One fold per report for a handful of reports (leave one out), else ten."""
    return n if n <= 20 else 10


Row = tuple[float, float, float]  # ROUGE-1, ROUGE-2, ROUGE-L of one report
Rows = dict[str, list[Row]]


def cross_validate_all(
    reports: Sequence[Report],
    progress: Progress = _quiet,
    test_reports: Sequence[Report] | None = None,
    folds: int | None = None,
    make: Callable[[], SectionClassifier] = SectionClassifier,
    diversities: Sequence[float] = (),
    background: Background | None = None,
    oof: dict[str, OutOfFold] | None = None,
) -> dict[str, Any]:
    """Classification and heading recovery, both cross-validated on the same folds.

    Summaries of a held-out report come from its fold's model, whose labels and heading model
    never saw that report or its headings. `diversities` adds the default summariser's rows
    with each of those MMR weights and, given several, a "nested" row: each fold scored with
    the weight that did best on the other folds.
    """
    fold_rows: list[Rows] = []

    def summarise_fold(classifier: SectionClassifier, held_out: list[Report]) -> None:
        texts = [r.text for r in held_out]
        fold_rows.append(recovery_rows(texts, classifier, diversities=diversities))

    classification = cross_validate(
        reports,
        make,
        progress,
        test_reports,
        folds,
        on_fold=summarise_fold,
        background=background,
        oof=oof,
    )
    rows: Rows = {}
    for found in fold_rows:
        for method, method_rows in found.items():
            rows.setdefault(method, []).extend(method_rows)
    if len(diversities) > 1:
        keys = [_diversity_key(d) for d in diversities]
        rows[f"{DEFAULT_METHOD} nested"] = nested_rows(fold_rows, keys)
    return {"classification": classification, "summary": mean_rows(rows)}


def _diversity_key(diversity: float) -> str:
    return f"{DEFAULT_METHOD} d={diversity:g}"


def nested_rows(fold_rows: Sequence[Rows], keys: Sequence[str]) -> list[Row]:
    """Each fold's rows under the key with the best mean R-2 on the other folds (the first
    such key on a tie): a setting chosen without seeing the fold it is scored on."""
    chosen: list[Row] = []
    for k, rows in enumerate(fold_rows):
        others = [found for j, found in enumerate(fold_rows) if j != k]

        def mean_r2(key: str, others: list[Rows] = others) -> float:
            values = [row[1] for found in others for row in found[key]]
            return float(np.mean(values)) if values else 0.0

        chosen += rows[max(keys, key=mean_r2)]
    return chosen


def weak_label_agreement(weak: Sequence[Report], gold: Sequence[Report]) -> dict[str, Any]:
    """How often labels from headings agree with the hand-checked ones (same units only)."""
    y_true, y_pred = [], []
    for w, g in zip(weak, gold, strict=True):
        if [p.text for p in w.paragraphs] == [p.text for p in g.paragraphs]:
            y_true += g.labels
            y_pred += w.labels
    result = scores(y_true, y_pred)
    result["reports_compared"] = sum(
        [p.text for p in w.paragraphs] == [p.text for p in g.paragraphs]
        for w, g in zip(weak, gold, strict=True)
    )
    return result


def plot_confusion(result: dict[str, Any], path: str, title: str) -> None:
    """Save a confusion matrix as PNG (matplotlib's Agg backend, no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    matrix = np.array(result["confusion"])
    fig, ax = plt.subplots(figsize=(6, 5))
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(result["labels"])), result["labels"], rotation=45, ha="right")
    ax.set_yticks(range(len(result["labels"])), result["labels"])
    for (i, j), value in np.ndenumerate(matrix):
        ax.text(j, i, str(value), ha="center", va="center", color="black")
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(f"{title} (macro-F1 {result['macro_f1']:.3f})")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_reliability(result: dict[str, Any], path: str, title: str) -> None:
    """Save a reliability diagram (accuracy against confidence per bin) as PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    table = [row for row in result["calibration"]["reliability"] if row["n"]]
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1)
    ax.bar(
        [(row["low"] + row["high"]) / 2 for row in table],
        [row["accuracy"] for row in table],
        width=[row["high"] - row["low"] for row in table],
        edgecolor="black",
        alpha=0.6,
    )
    ax.plot([row["confidence"] for row in table], [row["accuracy"] for row in table], "o")
    for row in table:
        ax.annotate(str(row["n"]), ((row["low"] + row["high"]) / 2, row["accuracy"]), fontsize=7)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("confidence")
    ax.set_ylabel("accuracy")
    ece = result["calibration"]["ece"]
    ax.set_title(f"{title} (ECE {ece:.3f}, cross-fitted temperature)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


# -- summaries: heading recovery ---------------------------------------------------------------

_CONTENT = re.compile(r"[\w]", re.UNICODE)


def content_chars(text: str) -> list[str]:
    """Characters that count for ROUGE: letters, digits, CJK; no punctuation or spaces."""
    return [c for c in normalise(text) if _CONTENT.match(c) and c != "_"]


def _ngrams(chars: Sequence[str], n: int) -> Counter[tuple[str, ...]]:
    return Counter(tuple(chars[i : i + n]) for i in range(len(chars) - n + 1))


def _f1(overlap: float, candidate: int, reference: int) -> float:
    if overlap == 0 or candidate == 0 or reference == 0:
        return 0.0
    p, r = overlap / candidate, overlap / reference
    return 2 * p * r / (p + r)


def rouge_n(candidate: Sequence[str], reference: Sequence[str], n: int) -> float:
    """Character n-gram ROUGE-N F1 (Lin 2004)."""
    c, r = _ngrams(candidate, n), _ngrams(reference, n)
    return _f1(sum((c & r).values()), sum(c.values()), sum(r.values()))


def rouge_l(candidate: Sequence[str], reference: Sequence[str]) -> float:
    """Character longest-common-subsequence ROUGE-L F1."""
    if not candidate or not reference:
        return 0.0
    prev = [0] * (len(reference) + 1)
    for a in candidate:
        row = [0]
        for j, b in enumerate(reference):
            row.append(prev[j] + 1 if a == b else max(prev[j + 1], row[j]))
        prev = row
    return _f1(prev[-1], len(candidate), len(reference))


_LINE_BREAK = re.compile(r"\s*\n\s*")


def heading_split(text: str) -> tuple[str, str]:
    """(body without heading lines, the headings' own words joined) of one report."""
    paragraphs = split_paragraphs(text)
    # A heading joined from broken lines ("一是" + its words) reads as one line.
    heads = [_LINE_BREAK.sub("", strip_numbering(p.text)) for p in paragraphs if p.heading]
    body = "\n".join(p.text for p in paragraphs if not p.heading)
    return body, "\n".join(heads)


def _oracle(doc_sentences: Sequence[str], reference: Sequence[str], budget: int) -> list[str]:
    """Greedy extractive oracle: add the sentence that most raises ROUGE-2 within budget."""
    chosen: list[str] = []
    used, best = 0, 0.0
    candidates = [s for s in doc_sentences if len(s) <= budget]
    while True:
        gains = [
            (rouge_n(content_chars("".join(chosen + [s])), reference, 2), s)
            for s in candidates
            if s not in chosen and used + len(s) <= budget
        ]
        if not gains:
            return chosen
        score, sentence = max(gains)
        if score <= best:
            return chosen
        chosen.append(sentence)
        used += len(sentence)
        best = score


def recovery_rows(
    texts: Sequence[str],
    classifier: SectionClassifier | None,
    methods: Sequence[str] = tuple(SUMMARISERS),
    oracle: bool = True,
    progress: Progress = _quiet,
    diversities: Sequence[float] = (),
) -> Rows:
    """(ROUGE-1, ROUGE-2, ROUGE-L) of each report, by method; reports without headings skipped.

    `diversities` adds rows of the default summariser picking with each of those MMR weights
    (its other options kept).
    """
    keys = [*methods, *(["oracle"] if oracle else []), *map(_diversity_key, diversities)]
    totals: Rows = {key: [] for key in keys}
    for text in progress(texts):
        body, headings = heading_split(text)
        reference = content_chars(headings)
        budget = len(headings.replace("\n", ""))
        if not reference or not body.strip():
            continue
        doc = prepare(body, classifier)
        picks: dict[str, list[str]] = {}
        for method in methods:
            chosen = summarise(doc, Budget(max_chars=budget), method)
            picks[method] = [p.text for p in chosen]
        if oracle:
            picks["oracle"] = _oracle([s.text for s in doc.sentences], reference, budget)
        if diversities:
            default = get_summariser()
            scores = default.score(doc)
            for diversity in diversities:
                chosen = select(
                    doc,
                    scores,
                    Budget(max_chars=budget),
                    diversity=diversity,
                    briefing=default.briefing,
                    briefed_diversity=default.briefed_diversity,
                    fill_quantile=default.fill_quantile,
                )
                picks[_diversity_key(diversity)] = [p.text for p in chosen]
        for method, sentences in picks.items():
            candidate = content_chars("".join(sentences))
            totals[method].append(
                (
                    rouge_n(candidate, reference, 1),
                    rouge_n(candidate, reference, 2),
                    rouge_l(candidate, reference),
                )
            )
    return totals


def mean_rows(totals: Rows) -> dict[str, dict[str, float]]:
    """Mean of each method's rows, rounded for reports."""
    return {
        method: {
            "rouge1": round(float(np.mean([r[0] for r in rows])), 4) if rows else 0.0,
            "rouge2": round(float(np.mean([r[1] for r in rows])), 4) if rows else 0.0,
            "rougeL": round(float(np.mean([r[2] for r in rows])), 4) if rows else 0.0,
            "reports": len(rows),
        }
        for method, rows in totals.items()
    }
