"""What can stand in a summary: the unit predicates and `sentence_kinds` over whole documents."""

from __future__ import annotations

import numpy as np
import pytest

from model.learn.background import Background
from model.text.document import Document, build_document
from model.text.segment import MAX_JOINED
from model.text.units import (
    FORMULA_SHARE,
    SCRAP_CHARS,
    Kinds,
    has_figure,
    is_scrap,
    is_title_line,
    is_topic_clause,
    leads_in,
    marker_end,
    quoted_from,
    sentence_kinds,
    specifics,
)

STOCK = "坚持以习近平新时代中国特色社会主义思想为指导"
FIGURES = "全年办理行政复议案件131件，行政机关负责人出庭应诉率达100%。"
PLAIN = "我局持续推进行政执法规范化建设，不断提升执法人员依法行政能力。"


def kinds_of(text: str, labels: list[str] | None = None) -> tuple[Document, Kinds]:
    doc = build_document(text)
    doc.labels = labels
    return doc, sentence_kinds(doc)


def index_of(doc: Document, text: str) -> int:
    """The index of the one sentence whose text is `text`."""
    found = [i for i, s in enumerate(doc.sentences) if s.text == text]
    assert len(found) == 1, [s.text for s in doc.sentences]
    return found[0]


# -- is_scrap ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "scrap"),
    [
        ("", True),
        ("压实主体责任。", True),
        ("一" * SCRAP_CHARS, True),
        ("一" * (SCRAP_CHARS + 1), False),
        ("  " + "一" * SCRAP_CHARS + "  \n", True),  # surrounding white space does not count
        (FIGURES, False),
    ],
)
def test_is_scrap_is_at_most_fourteen_characters(text: str, scrap: bool) -> None:
    assert SCRAP_CHARS == 14
    assert is_scrap(text) is scrap


# -- is_topic_clause ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "一是强化制度落实。",
        "（一）进一步健全执法责任制。",
        "压实主体责任。",
        "1.强化法治保障,提高法治化工作水平。",
        "二、加强行政执法监督",
        "首先，强化制度落实。",
        "一是印发《行政执法实施办法》。",  # after a marker a named document is still a topic
        "2024年强化制度落实。",  # a year is not a figure
    ],
)
def test_topic_clauses(text: str) -> None:
    assert is_topic_clause(text)


@pytest.mark.parametrize(
    "text",
    [
        "组建安全生产应急救援队伍1支。",  # a figure is a fact, not a topic
        "一是组建安全生产应急救援队伍1支。",
        "印发《XX实施办法》。",  # names a document without a marker: a fact
        PLAIN,  # two clauses without a marker
        "全面推进依法行政，持续深化行政执法体制改革，不断提高执法水平，取得明显成效。",
        "1.强化法治保障,提高法治化工作水平,完善执法制度。",  # three clauses after a marker
        "一是进一步强化行政执法人员法治培训的系统性,提高执法水平。",  # a clause over 15
        "一是",  # a marker with no words
        "",
    ],
)
def test_not_topic_clauses(text: str) -> None:
    assert not is_topic_clause(text)


# -- is_title_line -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("某某区司法局2024年法治政府建设年度报告", True),
        ("全面推进依法行政", True),
        ("打印 关闭", True),
        ("全面推进依法行政。", False),  # an end mark
        ("现将有关情况报告如下：", False),  # a colon is sentence punctuation
        ("一、主要举措和成效", False),  # "、" is a clause mark: a numbered heading, not a title
        ("全面推进依法行政，取得成效", False),
        ("法" * 41, False),  # too long for a title
        ("法" * 40, True),
    ],
)
def test_is_title_line(text: str, title: bool) -> None:
    assert is_title_line(text) is title


# -- figures and specifics ---------------------------------------------------------------------


@pytest.mark.parametrize("text", ["办理案件131件", "达89%", "5万余件", "1300亿元", "增长26.15%"])
def test_numbers_with_units_are_figures(text: str) -> None:
    assert has_figure(text)
    assert specifics(text) == 1


@pytest.mark.parametrize("text", ["2024年", "2024年1月10日", "习近平法治思想", "第3季度"])
def test_years_dates_and_bare_numbers_are_not_figures(text: str) -> None:
    assert not has_figure(text)


def test_full_width_digits_are_figures() -> None:
    assert has_figure("办理案件１３１件")


