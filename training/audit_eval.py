"""`fzreport evaluate --audit`: the audit against hand-made gold (seeds/audit/).

- metadata on the openings gold, field by field, and on the seeds;
- genre: the seeds and the openings are reports, the State Council work reports are not;
- required contents and problem items on the seeds, each seed labelled by a classifier trained
  without it (as `fzreport evaluate` scores labels), so the audit is not read off its own
  training data;
- a seed with its shortcomings part, or its leadership part, cut out must be reported missing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from model.analyse import prepare
from model.audit.checks import audit
from model.audit.metadata import extract
from model.labels import PARTS
from model.learn.classify import SectionModel
from model.text.document import build_document
from model.text.segment import normalise
from training.corpus import Report, load_corpus
from training.train import fit, fit_background, load_reports, seeds_dir

FIELDS = ("title", "issuer", "issuer_kind", "level", "year", "published")
ITEM_IOU = 0.5  # a found item matches a gold item when their spans overlap this much


def _gold(name: str) -> list[dict[str, Any]]:
    path = seeds_dir() / "audit" / name
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def same(a: object, b: object) -> bool:
    """Equal after normalising whitespace, widths and script (traditional read as simplified)."""
    if isinstance(a, str) and isinstance(b, str):
        return _canon(a) == _canon(b)
    return a == b


def _canon(text: str) -> str:
    import unicodedata

    return re.sub(r"\s+", "", normalise(unicodedata.normalize("NFKC", text)))


def metadata_accuracy(pairs: Iterable[tuple[dict[str, Any], dict[str, Any]]]) -> dict[str, Any]:
    """Per-field accuracy of (found, gold) metadata, and the records where a field is wrong."""
    right = dict.fromkeys(FIELDS, 0)
    wrong: dict[str, list[str]] = {f: [] for f in FIELDS}
    n = 0
    for key, (found, gold) in enumerate(pairs):
        n += 1
        for f in FIELDS:
            if f not in gold:
                continue
            if same(found.get(f), gold[f]):
                right[f] += 1
            else:
                wrong[f].append(f"{gold.get('doc_id', key)}: {found.get(f)!r} != {gold[f]!r}")
    return {
        "records": n,
        "accuracy": {f: round(right[f] / n, 3) if n else None for f in FIELDS},
        "wrong": wrong,
    }


def item_scores(
    found: Sequence[tuple[int, int]], gold: Sequence[tuple[int, int]]
) -> tuple[int, int, int]:
    """(matched, found, gold): one-to-one matches of spans with IoU ≥ `ITEM_IOU`."""
    used: set[int] = set()
    matched = 0
    for a, b in found:
        for k, (c, d) in enumerate(gold):
            if k in used:
                continue
            overlap = max(0, min(b, d) - max(a, c))
            union = max(b, d) - min(a, c)
            if union and overlap / union >= ITEM_IOU:
                used.add(k)
                matched += 1
                break
    return matched, len(found), len(gold)


def _prf(matched: int, found: int, gold: int) -> dict[str, float]:
    p = matched / found if found else 0.0
    r = matched / gold if gold else 0.0
    return {
        "precision": round(p, 3),
        "recall": round(r, 3),
        "f1": round(2 * p * r / (p + r), 3) if p + r else 0.0,
        "matched": matched,
        "found": found,
        "gold": gold,
    }


def _without(report: Report, label: str) -> str:
    """The report's text with every paragraph of `label` (headings included) cut out."""
    return "\n".join(
        p.text for p, lab in zip(report.paragraphs, report.labels, strict=True) if lab != label
    )


def seed_audits(
    bar: Callable[[Iterable[Any]], Iterable[Any]] = lambda x: x,
) -> dict[str, Any]:
    """Contents agreement, problem items and the removal test on the seeds, leave one out."""
    seeds = seeds_dir()
    train = load_reports(seeds, None)
    background = fit_background(train, seeds)
    gold = {g["source"]: g for g in _gold("seeds.gold.jsonl")}
    agree = {part: 0 for part in PARTS}
    disagreements: list[str] = []
    counts = {"problems": [0, 0, 0], "plans": [0, 0, 0]}
    removal: dict[str, list[str]] = {"shortcomings": [], "leadership": []}
    removal_missing = {"shortcomings": 0, "leadership": 0}
    meta_pairs = []
    for name in bar(sorted(gold)):
        report = next(r for r in train if r.name == name)
        clf = fit([r for r in train if r.name != name], 0, background)
        result = audit(prepare(report.text, clf))
        meta_pairs.append((result["metadata"], {"doc_id": name[:3], **gold[name]["metadata"]}))
        for part in PARTS:
            status = result["contents"][part]["status"]
            if status == gold[name]["contents"][part]:
                agree[part] += 1
            else:
                disagreements.append(
                    f"{name[:3]} {part}: {status} != {gold[name]['contents'][part]}"
                )
        for key in counts:
            found = [(p["start"], p["end"]) for p in result[key]]
            expected = [(p["start"], p["end"]) for p in gold[name][key]]
            for k, v in enumerate(item_scores(found, expected)):
                counts[key][k] += v
        for part in removal:
            if part not in report.labels:
                continue
            cut = audit(prepare(_without(report, part), clf))["contents"][part]["status"]
            removal[part].append(f"{name[:3]}: {cut}")
            removal_missing[part] += cut == "missing"
    n = len(gold)
    return {
        "seeds": n,
        "contents_agreement": {part: round(agree[part] / n, 3) for part in PARTS},
        "contents_all_agree": sum(agree.values()) == n * len(PARTS),
        "contents_disagreements": disagreements,
        "problem_items": _prf(*counts["problems"]),
        "plan_items": _prf(*counts["plans"]),
        "removed_part_missing": {
            part: f"{removal_missing[part]}/{len(removal[part])}" for part in removal
        },
        "removed_part_status": removal,
        "metadata": metadata_accuracy(meta_pairs),
    }


