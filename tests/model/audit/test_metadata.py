"""Report metadata read from text (`model.audit.metadata`): fields, levels, kinds and evidence."""

from __future__ import annotations

from datetime import date

import pytest

from model.audit.metadata import Metadata, extract, issuer_kind, level_of
from model.text.document import build_document
from model.text.segment import normalise

OPENING = "2024年，某某市司法局坚持以习近平法治思想为指导，全面推进法治政府建设各项工作。"
TITLE = "某某市司法局2024年法治政府建设年度报告"


def meta_of(text: str) -> Metadata:
    return extract(build_document(text))


def assert_evidence(text: str, meta: Metadata) -> None:
    """Every field's evidence span indexes the original text and holds its words."""
    for name, (start, end) in meta.evidence.items():
        assert 0 <= start < end <= len(text), name
    if meta.title:
        start, end = meta.evidence["title"]
        assert normalise(text[start:end]).startswith(meta.title[:4])
    if meta.year:
        start, end = meta.evidence["year"]
        assert str(meta.year) in text[start:end]
    if meta.issuer:
        start, end = meta.evidence["issuer"]
        assert text[start:end]


# -- title and year ------------------------------------------------------------------------------


def test_title_without_site_suffix_and_label() -> None:
    text = (
        "标题：嘉兴市司法局2024年法治政府建设年度报告_嘉兴市人民政府门户网站\n"
        "2024年，嘉兴市司法局坚持以习近平法治思想为指导，全面推进法治政府建设，取得了积极成效。\n"
    )
    meta = meta_of(text)
    assert meta.title == "嘉兴市司法局2024年法治政府建设年度报告"
    assert meta.year == 2024
    start, end = meta.evidence["title"]
    assert text[start:end].startswith("嘉兴市司法局2024年")
    assert_evidence(text, meta)


def test_year_from_the_title() -> None:
    meta = meta_of(f"{TITLE}\n{OPENING}\n")
    assert meta.year == 2024


def test_year_from_the_opening_when_the_title_has_none() -> None:
    text = (
        "法治政府建设年度报告\n"
        "2023年，长治市应急管理局坚持以习近平法治思想为指导，全面推进法治政府建设各项工作。\n"
    )
    meta = meta_of(text)
    assert meta.year == 2023
    start, end = meta.evidence["year"]
    assert text[start:end] == "2023"


def test_year_of_a_plan_in_quotes_is_not_the_reported_year() -> None:
    text = (
        "法治政府建设工作情况\n"
        "根据《法治政府建设实施纲要（2021—2025年）》要求，我局认真贯彻落实各项部署，"
        "全面推进依法行政工作，取得积极成效。\n"
    )
    meta = meta_of(text)
    assert meta.year not in (2021, 2025)
    assert meta.year is None


# -- dates ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("signature", "words"),
    [("2025年3月28日", "2025年3月28日"), ("二〇二五年三月二十八日", "二〇二五年三月二十八日")],
)
def test_report_date_from_the_signature(signature: str, words: str) -> None:
    text = f"{TITLE}\n{OPENING}\n某某市司法局\n{signature}\n"
    meta = meta_of(text)
    assert meta.report_date == date(2025, 3, 28)
    assert meta.published is None
    start, end = meta.evidence["report_date"]
    assert text[start:end] == words


def test_a_signature_date_broken_by_a_page_width_is_read_whole() -> None:
    # A page pasted as one line, then wrapped as a PDF's text is: anywhere, inside a number too.
    body = "我局认真贯彻落实法治政府建设各项部署，依法行政水平持续提升，取得明显成效。" * 9
    page = body + " 某某市司法局 2025年3月28日"
    width = 38  # the wrap falls right after the year's "2"
    assert len(body + " 某某市司法局 2") % width == 0
    text = TITLE + "\n" + "\n".join(page[i : i + width] for i in range(0, len(page), width))
    meta = meta_of(text)
    assert meta.report_date == date(2025, 3, 28)
    start, end = meta.evidence["report_date"]
    assert text[start:end] == "2\n025年3月28日"
    assert meta.issuer == "某某市司法局"


@pytest.mark.parametrize(
    ("line", "when"),
    [("发布时间：2025-03-06 11:31", date(2025, 3, 6)), ("发布日期: 2025-01-29", date(2025, 1, 29))],
)
def test_published_from_a_labelled_line(line: str, when: date) -> None:
    text = f"{TITLE}\n{line}\n{OPENING}\n"
    meta = meta_of(text)
    assert meta.published == when
    assert meta.report_date is None
    start, end = meta.evidence["published"]
    assert when.isoformat() in text[start:end]


def test_a_banner_date_is_not_the_publication_date() -> None:
    meta = meta_of(f"今天是2025年3月6日 星期四\n{TITLE}\n{OPENING}\n")
    assert meta.published is None
    assert meta.title == TITLE