def test_specifics_count_figures_document_titles_and_named_measures() -> None:
    text = "印发《某某区行政执法实施办法》，推行“双随机、一公开”监管，办理案件131件，达89%。"
    assert specifics(text) == 4
    assert specifics("全面推进依法行政。") == 0
    assert specifics("《》“”") == 0  # too short to name anything


# -- marker_end --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "end"),
    [
        ("一是强化", 2),
        ("十二是强化", 3),
        ("（一）强化", 3),
        ("(3)强化", 3),
        ("1.强化", 2),
        ("12、强化", 3),
        ("第一，强化", 3),
        ("首先，强化", 3),
        ("其次强化", 2),
        ("最后，强化", 3),
        ("  一是 强化", 5),  # white space around the marker is part of it
        ("1.5亿元", 0),  # a decimal, not a list marker
        ("强化制度落实", 0),
        ("", 0),
    ],
)
def test_marker_end(text: str, end: int) -> None:
    assert marker_end(text) == end
    if end:
        assert text[end:] == "强化"


PROBLEMS = "农民收入增长缓慢，有些地方拖欠工资严重，就业压力加大。"


@pytest.mark.parametrize(
    ("lead", "skipped"),
    [
        ("二是", True),
        ("首先，", True),
        ("（三）", True),
        ("主要是：", True),
        ("主要表现在：", True),
        ("主要有，", True),
        ("主要是", True),  # 1994: "主要是固定资产投资规模过大，…"
        ("突出表现在", True),
        ("同时，", True),  # connectives tie the sentence to the one before
        ("在这同时，", True),  # 1981, called a fragment by blind readers
        ("特别是", True),
        ("但是，", True),
        ("当然，", True),
        ("从国内看，", True),  # 2025: the side a list of problems turns to
        ("", False),
        ("主要有", False),  # "主要有三个方面…": the sentence's own words
        ("主要", False),  # the words of the sentence, not a lead-in
        ("其中，", False),  # points back: such a sentence is never quoted alone (`dependent`)
    ],
)
def test_a_sentence_is_quoted_from_after_its_list_marker_lead_in_or_connective(
    lead, skipped
) -> None:
    text = lead + PROBLEMS
    assert text[quoted_from(text) :] == (PROBLEMS if skipped else text)


def test_an_announcement_running_into_its_only_item_is_left_out() -> None:
    # Blind readers called "…但仍然存在差距和不足：一是…" a lead-in; a list of several items in
    # the sentence reads whole, its announcement with it.
    one = "工作取得很大进步，但仍然存在差距和不足：一是抽象行政行为监管有待进一步加强。"
    assert one[quoted_from(one) :] == "抽象行政行为监管有待进一步加强。"
    several = "但也存在一些问题和不足：一是执法证件持有率偏低；二是经验做法总结有待提炼。"
    assert quoted_from(several) == 0
    plain = "工作中存在的问题：执法人员不足，培训不够，执法文书不规范。"  # no item marker
    assert quoted_from(plain) == 0


def test_a_marker_is_kept_when_what_follows_would_be_a_scrap() -> None:
    assert quoted_from("一是强化制度落实。") == 0


# -- sentence_kinds: shape of the result ------------------------------------------------------


def test_kinds_arrays_have_one_entry_per_sentence(tiny_report) -> None:
    doc, kinds = kinds_of(tiny_report.text)
    n = len(doc.sentences)
    assert n > 5
    for name in Kinds.__slots__:
        assert getattr(kinds, name).shape == (n,), name
    for name in ("formula", "body", "standalone"):
        assert getattr(kinds, name).shape == (n,), name


def test_kinds_are_computed_once_and_cached_in_features(tiny_report) -> None:
    doc = build_document(tiny_report.text)
    assert "kinds" not in doc.features
    kinds = sentence_kinds(doc)
    assert doc.features["kinds"] is kinds
    assert sentence_kinds(doc) is kinds


def test_empty_document_has_empty_kinds() -> None:
    doc, kinds = kinds_of("")
    assert doc.sentences == []
    assert kinds.standalone.shape == (0,)
    assert kinds.stock.shape == (0,)


