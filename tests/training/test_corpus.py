"""Training data: weak labels from structure, manual labels, corpus loading (training/corpus.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from model.text.segment import split_paragraphs
from tests.conftest import SEED_FILES, SEEDS
from training.corpus import (
    ManualLabel,
    Report,
    apply_manual_labels,
    data_hash,
    fully_labelled,
    load_corpus,
    load_manual_labels,
    weak_labels,
    with_manual_labels,
)
from training.evaluate import weak_label_agreement
from training.train import load_reports

SEED_002 = "002_8099f1cf9eb57035.txt"


def test_weak_labels_of_a_tiny_report(tiny_report) -> None:
    assert weak_labels(split_paragraphs(tiny_report.text)) == tiny_report.labels


def test_weak_labels_without_headings_say_nothing(make_report) -> None:
    # No top-level heading: structure gives no label, and such a report is not trained on
    # unless a manual labels file covers it.
    report = make_report(headings=False, chrome=False)
    paragraphs = split_paragraphs(report.text)
    assert set(weak_labels(paragraphs)) == {None}
    unlabelled = Report("x.txt", report.text, paragraphs, weak_labels(paragraphs))
    assert fully_labelled([unlabelled]) == ([], ["x.txt"])


def test_weak_labels_of_nothing() -> None:
    assert weak_labels([]) == []


def test_weak_labels_admitted_problems_in_the_review() -> None:
    text = (
        "一、主要工作\n我局完成了年度任务，办理案件131件。\n"
        "同时，我们也清醒看到，执法规范化水平还有差距。\n二、下一步工作\n我局将继续推进。"
    )
    assert weak_labels(split_paragraphs(text)) == [
        "achievements",
        "achievements",
        "shortcomings",
        "plans",
        "plans",
    ]


def _seed_reports(reports: list[Report]) -> list[Report]:
    """The five seed reports of the seeds folder (it also holds the openings corpus)."""
    names = {p.name for p in SEED_FILES}
    return [r for r in reports if r.name in names]


@pytest.fixture(scope="module")
def weak_and_manual() -> tuple[list[Report], list[Report]]:
    return _seed_reports(load_corpus(SEEDS)), _seed_reports(load_reports(SEEDS, None))


def test_weak_labels_agree_with_manual_labels_on_the_seeds(weak_and_manual) -> None:
    weak, manual = weak_and_manual
    agreement = weak_label_agreement(weak, manual)
    # Every seed: where the manual units are coarser, ours are cut along theirs.
    assert agreement["reports_compared"] == 5
    assert agreement["accuracy"] >= 0.85


def test_load_corpus_from_a_folder_of_reports(weak_and_manual) -> None:
    weak, _ = weak_and_manual
    assert [r.name for r in weak] == sorted(p.name for p in SEEDS.glob("*.txt"))
    for r in weak:
        assert len(r.paragraphs) == len(r.labels) > 0
        assert r.manual == 0


def test_load_corpus_from_jsonl_with_min_year(tmp_path: Path, tiny_report) -> None:
    path = tmp_path / "corpus.jsonl"
    rows = [
        {"doc_id": "old", "year": 1990, "text": tiny_report.text},
        {"title": "new", "year": 2020, "text": tiny_report.text},
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n\n")
    assert [r.name for r in load_corpus(path)] == ["old", "new"]
    (report,) = load_corpus(path, min_year=2000)
    assert report.name == "new"
    assert report.labels == tiny_report.labels


def test_load_corpus_from_one_file_and_missing(tmp_path: Path, tiny_report) -> None:
    path = tmp_path / "one.txt"
    path.write_text(tiny_report.text, encoding="gbk")
    (report,) = load_corpus(path)
    assert report.text == tiny_report.text
    with pytest.raises(FileNotFoundError):
        load_corpus(tmp_path / "missing")


# -- manual labels ------------------------------------------------------------------------------


def test_load_manual_labels_jsonl_by_text_and_unit(tmp_path: Path) -> None:
    path = tmp_path / "labels.jsonl"
    path.write_text(
        '{"report": "a.txt", "unit": 0, "label": "preamble", "text": "导语。"}\n'
        "\n"
        '{"report": "a.txt", "paragraph": 3, "label": "plans"}\n',
        encoding="utf-8",
    )
    assert load_manual_labels(path) == [
        ManualLabel("a.txt", "preamble", 0, "导语。"),
        ManualLabel("a.txt", "plans", 3, None),
    ]


def test_load_manual_labels_csv_by_text_and_unit(tmp_path: Path) -> None:
    path = tmp_path / "labels.csv"
    path.write_text(
        "\ufeffreport,unit,label,text\n"
        "a.txt,2,shortcomings,\n"
        'a.txt,,plans,"下一步，我局将继续推进。"\n',
        encoding="utf-8",
    )
    assert load_manual_labels(path) == [
        ManualLabel("a.txt", "shortcomings", 2, None),
        ManualLabel("a.txt", "plans", None, "下一步，我局将继续推进。"),
    ]


def test_the_shipped_manual_labels_load() -> None:
    labels = load_manual_labels(SEEDS / "labels.jsonl")
    assert len(labels) == 150
    assert {m.report for m in labels} == {p.name for p in SEEDS.glob("*.txt")}


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "labels.jsonl",
            '{"report": "a", "unit": 0, "label": "preamble"}\n\n'
            '{"report": "a", "unit": 1, "label": "bogus"}\n',
            r"labels.jsonl:3: unknown label 'bogus'",
        ),
        (
            "labels.csv",
            "report,unit,label\na,0,preamble\na,1,Plans\n",
            r"labels.csv:3: unknown label 'Plans'",
        ),
        ("labels.jsonl", '{"report": "a", "label": "plans"}\n', r":1: needs a unit"),
        ("labels.jsonl", '{"unit": 1, "label": "plans"}\n', r":1: needs a report"),
        ("labels.jsonl", '{"report": "a", "unit": "x", "label": "plans"}\n', r":1: unit must"),
        ("labels.jsonl", '{"report": "a", "unit": 0, "label": "plans"}\n{oops\n', r":2: not a"),
        ("labels.jsonl", "[1, 2]\n", r":1: not a JSON object"),
    ],
)
def test_bad_manual_labels_name_file_and_line(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_manual_labels(path)


def _manual_units(report: str) -> list[dict]:
    rows = [json.loads(line) for line in (SEEDS / "labels.jsonl").read_text().splitlines()]
    return [r for r in rows if r["report"] == report]


def test_apply_manual_labels_resplits_the_one_line_seed() -> None:
    (report,) = [r for r in load_corpus(SEEDS) if r.name == SEED_002]
    units = _manual_units(SEED_002)
    manual = [ManualLabel(u["report"], u["label"], u["unit"], u["text"]) for u in units]
    fixed = apply_manual_labels(report, manual)
    assert fixed.manual == len(units)
    assert all(fixed.text[p.start : p.end] == p.text for p in fixed.paragraphs)
    # Boundaries are the union of ours and the manual ones: each manual unit is made of whole
    # paragraphs, and they all carry its label.
    cursor = 0
    for unit in units:
        start = report.text.index(unit["text"], cursor)
        end = cursor = start + len(unit["text"])
        inside = [
            (p, label)
            for p, label in zip(fixed.paragraphs, fixed.labels, strict=True)
            if start <= p.start < end
        ]
        assert inside and inside[0][0].start == start and inside[-1][0].end == end
        assert {label for _, label in inside} == {unit["label"]}
    # The manual file splits "一年来…" (problems) from "2023年，我局将…" (plans).
    admitted = next(u for u in units if u["text"].startswith("一年来"))
    assert any(p.text == admitted["text"] for p in fixed.paragraphs)


def test_apply_manual_labels_by_unit_index(tiny_report) -> None:
    paragraphs = split_paragraphs(tiny_report.text)
    report = Report("a.txt", tiny_report.text, paragraphs, weak_labels(paragraphs))
    fixed = apply_manual_labels(
        report, [ManualLabel("a.txt", "other", 3), ManualLabel("a.txt", "other", 99)]
    )
    assert [p.text for p in fixed.paragraphs] == [p.text for p in paragraphs]
    assert fixed.labels == [*tiny_report.labels[:3], "other", *tiny_report.labels[4:]]


def test_apply_manual_labels_unknown_text_is_an_error(tiny_report) -> None:
    paragraphs = split_paragraphs(tiny_report.text)
    report = Report("a.txt", tiny_report.text, paragraphs, weak_labels(paragraphs))
    with pytest.raises(ValueError, match="not found"):
        apply_manual_labels(report, [ManualLabel("a.txt", "plans", None, "报告里没有这句话")])


def test_with_manual_labels_touches_only_the_named_reports(weak_and_manual) -> None:
    weak, _ = weak_and_manual
    manual = [ManualLabel(weak[0].name, "other", 0)]
    fixed = with_manual_labels(weak, manual)
    assert fixed[0].labels[0] == "other" and fixed[0].manual == 1
    assert fixed[1:] == weak[1:]


# -- data hash ----------------------------------------------------------------------------------


def test_data_hash_is_stable_and_sensitive(weak_and_manual) -> None:
    weak, manual = weak_and_manual
    assert data_hash(weak) == data_hash(_seed_reports(load_corpus(SEEDS)))
    assert data_hash(manual) == data_hash(_seed_reports(load_reports(SEEDS, None)))
    assert data_hash(weak) != data_hash(manual)
    changed = [Report(r.name, r.text, r.paragraphs, list(r.labels)) for r in weak]
    changed[0].labels[0] = "other"
    assert data_hash(changed) != data_hash(weak)
    assert len(data_hash([])) == 64


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ('{"doc_id": "a"}', "'text'"),
        ('{"doc_id": "a", "text": null}', "text is NoneType"),
        ('{"doc_id": "a", "text": "正文。", "year": "1992年"}', "invalid literal"),
        ("{oops", "Expecting property name"),
        ("[1, 2]", "AttributeError"),
    ],
)
def test_bad_jsonl_corpus_rows_name_file_and_line(tmp_path: Path, row: str, message: str) -> None:
    path = tmp_path / "corpus.jsonl"
    path.write_text('{"doc_id": "ok", "text": "正文。"}\n\n' + row + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"corpus.jsonl:3: not a report row") as err:
        load_corpus(path)
    assert message in str(err.value)


def test_jsonl_corpus_text_may_hold_line_separators(tmp_path: Path) -> None:
    path = tmp_path / "corpus.jsonl"
    row = {"doc_id": "a", "text": "一、成效\u2028我局完成了任务。\n二、计划"}
    path.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    (report,) = load_corpus(path)
    assert report.text == row["text"]


def test_unreadable_report_in_a_folder_is_named(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("一、成效\n我局完成了任务。", encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes(b"\x00\x01binary")
    with pytest.raises(ValueError, match=r"bad\.txt: binary data"):
        load_corpus(tmp_path)


def test_a_folder_corpus_reads_every_supported_format(tmp_path: Path) -> None:
    import docx

    text = (SEEDS / "003_5c5bdc2152d9c680.txt").read_text(encoding="utf-8")
    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    document.save(tmp_path / "b.docx")
    (tmp_path / "a.txt").write_bytes(text.encode("gb18030"))
    (tmp_path / "c.html").write_text(
        "<html><body><article>"
        + "".join(f"<p>{line}</p>" for line in text.splitlines())
        + "</article></body></html>",
        encoding="utf-8",
    )
    (tmp_path / "notes.csv").write_text("not a report", encoding="utf-8")
    reports = load_corpus(tmp_path)
    assert [r.name for r in reports] == ["a.txt", "b.docx", "c.html"]
    for r in reports:
        assert "一、2024年法治政府建设主要举措和成效" in [p.text for p in r.paragraphs]
