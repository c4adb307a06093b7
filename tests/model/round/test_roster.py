"""The roster: parsing with one-line errors, name forms, matching and the ledger."""

from __future__ import annotations

from datetime import date

import pytest

from model.audit.deadlines import load_rules
from model.round.roster import (
    Body,
    Evidence,
    Filed,
    Match,
    Roster,
    RosterError,
    assign,
    counts,
    forms,
    ledger,
    match,
    parse,
    round_year,
)

HEADER = ["名称", "简称/别名", "层级", "类型", "截止日期"]
ROWS = [
    ["武汉市硚口区司法局", "", "县级", "部门", ""],
    ["武汉市硚口区住房和城市更新局", "区住更局", "县级", "部门", "2025-03-20"],
    ["武汉市江汉区司法局", "", "县级", "部门", ""],
    ["硚口区人民政府", "", "县级", "政府", ""],
    ["英德市下太镇人民政府", "下太镇", "乡镇", "政府", "2025年3月15日"],
    ["英德市大站镇人民政府", "", "", "", ""],
]


@pytest.fixture()
def roster() -> Roster:
    return Roster(parse(HEADER, ROWS, "r.csv"))


def test_parse_reads_levels_kinds_dates_and_derives_missing_ones() -> None:
    bodies = parse(HEADER, ROWS, "r.csv")
    assert [b.row for b in bodies] == [2, 3, 4, 5, 6, 7]
    assert bodies[1].aliases == ("区住更局",) and bodies[1].deadline == date(2025, 3, 20)
    assert bodies[4].deadline == date(2025, 3, 15) and bodies[4].level == "township"
    # Empty level and kind come from the name.
    assert (bodies[5].level, bodies[5].kind) == ("township", "government")


@pytest.mark.parametrize(
    ("header", "rows", "where"),
    [
        (["单位", "级别"], [["甲局", "县级"]], None),  # 单位 is a name header: fine
        (["简称", "层级"], [["甲", "县级"]], "r.csv, row 1, column 名称"),
        (HEADER, [["甲局", "", "", "", ""], ["甲局", "", "", "", ""]], "r.csv, row 3, column 名称"),
        (HEADER, [["甲局", "", "", "", "3月底"]], "r.csv, row 2, column 截止日期"),
        (HEADER, [["甲局", "", "区级以上", "", ""]], "r.csv, row 2, column 层级"),
        (HEADER, [["甲局", "", "", "协会", ""]], "r.csv, row 2, column 类型"),
        (HEADER, [["", "甲", "", "", ""]], "r.csv, row 2, column 名称"),
        (HEADER, [], "r.csv: the roster lists no body"),
    ],
)
def test_parse_errors_name_file_row_and_column(header, rows, where) -> None:
    if where is None:
        assert parse(header, rows, "r.csv")[0].name == "甲局"
        return
    with pytest.raises(RosterError) as caught:
        parse(header, rows, "r.csv")
    message = str(caught.value)
    assert message.startswith(where) and "\n" not in message


def test_forms_of_a_department_and_a_town() -> None:
    department = forms(Body("武汉市硚口区司法局"))
    assert department == {"武汉市硚口区司法局": 3, "硚口区司法局": 2, "区司法局": 1, "司法局": 1}
    town = forms(Body("英德市下太镇人民政府"))
    assert town["下太镇"] == 2 and town["下太镇人民政府"] == 2
    assert "人民政府" not in town  # a generic organ names no one


def test_a_short_form_in_the_file_name_matches_when_it_is_unique(roster: Roster) -> None:
    found = match(roster, Evidence("收件/区住更局.docx"))
    assert found == Match("matched", "武汉市硚口区住房和城市更新局", (), "文件名：区住更局")


def test_a_short_form_two_bodies_share_is_ambiguous(roster: Roster) -> None:
    found = match(roster, Evidence("收件/区司法局.docx"))
    assert found.status == "ambiguous"
    assert set(found.candidates) == {"武汉市硚口区司法局", "武汉市江汉区司法局"}


def test_a_later_source_narrows_an_ambiguous_one(roster: Roster) -> None:
    found = match(roster, Evidence("硚口区/区司法局.docx"))
    assert found.status == "matched" and found.body == "武汉市硚口区司法局"


def test_an_issuer_from_elsewhere_is_not_on_the_roster(roster: Roster) -> None:
    found = match(roster, Evidence("区司法局.docx", issuer="广州市天河区司法局"))
    assert found.status == "unlisted" and "广州市天河区司法局" in found.evidence


