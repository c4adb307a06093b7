"""The reader's cues the learnt scorer reads (summary/cues.py)."""

from __future__ import annotations

import numpy as np

from model.summary.cues import reader_cues
from model.summary.scorers import sentence_features
from model.text.document import build_document
from model.text.units import sentence_kinds

REPORT = (
    "一、工作成效\n"
    "全年地区生产总值增长5.2%，累计办理案件131件，投入资金2.3亿元。\n"
    "我局坚持依法行政，工作有序推进。\n"
    "二、存在的问题\n"
    "但还面临不少困难，存在着诸多亟待解决的问题。\n"
    "执法人员专业能力不足，案卷评查发现问题12个。\n"
    "我们要直面问题，决不辜负人民的期望。\n"
    "三、下一步计划\n"
    "力争明年行政复议纠错率控制在5%以内。\n"
    "继续加强学习。\n"
)
LABELS = [
    "achievements",
    "achievements",
    "achievements",
    "shortcomings",
    "shortcomings",
    "shortcomings",
    "shortcomings",
    "plans",
    "plans",
    "plans",
]


def _doc():
    doc = build_document(REPORT)
    assert len(doc.paragraphs) == len(LABELS)
    doc.labels = LABELS
    return doc


def _index(doc, words: str) -> int:
    return next(i for i, s in enumerate(doc.sentences) if words in s.text)


def test_figures_and_headline_cues() -> None:
    doc = _doc()
    cues = reader_cues(doc)
    gdp = _index(doc, "生产总值")
    plain = _index(doc, "工作有序推进")
    assert cues.headline[gdp] == 3  # 全年, 总值, 增长, 累计: capped
    assert cues.figures[gdp] == 3 and cues.percent[gdp] and cues.money[gdp]
    assert cues.headline[plain] == 0 and cues.figures[plain] == 0
    assert cues.aggregate[gdp] and not cues.aggregate[plain]  # the GDP line
    assert not cues.aggregate[_index(doc, "案卷评查")]
    assert not cues.percent[plain] and not cues.money[plain]


def test_a_ratio_to_gdp_is_not_the_gdp_line() -> None:
    text = (
        "一、工作回顾\n国内生产总值达到39.8万亿元，年均增长11.2%。\n"
        "单位国内生产总值能耗下降19.1%。\n研究与试验发展经费支出占国内生产总值比重达到2.2%。\n"
        "国债余额占国内生产总值的比重仍在安全线以内。\n"
    )
    doc = build_document(text)
    doc.labels = ["achievements"] * 5
    aggregate = reader_cues(doc).aggregate
    assert aggregate.tolist() == [False, True, False, False, False]


def test_a_problem_stated_is_told_from_its_announcement_and_its_close() -> None:
    doc = _doc()
    cues = reader_cues(doc)
    announced = _index(doc, "亟待解决")
    stated = _index(doc, "专业能力不足")
    closing = _index(doc, "决不辜负")
    assert cues.frames[announced] and not cues.states_problem[announced]
    assert cues.states_problem[stated] and not cues.frames[stated] and not cues.closes[stated]
    assert cues.closes[closing] and not cues.states_problem[closing]


def test_a_plan_with_a_target_and_the_position_in_its_section() -> None:
    doc = _doc()
    cues = reader_cues(doc)
    target = _index(doc, "力争")
    vague = _index(doc, "继续加强学习")
    assert cues.target[target] and not cues.target[vague]
    assert cues.in_section[_index(doc, "一、工作成效")] == 0
    assert cues.in_section[_index(doc, "工作有序推进")] == 1
    assert np.all((cues.in_section >= 0) & (cues.in_section <= 1))


def test_the_cues_are_columns_of_the_features_and_need_no_labels() -> None:
    doc = _doc()
    features = sentence_features(doc)
    cues = reader_cues(doc)
    assert features.shape == (len(doc.sentences), features.shape[1])
    assert np.array_equal(features[:, -len(cues.columns()) :], np.column_stack(cues.columns()))
    unlabelled = build_document(REPORT)
    assert not reader_cues(unlabelled).target.any()  # no plans without labels
    assert reader_cues(unlabelled).in_section.shape == (len(unlabelled.sentences),)


def test_an_empty_document_has_empty_cues() -> None:
    doc = build_document("")
    assert all(len(c) == 0 for c in reader_cues(doc).columns())


def test_a_condition_the_problems_will_be_met_on_closes_them() -> None:
    # 1994: "只要我们认真做好各方面的工作，…解决新问题，…就一定能够不断从胜利走向新的胜利。"
    doc = build_document(
        "主要是固定资产投资规模过大，经济结构不合理的问题仍然突出。\n"
        "只要我们认真做好各方面的工作，解决新问题，就一定能够不断从胜利走向新的胜利。"
    )
    doc.labels = ["shortcomings", "shortcomings"]
    cues = reader_cues(doc)
    assert cues.states_problem[0] and not cues.closes[0]
    assert cues.closes[1] and not cues.states_problem[1]


def test_a_resolve_for_later_closes_the_problems() -> None:
    # 2003: the list of problems ends "…今后要继续采取措施，认真加以解决。", a resolve a reader
    # leaves out; a problem that names a later time still states it.
    doc = build_document(
        "国有企业改革任务还相当繁重；重大安全生产事故时有发生。\n"
        "今后要继续采取措施，认真加以解决。\n下一步，将加大执法人员培训力度。\n"
        "部分执法人员今后三年内将面临退休，执法力量不足。"
    )
    doc.labels = ["shortcomings"] * 4
    cues = reader_cues(doc)
    assert cues.closes.tolist() == [False, True, True, False]
    assert cues.states_problem[3] and not cues.states_problem[1]


def test_a_percentage_in_words_is_a_figure_and_a_planned_growth_a_target() -> None:
    # 1993: "今年国民生产总值计划增长百分之八，是留有余地的。"
    from model.summary.select import _headline_targets

    doc = build_document(
        "一、1992年工作回顾\n国民生产总值比上年增长百分之十二点八。\n"
        "二、1993年的主要任务\n今年国民生产总值计划增长百分之八，是留有余地的。"
    )
    doc.labels = ["achievements", "achievements", "plans", "plans"]
    kinds, cues = sentence_kinds(doc), reader_cues(doc)
    assert kinds.figure.tolist() == [False, True, False, True]
    assert cues.percent[1] and cues.figures[3] == 1
    coming, headline = _headline_targets(doc)
    assert coming.tolist() == headline.tolist() == [False, False, False, True]
