"""Heading cues, chrome detection and document context (model/text/structure.py)."""

from __future__ import annotations

import pytest

from model.text.segment import split_paragraphs
from model.text.structure import (
    contexts,
    heading_cue,
    is_body,
    is_terse,
    looks_like_boilerplate,
    paragraph_tokens,
    plan_period_start,
    report_year,
    structural_labels,
    top_sections,
)


@pytest.mark.parametrize(
    ("heading", "cue"),
    [
        # Real headings from the seed reports.
        ("二、存在问题", "shortcomings"),
        ("二、存在的不足", "shortcomings"),
        ("二、存在的问题及整改情况", "shortcomings"),
        ("二、2024年度推进法治政府建设存在的不足和原因", "shortcomings"),
        ("三、2024年度主要负责人推进法治建设履职情况", "leadership"),
        ("三、2025年度工作计划", "plans"),
        ("三、下一步工作计划", "plans"),
        ("四、2025年度推进法治政府建设的主要安排", "plans"),
        ("一、2024年度推进法治政府建设的主要举措和成效", "achievements"),
        ("一、2024年工作回顾", "achievements"),
        ("五、其他需要报告的情况", "other"),
        # Problems named together with plans: the section opens with the problems.
        ("三、存在问题及下一步打算", "shortcomings"),
        # Half-width punctuation is normalised first.
        ("(二)存在的不足", "shortcomings"),
    ],
)
def test_heading_cue(heading: str, cue: str) -> None:
    assert heading_cue(heading) == cue


@pytest.mark.parametrize("heading", ["一、2024年工作情况", "一、主要工作", ""])
def test_heading_without_cue_words(heading: str) -> None:
    assert heading_cue(heading) is None


@pytest.mark.parametrize(
    "line",
    [
        "更新时间:2025-03-06 11:37 发布时间:2025-03-06 11:31 来源:硚口区司法局",
        "来源：某某区司法局 发布时间：2025-01-01",
        "收藏 打印 关闭",
        "扫一扫在手机上查看当前页面",
        "主办单位:中共武汉经济技术开发区工委(汉南区委)党政办公室",
        "备案证编号:鄂ICP备2022016438号-1©1997- 版权所有",
        "鄂公网安备 42011302000122号 网站标识码:4201130014",
        "2025年1月10日",
        "【大 中 小】",
    ],
)
def test_chrome_lines_look_like_boilerplate(line: str) -> None:
    assert looks_like_boilerplate(line)


@pytest.mark.parametrize(
    "line",
    [
        "一、2024年法治政府建设主要举措和成效",
        "全年办理行政复议案件131件，行政机关负责人出庭应诉率达100%。",
        "部分执法人员法治意识有待加强，执法不够规范，存在差距。",
        "中共某某区委：",
        "",
        # Body text that happens to contain a chrome word is too long to be chrome.
        "我局严格落实行政执法公示制度，及时公开执法信息来源：" + "依法行政" * 30,
    ],
)
def test_body_text_is_not_boilerplate(line: str) -> None:
    assert not looks_like_boilerplate(line)


def test_top_sections_follow_the_headings(tiny_report) -> None:
    paragraphs = split_paragraphs(tiny_report.text)
    sections = top_sections(paragraphs)
    # Before the first heading there is no section; after it, each heading's cue applies.
    assert sections == [
        *([None] * 4),
        *(["achievements"] * 3),
        *(["shortcomings"] * 2),
        *(["plans"] * 4),
    ]


def test_a_top_section_is_never_plans_by_position_alone() -> None:
    # Topic-structured reports give each top-level section to a topic area of the year's work.
    text = (
        "一、坚持党的领导\n我局完成了任务。\n二、自然资源法律规范体系建设取得新突破\n"
        "完成立法3件。\n三、提升依法行政的思维和能力\n组织培训5次。"
    )
    assert set(top_sections(split_paragraphs(text))) == {"achievements"}


@pytest.mark.parametrize("heading", ["一、认真组织部署落实", "二、重点任务", "三、工作目标和要求"])
def test_deployment_task_goal_and_requirement_are_not_plan_cues(heading: str) -> None:
    text = f"一、主要工作\n我局完成了任务。\n{heading}\n我局推进依法行政。"
    assert top_sections(split_paragraphs(text))[2:] == ["achievements", "achievements"]


@pytest.mark.parametrize(
    ("heading", "label"),
    [
        ("二、“十五五”时期主要目标任务", "plans"),  # 2026-2030, after the report's 2025
        ("二、今后五年经济社会发展的主要目标", "plans"),  # 今后: a plan cue of its own
        ("二、“十四五”时期主要举措", "achievements"),  # 2021-2025: the period reported on
        ("二、深入开展“八五”普法", "achievements"),  # the legal-education plans, numbered apart
        ("二、奋力开创“十五五”发展新局面", "plans"),  # the plan named in quotes
    ],
)
def test_a_section_on_a_later_five_year_plan_is_plans(heading: str, label: str) -> None:
    text = f"一、2025年工作回顾\n我局完成了任务。\n{heading}\n我局推进依法行政。"
    assert top_sections(split_paragraphs(text))[2:] == [label, label]


