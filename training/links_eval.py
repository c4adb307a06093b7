"""How well the audit links problems to the plans that answer them, against two readers.

Gold: `seeds/links/{a,b}/` (see its README): for the five seeds, the readers linked the hand-made
problem and plan items of `seeds/audit/seeds.gold.jsonl`; for twenty State Council work reports
they quoted each admitted problem and up to four plan sentences that answer it. Units:
- seeds: the gold items, so a link is (problem item, plan item);
- work reports: the sentences (`Document.sentences`) the quotes fall in; the plan candidates are
  every sentence after the problems passage, and the audit, like the readers, links each problem
  to at most `TOP` of them.
The audit's links are `model.audit.checks.link_scores` over those units at LINK_THRESHOLD.
Scores are pair F1 against each reader and the readers against each other, and the problems
the audit leaves unanswered (the feedback's 请核实) against the readers' unanswered ones. The
work reports of odd years are the half the threshold was chosen on (`--sweep`); the even
years and the seeds are reported.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from model.analyse import prepare
from model.audit.checks import LINK_THRESHOLD, link_scores
from model.text.document import Document
from model.text.problems import Item, item_at

ROOT = Path(__file__).resolve().parents[1]
LINKS = ROOT / "seeds" / "links"
TOP = 4  # plans a reader gave each problem at most
SWEEP = (0.02, 0.03, 0.05, 0.08, 0.1, 0.12, 0.15, 0.2, 0.25, 0.3)
Pair = tuple[int, int]


def _unit(doc: Document, start: int, end: int, label: str) -> Item:
    found = item_at(doc, start, end, label)
    text = doc.text[start:end]
    return found or Item(text[:30], text, start, end, min(end, start + 30), label)


def _sentence_at(doc: Document, offset: int) -> int:
    for k, s in enumerate(doc.sentences):
        if s.start <= offset < s.end:
            return k
    raise ValueError(f"offset {offset} is in no sentence")


def _find(text: str, quote: str) -> int:
    at = text.find(quote)
    if at < 0:
        raise ValueError(f"quote not in the report: {quote[:30]!r}")
    return at


def _seed_units(
    doc: Document, gold: dict[str, Any], readers: dict[str, dict[str, Any]]
) -> tuple[list[Item], list[Item], dict[str, set[Pair]]]:
    problems = [_unit(doc, p["start"], p["end"], "shortcomings") for p in gold["problems"]]
    plans = [_unit(doc, p["start"], p["end"], "plans") for p in gold["plans"]]
    texts = [doc.text[p["start"] : p["end"]] for p in gold["problems"]]
    plan_texts = [doc.text[p["start"] : p["end"]] for p in gold["plans"]]
    pairs = {
        name: {
            (texts.index(link["problem"]), plan_texts.index(plan))
            for link in data["links"]
            for plan in link["plans"]
        }
        for name, data in readers.items()
    }
    return problems, plans, pairs


def _report_units(
    doc: Document, readers: dict[str, dict[str, Any]]
) -> tuple[list[Item], list[Item], dict[str, set[Pair]]]:
    """Problems: every sentence either reader quoted as a problem; plans: every sentence
    after the last of them."""
    problem_sentences = sorted(
        {
            _sentence_at(doc, _find(doc.text, link["problem"]))
            for data in readers.values()
            for link in data["links"]
        }
    )
    first_plan = problem_sentences[-1] + 1
    plan_sentences = list(range(first_plan, len(doc.sentences)))
    row = {s: k for k, s in enumerate(problem_sentences)}
    column = {s: k for k, s in enumerate(plan_sentences)}
    pairs: dict[str, set[Pair]] = {}
    for name, data in readers.items():
        pairs[name] = set()
        for link in data["links"]:
            p = row[_sentence_at(doc, _find(doc.text, link["problem"]))]
            for plan in link["plans"]:
                s = _sentence_at(doc, _find(doc.text, plan))
                if s in column:
                    pairs[name].add((p, column[s]))
    sentence = doc.sentences
    problems = [
        _unit(doc, sentence[s].start, sentence[s].end, "shortcomings") for s in problem_sentences
    ]
    plans = [_unit(doc, sentence[s].start, sentence[s].end, "plans") for s in plan_sentences]
    return problems, plans, pairs


def predicted(scores: np.ndarray, top: int | None, threshold: float) -> set[Pair]:
    found = set()
    for i, row in enumerate(scores):
        order = np.argsort(-row, kind="stable")[: top or len(row)]
        found |= {(i, int(j)) for j in order if row[j] >= threshold}
    return found


def f1(reference: set[Pair], found: set[Pair]) -> tuple[int, int, int]:
    """True positives, reference size, found size (summed over reports, then scored)."""
    return len(reference & found), len(reference), len(found)


def _score(tp: int, ref: int, got: int) -> dict[str, float]:
    p = tp / got if got else 0.0
    r = tp / ref if ref else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


Scored = tuple[np.ndarray, dict[str, set[Pair]], int | None]


def scored(ids: Iterable[str], bundle_path: Path | None = None) -> dict[str, Scored]:
    """For each document: the audit's `link_scores` over its units, the readers' links, and
    how many plans a problem may take (the readers' cap on the work reports)."""
    from service.common import load_model

    classifier = load_model(bundle_path).classifier
    gold = {
        f"seed_{json.loads(line)['source'][:3]}": json.loads(line)
        for line in (ROOT / "seeds" / "audit" / "seeds.gold.jsonl").open(encoding="utf-8")
    }
    texts = {
        row["doc_id"]: row["text"]
        for row in map(json.loads, (ROOT / "seeds" / "background" / "statecouncil.jsonl").open())
    }
    found: dict[str, Scored] = {}
    for doc_id in ids:
        readers = {
            name: json.loads((LINKS / name / f"{doc_id}.json").read_text(encoding="utf-8"))
            for name in ("a", "b")
        }
        if doc_id.startswith("seed_"):
            text = (ROOT / "seeds" / gold[doc_id]["source"]).read_text(encoding="utf-8")
            doc = prepare(text, classifier)
            problems, plans, pairs = _seed_units(doc, gold[doc_id], readers)
            top = None
        else:
            doc = prepare(texts[doc_id], classifier)
            problems, plans, pairs = _report_units(doc, readers)
            top = TOP
        found[doc_id] = (link_scores(doc, problems, plans), pairs, top)
    return found


def figures(
    docs: dict[str, Scored], groups: dict[str, Sequence[str]], threshold: float = LINK_THRESHOLD
) -> dict[str, Any]:
    """Pair F1 of the audit against each reader and between readers, and the problems it
    leaves unanswered (which the feedback asks to check) against the readers', per group."""
    result: dict[str, Any] = {}
    for group, ids in groups.items():
        sums = {key: [0, 0, 0] for key in ("system_a", "system_b", "a_b")}
        flags = {"problems": 0, "flagged": 0, "unanswered_a": 0, "caught_a": 0}
        flags |= {"unanswered_b": 0, "caught_b": 0}
        for doc_id in ids:
            scores, pairs, top = docs[doc_id]
            found = predicted(scores, top, threshold)
            for key, ref, got in (
                ("system_a", pairs["a"], found),
                ("system_b", pairs["b"], found),
                ("a_b", pairs["a"], pairs["b"]),
            ):
                for k, v in enumerate(f1(ref, got)):
                    sums[key][k] += v
            for i in range(len(scores)):
                flagged = not any(p == i for p, _ in found)
                flags["problems"] += 1
                flags["flagged"] += flagged
                for reader in ("a", "b"):
                    unanswered = not any(p == i for p, _ in pairs[reader])
                    flags[f"unanswered_{reader}"] += unanswered
                    flags[f"caught_{reader}"] += unanswered and flagged
        result[group] = {key: _score(*v) for key, v in sums.items()} | {"unanswered": flags}
    return result


def default_groups() -> dict[str, list[str]]:
    ids = sorted(p.stem for p in (LINKS / "a").glob("*.json"))
    ids = [i for i in ids if (LINKS / "b" / f"{i}.json").exists()]
    reports = [i for i in ids if i.startswith("sc")]
    return {
        "seeds": [i for i in ids if i.startswith("seed_")],
        "work reports, tune (odd years)": [i for i in reports if int(i[2:]) % 2],
        "work reports, test (even years)": [i for i in reports if not int(i[2:]) % 2],
    }


def show(result: dict[str, Any]) -> Iterable[str]:
    for group, scores in result.items():
        yield f"{group}:"
        for key, name in (
            ("system_a", "audit vs reader a"),
            ("system_b", "audit vs reader b"),
            ("a_b", "reader b vs reader a"),
        ):
            s = scores[key]
            yield f"  {name:<22} P {s['precision']:.3f} R {s['recall']:.3f} F1 {s['f1']:.3f}"
        u = scores["unanswered"]
        yield (
            f"  unanswered (请核实): {u['flagged']} of {u['problems']} problems; of the readers' "
            f"unanswered, a {u['caught_a']} of {u['unanswered_a']}, "
            f"b {u['caught_b']} of {u['unanswered_b']} flagged"
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--sweep",
        action="store_true",
        help="the mean F1 against the two readers at each threshold, per group (how "
        "LINK_THRESHOLD was chosen: the best on the tune half)",
    )
    args = parser.parse_args(argv)
    groups = default_groups()
    docs = scored([i for ids in groups.values() for i in ids], args.model)
    if args.sweep:
        for threshold in SWEEP:
            result = figures(docs, groups, threshold)
            means = "  ".join(
                f"{group}: {(r['system_a']['f1'] + r['system_b']['f1']) / 2:.3f}"
                for group, r in result.items()
            )
            print(f"{threshold:.2f}  {means}")
        return 0
    result = figures(docs, groups)
    print(json.dumps(result, indent=1) if args.json else "\n".join(show(result)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
