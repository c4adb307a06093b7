"""The web page in headless Chromium: paste or upload a report, see it coloured by section."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.service.browser import chromium, playwright_api, serving, watched_page
from tests.service.conftest import SEED_REPORT

pytestmark = pytest.mark.slow

sync_api = playwright_api()


@pytest.fixture(scope="module")
def live_url(app: Flask) -> Iterator[str]:
    with serving(app) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator:
    with chromium(sync_api) as launched:
        yield launched


@pytest.fixture()
def page(browser, live_url: str) -> Iterator:
    # HTTP error answers are expected in some tests; script errors and CSP refusals are not.
    with watched_page(browser, live_url, ignored=("Failed to load resource",)) as page:
        page.goto(live_url)
        yield page


def _analysed(page) -> None:
    page.wait_for_selector("body[data-state=done]", timeout=60_000)


def test_paste_report_shows_coloured_sections_and_key_sentences(page) -> None:
    page.fill("#report-text", SEED_REPORT.read_text(encoding="utf-8"))
    page.click("#analyse-button")
    _analysed(page)

    paragraphs = page.locator("#report .para")
    assert paragraphs.count() > 10
    labels = set(page.eval_on_selector_all("#report .para", "ps => ps.map(p => p.dataset.label)"))
    assert {"achievements", "plans"} <= labels
    colours = page.eval_on_selector_all(
        "#report .para",
        "ps => ps.map(p => getComputedStyle(p).borderLeftColor + '|' + p.dataset.label)",
    )
    by_label = {c.split("|")[1]: c.split("|")[0] for c in colours}
    assert len(set(by_label.values())) == len(by_label)  # one distinct colour per section type
    assert page.locator("#report .para.sec-achievements .badge").first.inner_text() == (
        "主要举措和成效"
    )

    marks = page.locator("#report mark.key")
    assert marks.count() >= 3
    background = marks.first.evaluate("m => getComputedStyle(m).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")
    summary = page.locator("#summary li").all_inner_texts()
    assert len(summary) == 5
    marked = " ".join(marks.all_inner_texts())
    assert summary[0][-8:] in marked

    assert "主要举措和成效" in page.locator("#legend").inner_text()
    assert page.locator("[data-count-for=achievements]").inner_text().strip()
    assert page.locator("#structured .group").count() >= 2
    assert page.locator("#figures li").count() >= 1
    assert page.locator("#keywords li").count() >= 3


def test_upload_gb18030_text_file(page, tmp_path: Path) -> None:
    report = tmp_path / "报告.txt"
    report.write_bytes(SEED_REPORT.read_text(encoding="utf-8").encode("gb18030"))
    page.set_input_files("#report-file", str(report))
    _analysed(page)
    assert "法治政府建设" in page.input_value("#report-text")
    assert page.locator("#report mark.key").count() >= 1


def test_upload_of_a_saved_page_names_the_issuer_from_its_title(page, tmp_path: Path) -> None:
    # The body never names the town: its <title> does, and the audit panel shows it.
    body = "".join(
        f"<p>{line}</p>"
        for line in (
            "2022年，我镇坚持以习近平法治思想为指导，全面推进法治政府建设。现将有关情况报告如下：",
            "一、主要举措和成效",
            "全年办理行政复议案件13件，开展执法检查56次，行政机关负责人出庭应诉率达100%。",
            "二、存在的不足和原因",
            "一是执法人员法治意识有待加强；二是基层法治力量较为薄弱。主要原因是培训不够。",
        )
    )
    page_file = tmp_path / "page.html"
    page_file.write_text(
        '<html><head><meta charset="utf-8"><title>英德市下太镇2022年度法治政府建设情况报告'
        f"_英德市人民政府门户网站</title></head><body><div>{body}</div></body></html>",
        encoding="utf-8",
    )
    page.set_input_files("#report-file", str(page_file))
    _analysed(page)
    _audited(page)
    issuer = page.locator("#audit .audit-meta [data-field=issuer]")
    assert "英德市下太镇人民政府" in issuer.inner_text()
    assert "<p>" not in page.input_value("#report-text")


def test_empty_input_shows_a_message(page) -> None:
    page.click("#analyse-button")
    status = page.locator("#status")
    assert "请先粘贴" in status.inner_text()
    assert "error" in (status.get_attribute("class") or "")


def test_server_error_message_is_shown(page) -> None:
    page.fill("#report-text", "报告" * 10)
    page.route(
        "**/v1/analyse",
        lambda route: route.fulfill(
            status=422,
            content_type="application/json",
            body='{"error": {"code": "empty_text", "message": "`text` is empty"}}',
        ),
    )
    page.click("#analyse-button")
    page.wait_for_selector("body[data-state=error]")
    assert "422" in page.locator("#status").inner_text()


def test_phone_width_has_no_sideways_scroll(browser, live_url: str) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    page = context.new_page()
    page.goto(live_url)
    page.fill("#report-text", SEED_REPORT.read_text(encoding="utf-8"))
    page.click("#analyse-button")
    _analysed(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    context.close()


# -- the audit panel (/v1/audit) ------------------------------------------------------------------

PARTS = ["achievements", "shortcomings", "leadership", "plans", "other"]


def _audited(page, state: str = "done") -> None:
    page.wait_for_selector(f"#audit[data-state={state}]", timeout=60_000)


def _in_viewport(locator) -> bool:
    return locator.evaluate(
        "e => { const r = e.getBoundingClientRect();"
        " return r.bottom > 0 && r.top < window.innerHeight && r.height > 0; }"
    )


def _analyse_seed(page) -> None:
    page.fill("#report-text", SEED_REPORT.read_text(encoding="utf-8"))
    page.click("#analyse-button")
    _analysed(page)
    _audited(page)


def test_audit_panel_shows_parts_timeliness_and_problems(page) -> None:
    _analyse_seed(page)
    panel = page.locator("#audit")
    assert panel.get_attribute("data-report") == "true"
    assert "审查" in page.locator("#audit-title").inner_text()

    meta = page.locator("#audit .audit-meta")
    assert "硚口区人民政府" in meta.locator("[data-field=issuer]").inner_text()
    assert "2024" in meta.locator("[data-field=year]").inner_text()
    assert "2025-03-06" in meta.locator("[data-field=published]").inner_text()
    timeliness = meta.locator("[data-field=timeliness]")
    assert timeliness.get_attribute("data-status") == "on_time"
    assert "按时" in timeliness.inner_text()
    assert "期限" in timeliness.inner_text()

    lines = page.locator("#audit .audit-part")
    assert lines.count() == 5
    assert [lines.nth(i).get_attribute("data-part") for i in range(5)] == PARTS
    achievements = page.locator("#audit .audit-part[data-part=achievements]")
    assert achievements.get_attribute("data-status") == "present"
    assert "具备" in achievements.inner_text()
    shortcomings = page.locator("#audit .audit-part[data-part=shortcomings]")
    assert shortcomings.get_attribute("data-status") == "weak"
    assert "薄弱" in shortcomings.inner_text()
    assert "未说明原因" in shortcomings.inner_text()  # the part's note
    leadership = page.locator("#audit .audit-part[data-part=leadership]")
    assert leadership.get_attribute("data-status") == "missing"
    assert "缺失" in leadership.inner_text()
    assert "党政主要负责人履行第一责任人职责" in leadership.inner_text()
    # One distinct light colour per status: present, weak, missing (and grey for 其他).
    colours = {
        status: page.locator(f"#audit .audit-part[data-part={part}] .light").evaluate(
            "e => getComputedStyle(e).backgroundColor"
        )
        for part, status in [
            ("achievements", "present"),
            ("shortcomings", "weak"),
            ("leadership", "missing"),
            ("other", "optional"),
        ]
    }
    assert len(set(colours.values())) == 4, colours

    problems = page.locator("#audit .audit-problem")
    assert problems.count() == 4
    first = problems.first
    assert "抽象行政行为监管有待进一步加强" in first.inner_text()
    assert "未说明原因" in first.inner_text()
    assert "泛泛" not in first.inner_text()
    # The plan that answers it in so many words comes first; others sharing a word may follow.
    assert first.locator(".plan-title").all_inner_texts()[0] == "加强抽象行政行为监管"
    assert "无对应安排" not in page.locator("#audit .audit-problems").inner_text()


def test_audit_evidence_link_scrolls_to_the_paragraph(page) -> None:
    _analyse_seed(page)
    link = page.locator("#audit .audit-part[data-part=shortcomings] .para-link").first
    index = link.get_attribute("data-para")
    target = page.locator(f"#para-{index}")
    assert target.get_attribute("data-label") == "shortcomings"
    page.evaluate("window.scrollTo(0, 0)")
    assert not _in_viewport(target)
    link.click()
    sync_api.expect(target).to_be_in_viewport(timeout=5_000)
    assert _in_viewport(target)
    assert "flash" in (target.get_attribute("class") or "")


def test_audit_problem_click_scrolls_to_its_text(page) -> None:
    _analyse_seed(page)
    problem = page.locator("#audit .audit-problem").nth(3).locator(".problem-link")
    target = page.locator(f"#para-{problem.get_attribute('data-para')}")
    assert "街道综合行政执法体制有待进一步完善" in target.inner_text()
    page.evaluate("window.scrollTo(0, 0)")
    assert not _in_viewport(target)
    problem.click()
    sync_api.expect(target).to_be_in_viewport(timeout=5_000)


def test_audit_of_a_text_that_is_not_a_report(page) -> None:
    page.fill("#report-text", "今天天气很好，我们一起去公园散步，看看湖边的柳树。" * 6)
    page.click("#analyse-button")
    _analysed(page)
    _audited(page)
    panel = page.locator("#audit")
    assert panel.get_attribute("data-report") == "false"
    text = panel.inner_text()
    assert "不是法治政府建设年度报告" in text
    assert "每千字" in text  # the server's note says why
    assert page.locator("#audit .light").count() == 0
    assert page.locator("#audit .audit-part").count() == 0


def test_audit_error_is_shown_in_the_panel_only(page) -> None:
    page.route(
        "**/v1/audit",
        lambda route: route.fulfill(
            status=500,
            content_type="application/json",
            body='{"error": {"code": "internal", "message": "audit broke"}}',
        ),
    )
    page.fill("#report-text", SEED_REPORT.read_text(encoding="utf-8"))
    page.click("#analyse-button")
    _analysed(page)
    _audited(page, "error")
    assert "审查失败" in page.locator("#audit-status").inner_text()
    assert "500" in page.locator("#audit-status").inner_text()
    assert page.locator("#audit .audit-part").count() == 0
    # The rest of the page is intact.
    assert page.locator("#report .para").count() > 10
    assert "完成" in page.locator("#status").inner_text()
    assert not page.locator("#results").is_hidden()
