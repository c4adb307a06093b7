"""`report`, `export --format xlsx` and `--roster` through `main(argv)`, with files in tmp_path."""

from __future__ import annotations

import shutil
from pathlib import Path

import docx
import openpyxl
import pytest

from service.cli import main


def test_export_xlsx_writes_the_round_workbook(round_copy: Path, capsys) -> None:
    assert main(["export", str(round_copy), "--format", "xlsx"]) == 0
    path = Path(capsys.readouterr().out.strip())
    assert path == round_copy / "export" / "报送情况.xlsx"
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == [
        "报送情况",
        "报告一览",
        "问题清单",
        "下一年度安排",
        "共性问题",
        "说明",
    ]
    ledger = book["报送情况"]
    names = [row[1] for row in ledger.iter_rows(min_row=2, values_only=True)]
    assert "武汉市硚口区财政局" in names and len(names) == 5
    states = {row[1]: row[6] for row in ledger.iter_rows(min_row=2, values_only=True)}
    assert states["武汉市硚口区财政局"] == "未报送" and states["硚口区人民政府"] == "逾期报送"
    problems = list(book["问题清单"].iter_rows(min_row=2, values_only=True))
    assert len(problems) >= 10  # the seeds' problems


def test_report_writes_the_circular_and_each_bodys_feedback(round_copy, tmp_path, capsys) -> None:
    out, per_body = tmp_path / "通报.docx", tmp_path / "反馈"
    argv = ["report", str(round_copy), "--out", str(out), "--per-body", str(per_body)]
    assert main([*argv, "--office", "某某区司法局", "--date", "2025-04-15"]) == 0
    printed = capsys.readouterr().out
    assert "5 bodies, 3 reported (1 late), 2 missing" in printed
    text = "\n".join(p.text for p in docx.Document(out).paragraphs)
    assert "关于2024年度法治政府建设年度报告报送情况的通报" in text
    assert "名单内应报送单位5个，已报送3个" in text
    assert "武汉市硚口区司法局、武汉市硚口区财政局" in text  # named under 未报送
    assert "硚口区人民政府（报送日期2025年3月6日，期限2025年3月1日）" in text
    assert "原文：" in text and text.rstrip().endswith("2025年4月15日")
    letters = sorted(per_body.glob("*.docx"))
    assert len(letters) == 5
    missing = next(p for p in letters if "财政局" in p.name)
    assert "未收到你单位2024年度" in "\n".join(p.text for p in docx.Document(missing).paragraphs)


def test_report_without_a_roster_says_how_to_give_one(tmp_path: Path, round_dir: Path, capsys):
    folder = Path(shutil.copytree(round_dir, tmp_path / "r"))
    (folder / "roster.csv").unlink()
    assert main(["report", str(folder), "--out", str(tmp_path / "x.docx")]) == 1
    assert "report needs a roster" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("简称,层级\n甲,县级\n", "column 名称: no 名称 column"),
        ("名称,截止日期\n甲局,下个月\n", "row 2, column 截止日期"),
        ("名称\n甲局\n甲局\n", "row 3, column 名称: 甲局 is listed twice"),
    ],
)
def test_a_bad_roster_stops_the_batch_before_any_work(tmp_path, capsys, content, message) -> None:
    roster = tmp_path / "名单.csv"
    roster.write_text(content, encoding="utf-8")
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / "a.txt").write_text("2024年，区司法局坚持依法行政。", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["batch", str(inbox), "--out", str(out), "--roster", str(roster)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(roster) in err and message in err
    assert not (out / "results.jsonl").exists()


def test_workbook_links_to_the_report_pages_with_a_base_url(round_copy: Path, capsys) -> None:
    argv = ["export", str(round_copy), "--format", "xlsx", "--base-url", "http://127.0.0.1:8000"]
    assert main(argv) == 0
    book = openpyxl.load_workbook(Path(capsys.readouterr().out.strip()))
    sheet = book["报告一览"]
    links = [c.hyperlink.target for row in sheet.iter_rows(min_row=2) for c in row if c.hyperlink]
    assert links and all(t.startswith("http://127.0.0.1:8000/archive/reports/") for t in links)
    assert main(["export", str(round_copy), "--format", "xlsx", "--base-url", "ftp://x"]) == 1