def test_published_and_signature_dates_go_to_their_fields() -> None:
    text = f"{TITLE}\n发布日期：2025-03-06\n{OPENING}\n某某市司法局\n2025年3月28日\n"
    meta = meta_of(text)
    assert meta.published == date(2025, 3, 6)
    assert meta.report_date == date(2025, 3, 28)
    assert meta.evidence["published"] != meta.evidence["report_date"]
    assert_evidence(text, meta)


# -- issuer --------------------------------------------------------------------------------------


def test_issuer_from_the_title() -> None:
    text = f"{TITLE}\n{OPENING}\n"
    meta = meta_of(text)
    assert meta.issuer == "某某市司法局"
    assert meta.issuer_kind == "department"
    start, end = meta.evidence["issuer"]
    assert text[start:end] == "某某市司法局"


def test_issuer_from_the_opening_subject() -> None:
    text = (
        "法治政府建设年度报告\n"
        "2024年，长治市应急管理局坚持以习近平法治思想为指导，全面推进法治政府建设各项工作。\n"
    )
    meta = meta_of(text)
    assert meta.issuer == "长治市应急管理局"
    assert meta.level == "municipal"
    start, end = meta.evidence["issuer"]
    assert text[start:end] == "长治市应急管理局"


def test_issuer_from_a_name_line_above_the_title() -> None:
    text = (
        "赵县人民政府\n关于2024年度法治政府建设情况的报告\n"
        "2024年，在市委市政府的坚强领导下，我县坚持以习近平法治思想为指导，全面推进法治政府建设。\n"
    )
    meta = meta_of(text)
    assert meta.issuer == "赵县人民政府"
    assert meta.issuer_kind == "government"
    assert meta.level == "county"
    assert meta.year == 2024
    assert_evidence(text, meta)


def test_short_form_written_out_when_the_place_is_named() -> None:
    text = (
        "赵县2024年法治政府建设年度报告\n"
        "2024年，县政府坚持以习近平法治思想为指导，全面推进法治政府建设各项工作，取得积极成效。\n"
    )
    meta = meta_of(text)
    assert meta.issuer == "赵县人民政府"
    start, end = meta.evidence["issuer"]
    assert text[start:end] == "县政府"


def test_short_form_left_alone_without_a_named_place() -> None:
    meta = meta_of(
        "2024年法治政府建设年度报告\n"
        "2024年，县政府坚持以习近平法治思想为指导，全面推进法治政府建设各项工作，取得积极成效。\n"
    )
    assert meta.issuer is None
    # The unit still says what speaks and at which level: a county government.
    assert (meta.issuer_kind, meta.level) == ("government", "county")
    assert meta.evidence["level"] is not None


@pytest.mark.parametrize(
    ("opening", "kind", "level"),
    [
        ("2024年，省教育厅坚持依法行政，全面推进法治政府建设。", "department", "provincial"),
        ("2024年，我市坚持依法行政，全面推进法治政府建设。", "government", "municipal"),
        (
            "2021年上海市法治政府建设情况报告\n2021年，全市各区、各部门在市委、市政府的坚强领导下，"
            "深入推进依法行政。",
            "government",
            "provincial",
        ),
        ("2022年，我区坚持依法行政，推进内蒙古自治区法治政府建设。", "government", "provincial"),
        ("2024年，街道坚持依法行政，全面推进法治政府建设各项工作。", None, "township"),
    ],
)
def test_the_unit_of_an_unnamed_subject(opening: str, kind: str | None, level: str) -> None:
    meta = meta_of(opening + "现将有关情况报告如下。\n")
    assert meta.issuer is None
    assert (meta.issuer_kind, meta.level) == (kind, level)


def test_a_title_naming_only_a_place_gives_no_issuer() -> None:
    meta = meta_of(
        "硚口区2024年度法治政府建设情况报告\n"
        "2024年，全区上下坚持以习近平法治思想为指导，全面推进法治政府建设各项工作，取得积极成效。\n"
    )
    assert meta.issuer is None
    assert meta.year == 2024


def test_evidence_indexes_a_traditional_character_text() -> None:
    text = (
        "硚口區司法局2024年度法治政府建設情況報告\n"
        "2024年，硚口區司法局堅持以習近平法治思想為指導，全面推進法治政府建設各項工作。\n"
    )
    meta = meta_of(text)
    assert meta.title == "硚口区司法局2024年度法治政府建设情况报告"
    assert meta.issuer == "硚口区司法局"
    assert meta.year == 2024
    start, end = meta.evidence["issuer"]
    assert text[start:end] == "硚口區司法局"
    start, end = meta.evidence["title"]
    assert normalise(text[start:end]) == meta.title
    assert_evidence(text, meta)


def test_a_page_of_only_chrome_gives_no_fields() -> None:
    meta = meta_of("首页 > 政务公开\n打印 关闭\n")
    assert meta.as_dict() == Metadata().as_dict()


@pytest.mark.parametrize("text", ["", "\n\n", "打印", "2025年3月6日"])
def test_tiny_inputs_never_raise(text: str) -> None:
    meta = meta_of(text)
    assert meta.issuer is None and meta.title is None


