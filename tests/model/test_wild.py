"""Reports as they are found in the wild: odd shapes, built from the seeds and the openings.

Each shape gets a result a reader can use (or a clear error), and the labels that shape calls
for: topic-structured reports are all achievements, a lone leadership part is leadership, a
table of contents is summarised from its headings and says so.
"""

from __future__ import annotations

import json

import pytest

from model.analyse import analyse, prepare, summary_record
from model.summary.base import Budget
from model.text.segment import normalise, split_paragraphs
from model.text.units import sentence_kinds
from tests.conftest import SEEDS

SEED_001 = "001_53dc5834db04d641.txt"
SEED_003 = "003_5c5bdc2152d9c680.txt"


@pytest.fixture(scope="module")
def openings() -> dict[str, str]:
    rows = [json.loads(line) for line in (SEEDS / "openings.jsonl").read_text().splitlines()]
    return {row["doc_id"]: row["text"] for row in rows}


def _labels(text: str, bundle) -> list[tuple[str, str]]:
    doc = prepare(text, bundle.classifier)
    return [(p.text, label) for p, label in zip(doc.paragraphs, doc.labels or [], strict=True)]


def test_a_report_whose_headings_are_all_topic_areas_is_achievements(bundle) -> None:
    text = "\n".join(
        [
            "2024年，我局坚持以习近平法治思想为指导，全面推进法治政府建设。现将有关情况报告如下：",
            "一、坚持党的领导，认真组织部署落实",
            "局党组召开专题会议12次，研究部署法治政府建设重点任务，制定年度工作要点。",
            "二、自然资源法律规范体系建设取得新突破",
            "完成地方性法规修订3件，清理规范性文件47件，全部向社会公布。",
            "三、提升依法行政的思维和能力",
            "组织全局干部参加法治培训8场次，覆盖1200余人次，执法人员持证率达100%。",
        ]
    )
    labels = [label for _, label in _labels(text, bundle)]
    assert labels[0] == "preamble"
    assert set(labels[1:]) == {"achievements"}


def test_a_report_with_only_a_leadership_part(bundle) -> None:
    text = "\n".join(
        [
            "一、党政主要负责人履行推进法治建设第一责任人职责情况",
            "局主要负责人认真履行推进法治建设第一责任人职责，亲自部署重要工作、过问重大问题，"
            "主持召开党组会议专题研究法治建设4次。",
            "党组书记带头学法用法，年终述法纳入述职内容，督促班子成员落实法治建设职责。",
        ]
    )
    assert {label for _, label in _labels(text, bundle)} == {"leadership"}


def test_a_report_without_headings_is_summarised_from_its_body(bundle, seed_texts) -> None:
    body = "\n".join(p.text for p in split_paragraphs(seed_texts[SEED_003]) if not p.heading)
    result = summary_record(prepare(body, bundle.classifier), Budget(max_chars=300))
    assert result["from"] == "body" and result["sentences"]
    assert all(len(s["text"]) > 14 for s in result["sentences"])
    labels = {label for _, label in _labels(body, bundle)}
    assert {"achievements", "plans"} <= labels


def test_a_pasted_table_of_contents_is_summarised_from_its_headings(bundle) -> None:
    toc = "\n".join(
        [
            "一、2024年法治政府建设主要举措和成效",
            "（一）强化法治政府建设统筹力度",
            "（二）促进依法科学民主决策",
            "二、存在的不足",
            "三、2025年法治政府建设主要安排",
        ]
    )
    doc = prepare(toc, bundle.classifier)
    result = summary_record(doc, Budget(max_sentences=3))
    assert result["from"] == "headings"
    assert result["sentences"] and all(s["text"] in toc for s in result["sentences"])
    assert [e["text"] for e in result["outline"]] == toc.split("\n")
    labels = [label for _, label in _labels(toc, bundle)]
    assert labels[3] == "shortcomings" and labels[4] == "plans"


def test_a_one_paragraph_report(bundle) -> None:
    text = "全年办理行政复议案件131件，纠错率12%，行政机关负责人出庭应诉率达100%。"
    result = analyse(text, bundle.classifier, Budget(max_chars=300))
    assert [s["text"] for s in result["sentences"]] == [text]
    assert len(result["paragraphs"]) == 1 and result["outline"] == []


def test_a_report_in_traditional_characters_reads_like_the_simplified_one(
    bundle, seed_texts
) -> None:
    opencc = pytest.importorskip("opencc")
    simplified = seed_texts[SEED_001]
    to_traditional = opencc.OpenCC("s2t")
    traditional = "".join(to_traditional.convert(c) for c in simplified)
    assert len(traditional) == len(simplified) and traditional != simplified
    a, b = _labels(simplified, bundle), _labels(traditional, bundle)
    assert [label for _, label in a] == [label for _, label in b]
    # The summary is of the same sentences, quoted from the traditional text itself.
    sa = summary_record(prepare(simplified, bundle.classifier), Budget(max_chars=300))
    sb = summary_record(prepare(traditional, bundle.classifier), Budget(max_chars=300))
    assert [s["start"] for s in sa["sentences"]] == [s["start"] for s in sb["sentences"]]
    assert all(traditional[s["start"] : s["end"]] == s["text"] for s in sb["sentences"])


def test_machine_converted_pinyin_is_masked_for_the_features(openings) -> None:
    text = openings["o002"]  # a mirror's traditional copy with "領(lǐng)會" debris
    assert "(lǐng)" in text
    norm = normalise(text)
    assert len(norm) == len(text) and "lǐng" not in norm and "领" in norm


def test_mixed_traditional_and_simplified_paragraphs(bundle) -> None:
    text = "\n".join(
        [
            "一、2024年法治政府建設主要舉措和成效",
            "全年辦理行政復議案件131件，出庭應訴率達100%。",
            "二、存在的不足和原因",
            "执法人员专业能力有待提高，基层法治力量较为薄弱，主要原因是培训不足。",
            "三、2025年工作計劃",
            "下一步，我局將繼續深化行政執法體制改革，開展專項培訓3次。",
        ]
    )
    labels = [label for _, label in _labels(text, bundle)]
    assert labels == [
        "achievements",
        "achievements",
        "shortcomings",
        "shortcomings",
        "plans",
        "plans",
    ]


def test_an_opening_from_the_wild_has_no_chrome_in_its_summary(bundle, openings) -> None:
    text = openings["o152"]  # breadcrumbs, an index-number line, 语音播报 controls, date lines
    doc = prepare(text, bundle.classifier)
    result = summary_record(doc, Budget(max_chars=300))
    kinds = sentence_kinds(doc)
    assert result["sentences"]
    starts = {s.start: i for i, s in enumerate(doc.sentences)}
    for s in result["sentences"]:
        i = starts[s["start"]]
        assert not (kinds.chrome[i] or kinds.heading[i] or kinds.topic[i] or kinds.scrap[i])
        assert "语音" not in s["text"] and "索引号" not in s["text"]


def test_a_2mb_report_is_summarised(bundle, seed_texts) -> None:
    text = "\n".join(seed_texts.values())
    text = "\n".join([text] * (2_000_000 // len(text.encode("utf-8")) + 1))
    assert len(text.encode("utf-8")) >= 2_000_000
    result = summary_record(prepare(text, bundle.classifier), Budget(max_chars=300))
    assert 0 < sum(len(s["text"]) for s in result["sentences"]) <= 300
