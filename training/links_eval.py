"""How well the audit links problems to the plans that answer them, against two readers.

Gold: `seeds/links/{a,b}/` (see its README): for the five seeds, the readers linked the hand-made
problem and plan items of `seeds/audit/seeds.gold.jsonl`; for twenty State Council work reports
they quoted each admitted problem and up to four plan sentences that answer it. Units:
- seeds: the gold items, so a link is (problem item, plan item);
- work reports: the sentences (`Document.sentences`) the quotes fall in; the plan candidates are
  every sentence after the problems passage, and the audit, like the readers, links each problem
  to at most `TOP` of them.
The audit's links are `model.audit.checks.link_scores` over those units at LINK_THRESHOLD.
Scores are pair F1 against each reader and the readers against each other, and the no-plan
claims the feedback makes (`model.round.findings.NO_PLAN`): how many, and how many a reader
contradicts. The work reports of odd years are the half thresholds may be tuned on; the even
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
from model.round.findings import NO_PLAN
from model.text.document import Document
from model.text.problems import Item, item_at

ROOT = Path(__file__).resolve().parents[1]
LINKS = ROOT / "seeds" / "links"
TOP = 4  # plans a reader gave each problem at most
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


def predicted(scores: np.ndarray, top: int | None) -> set[Pair]:
    found = set()
    for i, row in enumerate(scores):
        order = np.argsort(-row, kind="stable")[: top or len(row)]
        found |= {(i, int(j)) for j in order if row[j] >= LINK_THRESHOLD}
    return found


def f1(reference: set[Pair], found: set[Pair]) -> tuple[int, int, int]:
    """True positives, reference size, found size (summed over reports, then scored)."""
    return len(reference & found), len(reference), len(found)


def _score(tp: int, ref: int, got: int) -> dict[str, float]:
    p = tp / got if got else 0.0
    r = tp / ref if ref else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def evaluate(groups: dict[str, Sequence[str]], bundle_path: Path | None = None) -> dict[str, Any]:
    """Pair F1 of the audit against each reader and between readers, and the no-plan claims,
    for each group of documents."""
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
    result: dict[str, Any] = {}
    for group, ids in groups.items():
        sums = {key: [0, 0, 0] for key in ("system_a", "system_b", "a_b")}
        claims = {"problems": 0, "none": 0, "none_wrong": 0, "check": 0}
        for doc_id in ids:
            readers = {
                name: json.loads((LINKS / name / f"{doc_id}.json").read_text(encoding="utf-8"))
                for name in ("a", "b")
            }
            if doc_id.startswith("seed_"):
                source = gold[doc_id]["source"]
                text = (ROOT / "seeds" / source).read_text(encoding="utf-8")
                doc = prepare(text, classifier)
                problems, plans, pairs = _seed_units(doc, gold[doc_id], readers)
                top = None
            else:
                doc = prepare(texts[doc_id], classifier)
                problems, plans, pairs = _report_units(doc, readers)
                top = TOP
            scores = link_scores(doc, problems, plans)
            found = predicted(scores, top)
            for key, ref, got in (
                ("system_a", pairs["a"], found),
                ("system_b", pairs["b"], found),
                ("a_b", pairs["a"], pairs["b"]),
            ):
                for k, v in enumerate(f1(ref, got)):
                    sums[key][k] += v
            for i, row in enumerate(scores):
                claims["problems"] += 1
                best = float(row.max()) if row.size else 0.0
                if best >= LINK_THRESHOLD:
                    continue
                if best < NO_PLAN:
                    claims["none"] += 1
                    # Wrong when either reader links the problem to a plan.
                    claims["none_wrong"] += any(p == i for p, _ in pairs["a"] | pairs["b"])
                else:
                    claims["check"] += 1
        result[group] = {key: _score(*v) for key, v in sums.items()} | {"claims": claims}
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
            yield (f"  {name:<22} P {s['precision']:.3f} R {s['recall']:.3f} F1 {s['f1']:.3f}")
        c = scores["claims"]
        yield (
            f"  no-plan claims: {c['none']} of {c['problems']} problems "
            f"({c['none_wrong']} contradicted by a reader); 请核实: {c['check']}"
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    result = evaluate(default_groups(), args.model)
    print(json.dumps(result, indent=1) if args.json else "\n".join(show(result)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