def openings_metadata() -> dict[str, Any]:
    """Field accuracy of the metadata on the openings gold (no classifier needed)."""
    texts = {
        json.loads(line)["doc_id"]: json.loads(line)["text"]
        for line in (seeds_dir() / "openings.jsonl").read_text(encoding="utf-8").splitlines()
        if line
    }
    pairs = []
    for gold in _gold("openings.metadata.jsonl"):
        found = extract(build_document(texts[gold["doc_id"]])).as_dict()
        pairs.append((found, gold))
    return metadata_accuracy(pairs)


def saved_page(title: str | None, text: str) -> bytes:
    """An opening as the saved page an office receives: its title in <title> only, its body
    without the title line, one <p> a line (the issue's "title only in <title>" case)."""
    from html import escape

    lines = [line for line in text.splitlines() if line.strip()]
    if title:
        lines = [line for line in lines if _canon(line) != _canon(title)]
    head = f"<title>{escape(title)}_门户网站</title>" if title else ""
    body = "".join(f"<p>{escape(line)}</p>" for line in lines)
    page = f'<html><head><meta charset="utf-8">{head}</head><body><div>{body}</div></body></html>'
    return page.encode("utf-8")


def half(doc_id: str) -> str:
    """The half of the openings a record falls in: "tune" or "held-out", by a hash of its id,
    so that rules are written while reading one half and measured on the other."""
    import hashlib

    return "tune" if hashlib.sha256(doc_id.encode()).digest()[0] % 2 == 0 else "held-out"


def openings_pages_metadata() -> dict[str, Any]:
    """Field accuracy of the metadata of the openings read as saved pages (title only in
    <title>), on each half of the gold."""
    from model.audit.metadata import Context
    from model.ingest.html import read_html

    rows = {
        r["doc_id"]: r
        for r in map(json.loads, (seeds_dir() / "openings.jsonl").read_text("utf-8").splitlines())
    }
    pairs: dict[str, list[tuple[dict[str, Any], dict[str, Any]]]] = {"tune": [], "held-out": []}
    for gold in _gold("openings.metadata.jsonl"):
        row = rows[gold["doc_id"]]
        decoded = read_html(saved_page(row.get("title"), row["text"]))
        found = extract(build_document(decoded.text), Context(page=decoded.meta)).as_dict()
        pairs[half(gold["doc_id"])].append((found, gold))
    return {name: metadata_accuracy(p) for name, p in pairs.items()}


def genre_accuracy(clf: SectionModel, statecouncil: Path) -> dict[str, Any]:
    """Seeds and openings are reports; the State Council work reports are not."""
    from model.audit.checks import genre

    positives = [r.text for r in load_corpus(seeds_dir())]
    negatives = [r.text for r in load_corpus(statecouncil)] if statecouncil.exists() else []
    wrong = []
    right = 0
    for expected, texts in ((True, positives), (False, negatives)):
        for k, text in enumerate(texts):
            doc = prepare(text, clf)
            found = genre(doc, extract(doc)).is_report
            right += found == expected
            if found != expected:
                wrong.append(f"{'report' if expected else 'not a report'} #{k}: {text[:30]!r}")
    n = len(positives) + len(negatives)
    return {
        "reports": len(positives),
        "other_genre": len(negatives),
        "accuracy": round(right / n, 3) if n else None,
        "wrong": wrong,
    }


def evaluate_audit(
    clf: SectionModel, bar: Callable[[Iterable[Any]], Iterable[Any]]
) -> dict[str, Any]:
    return {
        "openings_metadata": openings_metadata(),
        "openings_pages_metadata": openings_pages_metadata(),
        "genre": genre_accuracy(clf, seeds_dir() / "background" / "statecouncil.jsonl"),
        "seeds": seed_audits(bar),
    }


def print_audit(metrics: dict[str, Any]) -> None:
    om = metrics["openings_metadata"]
    print(f"metadata on the openings gold ({om['records']} reports):")
    for f, acc in om["accuracy"].items():
        print(f"  {f:<12} {acc:.3f}")
    for name, result in metrics["openings_pages_metadata"].items():
        print(f"metadata of the openings as saved pages, {name} half ({result['records']}):")
        for f, acc in result["accuracy"].items():
            print(f"  {f:<12} {acc:.3f}")
    g = metrics["genre"]
    print(
        f"genre: {g['accuracy']:.3f} correct ({g['reports']} reports, "
        f"{g['other_genre']} State Council work reports)"
    )
    s = metrics["seeds"]
    print(f"seeds ({s['seeds']}, each labelled by a classifier trained without it):")
    print(
        "  contents agreement: "
        + ", ".join(f"{p} {v:.2f}" for p, v in s["contents_agreement"].items())
    )
    for line in s["contents_disagreements"]:
        print(f"    differs: {line}")
    for key in ("problem_items", "plan_items"):
        r = s[key]
        print(
            f"  {key.replace('_', ' ')}: P {r['precision']:.3f} R {r['recall']:.3f} "
            f"F1 {r['f1']:.3f} "
            f"({r['matched']} of {r['found']} found, {r['gold']} gold)"
        )
    print(
        "  part cut out, reported missing: "
        + ", ".join(f"{p} {v}" for p, v in s["removed_part_missing"].items())
    )
    print("  metadata: " + ", ".join(f"{f} {v:.2f}" for f, v in s["metadata"]["accuracy"].items()))
