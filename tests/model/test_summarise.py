"""Summarisers, the shared selection helper, key figures, keywords and structured summaries."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

import model.vectors.features as features_module
from model.analyse import analyse, prepare
from model.summary.base import Budget
from model.summary.registry import DEFAULT_METHOD, SUMMARISERS, get_summariser
from model.summary.scorers import SectionRankSummariser, pagerank
from model.summary.select import candidates, select, summarise
from model.summary.structured import key_figures, keywords, structured_summary
from model.text.bags import bigram_vectors, sentence_vectors
from model.text.bags import word_counts as _word_counts
from model.text.document import build_document
from model.text.units import _TOPIC, _TOPIC_FIRST, sentence_kinds, sentence_shape
from model.vectors.features import bigram_counts

METHODS = sorted(SUMMARISERS)
SEED_003 = "003_5c5bdc2152d9c680.txt"


def check_picks(text: str, picks: list, budget: Budget) -> None:
    """The contract every summary keeps: budget, document order, offsets, unique ranks."""
    if budget.max_chars is not None:
        assert sum(len(p.text) for p in picks) <= budget.max_chars
    if budget.max_sentences is not None:
        assert len(picks) <= budget.max_sentences
    assert [p.start for p in picks] == sorted(p.start for p in picks)
    assert all(text[p.start : p.end] == p.text for p in picks)
    assert sorted(p.rank for p in picks) == list(range(1, len(picks) + 1))


# -- registry ----------------------------------------------------------------------------------


def test_registry_holds_the_baselines_and_the_default() -> None:
    assert {"lead", "textrank", "sectionrank"} <= set(SUMMARISERS)
    assert DEFAULT_METHOD in SUMMARISERS


@pytest.mark.parametrize("method", METHODS)
def test_every_summariser_scores_every_sentence(method: str, tiny_report) -> None:
    doc = build_document(tiny_report.text)
    scores = get_summariser(method).score(doc)
    assert scores.shape == (len(doc.sentences),)
    assert np.isfinite(scores).all()


def test_unknown_method_names_the_choices() -> None:
    with pytest.raises(ValueError, match="sectionrank"):
        get_summariser("nope")


@pytest.mark.parametrize("field", ["max_sentences", "max_chars"])
def test_budget_rejects_negative_numbers(field: str) -> None:
    with pytest.raises(ValueError, match=field):
        Budget(**{field: -1})


# -- budget, order, offsets --------------------------------------------------------------------

BUDGETS = [
    Budget(max_chars=0),
    Budget(max_chars=1),
    Budget(max_chars=60),
    Budget(max_chars=400),
    Budget(max_sentences=0),
    Budget(max_sentences=1),
    Budget(max_sentences=5),
    Budget(max_sentences=10_000),
    Budget(max_sentences=3, max_chars=80),
]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("budget", BUDGETS, ids=str)
def test_budget_order_and_offsets_on_every_seed(method, budget, seed_texts, bundle) -> None:
    for text in seed_texts.values():
        doc = prepare(text, bundle.classifier)
        picks = summarise(doc, budget, method)
        check_picks(text, picks, budget)
        if budget.max_sentences == 0 or budget.max_chars == 0:
            assert picks == []


def test_more_sentences_than_the_report_has_returns_each_once(tiny_report) -> None:
    doc = build_document(tiny_report.text)
    picks = summarise(doc, Budget(max_sentences=len(doc.sentences) + 10))
    assert 0 < len(picks) <= len(doc.sentences)
    assert len({p.start for p in picks}) == len(picks)


def test_no_budget_means_the_default_number_of_sentences(tiny_report) -> None:
    picks = summarise(build_document(tiny_report.text))
    assert len(picks) == 5


def test_a_sentence_longer_than_the_characters_left_is_skipped_not_cut() -> None:
    short = ["行政复议案件办结率达100%。", "行政应诉案件办结率达100%。"]
    text = short[0] + "这是一个很长很长的句子，" * 5 + "结束。" + short[1]
    doc = build_document(text)
    picks = summarise(doc, Budget(max_chars=34))
    assert [p.text for p in picks] == short


# -- small and odd inputs ----------------------------------------------------------------------


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("text", ["", "   \n\n  "])
def test_empty_document(method: str, text: str) -> None:
    doc = build_document(text)
    assert summarise(doc, Budget(max_sentences=3), method) == []
    assert key_figures(doc) == [] and keywords(doc) == []


@pytest.mark.parametrize("method", METHODS)
def test_one_sentence(method: str) -> None:
    text = "我局全年办理行政复议案件131件。"
    picks = summarise(build_document(text), Budget(max_sentences=3), method)
    assert [(p.text, p.start, p.end, p.rank) for p in picks] == [(text, 0, len(text), 1)]


def test_trailing_fragment_without_end_mark_can_be_picked() -> None:
    text = "全面推进依法行政。持续深化行政执法改革"
    picks = summarise(build_document(text), Budget(max_sentences=2))
    assert [p.text for p in picks] == ["全面推进依法行政。", "持续深化行政执法改革"]


def test_mixed_width_punctuation_splits_and_slices_back() -> None:
    text = "加强法治政府建设,取得明显成效!推进依法行政;完善制度?全面落实。"
    doc = build_document(text)
    assert [s.text for s in doc.sentences] == [
        "加强法治政府建设,取得明显成效!",
        "推进依法行政;完善制度?",
        "全面落实。",
    ]
    picks = summarise(doc, Budget(max_sentences=4))
    check_picks(text, picks, Budget(max_sentences=4))
    assert [p.text for p in picks] == ["加强法治政府建设,取得明显成效!"]


# -- boilerplate and redundancy ----------------------------------------------------------------


def test_no_boilerplate_in_summaries(seed_texts, bundle) -> None:
    text = seed_texts[SEED_003]  # carries web-page chrome (update time, source line)
    doc = prepare(text, bundle.classifier)
    assert "boilerplate" in doc.labels
    for method in METHODS:
        picks = summarise(doc, Budget(max_sentences=len(doc.sentences)), method)
        assert picks and all(p.label != "boilerplate" for p in picks)
        assert not any("来源" in p.text or "更新时间" in p.text for p in picks)


def test_short_paragraphs_labelled_boilerplate_are_excluded_long_ones_are_not() -> None:
    body = "我局坚持依法行政，" * 20 + "取得明显成效。"
    doc = build_document(f"来源：某某区司法局\n{body}\n打印 关闭")
    doc.labels = ["boilerplate"] * len(doc.paragraphs)
    assert sentence_kinds(doc).chrome.tolist() == [True, False, True]
    picks = summarise(doc, Budget(max_sentences=3))
    assert [p.text for p in picks] == [body]


def test_mmr_removes_a_duplicated_sentence() -> None:
    repeated = "全面推进严格规范公正文明执法，行政执法质量明显提升。"
    text = f"{repeated}\n{repeated}\n深化行政复议体制改革，办理复议案件。"
    doc = build_document(text)
    picks = select(doc, np.array([3.0, 2.0, 1.0]), Budget(max_sentences=2))
    assert [p.text for p in picks] == [repeated, "深化行政复议体制改革，办理复议案件。"]
    without = select(doc, np.array([3.0, 2.0, 1.0]), Budget(max_sentences=2), redundancy=1.0)
    assert [p.text for p in without] == [repeated, repeated]


def test_diversity_trades_score_for_novelty() -> None:
    first = "全面推进严格规范公正文明执法，行政执法质量明显提升。"
    alike = "全面推进严格规范公正文明执法，营商环境持续优化。"  # bigram cosine 0.49 to `first`
    other = "深化行政复议体制改革，办理复议案件。"
    doc = build_document(f"{first}\n{alike}\n{other}")
    scores, budget = np.array([3.0, 2.9, 1.0]), Budget(max_sentences=2)
    assert [p.text for p in select(doc, scores, budget)] == [first, alike]
    # 0.3 × 2.9/3 - 0.7 × 0.49 < 0.3 × 1/3 - 0.7 × 0.04: the other topic wins the second place.
    picks = select(doc, scores, budget, diversity=0.7)
    assert [(p.text, p.rank) for p in picks] == [(first, 1), (other, 2)]


def test_baselines_keep_their_order_the_default_diversifies() -> None:
    assert get_summariser("lead").diversity == get_summariser("textrank").diversity == 0
    assert 0 < get_summariser().diversity < 1


def test_topic_sentences_can_only_start_with_the_listed_characters() -> None:
    # Every first character that some ending completes into a topic marker, over the BMP.
    endings = ["是", "一）", ".", "、", "—", "一，", "先", "次", "1."]
    starters = {chr(c) for c in range(0x10000) if any(_TOPIC.match(chr(c) + e) for e in endings)}
    assert starters == set(_TOPIC_FIRST)


def test_sentence_shape_of_a_small_report() -> None:
    text = "\n".join(
        [
            "一是加强领导。",
            "全面推进依法行政，完成任务。“法治”建设。",
            "（二）工作",
            "短",
            "2. 其他事项”）",
        ]
    )
    doc = build_document(text)
    opens, complete, substantial = sentence_shape(doc)
    assert [s.text for s in doc.sentences] == [
        "一是加强领导。",
        "全面推进依法行政，完成任务。",
        "“法治”建设。",
        "（二）工作",
        "短",
        "2. 其他事项”）",
    ]
    assert opens.tolist() == [1.0, 1.0, 0.0, 1.0, 0.0, 1.0]
    assert complete.tolist() == [True, True, True, False, False, False]
    assert substantial.tolist() == [True, True, False, False, False, True]


def test_picks_carry_score_rank_and_label(tiny_report, bundle) -> None:
    doc = prepare(tiny_report.text, bundle.classifier)
    scores = get_summariser().score(doc)
    picks = select(doc, scores, Budget(max_sentences=3))
    best = int(np.argmax(np.where(candidates(doc)[0], scores, -np.inf)))
    assert any(p.rank == 1 and p.start == doc.sentences[best].start for p in picks)
    for p in picks:
        assert p.label in set(doc.labels)
        assert set(p.as_dict()) == {"text", "score", "rank", "start", "end", "label"}


# -- vectors and graph -------------------------------------------------------------------------


def test_vectors_are_cached_and_normalised(tiny_report) -> None:
    doc = build_document(tiny_report.text)
    for vectors in (sentence_vectors(doc), bigram_vectors(doc)):
        assert vectors.shape[0] == len(doc.sentences)
        norms = np.sqrt((vectors.toarray() ** 2).sum(axis=1))
        assert np.allclose(norms[norms > 0], 1.0)
    assert bigram_vectors(doc) is bigram_vectors(doc)


def test_bigrams_skip_punctuation_and_stay_inside_a_sentence() -> None:
    doc = build_document("依法,行政。行政")
    vectors = bigram_vectors(doc)
    # 依法 法行 行政: the comma is skipped as ROUGE skips it; no bigram spans the full stop.
    assert vectors.shape == (2, 3)
    assert np.diff(vectors.indptr)[1] == 1


@pytest.mark.parametrize("row_bits", [22, 3])  # 3: the unpacked path, for > 2**22 sentences
@pytest.mark.parametrize("size", [4000, 0])
def test_bigram_counts_match_counting_pairs_one_by_one(monkeypatch, row_bits, size) -> None:
    monkeypatch.setattr(features_module, "_PAIR_ROW_BITS", row_bits)
    rng = np.random.default_rng(0)
    n = 300
    rows = np.sort(rng.integers(0, n, size=size))
    keys = rng.integers(0, 1 << 42, size=60, dtype=np.uint64)[rng.integers(0, 60, size=size)]
    counts, distinct = bigram_counts(keys, rows, n)
    column = {k: j for j, k in enumerate(sorted(set(keys.tolist())))}
    assert distinct.tolist() == sorted(column)
    expected = np.zeros((n, max(len(column), 1)))
    for k, r in zip(keys.tolist(), rows.tolist(), strict=True):
        expected[r, column[k]] += 1
    assert counts.has_sorted_indices
    assert np.array_equal(counts.toarray(), expected)


def test_word_counts_number_words_in_first_seen_order(seed_texts) -> None:
    doc = build_document(seed_texts[SEED_003] + "\n法治 法治。\n")
    counts, vocab = _word_counts(doc)
    column: dict[str, int] = {}
    expected = np.zeros((len(doc.sentences), len(vocab)))
    for i, s in enumerate(doc.sentences):
        for w in s.words:
            expected[i, column.setdefault(w, len(column))] += 1
    assert vocab == list(column)
    assert np.array_equal(counts.toarray(), expected)


def test_pagerank_is_a_distribution_and_stays_sparse() -> None:
    assert pagerank(np.zeros((0, 0))).shape == (0,)
    ranks = pagerank(sparse.identity(50_000, format="csr"))
    assert ranks.shape == (50_000,) and np.isclose(ranks.sum(), 1.0)
    star = np.zeros((4, 4))
    star[0, 1:] = star[1:, 0] = 1.0
    ranks = pagerank(star)
    assert np.isclose(ranks.sum(), 1.0) and ranks.argmax() == 0


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