# -- levels and kinds ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "level"),
    [
        ("海宁市住房和城乡建设局", "county"),
        ("武汉市硚口区司法局", "county"),
        ("嘉兴市司法局", "municipal"),
        ("北京市朝阳区人民政府", "county"),
        ("北京市人民政府", "provincial"),
        ("浙江省司法厅", "provincial"),
        ("某某镇人民政府", "township"),
        ("鲤城区人民政府金龙街道办事处", "township"),
        ("司法部", "national"),
        ("国家知识产权局", "national"),
        ("武汉市城市管理执法委员会", "municipal"),
    ],
)
def test_level_of(name: str, level: str) -> None:
    assert level_of(name) == level


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("赵县人民政府", "government"),
        ("某某镇", "government"),
        ("鲤城区人民政府金龙街道办事处", "government"),
        ("嘉兴市司法局", "department"),
        ("浙江省司法厅", "department"),
        ("中共嘉兴市委", "party"),
        ("某某区委全面依法治区委员会办公室党组", "party"),
        ("北京市", None),
    ],
)
def test_issuer_kind(name: str, kind: str | None) -> None:
    assert issuer_kind(name) == kind


# -- evidence beside the text: the page and the file name -------------------------------------

_BODY = (
    "2022年，我镇坚持以习近平法治思想为指导，全面推进法治政府建设。现将有关情况报告如下：\n"
    "一、主要举措和成效\n"
)


def test_a_page_title_names_the_issuer_the_body_leaves_unnamed() -> None:
    from model.audit.metadata import Context

    doc = build_document(_BODY)
    assert extract(doc).issuer is None
    page = {"title": "英德市下太镇2022年度法治政府建设情况报告_英德市人民政府门户网站"}
    meta = extract(doc, Context(page=page | {"pubdate": "2023-01-18 10:20"}))
    assert meta.issuer == "英德市下太镇人民政府"
    assert meta.title == "英德市下太镇2022年度法治政府建设情况报告"
    assert meta.published == date(2023, 1, 18)
    found = meta.as_dict()
    assert found["sources"] == {
        "title": "page",
        "issuer": "page",
        "issuer_kind": "text",
        "level": "text",
        "year": "text",
        "published": "page",
    }
    # offsets stay in the text: the year is its first four characters
    assert found["evidence"]["year"] == [0, 4] and "issuer" not in found["evidence"]


def test_the_text_comes_first() -> None:
    from model.audit.metadata import Context

    text = "某某区司法局2023年法治政府建设年度报告\n" + _BODY.replace("我镇", "我局")
    page = {"title": "另一个单位2020年度报告"}
    meta = extract(build_document(text), Context(page=page, filename="x/其他局2019年报告.docx"))
    assert (meta.issuer, meta.year) == ("某某区司法局", 2023)
    assert set(meta.as_dict()["sources"].values()) == {"text"}


def test_a_file_name_and_folder_name_the_body() -> None:
    from model.audit.metadata import Context

    doc = build_document(_BODY.replace("我镇", "我局"))
    context = Context(filename="报送/罗湖区司法局/区司法局2022年法治政府建设情况报告（定稿）.docx")
    meta = extract(doc, context)
    assert meta.issuer == "罗湖区司法局" and meta.level == "county"
    assert meta.as_dict()["sources"]["issuer"] == "filename"


def test_nothing_said_stays_null() -> None:
    from model.audit.metadata import Context

    meta = extract(build_document(_BODY), Context(page={}, filename="report.docx"))
    assert meta.issuer is None and meta.title is None


def test_a_short_form_is_written_out_with_the_place_the_site_names() -> None:
    from model.audit.metadata import Context

    text = "2022年，区司法局坚持以习近平法治思想为指导，全面推进依法行政。\n一、主要举措和成效\n"
    doc = build_document(text)
    assert extract(doc).issuer is None  # "区司法局": which 区, the text does not say
    meta = extract(doc, Context(page={"sitename": "深圳市罗湖区人民政府门户网站"}))
    assert meta.issuer == "深圳市罗湖区司法局"  # a county named after its city keeps it
    found = meta.as_dict()
    assert found["sources"]["issuer"] == "page"
    assert text[slice(*found["evidence"]["issuer"])] == "区司法局"  # the words it completes


def test_a_short_form_is_written_out_as_the_text_names_it_in_full() -> None:
    opening = "2022年，区司法局坚持以习近平法治思想为指导，全面推进依法行政。"
    named = opening + "制发罗湖区司法局《学习宣传贯彻党的二十大工作方案》。\n"
    assert extract(build_document(named)).issuer == "罗湖区司法局"
    # two districts' 司法局 named: which one reports, the text does not say
    two = named.replace("。\n", "，转发福田区司法局通知。\n")
    assert extract(build_document(two)).issuer is None
    # a place that is no division ("制发罗湖" is not one, "罗湖区" is) never completes it
    assert extract(build_document(opening + "\n")).issuer is None