def test_a_review_of_a_five_year_plan_dates_the_report_and_the_next_plan_is_plans() -> None:
    text = (
        "一、“十一五”时期国民经济和社会发展的回顾\n五年来，国内生产总值年均增长11.2%。\n"
        "二、“十二五”时期的主要目标和任务\n今后五年，经济增长预期目标是年均增长7%。\n"
        "三、2011年的工作\n今年要再开工建设保障性住房1000万套。"
    )
    paragraphs = split_paragraphs(text)
    assert report_year(paragraphs) == 2010
    assert top_sections(paragraphs) == ["achievements"] * 2 + ["plans"] * 4


def test_a_report_without_a_year_before_its_review_is_dated_by_the_review() -> None:
    # The State Council texts start at "各位代表" with no title: the review's figures date it.
    text = (
        "一、一年来工作回顾\n2003年，国内生产总值达到11.67万亿元。2003年粮食产量稳定。\n"
        "二、2004年主要任务\n今年要保持经济平稳较快发展。\n三、加强政府自身建设\n要依法行政。"
    )
    paragraphs = split_paragraphs(text)
    assert report_year(paragraphs) == 2003
    assert top_sections(paragraphs) == ["achievements"] * 2 + ["plans"] * 4
    # a year before the first heading (a title) still wins over the review's
    assert report_year(split_paragraphs("2004年政府工作报告\n" + text)) == 2004


def test_a_title_year_wins_over_a_plan_named_in_the_first_heading() -> None:
    text = "2023年度法治政府建设情况报告\n一、“十四五”以来取得的成效\n完成立法3件。"
    assert report_year(split_paragraphs(text)) == 2023
    assert report_year(split_paragraphs(text.split("\n", 1)[1])) == 2025


def test_five_year_plans_start_where_the_calendar_puts_them() -> None:
    starts = {
        n: plan_period_start(n) for n in ("一", "二", "三", "七", "十", "十一", "十四", "十五")
    }
    assert starts == {
        "一": 1953,
        "二": 1958,
        "三": 1966,  # after the three years of adjustment, 1963-1965
        "七": 1986,
        "十": 2001,
        "十一": 2006,
        "十四": 2021,
        "十五": 2026,
    }


def test_a_section_on_a_later_year_is_plans() -> None:
    text = "一、2024年工作回顾\n我局完成了任务。\n二、2025年政府工作任务\n我局将继续推进。"
    assert top_sections(split_paragraphs(text)) == [
        "achievements",
        "achievements",
        "plans",
        "plans",
    ]
    assert report_year(split_paragraphs("2024年，我局坚持依法行政。\n" + text)) == 2024


@pytest.mark.parametrize(
    "heading",
    ["二、下一步工作打算", "三、2025年工作计划", "四、今后努力方向", "三、下一年度主要安排"],
)
def test_plans_need_a_forward_framing(heading: str) -> None:
    assert heading_cue(heading) == "plans"


def test_a_subsection_on_the_principal_leaders_duty_is_leadership() -> None:
    text = (
        "一、主要举措和成效\n（一）切实履行法治建设第一责任人责任\n"
        "局党组定期研究法治建设工作，听取汇报4次。\n（二）深化行政执法改革\n开展执法检查56次。"
    )
    assert structural_labels(split_paragraphs(text)) == [
        "achievements",
        "leadership",
        "leadership",
        "achievements",
        "achievements",
    ]


@pytest.mark.parametrize(
    ("text", "label"),
    [
        (
            "局主要领导带头认真履行推进法治建设第一责任人职责，定期研究部署依法行政工作。",
            "leadership",
        ),
        ("党组书记、局长切实履行第一责任人职责，亲自部署重要工作。", "leadership"),
        # The duty in passing, among the organisation's measures: the year's work.
        (
            "加强党对法治水利建设的领导，切实履行推进法治建设第一责任人职责，完善制度12项。",
            "achievements",
        ),
        # Admissions are framed as such; a shortfall named as a target is a measure.
        ("同时，我们也清醒看到，执法规范化水平还有差距。", "shortcomings"),
        ("加快补上内需特别是消费短板，使内需成为拉动经济增长的主动力。", "achievements"),
        # The same words in a clause that meets the problem, or keeps a clear head.
        (
            "五是加大改革开放力度。针对民营企业发展遇到的困难和问题，千方百计帮助解忧纾困。",
            "achievements",
        ),
        ("采取更加有力的措施，切实解决存在的问题，努力把各项工作做好。", "achievements"),
        ("我们一定要始终保持清醒头脑，增强忧患意识。", "achievements"),
        ("针对存在的问题，我们及时整改。同时也清醒看到，执法水平还有差距。", "shortcomings"),
        # 2012: the government's own failings, "缺点和不足", after "仍存在"
        ("政府工作仍存在一些缺点和不足，节能减排、物价调控目标没有完成。", "shortcomings"),
    ],
)
def test_paragraph_cues_inside_the_review(text: str, label: str) -> None:
    paragraphs = split_paragraphs(f"一、主要举措和成效\n{text}")
    assert structural_labels(paragraphs)[1] == label


