"""Which way a work report's section faces, learnt from the sections whose headings say so."""

from __future__ import annotations

from model.learn.tense import BODY_CHARS, TenseModel, examples
from model.text.segment import split_paragraphs
from model.text.structure import addresses_congress, said_sections, top_sections

REVIEW = "去年国内生产总值增长{n}%，粮食产量达到{n}亿斤，城镇新增就业{n}万人，财政收入完成预算。"
TASKS = "今年要继续加快改革，必须坚持稳中求进，着力扩大内需，要切实加强农业，努力提高效益。"


def work_report(year: int, task_heading: str, n: int = 7) -> str:
    """A speech to a congress: a review, then tasks whose heading is `task_heading`."""
    return (
        f"{year}年政府工作报告\n各位代表：\n现在，我代表国务院，向大会报告政府工作。\n"
        f"一、{year - 1}年工作回顾\n{REVIEW.format(n=n)}\n{REVIEW.format(n=n + 1)}\n"
        f"{task_heading}\n{TASKS}\n{TASKS}\n"
    )


TELLING = [work_report(2000 + k, f"二、{2000 + k}年主要任务", k) for k in range(1, 7)]
SILENT = work_report(1995, "二、保持国民经济发展的良好势头")


def paragraphs(text: str):
    return split_paragraphs(text)


def test_only_a_speech_to_a_congress_is_read_and_only_telling_headings_teach() -> None:
    assert addresses_congress(paragraphs(SILENT))
    rule_of_law = "关于2024年法治政府建设情况的报告\n一、2024年工作情况\n" + TASKS + "\n"
    assert not addresses_congress(paragraphs(rule_of_law))
    # the review and the tasks of a telling report; the silent heading teaches nothing
    assert [label for _, _, label in said_sections(paragraphs(TELLING[0]))] == [
        "achievements",
        "plans",
    ]
    assert [label for _, _, label in said_sections(paragraphs(SILENT))] == ["achievements"]
    forward, back = examples([paragraphs(t) for t in [*TELLING, rule_of_law]])
    assert len(forward) == len(back) == len(TELLING)
    assert all(TASKS in f for f in forward) and all("国内生产总值" in b for b in back)
    assert all(len(b) <= BODY_CHARS for b in [*forward, *back])


def test_a_silent_task_heading_is_read_from_its_body() -> None:
    model = TenseModel(min_df=1).fit(*examples([paragraphs(t) for t in TELLING]))
    silent = paragraphs(SILENT)
    heading = next(i for i, p in enumerate(silent) if p.text.startswith("二、"))
    assert top_sections(silent)[heading] == "achievements"  # the structure alone
    labels = top_sections(silent, model)
    assert labels[heading] == "plans"
    assert labels[heading - 1] == "achievements"  # the review stays the review
    # not asked of a report that is not a speech to a congress
    unaddressed = [p for p in silent if "各位代表" not in p.text]
    at = next(i for i, p in enumerate(unaddressed) if p.text.startswith("二、"))
    assert top_sections(unaddressed, model)[at] == "achievements"


def test_an_untrained_model_never_says_forward() -> None:
    assert not TenseModel().fit([], []).faces_forward(TASKS)


def test_the_bundle_reads_a_work_report_s_silent_task_sections_as_plans(bundle) -> None:
    """The 1993 report reviews 1992, then sets tasks under headings that name no year
    ("二、争取国民经济再上一个新台阶"): the structure alone reads them as the review."""
    import json

    from model.analyse import prepare
    from tests.conftest import SEEDS

    rows = (SEEDS / "background" / "statecouncil.jsonl").read_text(encoding="utf-8")
    text = next(r["text"] for r in map(json.loads, rows.splitlines()) if r["doc_id"] == "sc1993")
    doc = prepare(text, bundle.classifier)
    heading = next(i for i, p in enumerate(doc.paragraphs) if p.text.startswith("二、争取"))
    assert top_sections(doc.paragraphs)[heading + 1] == "achievements"
    body = doc.labels[heading + 1 : heading + 20]
    assert body.count("plans") >= 17, body