def test_scrap_and_specific_agree_with_the_predicates(tiny_report) -> None:
    doc, kinds = kinds_of(tiny_report.text)
    assert kinds.scrap.tolist() == [is_scrap(s.text) for s in doc.sentences]
    assert kinds.specific.tolist() == [specifics(s.text) for s in doc.sentences]
    assert kinds.figure.tolist() == [has_figure(s.text) for s in doc.sentences]


# -- sentence_kinds: each kind -----------------------------------------------------------------


def test_heading_lines_and_title_lines_are_headings() -> None:
    text = f"某某区司法局2024年法治政府建设年度报告\n一、主要举措和成效\n{FIGURES}\n"
    doc, kinds = kinds_of(text)
    assert [s.text for s in doc.sentences][:2] == [
        "某某区司法局2024年法治政府建设年度报告",
        "一、主要举措和成效",
    ]
    assert kinds.heading.tolist() == [True, True, False]
    assert kinds.body.tolist() == [False, False, True]
    assert not kinds.unfinished[:2].any()  # headings need no end mark


def test_topic_clauses_in_a_document() -> None:
    doc, kinds = kinds_of(f"一是强化制度落实。{FIGURES}\n压实主体责任。{PLAIN}")
    topic = index_of(doc, "一是强化制度落实。")
    stand = index_of(doc, FIGURES)
    assert kinds.topic[topic] and not kinds.standalone[topic]
    assert kinds.topic[index_of(doc, "压实主体责任。")]
    assert not kinds.topic[stand] and kinds.standalone[stand]
    assert not kinds.topic[index_of(doc, PLAIN)]


def test_scraps_in_a_document() -> None:
    doc, kinds = kinds_of(f"成效明显。{FIGURES}")
    assert kinds.scrap.tolist() == [True, False]
    assert kinds.standalone.tolist() == [False, True]


def test_a_paragraph_continuing_a_line_broken_mid_sentence_is_dependent() -> None:
    first = "今年以来，我局坚持以习近平法治思想为指导，全面推进法治政府建设，深入开展执法检查，并且"
    rest = "持续推进行政执法规范化建设，取得明显成效。"
    assert len(first) > 40
    doc, kinds = kinds_of(f"{first}\n{rest}\n")
    assert len(doc.paragraphs) == 2
    assert kinds.dependent.tolist() == [False, True]
    assert kinds.unfinished.tolist() == [True, False]
    assert not kinds.standalone.any()


def test_a_paragraph_continuing_a_short_line_broken_mid_sentence_is_dependent() -> None:
    # Short, but holding a sentence's end: running text; and what continues a continuation
    # ("2", a subscript on its own line) is dependent too.
    doc, kinds = kinds_of(
        "货币政策要保持稳健中性。今年广义货币\n2\n和社会融资规模余额预期增长12%左右。\n"
    )
    assert len(doc.paragraphs) == 3
    assert doc.sentence_paragraphs().tolist() == [0, 0, 1, 2]
    assert kinds.dependent.tolist() == [False, False, True, True]


@pytest.mark.parametrize(
    "before",
    [
        "全面推进依法行政工作，持续深化改革，并且",  # too short to be running text cut off
        "一、主要举措和成效",  # a heading
        "今年以来，我局坚持以习近平法治思想为指导，全面推进法治政府建设，深入开展执法检查。",
        "今年以来，我局坚持以习近平法治思想为指导，全面推进法治政府建设，现将有关情况报告如下：",
    ],
)
def test_a_paragraph_after_a_finished_or_short_line_is_not_dependent(before: str) -> None:
    doc, kinds = kinds_of(f"{before}\n{PLAIN}\n")
    assert not kinds.dependent[index_of(doc, PLAIN)]


def test_a_short_clause_cut_off_after_a_semicolon_in_a_long_sentence_is_dependent() -> None:
    clause = "提升执法人员能力，规范执法行为。"
    head = "全面推进依法行政，持续深化行政执法体制改革，加强执法人员培训，" * 5 + "不断提高能力；"
    assert len(head + clause) > MAX_JOINED
    doc, kinds = kinds_of(head + clause)
    assert [s.text for s in doc.sentences] == [head, clause]
    assert kinds.dependent.tolist() == [False, True]
    assert not kinds.scrap[1] and not kinds.topic[1]  # dependent is its only fault
    assert kinds.standalone.tolist() == [True, False]


