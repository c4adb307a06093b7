"""The archive pages in headless Chromium: the table, search, a report and the dashboard."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from tests.service.browser import chromium, playwright_api, serving, watched_page
from tests.service.conftest import ROOT

pytestmark = pytest.mark.slow

SCREENSHOT = ROOT / "docs" / "archive-dashboard.png"
sync_api = playwright_api()


@pytest.fixture(scope="module")
def live_url(archive_client: FlaskClient, archive_dir: Path) -> Iterator[str]:
    """The app serving `archive_dir` on a loopback port, in a thread."""
    app = archive_client.application
    assert app.config["ARCHIVE_DIR"] == str(archive_dir)
    with serving(app) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator:
    with chromium(sync_api) as launched:
        yield launched


@pytest.fixture()
def page(browser, live_url: str) -> Iterator:
    """A page that fails the test on any script or console error, or request elsewhere."""
    with watched_page(browser, live_url) as page:
        page.base_url = live_url
        yield page


def _table(page) -> None:
    page.wait_for_selector("#reports[data-state=done]", timeout=30_000)


def _rows(page):
    return page.locator("#reports tbody tr[data-id]")


def _column(page, n: int) -> list[str]:
    return page.eval_on_selector_all(
        f"#reports tbody tr[data-id] td:nth-child({n})", "cells => cells.map(c => c.innerText)"
    )


def _in_viewport(locator) -> bool:
    return locator.evaluate(
        "e => { const r = e.getBoundingClientRect();"
        " return r.bottom > 0 && r.top < window.innerHeight && r.height > 0; }"
    )


def test_table_shows_every_report_with_lights(page) -> None:
    page.goto(f"{page.base_url}/archive")
    _table(page)
    assert _rows(page).count() == 6
    assert "共 6 份报告" in page.locator("#table-status").inner_text()
    row = page.locator("#reports tbody tr", has_text="003_5c5bdc2152d9c680.txt")
    assert row.locator(".light").count() == 4
    light = row.locator(".light[data-part=leadership]")
    assert light.get_attribute("data-status") == "missing"
    colours = {
        status: page.locator(f"#reports .light[data-status={status}]").first.evaluate(
            "e => getComputedStyle(e).backgroundColor"
        )
        for status in ("present", "weak", "missing")
    }
    assert colours == {
        "present": "rgb(46, 125, 50)",
        "weak": "rgb(249, 168, 37)",
        "missing": "rgb(198, 40, 40)",
    }
    href = row.locator("td.source a").get_attribute("href")
    assert href is not None and href.startswith("/archive/reports/")


def test_filter_by_missing_part_reduces_the_rows(page) -> None:
    page.goto(f"{page.base_url}/archive")
    _table(page)
    page.select_option("#f-part", "leadership")
    page.wait_for_function(
        "() => document.querySelector('#reports').dataset.state === 'done'"
        " && document.querySelectorAll('#reports tbody tr[data-id]').length < 6"
    )
    count = _rows(page).count()
    assert 1 <= count < 6
    statuses = page.eval_on_selector_all(
        "#reports tbody .light[data-part=leadership]", "ls => ls.map(l => l.dataset.status)"
    )
    assert statuses == ["missing"] * count
    page.click("#f-reset")
    page.wait_for_function("() => document.querySelectorAll('#reports tbody tr[data-id]').length")
    sync_api.expect(_rows(page)).to_have_count(6)


def test_clicking_a_header_sorts(page) -> None:
    page.goto(f"{page.base_url}/archive")
    _table(page)
    header = page.locator("#reports th[data-sort=problems]")
    header.locator("button").click()
    sync_api.expect(header).to_have_attribute("aria-sort", "ascending")
    _table(page)
    ascending = [int(v) for v in _column(page, 8)]
    assert ascending == sorted(ascending)
    header.locator("button").click()
    sync_api.expect(header).to_have_attribute("aria-sort", "descending")
    _table(page)
    descending = [int(v) for v in _column(page, 8)]
    assert descending == sorted(ascending, reverse=True)
    assert descending != ascending


def test_search_hit_opens_the_report_at_its_paragraph(page) -> None:
    page.goto(f"{page.base_url}/archive")
    _table(page)
    page.fill("#search-q", "复议")
    page.press("#search-q", "Enter")
    page.wait_for_selector("#hits[data-state=done]", timeout=30_000)
    hits = page.locator("#hits .hit")
    assert hits.count() >= 2
    assert page.locator("#hits .snippet mark").first.inner_text() == "复议"
    hit = hits.nth(1)
    paragraph = hit.get_attribute("data-paragraph")
    # The link names the report by issuer and year (the file name is its tooltip).
    api = page.request.get(f"{page.base_url}/v1/archive/search?q=复议&limit=50").json()
    second = api["hits"][1]
    words = [w for w in (second["issuer"], second["year"] and f"{second['year']} 年度") if w]
    link = hit.locator(".hit-link")
    assert words and all(str(w) in link.inner_text() for w in words)
    assert link.get_attribute("title") == second["source"]
    hit.locator(".hit-link").click()
    page.wait_for_selector("body[data-ready=true]")
    assert page.url.endswith(f"#p-{paragraph}")
    target = page.locator(f"#p-{paragraph}")
    assert "复议" in target.inner_text()
    sync_api.expect(target).to_have_class(re.compile(r"\bhit\b"))
    assert _in_viewport(target)
    assert page.evaluate("window.scrollY") > 0  # scrolled down to it
    assert page.locator("#audit .audit-part").count() == 5


def _hit_keys(page) -> set[tuple[str, str]]:
    pairs = page.eval_on_selector_all(
        "#hits .hit", "items => items.map(i => [i.dataset.report, i.dataset.paragraph])"
    )
    return {tuple(pair) for pair in pairs}


def test_search_pages_through_the_hits(page) -> None:
    page.goto(f"{page.base_url}/archive/search?q=法")
    page.wait_for_selector("#hits[data-state=done]", timeout=30_000)
    assert page.locator("#hits-pager").is_visible()
    assert page.locator("#hits-prev").get_attribute("aria-disabled") == "true"
    assert "显示第 1–50 段" in page.locator("#search-status").inner_text()
    first = _hit_keys(page)
    page.locator("#hits-next").click()
    page.wait_for_selector("#hits[data-state=done]", timeout=30_000)
    assert "page=2" in page.url
    assert page.locator("#hits").get_attribute("start") == "51"  # the numbering goes on
    assert "第 2 / " in page.locator("#hits-page-info").inner_text()
    assert page.locator("#hits-prev").get_attribute("aria-disabled") == "false"
    second = _hit_keys(page)
    assert len(first) == 50 and second and not first & second  # the next hits, not the same


def test_dashboard_shows_svg_charts(page) -> None:
    page.goto(f"{page.base_url}/archive/dashboard")
    charts = page.locator(".chart svg")
    assert charts.count() >= 2
    box = charts.first.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 100
    assert page.locator(".chart svg text", has_text="县级").count() >= 1
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    assert SCREENSHOT.stat().st_size > 10_000


def test_single_report_page_links_to_the_archive(page) -> None:
    page.goto(page.base_url)
    page.click("#archive-link")
    _table(page)
    assert page.url.endswith("/archive")
