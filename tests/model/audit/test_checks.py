"""The inspection audit (`model.audit.checks`): contract, required parts, problems, links, genre,
timeliness. Labelled documents come from the session bundle's classifier."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from model import persist
from model.analyse import prepare
from model.audit.checks import (
    LINK_THRESHOLD,
    _content_words,
    audit,
    genre,
    is_generic,
    link,
    similarity,
    timeliness,
)
from model.audit.deadlines import load_rules
from model.audit.metadata import Metadata, extract
from model.labels import PARTS
from model.text.document import Document, build_document
from model.text.problems import Item
from tests.conftest import SEED_FILES, SEEDS

SEED_003 = SEEDS / "003_5c5bdc2152d9c680.txt"
KEYS = {"genre", "metadata", "contents", "timeliness", "problems", "plans", "indicators"}
META_KEYS = {
    "title",
    "issuer",
    "issuer_kind",
    "level",
    "year",
    "report_date",
    "published",
    "evidence",
    "sources",
}
SHORTCOMINGS_HEAD = "二、存在的不足"
SHORTCOMINGS_TEXT = "2024年度法治政府建设工作取得很大进步"


def labelled(lines: list[tuple[str, str]]) -> Document:
    """A document built from (text, label) lines, labelled by hand."""
    doc = build_document("\n".join(text for text, _ in lines) + "\n")
    assert len(doc.paragraphs) == len(lines)
    doc.labels = [label for _, label in lines]
    return doc


def without(text: str, *prefixes: str) -> str:
    return "\n".join(line for line in text.split("\n") if not line.startswith(prefixes))


@pytest.fixture(scope="module")
def seed_003() -> str:
    return SEED_003.read_text(encoding="utf-8")


# -- the contract on every seed ------------------------------------------------------------------


@pytest.mark.parametrize("path", SEED_FILES, ids=[p.name for p in SEED_FILES])
def test_contract_on_each_seed(bundle: persist.Bundle, path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    result = audit(prepare(text, bundle.classifier))
    assert set(result) >= KEYS
    assert set(result["genre"]) >= {"is_report", "confidence"}
    assert 0 <= result["genre"]["confidence"] <= 1
    assert set(result["metadata"]) == META_KEYS
    assert result["genre"]["is_report"] is True
    assert set(result["contents"]) == set(PARTS)
    for part in result["contents"].values():
        assert part["status"] in ("present", "weak", "missing")
        assert isinstance(part["note"], str)
        assert all(isinstance(i, int) for i in part["paragraphs"])
    assert {"deadline", "date_used", "status"} <= set(result["timeliness"])
    assert result["timeliness"]["status"] in ("on_time", "late", "unknown")
    for problem in result["problems"]:
        assert set(problem) == {
            "title",
            "text",
            "start",
            "end",
            "cause",
            "generic",
            "plans",
            "link_score",
        }
        assert text[problem["start"] : problem["end"]] == problem["text"]
        assert all(0 <= k < len(result["plans"]) for k in problem["plans"])
    for plan in result["plans"]:
        assert set(plan) == {"title", "text", "start", "end"}
        assert text[plan["start"] : plan["end"]] == plan["text"]
    for name, (start, end) in result["metadata"]["evidence"].items():
        assert 0 <= start < end <= len(text), name
    json.dumps(result, ensure_ascii=False)  # serialisable as it stands


def test_seed_003_problems_and_plans(bundle: persist.Bundle, seed_003: str) -> None:
    result = audit(prepare(seed_003, bundle.classifier))
    titles = [p["title"] for p in result["problems"]]
    assert "行政复议体制改革仍需进一步推进" in titles
    plans = [p["title"] for p in result["plans"]]
    review = result["problems"][titles.index("行政复议体制改革仍需进一步推进")]
    assert plans.index("探索行政复议管理新模式") in review["plans"]
    assert result["metadata"]["year"] == 2024
    assert result["metadata"]["published"] == "2025-03-06"
    assert result["timeliness"]["status"] == "on_time"
    assert result["indicators"]["problems"] == len(result["problems"])


def test_shortcomings_cut_out_are_missing(bundle: persist.Bundle, seed_003: str) -> None:
    text = without(seed_003, SHORTCOMINGS_HEAD, SHORTCOMINGS_TEXT)
    part = audit(prepare(text, bundle.classifier))["contents"]["shortcomings"]
    assert part["status"] == "missing"
    assert part["paragraphs"] == []


def test_shortcomings_heading_without_text(bundle: persist.Bundle, seed_003: str) -> None:
    text = without(seed_003, SHORTCOMINGS_TEXT)
    part = audit(prepare(text, bundle.classifier))["contents"]["shortcomings"]
    assert part["status"] == "missing"
    assert "标题" in part["note"] and "没有内容" in part["note"]


def test_no_labels_is_a_value_error(seed_003: str) -> None:
    with pytest.raises(ValueError, match="labelled"):
        audit(build_document(seed_003))


# -- problems: causes, generic statements, links -------------------------------------------------


def test_a_stated_cause_is_recorded_per_item() -> None:
    doc = labelled(
        [
            ("某某区司法局2024年法治政府建设年度报告", "boilerplate"),
            (
                "全年办理行政复议案件131件，行政机关负责人出庭应诉率达100%，开展执法检查56次，"
                "培训执法人员300人次，审查规范性文件12件，办理行政应诉案件45件，化解矛盾纠纷"
                "2000余件，法律顾问参与重大决策论证18次。",
                "achievements",
            ),
            ("二、存在的不足和原因", "shortcomings"),
            (
                "一是基层执法人员专业能力不足，主要原因是全区12个司法所中有5个仅有1名工作人员。"
                "二是行政复议案件办理周期偏长，个别案件超过法定期限。",
                "shortcomings",
            ),
            (
                "2025年，一是在全区司法所增配专职人员8名，二是建立行政复议案件繁简分流机制。",
                "plans",
            ),
        ]
    )
    result = audit(doc)
    causes = [p["cause"] for p in result["problems"]]
    assert causes == [True, False]
    assert result["contents"]["shortcomings"]["status"] == "present"
    assert result["indicators"]["problems_with_cause"] == 1


def test_shortcomings_without_any_cause_are_weak() -> None:
    doc = labelled(
        [
            ("某某区司法局2024年法治政府建设年度报告", "boilerplate"),
            ("二、存在的不足", "shortcomings"),
            ("一是执法人员专业能力不足。二是行政复议案件办理周期偏长。", "shortcomings"),
        ]
    )
    part = audit(doc)["contents"]["shortcomings"]
    assert part["status"] == "weak"
    assert "原因" in part["note"]


def test_generic_and_specific_problems() -> None:
    generic = "三是普法宣传力度不够。"
    specific = "三是基层司法所人员不足，全区12个司法所中有5个仅有1名工作人员。"
    assert is_generic(build_document(generic), 0, len(generic)) is True
    assert is_generic(build_document(specific), 0, len(specific)) is False


def test_similarity_links_a_plan_to_its_problem() -> None:
    doc = build_document("行政复议体制改革仍需进一步推进。")
    problem = _content_words("行政复议体制改革仍需进一步推进")
    assert "行政复议" in problem
    answer = similarity(doc, problem, _content_words("探索行政复议管理新模式"))
    other = similarity(doc, problem, _content_words("持续优化法治化营商环境"))
    assert answer >= LINK_THRESHOLD > other


def test_similarity_of_nothing_is_zero() -> None:
    doc = build_document("空。")
    assert similarity(doc, [], ["行政复议"]) == 0.0


def test_link_with_items() -> None:
    doc = build_document("占位。")

    def item(title: str, text: str) -> Item:
        return Item(title, text, 0, len(text), len(title), "x")

    problem = item(
        "行政复议体制改革仍需进一步推进",
        "二是行政复议体制改革仍需进一步推进。行政复议资源配置优化不够完善，办案质效有待提升。",
    )
    plans = [
        item(
            "持续优化法治化营商环境", "持续优化法治化营商环境。强化涉企政务服务，深化新四办行动。"
        ),
        item(
            "探索行政复议管理新模式", "探索行政复议管理新模式。调整行政复议委员会，集合队伍力量。"
        ),
    ]
    assert link(doc, [problem], plans) == [(1,)]
    assert link(doc, [problem], []) == [()]


# -- genre ---------------------------------------------------------------------------------------


def test_a_state_council_work_report_is_not_audited(bundle: persist.Bundle) -> None:
    with (SEEDS / "background" / "statecouncil.jsonl").open(encoding="utf-8") as f:
        record = json.loads(f.readline())
    result = audit(prepare(record["text"], bundle.classifier))
    assert result["genre"]["is_report"] is False
    assert result["genre"]["confidence"] < 0.5
    assert result["contents"] == {}
    assert result["problems"] == [] and result["plans"] == []
    assert result["timeliness"]["status"] == "unknown"
    assert result["note"]


def test_an_information_disclosure_report_is_not_a_report() -> None:
    doc = build_document(
        "某某区人民政府2024年政府信息公开工作年度报告\n"
        "本报告根据《中华人民共和国政府信息公开条例》要求编制，全文包括总体情况、主动公开"
        "政府信息情况、收到和处理政府信息公开申请情况等内容。\n"
    )
    assert genre(doc, extract(doc)).is_report is False


def test_a_rule_of_law_report_title_counts_for_the_genre() -> None:
    doc = build_document(
        "某某区司法局2024年法治政府建设年度报告\n"
        "2024年，某某区司法局坚持以习近平法治思想为指导，全面推进法治政府建设，"
        "深化依法行政，法治建设取得新成效。\n"
    )
    kind = genre(doc, extract(doc))
    assert kind.is_report is True
    assert kind.confidence > 0.5


# -- timeliness ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("published", "status"), [(date(2025, 4, 2), "late"), (date(2025, 3, 6), "on_time")]
)
def test_timeliness_against_the_default_deadline(published: date, status: str) -> None:
    result = timeliness(Metadata(year=2024, published=published), load_rules())
    assert result["deadline"] == "2025-04-01"
    assert result["date_used"] == "published"
    assert result["status"] == status


def test_timeliness_on_the_deadline_itself_is_on_time() -> None:
    result = timeliness(Metadata(year=2024, published=date(2025, 4, 1)), load_rules())
    assert result["status"] == "on_time"


def test_timeliness_without_a_date_is_unknown_but_gives_the_deadline() -> None:
    result = timeliness(Metadata(year=2024), load_rules())
    assert result["status"] == "unknown"
    assert result["deadline"] == "2025-04-01"
    assert result["date_used"] is None


def test_timeliness_falls_back_on_the_report_date() -> None:
    result = timeliness(Metadata(year=2024, report_date=date(2025, 4, 20)), load_rules())
    assert result["date_used"] == "report_date"
    assert result["status"] == "late"


def test_timeliness_without_a_year_has_no_deadline() -> None:
    result = timeliness(Metadata(published=date(2025, 3, 6)), load_rules())
    assert result["deadline"] is None
    assert result["status"] == "unknown"


def test_timeliness_with_a_custom_rule(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(
        '[[rule]]\nissuer = "^浙江省"\nissuer_kind = "department"\ndeadline = "03-01"\n',
        encoding="utf-8",
    )
    meta = Metadata(
        issuer="浙江省司法厅",
        issuer_kind="department",
        level="provincial",
        year=2024,
        published=date(2025, 3, 6),
    )
    result = timeliness(meta, load_rules(path))
    assert result["deadline"] == "2025-03-01"
    assert result["status"] == "late"


_ACHIEVED = (
    "2024年，我局办理行政复议案件131件，行政机关负责人出庭应诉率达100%，全面推行行政执法三项制度。"
)


@pytest.mark.parametrize(
    ("sentence", "status"),
    [
        # The principal leader as the subject, doing the duty: a nominal part.
        ("局主要负责人认真履行推进法治建设第一责任人职责，带头学法。", "weak"),
        # Only a passing mention inside another part: the required part is not there.
        ("形成了主要领导统筹抓、分管领导具体抓的工作格局。", "missing"),
    ],
)
def test_leadership_weak_or_missing(sentence: str, status: str) -> None:
    doc = labelled(
        [
            ("某某区司法局2024年法治政府建设年度报告", "boilerplate"),
            ("一、主要举措和成效", "achievements"),
            (_ACHIEVED + sentence, "achievements"),
        ]
    )
    part = audit(doc)["contents"]["leadership"]
    assert part["status"] == status
    assert part["paragraphs"] == ([2] if status == "weak" else [])