def test_a_long_clause_after_a_semicolon_stands_alone() -> None:
    head = "全面推进依法行政，持续深化行政执法体制改革，加强执法人员培训，" * 5 + "不断提高能力；"
    tail = "全年办理行政复议案件131件，行政机关负责人出庭应诉率达到百分之百，取得明显成效。"
    doc, kinds = kinds_of(head + tail)
    assert [s.text for s in doc.sentences] == [head, tail]
    assert not kinds.dependent.any()


@pytest.mark.parametrize(
    ("sentence", "points_back"),
    [
        ("为此，中央财政增加支出28亿元。", True),
        ("其中，出口总额将达到四百零二亿元。", True),
        ("这些年虽然一直在努力解决，但还不尽如人意。", True),
        ("上述问题，我们将认真加以解决。", True),
        ("以上工作取得明显成效。", True),
        ("这样，我们就有可能顺利克服前进中的困难。", True),
        ("所以，必须坚持稳中求进。", True),
        ("以法治保障经济社会发展。", False),  # 以 as a verb, not 以上
        ("上海市全年办理案件131件。", False),
        ("但是，执法人员素质有待提高。", False),  # a turn, which readers do quote
    ],
)
def test_a_sentence_that_opens_by_pointing_back_is_dependent(
    sentence: str, points_back: bool
) -> None:
    doc, kinds = kinds_of("全年办理行政复议案件131件，取得明显成效。" + sentence)
    assert [s.text for s in doc.sentences][1] == sentence
    assert not kinds.dependent[0] and kinds.dependent[1] == points_back


def test_a_short_sentence_joined_at_its_semicolon_is_not_dependent() -> None:
    doc, kinds = kinds_of("全年办理行政复议案件131件；提升执法人员能力，规范执法行为。")
    assert len(doc.sentences) == 1
    assert not kinds.dependent.any()


@pytest.mark.parametrize(
    "line",
    [
        "来源：某某区司法局",
        "打印 关闭",
        "发布时间：2025-01-10",
        "2025年1月10日",
        "版权所有：某某区人民政府",
    ],
)
def test_chrome_lines(line: str) -> None:
    doc, kinds = kinds_of(f"{line}\n{FIGURES}\n")
    assert kinds.chrome.tolist() == [True, False]
    assert kinds.body.tolist() == [False, True]
    assert kinds.standalone.tolist() == [False, True]


def test_short_paragraphs_labelled_boilerplate_are_chrome() -> None:
    long = PLAIN * 4
    assert len(long) > 120
    text = f"{FIGURES}\n{long}\n"
    _, unlabelled = kinds_of(text)
    assert not unlabelled.chrome.any()
    doc, kinds = kinds_of(text, labels=["boilerplate", "boilerplate"])
    assert len(doc.paragraphs) == 2
    assert kinds.chrome[0]  # short: chrome
    assert not kinds.chrome[1:].any()  # a long paragraph is body text whatever its label
    _, achievements = kinds_of(text, labels=["achievements", "achievements"])
    assert not achievements.chrome.any()


@pytest.mark.parametrize("debris", ["┏━━━━┓", "ㄒㄧ", "\ufffd"])
def test_conversion_debris_is_garbled(debris: str) -> None:
    doc, kinds = kinds_of(f"{debris}全面推进依法行政工作，持续深化行政执法体制改革。{FIGURES}")
    assert len(doc.sentences) == 2
    assert kinds.garbled.tolist() == [True, False]
    assert kinds.standalone.tolist() == [False, True]


def test_body_text_without_an_end_mark_is_unfinished() -> None:
    cut = "本局持续推进依法行政工作，全面推进法治政府建设"
    doc, kinds = kinds_of(f"{FIGURES}\n{cut}\n")
    assert kinds.unfinished.tolist() == [False, True]
    assert kinds.standalone.tolist() == [True, False]


def test_closing_quotes_after_the_end_mark_finish_a_sentence() -> None:
    doc, kinds = kinds_of("“全面推进依法行政工作，持续深化行政执法体制改革。”")
    assert len(doc.sentences) == 1
    assert not kinds.unfinished[0]


@pytest.mark.parametrize("end", ["!", "?", "！", "？", "…"])
def test_every_end_mark_finishes_a_sentence(end: str) -> None:
    doc, kinds = kinds_of(f"全面推进依法行政工作，持续深化行政执法体制改革{end}")
    assert len(doc.sentences) == 1
    assert not kinds.unfinished[0]