def test_the_items_an_admission_lists_inside_the_review_are_shortcomings_too() -> None:
    # The 2008 and 2009 work reports admit problems in one paragraph and list them in the
    # next ("二是…", "——…"); the list ends where a paragraph no longer goes on it.
    text = (
        "一、过去五年工作回顾\n我们也清醒地认识到，经济社会发展中还存在不少问题。\n"
        "——经济运行中一些突出问题和深层次矛盾依然存在。\n"
        "二是受国际金融危机影响，经济增速持续下滑。一些行业产能过剩，部分企业经营困难。\n"
        "我们一定要深刻认识形势的严峻性和复杂性。\n"
        "二是深化改革，全年完成任务。\n"
    )
    labels = structural_labels(split_paragraphs(text))
    assert labels[1:] == ["shortcomings"] * 3 + ["achievements"] * 2


def test_top_sections_of_a_report_without_headings(make_report) -> None:
    paragraphs = split_paragraphs(make_report(headings=False).text)
    assert top_sections(paragraphs) == [None] * len(paragraphs)
    assert top_sections([]) == []


def test_contexts(tiny_report) -> None:
    paragraphs = split_paragraphs(tiny_report.text)
    ctx = contexts(paragraphs)
    assert len(ctx) == len(paragraphs)
    assert [c.section for c in ctx] == top_sections(paragraphs)
    assert ctx[0].first and not ctx[0].last
    assert ctx[-1].last and not ctx[-1].first
    assert [c.position for c in ctx[:4]] == ["pre"] * 4
    assert ctx[4].position == "body" and ctx[4].heading and ctx[4].level == 1
    # The signature block after the last body paragraph is the tail.
    assert [c.position for c in ctx[-2:]] == ["tail", "tail"]
    # A second-level heading's cue is the subsection of what follows it.
    assert ctx[5].level == 2
    tokens = ctx[4].tokens()
    assert all(isinstance(t, str) for t in tokens)
    assert "first" in ctx[0].tokens() and "last" in ctx[-1].tokens()


def test_contexts_subsection_cue() -> None:
    text = "一、主要工作\n（一）存在的不足\n执法不规范。\n二、下一步安排\n继续推进。"
    ctx = contexts(split_paragraphs(text))
    assert [c.subsection for c in ctx] == [None, "shortcomings", "shortcomings", None, None]


def test_contexts_of_nothing() -> None:
    assert contexts([]) == []


@pytest.mark.parametrize(
    ("text", "terse", "body"),
    [
        ("收藏 打印 关闭", True, False),
        ("2025年1月10日", True, False),
        ("某某区司法局", True, False),
        ("中共某某区委：", False, False),  # an addressee opens the preamble
        ("我局完成了任务。", False, False),
        ("我局全面推进法治政府建设，严格规范公正文明执法，全年办理案件" + "很多" * 10, False, True),
        ("法治" * 30, False, False),  # long but with no sentence punctuation
        ("", True, False),
    ],
)
def test_terse_and_body(text: str, terse: bool, body: bool) -> None:
    assert is_terse(text) is terse
    assert is_body(text) is body


def test_paragraph_tokens_of_an_isolated_paragraph() -> None:
    assert {"chrome", "terse"} <= set(paragraph_tokens("收藏 打印 关闭"))
    tokens = paragraph_tokens("一、2024年工作回顾")
    assert "lvl=1" in tokens and "head=True" in tokens
    assert "chrome" not in paragraph_tokens("我局完成了任务。")


def test_structural_labels_of_a_tiny_report(tiny_report) -> None:
    assert structural_labels(split_paragraphs(tiny_report.text)) == tiny_report.labels
    assert structural_labels([]) == []


