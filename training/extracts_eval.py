"""`fzreport evaluate --extracts`: every summariser against the human extracts, with the two
readers' agreement beside it, and the learnt scorer cross-validated by report."""

from __future__ import annotations

import statistics
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, NamedTuple, TextIO

from training.corpus import seeds_dir
from training.evaluate import content_chars, rouge_n
from training.extracts import BUDGETS, READERS, Extract, load_extracts, picked, report_texts


def _means(scores: dict[str, list[tuple[float, float]]]) -> dict[str, Any]:
    """Mean ROUGE-1 and ROUGE-2 of each "budget/system/group" key's reports."""
    return {
        key: {
            "reports": len(v),
            "rouge1": round(statistics.mean(x[0] for x in v), 3),
            "rouge2": round(statistics.mean(x[1] for x in v), 3),
        }
        for key, v in scores.items()
    }


def _scores(summary: str, readers: list[str]) -> tuple[float, float]:
    """Mean ROUGE-1 and ROUGE-2 F1 of a summary against each reader's extract."""
    chars = content_chars(summary)
    refs = [content_chars(r) for r in readers]
    return tuple(statistics.mean(rouge_n(chars, r, n) for r in refs) for n in (1, 2))  # type: ignore[return-value]


def evaluate_extracts(bar: Callable[[Iterable[Any]], Iterable[Any]] = iter) -> dict[str, Any]:
    """Every registered summariser against the human extracts, at each budget, with the two
    readers' agreement beside it (each reader scored against the other: the ceiling).

    The labels the summaries read come from a classifier that never saw the report
    (`held_out_models`).
    """
    from model.analyse import prepare, summary_record
    from model.summary.base import Budget
    from model.summary.registry import SUMMARISERS, get_summariser

    by_doc: dict[str, dict[str, Extract]] = {}
    for extract in load_extracts():
        by_doc.setdefault(extract.doc_id, {})[extract.reader] = extract
    texts = report_texts()
    model_for = held_out_models()
    rows: list[dict[str, Any]] = []
    for doc_id in bar(sorted(d for d, r in by_doc.items() if set(r) >= set(READERS))):
        a, b = by_doc[doc_id]["a"], by_doc[doc_id]["b"]
        doc = prepare(texts[doc_id], model_for(doc_id))
        group = "seeds" if doc_id.startswith("seed_") else "statecouncil"
        for budget in BUDGETS:
            human = ["".join(a.items[budget]), "".join(b.items[budget])]
            r1 = statistics.mean(_scores(human[i], [human[1 - i]])[0] for i in (0, 1))
            r2 = statistics.mean(_scores(human[i], [human[1 - i]])[1] for i in (0, 1))
            rows.append(
                {
                    "doc": doc_id,
                    "group": group,
                    "budget": budget,
                    "system": "human",
                    "rouge1": r1,
                    "rouge2": r2,
                }
            )
            # `learnt` is scored by `learnt_cv`, its scorer trained on the other folds' extracts:
            # here it would score with none, as the default.
            for method in (m for m in SUMMARISERS if m != "learnt"):
                summariser = get_summariser(method)
                record = summary_record(
                    doc, Budget(max_chars=budget), method, summariser.score(doc)
                )
                r1, r2 = _scores(record["summary"], human)
                rows.append(
                    {
                        "doc": doc_id,
                        "group": group,
                        "budget": budget,
                        "system": method,
                        "rouge1": r1,
                        "rouge2": r2,
                    }
                )
    table: dict[str, Any] = {}
    for row in rows:
        for group in (row["group"], "all"):
            key = f"{row['budget']}/{row['system']}/{group}"
            table.setdefault(key, []).append((row["rouge1"], row["rouge2"]))
    return _means(table)


def print_evaluation(metrics: dict[str, Any], out: TextIO | None = None) -> None:
    out = out or sys.stdout
    systems = sorted({k.split("/")[1] for k in metrics}, key=lambda s: (s != "human", s))
    print("ROUGE-2 (ROUGE-1) of each summary against the two readers' extracts;", file=out)
    print(
        "human: each reader against the other, the ceiling; learnt-cv: a logistic regression",
        file=out,
    )
    print(
        "on the default's signals, trained on the other folds' extracts (6 folds by report)",
        file=out,
    )
    for budget in BUDGETS:
        print(f"--max-chars {budget}        seeds           State Council   all", file=out)
        for system in systems:
            cells = []
            for group in ("seeds", "statecouncil", "all"):
                m = metrics.get(f"{budget}/{system}/{group}")
                cells.append(f"{m['rouge2']:.3f} ({m['rouge1']:.3f})" if m else "-")
            print(f"  {system:<12} " + "   ".join(f"{c:<13}" for c in cells), file=out)