def test_admission_and_remedy() -> None:
    admission = "存在的主要问题是部分执法人员法治意识有待加强。"
    remedy = "针对这一问题，我局组织开展专项培训，提升执法人员能力水平。"
    doc, kinds = kinds_of(admission + remedy + FIGURES)
    a, r, f = (index_of(doc, t) for t in (admission, remedy, FIGURES))
    assert kinds.admission[a] and not kinds.remedy[a]
    assert kinds.remedy[r]
    assert not kinds.admission[f] and not kinds.remedy[f]


def test_a_question_a_sentence_is_about_is_no_admission() -> None:
    # 1981: "在我国经济发展前景问题上，要防止两种错误倾向。" is on a question, admits nothing
    on = "在我国经济发展前景问题上，要防止两种错误倾向。"
    admits = "发展前景问题较多，经济效益不高。"
    doc, kinds = kinds_of(on + admits)
    assert not kinds.admission[index_of(doc, on)] and kinds.admission[index_of(doc, admits)]


@pytest.mark.parametrize(
    "sentence",
    [
        "对此，我局组织开展专项培训，提升执法人员能力水平。",
        "下一步，我局将继续深化行政执法体制改革。",
        "“针对”执法中的薄弱环节，我局组织开展专项培训。",  # opening punctuation allowed
    ],
)
def test_remedy_words_opening_a_sentence(sentence: str) -> None:
    doc, kinds = kinds_of(FIGURES + sentence)
    assert kinds.remedy[index_of(doc, sentence)]


def test_a_remedy_word_inside_a_sentence_is_not_a_remedy() -> None:
    sentence = "我局针对执法中的薄弱环节组织开展专项培训，提升执法人员能力水平。"
    doc, kinds = kinds_of(sentence)
    assert not kinds.remedy[0]
    assert kinds.admission[0]  # 薄弱


# -- standalone and formula --------------------------------------------------------------------


def test_standalone_is_only_whole_body_sentences(tiny_report) -> None:
    doc, kinds = kinds_of(tiny_report.text)
    chosen = {doc.sentences[i].text for i in np.flatnonzero(kinds.standalone)}
    assert "（一）深化行政复议体制改革。" not in chosen  # a topic clause
    assert "全年办理行政复议案件131件，行政机关负责人出庭应诉率达100%。" in chosen
    assert not any(t.startswith("发布时间") for t in chosen)  # chrome
    assert "二、存在的不足和原因" not in chosen  # a heading
    assert (
        kinds.standalone.tolist()
        == (
            kinds.body
            & ~kinds.topic
            & ~kinds.scrap
            & ~kinds.dependent
            & ~kinds.unfinished
            & ~kinds.garbled
            & ~kinds.formula
        ).tolist()
    )


def _kinds(stock: list[float], figure: list[bool]) -> Kinds:
    n = len(stock)
    no = np.zeros(n, dtype=bool)
    return Kinds(
        heading=no,
        topic=no,
        scrap=no,
        dependent=no,
        chrome=no,
        stock=np.array(stock),
        specific=np.zeros(n, dtype=np.int64),
        figure=np.array(figure),
        garbled=no,
        unfinished=no,
        admission=no,
        remedy=no,
        maxim=no,
    )


def test_a_maxim_is_a_formula_unless_it_gives_a_figure() -> None:
    # 1978 closed a briefing on "只有坚决打击阶级敌人，才能确保人民当家作主。"; the readers quote
    # none of the 33 "只有…才…" sentences of their reports.
    doc = build_document(
        "只有坚决打击阶级敌人，才能确保人民当家作主。\n我们只有坚持改革开放，才能实现发展。\n"
        "只有3个单位完成了任务，才占全部的10%。\n全市只有少数单位按期完成了整改任务。"
    )
    kinds = sentence_kinds(doc)
    assert kinds.maxim.tolist() == [True, True, True, False]
    assert kinds.formula.tolist() == [True, True, False, False]
    assert not kinds.standalone[:2].any() and kinds.standalone[2]


def test_formula_is_mostly_stock_and_no_figure() -> None:
    kinds = _kinds(
        [0.0, FORMULA_SHARE - 0.01, FORMULA_SHARE, 1.0, 1.0], [False, False, False, False, True]
    )
    assert kinds.formula.tolist() == [False, False, True, True, False]
    assert kinds.standalone.tolist() == [True, True, False, False, True]


