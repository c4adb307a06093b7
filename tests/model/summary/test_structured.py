"""Figures, keywords and the structured summary (model/summary/structured.py)."""

from __future__ import annotations

import numpy as np

from model.analyse import analyse, prepare
from model.summary.base import Budget
from model.summary.registry import get_summariser
from model.summary.scorers import SectionRankSummariser
from model.summary.structured import key_figures, keywords, structured_summary
from model.text.document import build_document
from tests.model.summary.conftest import SEED_003

# -- figures, keywords, structured summary -----------------------------------------------------


def test_key_figures_with_value_unit_and_context() -> None:
    text = "2024年，我局办理案件131件，行政机关负责人出庭应诉率达89%。"
    figures = {f.text: f for f in key_figures(build_document(text))}
    assert figures["我局办理案件131件"].value == 131.0
    assert figures["我局办理案件131件"].unit == "件"
    assert figures["行政机关负责人出庭应诉率达89%"].value == 89.0
    assert figures["行政机关负责人出庭应诉率达89%"].unit == "%"
    for f in figures.values():
        assert text[f.start : f.end] == f.text


def test_a_key_figure_broken_by_a_page_width_is_read_whole() -> None:
    body = "我局坚持依法行政，持续规范执法行为，全面提升法治政府建设水平和依法行政能力。" * 3
    text = body + "全年共办理行政执法案件1"
    width = 21  # the wrap falls inside the number: "1" / "31件"
    assert len(text) % width == 0
    lines = [text[i : i + width] for i in range(0, len(text), width)]
    text = "\n".join(lines) + "\n31件，结案率达98%。"
    figures = key_figures(build_document(text))
    assert [(f.value, f.unit) for f in figures][:1] == [(131.0, "件")]
    assert "\n" not in figures[0].text and figures[0].text.endswith("131件")


def test_key_figures_skip_years_and_full_width_percent() -> None:
    figures = key_figures(build_document("2023年以来，复议纠错率为12.5％。"))
    assert [(f.value, f.unit) for f in figures] == [(12.5, "%")]


def test_keywords_on_a_seed(seed_texts, bundle) -> None:
    doc = prepare(seed_texts[SEED_003], bundle.classifier)
    words = keywords(doc, limit=10)
    assert 0 < len(words) <= 10
    weights = [w["weight"] for w in words]
    assert weights == sorted(weights, reverse=True)
    assert all(len(w["word"]) > 1 and w["count"] > 0 for w in words)


def test_structured_summary_groups_by_label(tiny_report, bundle) -> None:
    doc = prepare(tiny_report.text, bundle.classifier)
    scores = get_summariser().score(doc)
    result = structured_summary(doc, scores, per_section=2)
    assert "boilerplate" not in result
    assert {"achievements", "shortcomings", "plans"} <= set(result)
    for label, picks in result.items():
        assert 0 < len(picks) <= 2
        assert all(p["label"] == label for p in picks)
        assert [p["start"] for p in picks] == sorted(p["start"] for p in picks)


def test_structured_summary_needs_labels(tiny_report) -> None:
    doc = build_document(tiny_report.text)
    assert structured_summary(doc, get_summariser().score(doc)) == {}


def test_analyse_puts_every_part_together(tiny_report, bundle) -> None:
    result = analyse(tiny_report.text, bundle.classifier, Budget(max_chars=120))
    assert len(result["paragraphs"]) == len(tiny_report.texts)
    assert sum(len(s["text"]) for s in result["sentences"]) <= 120
    assert result["summary"] == "".join(s["text"] for s in result["sentences"])
    assert result["figures"] and result["keywords"] and result["structured"]


def test_sentences_that_read_like_headings_are_favoured_headings_themselves_not() -> None:
    doc = build_document("一、主要举措\n全年办理案件131件。推进依法行政。\n召开会议3次。")
    plain = SectionRankSummariser(headlike=0).score(doc)
    heading = [i for i, s in enumerate(doc.sentences) if doc.paragraphs[s.paragraph].heading]
    assert heading == [0]
    doc.features["headlike"] = np.array([0.99, 0.1, 0.9, 0.3])  # as a heading model's
    doc.heading_model = object()  # type: ignore[assignment]  # never asked: the cache is set
    boosted = SectionRankSummariser(headlike=2.0).score(doc)
    # min-max over the body: 0.1 -> 0, 0.9 -> 1, 0.3 -> 0.25; the heading line gets nothing
    assert np.allclose(boosted / np.where(plain > 0, plain, 1), [1.0, 1.0, 3.0, 1.5])


def test_a_document_without_a_heading_model_scores_as_without_the_feature(tiny_report) -> None:
    doc = prepare(tiny_report.text)
    assert doc.heading_probabilities() is None
    assert np.array_equal(
        SectionRankSummariser().score(doc), SectionRankSummariser(headlike=0).score(doc)
    )


def test_prepare_gives_every_sentence_a_heading_probability(tiny_report, bundle) -> None:
    doc = prepare(tiny_report.text, bundle.classifier)
    assert "headlike" not in doc.features  # computed only when a summary asks for it
    headlike = doc.heading_probabilities()
    assert headlike is not None and headlike.shape == (len(doc.sentences),)
    assert np.all((headlike > 0) & (headlike < 1))
    assert doc.heading_probabilities() is headlike
