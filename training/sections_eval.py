"""What each top-level section of a State Council work report does, as the structure and the
classifier read it, against a reader's labels (`seeds/sections/`).

python -m training.sections_eval [--structure-only]

The structure (`top_sections`) calls a section plans only when its heading says so (a cue
word, a later year, a later five-year plan, 今年 after the review) or it follows such a section;
every other section is achievements. The tense row is the structure with a tense model
(`model.learn.tense`) asked of the sections whose headings say nothing, trained on the other
reports' sections whose headings say (each report left out of its own model). The classifier
row is the label most of the section's paragraphs get from the bundle (document mode), whose
tense model saw every report.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple, TextIO

from model.text.document import Document, build_document
from model.text.structure import top_sections
from training.corpus import Report, seeds_dir
from training.extracts import report_texts

ERAS = ((0, 1991, "1978–1991"), (1992, 2003, "1992–2003"), (2004, 9999, "2004–2025"))


class Section(NamedTuple):
    doc_id: str
    year: int
    heading: int  # paragraph index of its heading
    end: int  # paragraph index after its body
    gold: str


def gold_path(corpus: Path | None = None) -> Path:
    return (corpus or seeds_dir()) / "sections" / "statecouncil.jsonl"


def headings(doc: Document) -> list[int]:
    """Paragraph indices of the top-level headings, the sections' order in the gold."""
    return [i for i, p in enumerate(doc.paragraphs) if p.level == 1 and p.heading]


def sections(
    corpus: Path | None = None,
) -> Iterator[tuple[Document, list[Section]]]:
    """Each report with gold labels, with its sections; a gold line whose heading is not the
    report's heading at that ordinal fails loudly (the segmenter changed)."""
    texts = report_texts(corpus)
    by_doc: dict[str, list[dict[str, Any]]] = {}
    for line in gold_path(corpus).read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        by_doc.setdefault(row["doc_id"], []).append(row)
    for doc_id, rows in sorted(by_doc.items()):
        doc = build_document(texts[doc_id])
        heads = headings(doc)
        if len(heads) != len(rows):
            raise ValueError(f"{doc_id}: {len(heads)} top-level headings, {len(rows)} in the gold")
        out = []
        for k, row in enumerate(rows):
            i = heads[k]
            if doc.paragraphs[i].text != row["heading"]:
                raise ValueError(f"{doc_id} section {k}: heading {doc.paragraphs[i].text!r}")
            end = heads[k + 1] if k + 1 < len(heads) else len(doc.paragraphs)
            out.append(Section(doc_id, int(row["year"]), i, end, row["label"]))
        yield doc, out


def with_reader_sections(reports: Sequence[Report], corpus: Path | None = None) -> list[Report]:
    """The reports with the reader's labels of their sections where the structure's differ:
    in a section whose paragraphs are mostly read as the other of achievements and plans, those
    paragraphs take the reader's label (admissions, the leader's duty and chrome keep theirs).
    The reference a check of the State Council summaries reads, for the sections the structure
    cannot tell (the task sections of 1978–2003)."""
    found = {group[0].doc_id: group for _, group in sections(corpus) if group}
    out = []
    for report in reports:
        labels = list(report.labels)
        for s in found.get(report.name, []):
            said = _section_label(labels, s)
            if said != s.gold and {said, s.gold} <= {"achievements", "plans"}:
                for i in range(s.heading, s.end):
                    if labels[i] == said:
                        labels[i] = s.gold
        out.append(dataclasses.replace(report, labels=labels))
    return out


def era(year: int) -> str:
    return next(name for lo, hi, name in ERAS if lo <= year <= hi)


def evaluate(structure_only: bool = False) -> dict[str, Any]:
    """Correct sections by reader (structure, tense, classifier) and era, and the
    confusions."""
    classifier = None
    if not structure_only:
        from model.analyse import prepare
        from training.train import ensure_model

        classifier = ensure_model().classifier
    right: Counter[tuple[str, str]] = Counter()
    total: Counter[str] = Counter()
    confusion: Counter[tuple[str, str, str]] = Counter()
    reports = list(sections())
    for doc, found in reports:
        readings = {"structure": top_sections(doc.paragraphs)}
        if not structure_only:
            others = [d.paragraphs for d, _ in reports if d is not doc]
            readings["tense"] = top_sections(doc.paragraphs, _tense_model(others))
        if classifier is not None:
            readings["classifier"] = prepare(doc, classifier).labels or []
        for s in found:
            total[era(s.year)] += 1
            for reader, labels in readings.items():
                said = _section_label(labels, s)
                right[(reader, era(s.year))] += said == s.gold
                confusion[(reader, s.gold, str(said))] += 1
    return {
        "sections": dict(total),
        "right": {f"{r}/{e}": n for (r, e), n in right.items()},
        "confusion": {f"{r}/{g}/{s}": n for (r, g, s), n in confusion.items()},
    }


def _tense_model(documents: Sequence[Sequence[Any]]) -> Any:
    from model.learn.tense import TenseModel, examples

    return TenseModel().fit(*examples(documents))


def _section_label(labels: Sequence[str | None], s: Section) -> str | None:
    """The label of most of the section's body paragraphs (the heading's own when the body is
    empty): a review that turns to plans halfway (`top_sections`) is what most of it is."""
    body = labels[s.heading + 1 : s.end] or labels[s.heading : s.heading + 1]
    return Counter(body).most_common(1)[0][0]


def print_evaluation(metrics: dict[str, Any], out: TextIO | None = None) -> None:
    out = out or sys.stdout
    total = metrics["sections"]
    readers = sorted({k.split("/")[0] for k in metrics["right"]}, reverse=True)
    eras = [name for _, _, name in ERAS if name in total]
    print("sections right, against the reader's labels (seeds/sections/)", file=out)
    print(f"{'':<12}" + "".join(f"{e:>14}" for e in [*eras, "all"]), file=out)
    for reader in readers:
        cells = [f"{metrics['right'].get(f'{reader}/{e}', 0)}/{total[e]}" for e in eras]
        cells.append(
            f"{sum(metrics['right'].get(f'{reader}/{e}', 0) for e in eras)}/{sum(total.values())}"
        )
        print(f"{reader:<12}" + "".join(f"{c:>14}" for c in cells), file=out)
    for key, n in sorted(metrics["confusion"].items()):
        reader, gold, said = key.split("/")
        if gold != said:
            print(f"  {reader}: {n} {gold} section(s) read as {said}", file=out)


def main(argv: list[str] | None = None, out: TextIO | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--structure-only", action="store_true", help="skip the tense model and the classifier"
    )
    args = parser.parse_args(argv)
    print_evaluation(evaluate(args.structure_only), out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