def _background() -> Background:
    texts = [
        f"{STOCK}，全面推进法治政府建设，深化行政复议体制改革。",
        f"我区{STOCK}，严格规范公正文明执法，开展执法检查。",
        f"{STOCK}，完善重大行政决策程序，落实合法性审查。",
        f"本年度{STOCK}，加强执法人员法律知识培训。",
    ]
    return Background(min_docs=1, common=0.5).fit(texts)


def test_a_stock_formula_is_not_standalone() -> None:
    doc = build_document(f"{STOCK}。{FIGURES}")
    assert sentence_kinds(doc).stock.tolist() == [0.0, 0.0]  # no background: no stock
    doc = build_document(f"{STOCK}。{FIGURES}")
    doc.background = _background()
    kinds = sentence_kinds(doc)
    assert kinds.stock[0] == pytest.approx(1.0)
    assert kinds.stock[1] == pytest.approx(0.0)
    assert kinds.formula.tolist() == [True, False]
    assert not (kinds.topic[0] or kinds.scrap[0] or kinds.unfinished[0])  # only a formula
    assert kinds.standalone.tolist() == [False, True]


def test_stock_shares_match_the_background_per_sentence() -> None:
    doc = build_document(f"{STOCK}，全面推进法治政府建设。{PLAIN}{FIGURES}")
    background = _background()
    doc.background = background
    kinds = sentence_kinds(doc)
    expected = [background.stock_share(s.text) for s in doc.sentences]
    assert kinds.stock == pytest.approx(expected)
    assert 0 < kinds.stock[0] < 1


def test_a_sentence_opening_on_a_pronoun_for_someone_named_before_is_dependent() -> None:
    # 1978: "他们要动手了，要发动反革命政变了。" quoted alone says nothing of who "they" are
    doc = build_document(
        "他们要动手了，要发动反革命政变了。\n它们的产值增长了百分之十，超过预期目标。\n"
        "他国经验表明，改革必须稳步推进才能取得实效。\n全市建成了三个示范区，覆盖全部乡镇。"
    )
    assert sentence_kinds(doc).dependent.tolist() == [True, True, False, False]


def test_a_lead_in_with_too_little_after_it_is_dependent() -> None:
    # 2007: "突出表现在能源消耗高、环境污染重。" was called a fragment; `quoted_from` keeps the
    # lead when the rest is a scrap, so the sentence is never quoted alone. A connective and a
    # short point is a turn readers quote.
    doc = build_document(
        "突出表现在能源消耗高、环境污染重。\n主要是：执法人员不足。\n"
        "主要表现在执法人员不足，执法文书不规范，案卷归档不及时。\n能源消耗高、环境污染重。\n"
        "但是，执法人员素质有待提高。"
    )
    assert sentence_kinds(doc).dependent.tolist() == [True, True, False, False, False]


def test_a_sentence_that_only_leads_into_a_list_is_dependent() -> None:
    # 2010: "一年来，我们主要做了以下工作：" / "（一）加强和改善宏观调控，…"
    doc = build_document(
        "一年来，我们主要做了以下工作：\n（一）加强和改善宏观调控。\n我们实行积极的财政政策，效果明显。"
    )
    kinds = sentence_kinds(doc)
    assert [s.text for s in doc.sentences][0] == "一年来，我们主要做了以下工作："
    assert kinds.dependent[0] and not kinds.standalone[0]
    assert leads_in(doc).tolist() == [True, False, False]


def test_a_sentence_pointing_forward_to_a_list_leads_in_without_a_colon() -> None:
    # "今年要着重抓好以下三项工作。" says nothing until the list after it; "以下" after a number
    # or an administrative level means "below" and a sentence with a figure says something.
    doc = build_document(
        "今年要着重抓好以下三项工作。\n这里着重讲以下几个问题。\n一是稳增长，全年增长5%。\n"
        "积极推进省以下财政体制改革。\n淘汰30万千瓦以下煤电机组。\n现将有关情况报告如下：\n"
    )
    assert leads_in(doc).tolist() == [True, True, False, False, False, True]
    assert sentence_kinds(doc).dependent[:2].all()
