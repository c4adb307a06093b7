"""The problem list (`problem_items`): how a shortcomings part splits into items."""

from __future__ import annotations

from model.text.document import Document, build_document
from model.text.problems import Item, problem_items

HEAD = ("二、存在的不足", "shortcomings")


def items_of(*paragraphs: str) -> tuple[Document, list[Item]]:
    """The problem items of a shortcomings part: a heading, then `paragraphs`, labelled by hand."""
    lines = [HEAD, *((p, "shortcomings") for p in paragraphs), ("三、下一步工作", "plans")]
    doc = build_document("\n".join(text for text, _ in lines) + "\n")
    assert len(doc.paragraphs) == len(lines)
    doc.labels = [label for _, label in lines]
    items = problem_items(doc)
    for item in items:
        assert doc.quote(item.start, item.end) == item.text
        assert item.title in item.text
    return doc, items


# -- a framing, then one problem a sentence ---------------------------------------------------


def test_a_framing_sentence_is_not_an_item_and_each_sentence_after_it_is() -> None:
    _, items = items_of(
        "在肯定成绩的同时，我们也清醒看到面临的困难和挑战。世界经济增长动能不足，外部环境更趋"
        "复杂严峻。部分中小企业和个体工商户经营困难。一些地方基层财政困难。我们一定要直面问题和"
        "挑战，尽心竭力改进工作。"
    )
    assert [i.title for i in items] == [
        "世界经济增长动能不足，外部环境更趋复杂严峻",
        "部分中小企业和个体工商户经营困难",
        "一些地方基层财政困难",
    ]
    assert [i.text for i in items] == [
        "世界经济增长动能不足，外部环境更趋复杂严峻。",
        "部分中小企业和个体工商户经营困难。",
        "一些地方基层财政困难。",
    ]


def test_a_framing_clause_leaves_the_rest_of_its_sentence_as_the_problem() -> None:
    _, items = items_of(
        "在看到发展成就的同时，我们也清醒认识到，发展不平衡不充分问题仍然突出。行政执法规范化"
        "水平不高，执法程序不够严格。"
    )
    assert [i.text for i in items] == [
        "发展不平衡不充分问题仍然突出。",
        "行政执法规范化水平不高，执法程序不够严格。",
    ]
    assert items[0].title == "发展不平衡不充分问题仍然突出"


def test_a_framing_with_a_lead_in_and_a_semicolon_list() -> None:
    _, items = items_of(
        "我们清醒地看到，法治政府建设中还存在不少问题。主要是：基层执法人员专业能力不足；"
        "行政复议案件办理周期偏长；规范性文件备案审查不够及时。这些问题，有的是长期积累的。"
    )
    assert [i.title for i in items] == [
        "基层执法人员专业能力不足",
        "行政复议案件办理周期偏长",
        "规范性文件备案审查不够及时",
    ]
    assert items[-1].text == "规范性文件备案审查不够及时。"


def test_a_maxim_before_the_framing_is_not_an_item() -> None:
    _, items = items_of("安不忘危，兴不忘忧。我们也清醒看到存在的问题和不足。执法监督合力不强。")
    assert [i.text for i in items] == ["执法监督合力不强。"]


def test_the_remedy_ends_the_problems_after_a_framing() -> None:
    doc, items = items_of(
        "同时也要看到，行政执法人员法治素养参差不齐。部分执法文书制作不规范。针对这些问题，我局"
        "将开展全员培训。执法案卷评查制度已经建立。"
    )
    assert [i.text for i in items] == ["行政执法人员法治素养参差不齐。", "部分执法文书制作不规范。"]
    assert all("培训" not in i.text and "评查" not in i.text for i in items)


def test_a_framing_alone_gives_no_item() -> None:
    _, items = items_of("我们也清醒地认识到，工作中还存在不少问题，面临诸多新的挑战和风险。")
    assert items == []


# -- unchanged: enumerated parts, and paragraphs without a framing ------------------------------


def test_an_enumerated_part_after_a_framing_is_split_by_its_markers() -> None:
    _, items = items_of(
        "我们也清醒看到，工作中还存在一些问题和不足。一是基层执法人员专业能力不足，部分执法人员"
        "对新法掌握不够。二是行政复议案件办理周期偏长。"
    )
    assert [i.title for i in items] == [
        "基层执法人员专业能力不足，部分执法人员对新法掌握不够",
        "行政复议案件办理周期偏长",
    ]
    assert items[0].text == "一是基层执法人员专业能力不足，部分执法人员对新法掌握不够。"


def test_enumerated_paragraphs_keep_their_items() -> None:
    _, items = items_of(
        "（一）执法监督合力不强。部门之间信息共享不够。",
        "（二）法治宣传针对性不强。宣传形式较为单一。",
    )
    assert [i.title for i in items] == ["执法监督合力不强", "法治宣传针对性不强"]
    assert items[1].text == "（二）法治宣传针对性不强。宣传形式较为单一。"


def test_a_paragraph_without_a_framing_stays_one_item() -> None:
    text = "基层执法人员专业能力不足，部分执法人员对新法掌握不够。执法装备保障也有短板。"
    _, items = items_of(text)
    assert [i.text for i in items] == [text]
    assert items[0].title == "基层执法人员专业能力不足，部分执法人员对新法掌握不够"


def test_a_semicolon_list_without_a_framing_keeps_its_pieces() -> None:
    _, items = items_of("基层执法人员专业能力不足；行政复议案件办理周期偏长；普法宣传形式单一。")
    assert [i.text for i in items] == [
        "基层执法人员专业能力不足；",
        "行政复议案件办理周期偏长；",
        "普法宣传形式单一。",
    ]


def test_a_sentence_that_only_announces_problems_is_told_from_one_that_states_one() -> None:
    from model.text.problems import frames_problems

    framing = "虽然今年法治建设工作开展顺利，但还面临不少困难，存在着诸多亟待解决的问题。"
    stated = "首先，我局执法能力水平不均衡，执法体制还未理顺。"
    for text, expected in ((framing, True), (stated, False)):
        assert frames_problems(text, 0, len(text)) is expected


def test_a_wrapped_item_reads_without_its_line_breaks() -> None:
    # A PDF's or a scan's text: the item's lines joined into one paragraph, offsets kept.
    body = (
        "一是部分执法人员执法过程不严谨。虽然我局高度重视对行政执法人员的法律培训，但部分人员在执"
        "法过程中仍存在不使用文明用语、执法勘察笔录签字不及时、适用法律条款告知不清楚等问题。"
    ) * 3
    width = 36
    lines = [body[i : i + width] for i in range(0, len(body), width)]
    text = "二、存在的不足\n" + "\n".join(lines) + "\n三、下一步工作\n"
    doc = build_document(text)
    doc.labels = ["shortcomings"] * (len(doc.paragraphs) - 1) + ["plans"]
    items = problem_items(doc)
    assert items and all("\n" not in i.text and "\n" not in i.title for i in items)
    assert "\n" in text[items[0].start : items[0].end]
    assert items[0].title == "部分执法人员执法过程不严谨"