def test_we_the_town_without_a_name_is_never_certain(roster: Roster) -> None:
    found = match(roster, Evidence("附件1.docx", head="2024年，我镇坚持以习近平法治思想为指导"))
    assert found.status == "ambiguous"
    assert set(found.candidates) == {"英德市下太镇人民政府", "英德市大站镇人民政府"}


def test_a_department_named_in_a_town_report_is_not_its_author(roster: Roster) -> None:
    # "我镇" rules out the departments the text mentions in passing.
    found = match(roster, Evidence("x.txt", head="我镇会同区司法局开展普法", title="下太镇报告"))
    assert found.body == "英德市下太镇人民政府"


def test_nothing_named_is_unlisted(roster: Roster) -> None:
    assert match(roster, Evidence("附件1.docx", head="一、主要举措")).status == "unlisted"


def test_the_second_report_of_a_body_is_a_duplicate(roster: Roster) -> None:
    evidence = [
        Evidence("a/区住更局.docx", year=2024),
        Evidence("b/区住更局（修订稿）.html", year=2024),
        Evidence("c/下太镇.txt", year=2024),
    ]
    matches = assign(roster, evidence, 2024)
    assert [m.status for m in matches] == ["matched", "duplicate", "matched"]
    assert "a/区住更局.docx" in matches[1].evidence
    fixed = assign(roster, evidence, 2024, {1: Match("unlisted", evidence="人工核定")})
    assert [m.status for m in fixed] == ["matched", "unlisted", "matched"]


def test_ledger_states_and_deadlines() -> None:
    bodies = parse(HEADER, ROWS, "r.csv")
    rules = load_rules()
    filed = [
        Filed("a", Match("matched", "武汉市硚口区司法局"), date(2025, 3, 1)),
        Filed("b", Match("matched", "武汉市硚口区住房和城市更新局"), date(2025, 3, 25)),
        Filed("c", Match("matched", "硚口区人民政府"), None),
        Filed("d", Match("ambiguous", None, ("英德市下太镇人民政府", "英德市大站镇人民政府"))),
    ]
    entries = {e.body.name: e for e in ledger(bodies, filed, 2024, rules)}
    assert entries["武汉市硚口区司法局"].state == "on_time"
    assert entries["武汉市硚口区司法局"].deadline == date(2025, 4, 1)  # the rules' default
    assert entries["武汉市硚口区住房和城市更新局"].state == "late"  # the roster's 3月20日
    assert entries["硚口区人民政府"].state == "undated"
    assert entries["英德市下太镇人民政府"].state == "pending"
    assert entries["英德市下太镇人民政府"].candidates == ("d",)
    assert entries["武汉市江汉区司法局"].state == "missing"
    tally = counts(list(entries.values()))
    assert (tally["bodies"], tally["reported"], tally["missing"], tally["pending"]) == (6, 3, 1, 2)
    assert tally["by_level"]["乡镇"]["pending"] == 2


def test_round_year_is_the_most_common() -> None:
    assert round_year([2024, None, 2023, 2024]) == 2024
    assert round_year([None]) is None


def test_a_file_name_that_names_another_body_makes_it_a_question(roster: Roster) -> None:
    # The issuer says 硚口区司法局, the file 区住更局: one is wrong, and a person says which.
    found = match(roster, Evidence("区住更局.docx", issuer="武汉市硚口区司法局"))
    assert found.status == "ambiguous"
    assert set(found.candidates) == {"武汉市硚口区司法局", "武汉市硚口区住房和城市更新局"}
    assert "文件名指向武汉市硚口区住房和城市更新局" in found.evidence
    # A name in passing in the opening is no such claim.
    quiet = match(roster, Evidence("x.txt", issuer="武汉市硚口区司法局", head="会同区住更局开展"))
    assert quiet.status == "matched"


def test_a_roster_that_names_bodies_without_their_place() -> None:
    # A district's own list: 区司法局, 区人民政府; the reports give the full names.
    roster = Roster(parse(["名称"], [["区司法局"], ["区教育局"], ["区人民政府"]], "r.csv"))
    assert match(roster, Evidence("a.docx", issuer="武汉市硚口区司法局")).body == "区司法局"
    assert match(roster, Evidence("x/教育局.docx")).body == "区教育局"
    government = match(roster, Evidence("b.html", issuer="硚口区人民政府"))
    assert government.body == "区人民政府"
