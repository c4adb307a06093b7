"""The human extracts on disk (training/extracts.py): every item a whole sentence of its report,
in report order, every budget kept; and the agreement measure on made-up extracts."""

from __future__ import annotations

import pytest

from training.extracts import Extract, agreement, load_extracts, problems, report_texts

EXTRACTS = list(load_extracts())
TEXTS = report_texts()


@pytest.mark.parametrize("extract", EXTRACTS, ids=lambda e: f"{e.reader}-{e.doc_id}")
def test_every_extract_is_whole_sentences_within_its_budgets(extract: Extract) -> None:
    assert extract.doc_id in TEXTS
    assert problems(extract, TEXTS[extract.doc_id]) == []


def test_problems_are_found() -> None:
    text = "一、成效\n全年办理案件131件。出庭率达89%。\n二、不足\n执法不够规范。"
    good = Extract(
        "x",
        "a",
        {150: ["全年办理案件131件。", "执法不够规范。"], 300: ["出庭率达89%。"], 600: ["一、成效"]},
    )
    assert problems(good, text) == []
    bad = Extract(
        "x",
        "a",
        {150: ["执法不够规范。", "全年办理案件131件。"], 300: ["办理案件131件。"], 600: []},
    )
    found = problems(bad, text)
    assert any("after the previous item" in p for p in found)
    assert any("starts inside a sentence" in p for p in found)
    assert any("600: empty" in p for p in found)


def test_agreement_of_identical_and_disjoint_extracts() -> None:
    same = {b: ["全年办理行政复议案件131件。"] for b in (150, 300, 600)}
    other = {b: ["明年将继续推进法治建设。"] for b in (150, 300, 600)}
    result = agreement([Extract("x", "a", same), Extract("x", "b", same)])
    assert result[300] == {"reports": 1, "rouge1": 1.0, "rouge2": 1.0}
    result = agreement([Extract("x", "a", same), Extract("x", "b", other)])
    assert result[300]["rouge2"] == 0.0


def test_the_evaluation_table_names_every_system_and_budget() -> None:
    import io

    from training.extracts_eval import print_evaluation

    metrics = {
        f"{budget}/{system}/{group}": {"reports": 1, "rouge1": 0.5, "rouge2": 0.25}
        for budget in (150, 300, 600)
        for system in ("human", "lead", "sectionrank")
        for group in ("seeds", "statecouncil", "all")
    }
    out = io.StringIO()
    print_evaluation(metrics, out)
    lines = out.getvalue().splitlines()
    assert [line.split()[1] for line in lines if line.startswith("--max-chars")] == [
        "150",
        "300",
        "600",
    ]
    assert sum(line.strip().startswith("human ") for line in lines) == 3
    assert "0.250 (0.500)" in out.getvalue()


def test_sentence_features_and_picked_sentences() -> None:
    from model.summary.scorers import sentence_features
    from model.text.document import build_document
    from training.extracts import picked

    text = "一、成效\n全年办理案件131件；出庭率达89%。明年将继续推进。\n二、不足\n执法不够规范。"
    doc = build_document(text)
    features = sentence_features(doc)
    assert features.shape[0] == len(doc.sentences) and features.shape[1] > 20
    extract = Extract("x", "a", {150: ["全年办理案件131件；出庭率达89%。", "执法不够规范。"]})
    picked = picked(doc, extract, 150)
    chosen = {s.text.strip() for s, p in zip(doc.sentences, picked, strict=True) if p}
    assert "执法不够规范。" in chosen and "明年将继续推进。" not in chosen
    assert any("131件" in t for t in chosen)  # cut at ；by the segmenter, still the reader's
