"""The round view of a batch folder: matches, the ledger, findings, corrections in place."""

from __future__ import annotations

from pathlib import Path

from service.archive import corrections
from service.round.roster_file import find_roster, read_roster
from service.round.view import round_view


def view_of(folder: Path) -> dict:
    return round_view(folder, read_roster(find_roster(folder)))


def test_batch_keeps_the_roster_in_its_folder(round_dir: Path) -> None:
    assert find_roster(round_dir) == round_dir / "roster.csv"


def test_ledger_states(round_dir: Path) -> None:
    view = view_of(round_dir)
    assert view["year"] == 2024
    states = {b["name"]: b["state"] for b in view["bodies"]}
    assert states == {
        "武汉市硚口区住房和城市更新局": "undated",
        "中共武汉经济技术开发区(汉南区)自然资源和城乡建设局党组": "on_time",
        "硚口区人民政府": "late",  # published 2025-03-06, the roster's deadline 2025-03-01
        "武汉市硚口区司法局": "missing",
        "武汉市硚口区财政局": "missing",
    }
    counts = view["counts"]
    assert (counts["bodies"], counts["reported"], counts["missing"], counts["late"]) == (5, 3, 2, 1)


def test_report_matches_duplicates_and_a_report_not_on_the_roster(round_dir: Path) -> None:
    reports = {Path(r["source"]).name: r for r in view_of(round_dir)["reports"]}
    assert reports["区住更局.txt"]["match"] == "matched"
    assert reports["区住更局（修订稿）.txt"]["match"] == "duplicate"
    assert reports["2024年报告.txt"]["body"] == "硚口区人民政府"
    assert reports["附件1.txt"]["match"] == "unlisted"
    late = next(r for r in reports.values() if r["body"] == "硚口区人民政府")
    assert late["timeliness"] == "late" and late["deadline"] == "2025-03-01"
    codes = [f["code"] for f in late["findings"]]
    assert codes[0] == "late" and any(c.startswith("missing:") for c in codes)
    assert all(f["quote"] for f in late["findings"])


def test_corrections_are_in_place_and_marked(round_copy: Path) -> None:
    view = view_of(round_copy)
    stray = next(r for r in view["reports"] if r["source"].endswith("附件1.txt"))
    for field, value in (("body", "武汉市硚口区司法局"), ("report_date", "2025-03-20")):
        corrections.add(round_copy, None, corrections.entry(stray["source"], field, value))
    corrections.add(
        round_copy, None, corrections.entry(stray["source"], "parts.leadership", "present")
    )
    view = view_of(round_copy)
    fixed = next(r for r in view["reports"] if r["source"] == stray["source"])
    assert fixed["body"] == "武汉市硚口区司法局" and fixed["match"] == "matched"
    assert set(fixed["corrected"]) == {"body", "report_date", "parts.leadership"}
    assert fixed["parts"]["leadership"] == "present"
    body = next(b for b in view["bodies"] if b["name"] == "武汉市硚口区司法局")
    assert body["state"] == "on_time" and body["corrected"]
    # A revert puts the machine's value back.
    corrections.add(round_copy, None, corrections.entry(stray["source"], "body", revert=True))
    again = next(r for r in view_of(round_copy)["reports"] if r["source"] == stray["source"])
    assert again["match"] == "unlisted" and "body" not in again["corrected"]