def test_structural_labels_paragraph_cues_override_the_section() -> None:
    text = (
        "一、2024年工作情况\n"
        "局主要领导带头认真履行推进法治建设第一责任人职责，亲自部署重要工作。\n"
        "我局全年办理行政复议案件131件，行政机关负责人出庭应诉率达100%，成效明显。\n"
        "二、2025年工作计划\n"
        "一年来，我局法治意识得到增强，但也存在着一些问题和薄弱环节，执法规范化有待加强。\n"
        "2025年，我局将继续深化法治政府建设，进一步提升依法行政水平，完成上级部署的各项任务。\n"
        "某某区司法局\n"
    )
    assert structural_labels(split_paragraphs(text)) == [
        "achievements",
        "leadership",
        "achievements",
        "plans",
        "shortcomings",  # a plans section opening with the problems it admits
        "plans",
        "boilerplate",
    ]


def test_a_review_whose_heading_names_the_next_period_turns_to_plans_where_it_looks_forward() -> (
    None
):
    # 2021: "二、“十三五”时期发展成就和“十四五”时期主要目标任务"
    text = (
        "一、2020年工作回顾\n国内生产总值增长2.3%。\n"
        "二、“十三五”时期发展成就和“十四五”时期主要目标任务\n"
        "过去五年，国内生产总值从不到70万亿元增加到超过100万亿元。\n"
        "“十四五”时期是开启全面建设社会主义现代化国家新征程的第一个五年。\n"
        "——坚持创新驱动发展，加快发展现代产业体系。\n"
        "三、2021年重点工作\n今年要保持经济运行在合理区间。"
    )
    assert top_sections(split_paragraphs(text)) == ["achievements"] * 4 + ["plans"] * 4
    # the first section of 1999: "一、1998年工作回顾和1999年工作的总体要求"
    text = (
        "一、1998年工作回顾和1999年工作的总体要求\n1998年国内生产总值增长7.8%。\n"
        "1999年政府工作的总体要求是：坚持稳中求进。\n二、继续扩大内需\n要增加投资。"
    )
    assert top_sections(split_paragraphs(text)) == ["achievements"] * 2 + ["plans"] * 3
    # a review naming no later period does not turn, whatever its paragraphs say
    text = "一、2024年工作成效\n完成立法3件。\n下一步，我局将继续推进。"
    assert top_sections(split_paragraphs(text)) == ["achievements"] * 3


@pytest.mark.parametrize(
    "given",
    ["2026年政府工作报告", "政府工作报告\n——2026年1月20日在省第十四届人民代表大会第五次会议上"],
)
def test_a_speech_to_a_congress_reviews_the_year_before_it_was_given(given: str) -> None:
    text = (
        f"{given}\n各位代表：\n现在，我代表省人民政府，向大会报告工作。\n"
        "一、“十四五”时期的主要成就\n生产总值增长5.5%。\n二、2026年主要工作\n要稳中求进。"
    )
    paragraphs = split_paragraphs(text)
    assert report_year(paragraphs) == 2025
    assert top_sections(paragraphs)[-2:] == ["plans", "plans"]
    # the title of a report that is not a speech still names the year it is about
    assert report_year(split_paragraphs(text.replace("各位代表：\n", ""))) == 2026


def test_a_speech_naming_years_once_each_reviews_the_last() -> None:
    # 1987 starts at "各位代表" with no title or date line; its review names 1986, 1984 and
    # 1985 once each. A rule-of-law report that names its year and its plan's end, 2025, once
    # each is about its own year.
    text = (
        "各位代表：\n现在，我代表国务院向大会作政府工作报告。\n一、当前国内形势和基本任务\n"
        "1986年是开始执行第七个五年计划的一年。把1984年末至1985年一度出现的经济过热调整过来。\n"
        "二、坚持长期稳定发展经济的方针\n要保持经济稳定增长。"
    )
    assert report_year(split_paragraphs(text)) == 1986
    report = "2024年，我局落实《法治政府建设实施纲要（2021-2025年）》。\n一、主要成效\n立法3件。"
    assert report_year(split_paragraphs(report)) == 2024


def test_an_admission_in_a_long_preamble_is_shortcomings() -> None:
    # 2002 reviews its year before its first heading, and admits its problems there.
    text = (
        "各位代表：\n过去的一年，国内生产总值达到95933亿元，比上年增长7.3%。\n"
        "我们也清醒地看到，当前还存在不少亟待解决的问题。主要是：农民收入增长缓慢，就业压力加大。\n"
        "一、2002年的主要任务\n今年要继续扩大内需，实施积极的财政政策，保持经济较快增长，"
        "努力增加城乡居民收入，切实做好就业和社会保障工作。"
    )
    labels = structural_labels(split_paragraphs(text))
    assert labels[:3] == ["preamble", "preamble", "shortcomings"]
    # the preamble of a rule-of-law report, without an admission, stays the preamble
    text = text.replace("我们也清醒地看到，当前还存在不少亟待解决的问题。主要是：", "")
    assert structural_labels(split_paragraphs(text))[:3] == ["preamble"] * 3
