"""Normalisation, paragraphs, sentences, headings and words (model/text/segment.py)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model.text import segment
from model.text.document import build_document
from model.text.segment import (
    MAX_JOINED,
    SEGMENTERS,
    cut_many,
    cut_words,
    heading_level,
    is_heading,
    normalise,
    paragraphs_from_lines,
    segmenter,
    split_paragraphs,
    split_sentences,
    unwrap,
)
from tests.conftest import SEED_FILES, SEEDS

SEED_002 = SEEDS / "002_8099f1cf9eb57035.txt"

# -- normalise ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("，；（）％", "，；（）%"),
        (",;()%", "，；（）%"),
        ("!?", "！？"),
        ("０１２３４５６７８９", "0123456789"),
        ("ＡＢＣａｂｃ", "ABCabc"),
        ("\ufeff标题", " 标题"),
        ("一行\r\n二行", "一行\n\n二行"),
        ("全角\u3000空格\xa0和\t制表", "全角 空格 和 制表"),
        ("来源:司法局", "来源：司法局"),
        ("http://x.cn 10:30", "http://x.cn 10:30"),
    ],
)
def test_normalise_maps_widths_and_whitespace(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


@given(st.text())
def test_normalise_keeps_length(text: str) -> None:
    # One character for one: offsets on the normalised text slice the original.
    assert len(normalise(text)) == len(text)


# -- headings -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("一、2024年工作回顾", 1),
        ("十二、其他需要报告的情况", 1),
        ("第一部分 主要成效", 1),
        ("（一）强化组织领导", 2),
        ("(一)强化组织领导", 2),
        ("（ 三 ）健全制度", 2),
        ("1.完善制度建设", 3),
        ("2、加强执法监督", 3),
        ("１．全角数字", 3),
        ("（1）细化标准", 3),
        ("一是加强学习", 4),
        ("三是推进改革", 4),
        ("首先，加强组织领导", 4),
        ("最后：抓好落实", 4),
        ("  一、前导空格", 1),
    ],
)
def test_heading_level(text: str, level: int) -> None:
    assert heading_level(text) == level


@pytest.mark.parametrize(
    "text",
    [
        "2024年，我局深入推进法治政府建设。",
        "1.5亿元用于执法装备",
        "首先加强组织领导",  # no comma: an ordinary sentence start
        "我局一是加强学习",
        "",
        "中共某某区委：",
    ],
)
def test_not_a_heading(text: str) -> None:
    assert heading_level(text) is None
    assert not is_heading(text)


@pytest.mark.parametrize(
    ("text", "heading"),
    [
        ("一、2024年工作回顾", True),
        ("（一）强化组织领导，夯实法治基础", True),
        ("二、存在的不足和原因：", True),
        ("一是加强学习。", True),
        # A numbered run-in paragraph with body sentences is not a stand-alone heading.
        ("（一）落实主体责任。市住建局高度重视法治政府建设工作。", False),
        ("一、" + "很长的标题" * 13, False),
    ],
)
def test_is_heading(text: str, heading: bool) -> None:
    assert is_heading(text) is heading


# -- paragraphs ---------------------------------------------------------------------------------


def test_split_paragraphs_one_per_line_with_offsets() -> None:
    text = "\ufeff标题\r\n\r\n一、工作成效\n  我局完成了任务。  \n\n"
    paragraphs = split_paragraphs(text)
    assert [p.text for p in paragraphs] == ["标题", "一、工作成效", "我局完成了任务。"]
    assert all(text[p.start : p.end] == p.text for p in paragraphs)
    assert [(p.level, p.heading) for p in paragraphs] == [(None, False), (1, True), (None, False)]


@pytest.mark.parametrize("text", ["", "\n\n", "  \t \u3000 ", "\ufeff"])
def test_split_paragraphs_of_nothing(text: str) -> None:
    assert split_paragraphs(text) == []


def test_split_paragraphs_on_a_normal_seed(seed_texts: dict[str, str]) -> None:
    text = seed_texts["000_f2d5ba989b7a1d36.txt"]
    paragraphs = split_paragraphs(text)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    assert [p.text for p in paragraphs] == lines
    assert paragraphs[1].text == "一、2024年工作情况"
    assert paragraphs[1].heading and paragraphs[1].level == 1


def test_split_paragraphs_on_the_one_line_seed() -> None:
    text = SEED_002.read_text(encoding="utf-8")
    assert "\n" not in text.strip()
    paragraphs = split_paragraphs(text)
    texts = [p.text for p in paragraphs]
    assert texts[0].startswith("中共海宁市委、海宁市人民政府:")
    assert texts[0].endswith("现将有关情况报告如下:")
    assert "一、2022年法治政府建设情况" in texts
    heading = paragraphs[texts.index("一、2022年法治政府建设情况")]
    assert heading.heading and heading.level == 1
    assert "二、2023年推进法治政府建设的工作计划" in texts
    # Every run-in "(一)…" heading starts a paragraph of its own.
    run_ins = [t for t in texts if t.startswith("(")]
    assert [t[:3] for t in run_ins] == [
        *("(一)", "(二)", "(三)", "(四)", "(五)", "(六)"),
        *("(一)", "(二)", "(三)", "(四)"),
    ]
    assert all(p.level == 2 for p in paragraphs if p.text.startswith("("))
    assert texts[-1] == "海宁市住房和城乡建设局 2023年2月3日 |"
    assert all(text[p.start : p.end] == p.text for p in paragraphs)


def test_split_paragraphs_keeps_a_heading_with_spaced_out_digits_whole() -> None:
    # Older reports space out years; the space inside "1 9 9 8" is not where a heading ends.
    text = (
        "二、关于1 9 9 8 年政府工作的建议\n1 9 9 8 年是重要的一年。\n三、工作回顾 今年完成了任务。"
    )
    texts = [p.text for p in split_paragraphs(text)]
    assert texts == [
        "二、关于1 9 9 8 年政府工作的建议",
        "1 9 9 8 年是重要的一年。",
        "三、工作回顾",
        "今年完成了任务。",
    ]


def test_split_paragraphs_joins_a_line_broken_after_a_marker_or_inside_a_title() -> None:
    # Web pages converted to text break lines at bold or linked words.
    text = (
        "要抓好两项工作：\n\n\u3000\u3000\n一是\n依法打击刑事犯罪；\n"
        "三、关于《\n规划纲要》的说明\n正文。\n四是"
    )
    paragraphs = split_paragraphs(text)
    assert [p.text for p in paragraphs] == [
        "要抓好两项工作：",
        "一是依法打击刑事犯罪；",
        "三、关于《规划纲要》的说明",
        "正文。",
        "四是",
    ]
    assert [(p.heading, p.level) for p in paragraphs[1:3]] == [(True, 4), (True, 1)]
    # Offsets index the text as given; the text reads without the page's breaks.
    assert all(unwrap(text[p.start : p.end]) == p.text for p in paragraphs)
    assert text[paragraphs[2].start : paragraphs[2].end] == "三、关于《\n规划纲要》的说明"


def test_a_title_or_a_bare_marker_broken_by_a_web_page_ends_no_sentence() -> None:
    # Linked titles come out of some pages on lines of their own: "提出了《\n公司法\n》…".
    text = "国务院提出了《\n公司法\n》修订草案等7部法律议案。\n一是\n依法打击刑事犯罪，成效明显。"
    doc = build_document(text)
    assert [s.text for s in doc.sentences] == [
        "国务院提出了《公司法》修订草案等7部法律议案。",
        "一是依法打击刑事犯罪，成效明显。",
    ]
    assert text[doc.sentences[0].start : doc.sentences[0].end].count("\n") == 2


def test_a_number_a_latin_name_or_a_quotation_broken_by_a_web_page_ends_no_sentence() -> None:
    # Subscripts, zero-width spans and quoted words come out of some pages on lines of their
    # own: "M\n2\n增长", "74.4\n\u200b\n万亿元", "“\n十三五\n”".
    text = (
        "国内生产总值达到74.4\n\u200b\n万亿元，增长6.7%。\n\n"
        "广义货币M\n2\n增长11.3%，低于预期目标。\n\n“\n十三五\n”实现了良好开局。\n"
        "污染防治得到加强，细颗粒物（PM\n2.5\n）浓度继续下降。\n"
        "发布时间：2025-01-10\n全年办理案件131件。\n二、2023\n三、存在的问题"
    )
    doc = build_document(text)
    assert [s.text for s in doc.sentences] == [
        "国内生产总值达到74.4万亿元，增长6.7%。",
        "广义货币M2增长11.3%，低于预期目标。",
        "“十三五”实现了良好开局。",
        "污染防治得到加强，细颗粒物（PM2.5）浓度继续下降。",  # 2019: a bracket goes on too
        "发布时间：2025-01-10",  # a date ends its line: the next is a sentence of its own
        "全年办理案件131件。",
        "二、2023",  # and a heading is never joined to the one after it
        "三、存在的问题",
    ]


def test_running_text_broken_inside_a_word_by_a_web_page_is_one_paragraph() -> None:
    # 2021: "…加快推进重要生态屏障建\n\u200b\n设，构建…"; a line of running text (it holds a
    # sentence end) that stops on a character where the next goes on with one.
    text = (
        "一、主要目标\n森林覆盖率达到24.1%。加快推进重要生态屏障建\n\u200b\n设，构建自然保护地体系。\n"
        "一是加强组织领导。成立领导小组\n二是完善制度。\n完成立法3件\n二、存在的问题"
    )
    paragraphs = split_paragraphs(text)
    assert [p.text for p in paragraphs] == [
        "一、主要目标",
        "森林覆盖率达到24.1%。加快推进重要生态屏障建设，构建自然保护地体系。",
        "一是加强组织领导。成立领导小组",  # the next is an item of its own
        "二是完善制度。",  # it ends its sentence
        "完成立法3件",  # no sentence end on the line: a heading-like line, not running text
        "二、存在的问题",
    ]
    assert all(unwrap(text[p.start : p.end]) == p.text for p in paragraphs)


def test_unwrap_glues_latin_words_with_a_space_and_chinese_or_digits_with_none() -> None:
    assert unwrap("推进 PDF\nreader 建设，全\n  面完成") == "推进 PDF reader 建设，全面完成"
    assert unwrap("没有换行") == "没有换行"
    assert (
        unwrap("广义货币M\n2\n增长，PM\n2.5浓度，Windows\n10")
        == "广义货币M2增长，PM2.5浓度，Windows 10"
    )
    assert unwrap("海宁市住房和城乡建设局 2\n023年2月3日") == "海宁市住房和城乡建设局 2023年2月3日"


def test_paragraphs_from_lines_keeps_every_nonblank_line() -> None:
    lines = ["一、成效", "", "  ", "\u3000", " 我局完成了任务。 "]
    paragraphs = paragraphs_from_lines(lines)
    assert [p.text for p in paragraphs] == ["一、成效", "我局完成了任务。"]
    assert paragraphs[0].heading and not paragraphs[1].heading
    joined = "\n".join(lines)
    assert all(joined[p.start : p.end] == p.text for p in paragraphs)


# -- sentences ----------------------------------------------------------------------------------


def test_split_sentences_end_marks_and_closing_quotes() -> None:
    text = "你好。世界！真的？是的；然后…还有“引号。”结尾"
    assert [s.text for s in split_sentences(text)] == [
        "你好。",
        "世界！",
        "真的？",
        "是的；然后…",
        "还有“引号。”",
        "结尾",
    ]


def test_a_run_in_heading_closed_by_a_colon_is_a_sentence_of_its_own() -> None:
    text = "（一）依法履行政府职能，科学开展民主决策：我镇坚持以服务型政府为主导。"
    assert [s.text for s in split_sentences(text)] == [
        "（一）依法履行政府职能，科学开展民主决策：",
        "我镇坚持以服务型政府为主导。",
    ]
    # Not an addressee or an announcement: they have no list marker.
    assert len(split_sentences("现将有关情况报告如下：")) == 1
    assert len(split_sentences("中共某某区委：2024年，我局坚持依法行政。")) == 1


def test_clauses_after_a_semicolon_stay_in_their_sentence() -> None:
    # The clause after "；" has no subject of its own: alone it would be a scrap.
    text = "全年排查隐患122处，整改117处；创建标准化企业7家；组建救援队伍1支。下一句。"
    assert [s.text for s in split_sentences(text)] == [
        "全年排查隐患122处，整改117处；创建标准化企业7家；组建救援队伍1支。",
        "下一句。",
    ]
    # A sentence longer than MAX_JOINED stays cut at its "；": each item is long enough.
    item = "完成" + "行政执法案卷评查工作" * 8 + "；"
    long = item * 3 + "结束。"
    pieces = [s.text for s in split_sentences(long)]
    assert "".join(pieces) == long
    assert all(len(p) <= MAX_JOINED for p in pieces) and len(pieces) > 1
    # Never across a line break.
    assert [s.text for s in split_sentences("甲；\n乙。")] == ["甲；", "乙。"]


def test_split_sentences_keeps_trailing_fragment_without_end_mark() -> None:
    # sumy's pattern silently drops the last fragment; ours must not.
    assert [s.text for s in split_sentences("完成任务。没有句号的结尾")] == [
        "完成任务。",
        "没有句号的结尾",
    ]
    assert [s.text for s in split_sentences("只有一句话没有句号")] == ["只有一句话没有句号"]


def test_split_sentences_mixed_width_marks() -> None:
    assert [s.text for s in split_sentences("Half width! 半角? 全角！")] == [
        "Half width!",
        "半角?",
        "全角！",
    ]


def test_split_sentences_repeated_marks_stay_with_their_sentence() -> None:
    assert [s.text for s in split_sentences("真的吗？！好……")] == ["真的吗？！", "好……"]


def test_split_sentences_offsets() -> None:
    text = "前言。 第二句！\n第三句"
    spans = split_sentences(text, offset=100)
    assert [(s.start, s.end) for s in spans] == [(100, 103), (104, 108), (109, 112)]
    assert all(text[s.start - 100 : s.end - 100] == s.text for s in spans)


@pytest.mark.parametrize("text", ["", " ", "\n\n", "\u3000"])
def test_split_sentences_of_nothing(text: str) -> None:
    assert split_sentences(text) == []


# -- words --------------------------------------------------------------------------------------


def test_cut_words_keeps_domain_words() -> None:
    words = cut_words("持续推进法治政府建设，办理行政复议案件，开展双随机抽查。")
    for word in ("法治政府建设", "行政复议", "双随机"):
        assert word in words


@pytest.mark.parametrize("cutter", ["rjieba", "jieba"])
def test_cut_words_buckets_numbers_and_drops_stop_words(cutter: str) -> None:
    assert cut_words("2024年办理案件131件，开展检查５６次的和了。", cutter) == [
        *("<year>", "办理", "案件", "<num>", "件"),
        *("开展", "检查", "<num>", "次"),
    ]


def test_cut_words_of_nothing() -> None:
    assert cut_words("") == []
    assert cut_words("。，；") == []


def test_unknown_segmenter_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown segmenter"):
        segmenter("nope")


def test_segmenter_registry() -> None:
    assert {"jieba", "rjieba"} <= set(SEGMENTERS)


@pytest.fixture()
def fresh_segmenters():
    """Segmenters built anew in the test and forgotten after it (they are cached)."""
    segment._load_segmenter.cache_clear()
    yield
    segment._load_segmenter.cache_clear()


def test_missing_rjieba_falls_back_to_jieba(fresh_segmenters, monkeypatch) -> None:
    def missing() -> None:
        raise ImportError("No module named 'rjieba'")

    monkeypatch.setitem(SEGMENTERS, "rjieba", missing)
    text = "推进法治政府建设，开展双随机抽查。"
    assert cut_words(text, "rjieba") == cut_words(text, "jieba")


def test_default_segmenter_from_the_environment(fresh_segmenters, monkeypatch) -> None:
    monkeypatch.setenv("FZREPORT_SEGMENTER", "jieba")
    assert segmenter() is segmenter("jieba")
    monkeypatch.setenv("FZREPORT_SEGMENTER", "nope")
    with pytest.raises(ValueError, match="unknown segmenter 'nope'"):
        segmenter()


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name[:3])
def test_rjieba_and_jieba_agree_on_every_seed(path) -> None:
    text = path.read_text(encoding="utf-8")
    for paragraph in split_paragraphs(text):
        assert cut_words(paragraph.text, "rjieba") == cut_words(paragraph.text, "jieba")


# -- invariants (hypothesis) --------------------------------------------------------------------

_PIECES = st.sampled_from(
    [
        *("一、", "（一）", "(一)", "1.", "一是", "首先，", "二、存在问题 "),
        *("。", "！", "？", "；", "，", "…", "”", "!", "?", ":", "：", "|", "《", "》"),
        *("\n", "\r\n", " ", "\u3000", "\t", "\ufeff"),
        *("法治", "政府", "建设", "2024年", "131件", "a"),
    ]
)
_TEXT = st.lists(st.one_of(_PIECES, st.text(max_size=3)), max_size=80).map("".join)


def _ignorable(char: str) -> bool:
    """Characters that normalisation turns into white space (spaces, BOM, zero-width space)."""
    return normalise(char).isspace()


def _check_spans(text: str, spans, lo: int, hi: int) -> list[int]:
    """Spans are ordered, disjoint, inside [lo, hi) and slice back to their text (its line
    breaks taken out, for a paragraph joined from lines)."""
    covered = [0] * len(text)
    previous = lo
    for s in spans:
        assert previous <= s.start < s.end <= hi
        assert unwrap(text[s.start : s.end]) == unwrap(s.text)
        previous = s.end
        for i in range(s.start, s.end):
            covered[i] += 1
    return covered


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXT)
def test_every_character_lands_in_exactly_one_paragraph(text: str) -> None:
    paragraphs = split_paragraphs(text)
    covered = _check_spans(text, paragraphs, 0, len(text))
    for i, char in enumerate(text):
        if not _ignorable(char):
            assert covered[i] == 1, (i, char)
    assert all(p.text.strip() for p in paragraphs)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXT)
def test_every_character_of_a_paragraph_lands_in_exactly_one_sentence(text: str) -> None:
    for p in split_paragraphs(text):
        piece = text[p.start : p.end]
        covered = _check_spans(text, split_sentences(piece, p.start), p.start, p.end)
        for i in range(p.start, p.end):
            if not _ignorable(text[i]):
                assert covered[i] == 1, (i, text[i])


@settings(max_examples=300)
@given(_TEXT)
def test_split_sentences_never_drops_characters(text: str) -> None:
    spans = split_sentences(text)
    covered = _check_spans(text, spans, 0, len(text))
    kept = "".join(s.text for s in spans)
    assert [c for c in kept if not _ignorable(c)] == [c for c in text if not _ignorable(c)]
    assert all(c == 1 for i, c in enumerate(covered) if not _ignorable(text[i]))


@given(_TEXT)
def test_normalise_is_idempotent(text: str) -> None:
    assert normalise(normalise(text)) == normalise(text)


@settings(max_examples=200)
@given(_TEXT)
def test_segmentation_depends_only_on_the_normalised_text(text: str) -> None:
    # Mixed-width input segments exactly like its canonical form.
    def shape(t: str) -> list[tuple]:
        return [(p.start, p.end, p.level, p.heading) for p in split_paragraphs(t)]

    assert shape(text) == shape(normalise(text))
    spans = [(s.start, s.end) for s in split_sentences(text)]
    assert spans == [(s.start, s.end) for s in split_sentences(normalise(text))]


_WORDY = st.lists(
    st.one_of(
        st.sampled_from(
            [
                *("法治政府建设", "行政复议", "双随机、一公开", "2024年", "2021-2025", "131件"),
                *("。", "，", " ", "\u3000", "\r", "\t", "\x0c", "\u2028", "ＡＢ", "的", "\ufeff"),
            ]
        ),
        st.text(max_size=3),
    ),
    max_size=10,
).map("".join)


@settings(max_examples=150)
@given(st.lists(_WORDY, max_size=6), st.sampled_from(sorted(SEGMENTERS)))
def test_cut_many_equals_cut_words_one_by_one(texts: list[str], cutter: str) -> None:
    assert cut_many(texts, cutter) == [tuple(cut_words(t, cutter)) for t in texts]
    # Texts normalised already may skip that pass and cut the same.
    normalised = [normalise(t) for t in texts]
    assert cut_many(normalised, cutter, normalised=True) == cut_many(texts, cutter)


def test_the_shared_rjieba_engine_cuts_as_an_engine_of_its_own(fresh_segmenters) -> None:
    # The domain words go into rjieba's default engine rather than a second one: the tokens
    # of every report are those of a fresh engine given the same words, twice over.
    import json

    import rjieba

    own = rjieba.Jieba()
    for word, freq in segment._domain_words():
        own.add_word(word, freq, None)
    council = SEED_FILES[0].parent / "background" / "statecouncil.jsonl"
    texts = [p.read_text(encoding="utf-8") for p in SEED_FILES]
    texts += [json.loads(line)["text"] for line in council.read_text("utf-8").splitlines()]
    shared = segmenter("rjieba")
    segment._load_segmenter.cache_clear()
    assert segmenter("rjieba") is shared  # words added again: the same engine, unchanged
    for text in texts:
        prepared = segment._for_words(normalise(text))
        assert shared(prepared) == own.cut(prepared)


def test_bare_heading_lines_head_the_sections_of_a_report_with_no_numbered_heading() -> None:
    # A web page that sets its section headings in bold, without "一、".
    body = "去年全省生产总值增长5.5%，达到3.5万亿元。规模以上工业增加值增长6%。"
    plan = "要坚持稳中求进，力争全省生产总值增长5%左右，持续扩大有效投资。"
    lines = [
        "2026年政府工作报告",  # a title: no running text before it
        "各位代表：",
        "现在，我代表省人民政府，向大会报告工作，请予审议。",
        "2025年和“十四五”时期工作回顾",
        body,
        "“十五五”时期主要目标任务",
        "（一）主要目标",  # a numbered subheading may follow a bare heading
        plan,
        "2026年重点工作",
        plan,
        "2026年1月20日",  # a date at the end: nothing follows it
    ]
    paragraphs = split_paragraphs("\n".join(lines))
    assert [p.text for p in paragraphs if p.level == 1 and p.heading] == [
        "2025年和“十四五”时期工作回顾",
        "“十五五”时期主要目标任务",
        "2026年重点工作",
    ]
    # one such line is not a structure; and numbered headings keep theirs alone
    assert not any(p.level == 1 for p in split_paragraphs("\n".join(lines[:6])))
    numbered = split_paragraphs("\n".join(["一、总体情况", body, *lines[3:]]))
    assert [p.text for p in numbered if p.level == 1] == ["一、总体情况"]


def test_a_report_reads_the_same_with_or_without_its_top_level_numbering(bundle) -> None:
    import re

    from model.analyse import prepare
    from tests.conftest import SEED_FILES

    for path in SEED_FILES:
        text = path.read_text(encoding="utf-8")
        bare = re.sub(r"(?m)^\s*[一二三四五六七八九十]+、", "", text)
        numbered, stripped = (prepare(t, bundle.classifier) for t in (text, bare))
        agree = sum(a == b for a, b in zip(numbered.labels, stripped.labels, strict=True))
        assert agree >= 0.9 * len(numbered.labels), path.name


def test_each_sentence_carries_its_paragraphs_label() -> None:
    doc = build_document(
        "一、工作成效\n全年办理案件131件。出庭率达到100%。\n二、存在的问题\n执法力量不足。"
    )
    assert doc.sentence_labels().tolist() == [None] * 5  # not labelled yet
    doc.labels = ["achievements", "achievements", "shortcomings", "shortcomings"]
    assert doc.sentence_labels().tolist() == [
        "achievements",
        "achievements",
        "achievements",
        "shortcomings",
        "shortcomings",
    ]
