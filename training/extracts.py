"""Careful human extracts (seeds/extracts/): loading them, checking them, and how far two
readers agree, the ceiling a summariser can be held to.

    python -m training.extracts        # the readers' agreement, ROUGE-1/2 by budget
    fzreport evaluate --extracts       # the summarisers against the extracts, beside it

Each extract is a list of whole sentences copied from its report, in report order, within a
budget of 150, 300 or 600 characters (seeds/extracts/README.md says how they were made).
"""

from __future__ import annotations

import json
import re
import statistics
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    import numpy as np

from training.evaluate import content_chars, rouge_n
from training.train import seeds_dir

BUDGETS = (150, 300, 600)
READERS = ("a", "b")
_SENTENCE_END = "。！？"


@dataclass(frozen=True)
class Extract:
    """One reader's extracts of one report, by budget."""

    doc_id: str
    reader: str
    items: dict[int, list[str]]


def extracts_dir() -> Path:
    return seeds_dir() / "extracts"


def load_extracts(folder: Path | None = None) -> Iterator[Extract]:
    """Every reader's extract files, by reader then report."""
    folder = folder or extracts_dir()
    for reader in READERS:
        for path in sorted((folder / reader).glob("*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            items = {budget: list(data.get(str(budget), [])) for budget in BUDGETS}
            yield Extract(data["doc_id"], reader, items)


def report_texts() -> dict[str, str]:
    """The reports extracts are made of, by doc_id: the seeds and the State Council reports."""
    texts = {
        f"seed_{path.name[:3]}": path.read_text(encoding="utf-8")
        for path in sorted(seeds_dir().glob("*.txt"))
    }
    path = seeds_dir() / "background" / "statecouncil.jsonl"
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        texts[row["doc_id"]] = row["text"]
    return texts


def problems(extract: Extract, text: str) -> list[str]:
    """What is wrong with an extract: an item not a whole sentence of the report, out of
    report order, or a budget exceeded or empty."""
    found = []
    for budget, items in extract.items.items():
        if not items:
            found.append(f"{budget}: empty")
        if sum(map(len, items)) > budget:
            found.append(f"{budget}: {sum(map(len, items))} characters")
        at = 0
        for item in items:
            start = text.find(item, at)
            if start < 0:
                found.append(f"{budget}: not in the report after the previous item: {item[:20]}")
                continue
            end = start + len(item)
            before = text[:start].rstrip(" \t\u3000")
            after = re.match(r"[ \t\u3000]*(?:\r?\n|$)", text[end:])
            if before and before[-1] not in _SENTENCE_END + "\n":
                found.append(f"{budget}: starts inside a sentence: {item[:20]}")
            if item[-1] not in _SENTENCE_END and after is None:
                found.append(f"{budget}: ends inside a sentence: {item[-20:]}")
            at = end
    return found


def agreement(extracts: list[Extract]) -> dict[int, dict[str, float | int]]:
    """Mean ROUGE-1/2 F1 (characters) between the two readers' extracts of the same reports."""
    by_report: dict[str, dict[str, Extract]] = {}
    for extract in extracts:
        by_report.setdefault(extract.doc_id, {})[extract.reader] = extract
    pairs = [(r["a"], r["b"]) for r in by_report.values() if set(r) >= set(READERS)]
    result: dict[int, dict[str, float | int]] = {}
    for budget in BUDGETS:
        scores = [
            [
                rouge_n(
                    content_chars("".join(a.items[budget])),
                    content_chars("".join(b.items[budget])),
                    n,
                )
                for n in (1, 2)
            ]
            for a, b in pairs
        ]
        result[budget] = {
            "reports": len(scores),
            "rouge1": round(statistics.mean(s[0] for s in scores), 3) if scores else 0.0,
            "rouge2": round(statistics.mean(s[1] for s in scores), 3) if scores else 0.0,
        }
    return result


def _scores(summary: str, readers: list[str]) -> tuple[float, float]:
    """Mean ROUGE-1 and ROUGE-2 F1 of a summary against each reader's extract."""
    chars = content_chars(summary)
    refs = [content_chars(r) for r in readers]
    return tuple(statistics.mean(rouge_n(chars, r, n) for r in refs) for n in (1, 2))  # type: ignore[return-value]


def evaluate_extracts(bar: Callable[[Iterable[Any]], Iterable[Any]] = iter) -> dict[str, Any]:
    """Every registered summariser against the human extracts, at each budget, with the two
    readers' agreement beside it (each reader scored against the other: the ceiling).

    The labels the summaries read come from a classifier that never saw the report: for a
    seed, one trained on the other four; for a State Council report (a genre never trained
    on), the one trained on the five seeds.
    """
    from model.analyse import prepare, summary_record
    from model.summary.base import Budget
    from model.summary.registry import SUMMARISERS, get_summariser
    from training.train import fit, fit_background, load_reports

    seeds = load_reports(seeds_dir(), None)
    by_doc: dict[str, dict[str, Extract]] = {}
    for extract in load_extracts():
        by_doc.setdefault(extract.doc_id, {})[extract.reader] = extract
    texts = report_texts()
    models: dict[str, Any] = {}

    def model_for(doc_id: str) -> Any:
        left_out = next((r.name for r in seeds if doc_id == f"seed_{r.name[:3]}"), None)
        if left_out not in models:
            train = [r for r in seeds if r.name != left_out]
            models[left_out] = fit(train, background=fit_background(train, seeds_dir()))
        return models[left_out]

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
            for method in SUMMARISERS:
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
    return {
        key: {
            "reports": len(v),
            "rouge1": round(statistics.mean(x[0] for x in v), 3),
            "rouge2": round(statistics.mean(x[1] for x in v), 3),
        }
        for key, v in table.items()
    }


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


def main(out: TextIO | None = None) -> int:
    out = out or sys.stdout
    extracts = list(load_extracts())
    print(f"{len(extracts)} extract files in {extracts_dir()}", file=out)
    print("budget  reports  ROUGE-1  ROUGE-2   (reader a against reader b)", file=out)
    for budget, row in agreement(extracts).items():
        print(
            f"{budget:>6}  {row['reports']:>7}  {row['rouge1']:>7.3f}  {row['rouge2']:>7.3f}",
            file=out,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


# -- a learnt sentence scorer, cross-validated by report ---------------------------------------


def sentence_features(doc: Any) -> np.ndarray:
    """What the default summariser weighs, per sentence, as columns for a learnt scorer:
    centrality (bigram and word centroid), shape, specifics, stock share, heading likeness,
    section label, position, length, and the default's own score."""
    import numpy as np

    from model.labels import LABELS
    from model.summary.registry import get_summariser
    from model.summary.scorers import centroid_similarity
    from model.text.bags import bigram_vectors, sentence_vectors
    from model.text.units import sentence_kinds, sentence_shape

    n = len(doc.sentences)
    kinds = sentence_kinds(doc)
    opens, complete, substantial = sentence_shape(doc)
    lengths = doc.lengths()
    paragraph_of = doc.sentence_paragraphs()
    labels = np.array(doc.labels, dtype=object)[paragraph_of] if doc.labels else None
    headlike = doc.heading_probabilities()
    default = get_summariser().score(doc)
    columns = [
        centroid_similarity(bigram_vectors(doc)),
        centroid_similarity(sentence_vectors(doc)),
        opens,
        complete,
        substantial,
        np.minimum(kinds.specific, 3),
        kinds.figure,
        kinds.stock,
        kinds.heading | kinds.topic,
        kinds.scrap | kinds.dependent | kinds.chrome | kinds.garbled,
        headlike if headlike is not None else np.zeros(n),
        np.arange(n) / max(n, 1),
        np.log1p(lengths),
        lengths > 150,
        default / (default.max() or 1.0),
        *[(labels == label) if labels is not None else np.zeros(n) for label in LABELS],
    ]
    return np.column_stack([np.asarray(c, dtype=float) for c in columns])


def _picked(doc: Any, extract: Extract, budget: int) -> np.ndarray:
    """Which of the document's sentences the reader's extract holds (an item within it, or
    it within an item: the readers cut at 。！？ and line ends, the segmenter also at ；)."""
    import numpy as np

    items = [item.strip() for item in extract.items[budget]]
    picked = np.zeros(len(doc.sentences), dtype=bool)
    for i, s in enumerate(doc.sentences):
        text = s.text.strip()
        picked[i] = bool(text) and any(text in item or item in text for item in items)
    return picked


def learnt_cv(
    budgets: Sequence[int] = BUDGETS,
    folds: int = 6,
    bar: Callable[[Iterable[Any]], Iterable[Any]] = iter,
) -> dict[str, Any]:
    """A logistic regression over `sentence_features`, trained on the sentences the readers
    picked (either reader, at 300 characters) in the other folds' reports and used as the
    scores of the default selection (its MMR and briefing): ROUGE against the readers.

    An experiment, not yet a summariser: it tells whether learning from the extracts closes
    the gap to the ceiling before the scorer goes into the bundle.
    """
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from model.analyse import prepare
    from model.summary.base import Budget
    from model.summary.registry import get_summariser
    from model.summary.select import select
    from training.train import fit, fit_background, load_reports

    seeds = load_reports(seeds_dir(), None)
    full = fit(seeds, background=fit_background(seeds, seeds_dir()))
    by_doc: dict[str, dict[str, Extract]] = {}
    for extract in load_extracts():
        by_doc.setdefault(extract.doc_id, {})[extract.reader] = extract
    texts = report_texts()
    doc_ids = sorted(d for d, r in by_doc.items() if set(r) >= set(READERS))
    docs, features, targets = {}, {}, {}
    for doc_id in bar(doc_ids):
        # the seeds' labels from a model that never saw the seed
        left_out = [r for r in seeds if doc_id != f"seed_{r.name[:3]}"]
        model = (
            full
            if len(left_out) == len(seeds)
            else fit(left_out, background=fit_background(left_out, seeds_dir()))
        )
        doc = docs[doc_id] = prepare(texts[doc_id], model)
        features[doc_id] = sentence_features(doc)
        targets[doc_id] = _picked(doc, by_doc[doc_id]["a"], 300) | _picked(
            doc, by_doc[doc_id]["b"], 300
        )
    default = get_summariser()
    scores: dict[str, list[tuple[float, float]]] = {}
    splitter = GroupKFold(n_splits=folds)
    for train, test in splitter.split(doc_ids, groups=doc_ids):
        train_ids = [doc_ids[i] for i in train]
        X = np.vstack([features[d] for d in train_ids])
        y = np.concatenate([targets[d] for d in train_ids])
        model = make_pipeline(
            StandardScaler(), LogisticRegression(C=1.0, max_iter=2000, class_weight="balanced")
        )
        model.fit(X, y)
        for i in test:
            doc_id = doc_ids[i]
            doc = docs[doc_id]
            learnt = (
                model.predict_proba(features[doc_id])[:, 1] if len(doc.sentences) else np.zeros(0)
            )
            group = "seeds" if doc_id.startswith("seed_") else "statecouncil"
            for budget in budgets:
                picks = select(
                    doc,
                    learnt,
                    Budget(max_chars=budget),
                    diversity=default.diversity,
                    briefing=default.briefing,
                )
                human = ["".join(by_doc[doc_id][r].items[budget]) for r in READERS]
                summary = "".join(p.text for p in picks)
                for key in (f"{budget}/learnt-cv/{group}", f"{budget}/learnt-cv/all"):
                    scores.setdefault(key, []).append(_scores(summary, human))
    return {
        key: {
            "reports": len(v),
            "rouge1": round(statistics.mean(x[0] for x in v), 3),
            "rouge2": round(statistics.mean(x[1] for x in v), 3),
        }
        for key, v in scores.items()
    }