class ExtractDocs(NamedTuple):
    """The reports that both readers extracted, prepared for a learnt scorer: each seed
    labelled by a classifier trained without it, with its sentence features and the sentences
    either reader picked at 300 characters."""

    doc_ids: list[str]
    docs: dict[str, Any]
    features: dict[str, Any]
    targets: dict[str, Any]
    extracts: dict[str, dict[str, Extract]]


def held_out_models() -> Callable[[str], Any]:
    """For each report the extracts are of, a classifier that never saw it: for a seed, one
    trained on the other four; for a State Council report (a genre never trained on), the one
    trained on the five seeds, with a tense model learnt from the other speeches."""
    import copy

    from training.train import fit, fit_background, fit_tense, load_reports

    seeds = load_reports(seeds_dir(), None)
    models: dict[str | None, Any] = {}

    def model_for(doc_id: str) -> Any:
        left_out = next((r.name for r in seeds if doc_id == f"seed_{r.name[:3]}"), None)
        if left_out not in models:
            train = [r for r in seeds if r.name != left_out]
            models[left_out] = fit(train, background=fit_background(train, seeds_dir()))
        model = models[left_out]
        if left_out is None:
            model = copy.copy(model)
            model.tense_ = fit_tense(seeds_dir(), exclude={doc_id})
        return model

    return model_for


def extract_docs(bar: Callable[[Iterable[Any]], Iterable[Any]] = iter) -> ExtractDocs:
    from model.analyse import prepare
    from model.summary.scorers import sentence_features

    model_for = held_out_models()
    by_doc: dict[str, dict[str, Extract]] = {}
    for extract in load_extracts():
        by_doc.setdefault(extract.doc_id, {})[extract.reader] = extract
    texts = report_texts()
    doc_ids = sorted(d for d, r in by_doc.items() if set(r) >= set(READERS))
    docs, features, targets = {}, {}, {}
    for doc_id in bar(doc_ids):
        doc = docs[doc_id] = prepare(texts[doc_id], model_for(doc_id))
        features[doc_id] = sentence_features(doc)
        targets[doc_id] = picked(doc, by_doc[doc_id]["a"], 300) | picked(
            doc, by_doc[doc_id]["b"], 300
        )
    return ExtractDocs(doc_ids, docs, features, targets, by_doc)


def fold_scorers(prepared: ExtractDocs, folds: int = 6) -> Iterator[tuple[Any, list[str]]]:
    """(scorer, held-out doc_ids) per fold by report: a `LinearScorer` fitted on the other
    folds' reports, so that no report is scored by what its own extracts taught."""
    import numpy as np
    from sklearn.model_selection import GroupKFold

    from model.learn.scorer import LinearScorer

    ids = prepared.doc_ids
    for train, test in GroupKFold(n_splits=folds).split(ids, groups=ids):
        train_ids = [ids[i] for i in train]
        scorer = LinearScorer().fit(
            np.vstack([prepared.features[d] for d in train_ids]),
            np.concatenate([prepared.targets[d] for d in train_ids]),
        )
        yield scorer, [ids[i] for i in test]


def learnt_cv(
    budgets: Sequence[int] = BUDGETS,
    folds: int = 6,
    bar: Callable[[Iterable[Any]], Iterable[Any]] = iter,
) -> dict[str, Any]:
    """A logistic regression over `sentence_features`, trained on the sentences the readers
    picked (either reader, at 300 characters) in the other folds' reports and used as the
    scores of the default selection (its MMR and briefing): ROUGE against the readers.
    """
    from model.summary.base import Budget
    from model.summary.registry import get_summariser
    from model.summary.select import select_for

    prepared = extract_docs(bar)
    default = get_summariser()
    scores: dict[str, list[tuple[float, float]]] = {}
    for scorer, held_out in fold_scorers(prepared, folds):
        for doc_id in held_out:
            doc = prepared.docs[doc_id]
            learnt = scorer.predict(prepared.features[doc_id])
            group = "seeds" if doc_id.startswith("seed_") else "statecouncil"
            for budget in budgets:
                picks = select_for(default, doc, learnt, Budget(max_chars=budget))
                human = ["".join(prepared.extracts[doc_id][r].items[budget]) for r in READERS]
                summary = "".join(p.text for p in picks)
                for key in (f"{budget}/learnt-cv/{group}", f"{budget}/learnt-cv/all"):
                    scores.setdefault(key, []).append(_scores(summary, human))
    return _means(scores)
