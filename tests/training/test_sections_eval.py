"""The readers' section labels of the State Council reports, and their evaluation."""

from __future__ import annotations

import io
import json
from collections import Counter

from training.sections_eval import evaluate, gold_path, main, sections

LABELS = {"achievements", "plans", "other"}


def test_every_gold_line_is_a_top_level_section_of_its_report_with_a_label() -> None:
    rows = [json.loads(line) for line in gold_path().read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 237 and {r["label"] for r in rows} <= LABELS
    assert all(r["note"].strip() for r in rows)
    found = [s for _, group in sections() for s in group]  # raises on a heading that moved
    assert len(found) == len(rows)
    assert [s.gold for s in found] == [r["label"] for r in sorted(rows, key=_order)]
    for doc, group in sections():
        for s in group:
            assert doc.paragraphs[s.heading].heading and s.heading < s.end


def _order(row: dict) -> tuple[str, int]:
    return row["doc_id"], row["section"]


def test_the_structure_is_scored_section_by_section() -> None:
    metrics = evaluate(structure_only=True)
    assert sum(metrics["sections"].values()) == 237
    right = sum(n for k, n in metrics["right"].items() if k.startswith("structure/"))
    confusions = Counter(
        {k: n for k, n in metrics["confusion"].items() if k.split("/")[1] != k.split("/")[2]}
    )
    # every section is either right or one of the confusions
    assert right + sum(confusions.values()) == 237
    # the reviews are found by their headings; the work reports since 2004 name their years,
    # and 2021's "“十三五”时期发展成就和“十四五”时期主要目标任务" turns to its plans
    assert metrics["right"]["structure/2004–2025"] == 70
    # one review read as plans: 1999's foreign affairs, after a first section that turned
    # to the year's tasks ("一、1998年工作回顾和1999年工作的总体要求")
    assert metrics["confusion"].get("structure/achievements/plans", 0) <= 1


def test_main_prints_a_table_per_reader() -> None:
    out = io.StringIO()
    assert main(["--structure-only"], out) == 0
    text = out.getvalue()
    assert "structure" in text and "/237" in text and "classifier" not in text


def test_the_readers_sections_correct_the_reference_only_where_the_structure_differs() -> None:
    from training.corpus import seeds_dir
    from training.sections_eval import with_reader_sections
    from training.train import load_reports

    reports = load_reports(seeds_dir() / "background" / "statecouncil.jsonl", None)
    corrected = {r.name: r for r in with_reader_sections(reports)}
    before = {r.name: r for r in reports}
    # 1993's task sections ("二、争取国民经济再上一个新台阶") are plans to the reader
    heading = next(
        i for i, p in enumerate(before["sc1993"].paragraphs) if "再上一个新台阶" in p.text
    )
    assert before["sc1993"].labels[heading + 1] == "achievements"
    assert corrected["sc1993"].labels[heading + 1] == "plans"
    # the reports since 2004 name their years: their reference is the structure's
    assert all(corrected[n].labels == before[n].labels for n in before if int(n[2:]) >= 2004)
    # only achievements and plans change, never the other way round into another label
    for name, report in corrected.items():
        for a, b in zip(before[name].labels, report.labels, strict=True):
            assert a == b or {a, b} <= {"achievements", "plans"}
