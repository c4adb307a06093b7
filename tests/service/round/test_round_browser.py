"""The 报送情况 page in headless Chromium: the ledger, its filters, and a correction made in
the page that the ledger then shows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from service.app import create_app
from tests.service.browser import chromium, playwright_api, serving, watched_page

pytestmark = pytest.mark.slow
sync_api = playwright_api()
TOKEN = "page-review-token"


@pytest.fixture(scope="module")
def round_served(round_dir: Path, bundle_path: Path, tmp_path_factory) -> Iterator[str]:
    import shutil

    folder = Path(shutil.copytree(round_dir, tmp_path_factory.mktemp("served") / "round"))
    app = create_app(
        {
            "MODEL_PATH": str(bundle_path),
            "ARCHIVE_DIR": str(folder),
            "REVIEW_TOKEN": TOKEN,
            "WARM_UP": False,
        }
    )
    with serving(app) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator:
    with chromium(sync_api) as launched:
        yield launched


@pytest.fixture()
def page(browser, round_served: str) -> Iterator:
    with watched_page(browser, round_served, ignored=("Failed to load resource",)) as page:
        page.base_url = round_served
        yield page


def _visible_names(page) -> list[str]:
    return page.eval_on_selector_all(
        "#ledger tbody tr:not([hidden]) td:first-child", "cells => cells.map(c => c.innerText)"
    )


def test_ledger_and_filters(page) -> None:
    page.goto(f"{page.base_url}/archive/round")
    assert page.locator("#ledger tbody tr").count() == 5
    assert page.locator("#round-counts [data-count=missing]").inner_text() == "2"
    page.select_option("#ledger-filters select[name=state]", "missing")
    names = [name.split()[0] for name in _visible_names(page)]
    assert names == ["武汉市硚口区司法局", "武汉市硚口区财政局"]
    page.select_option("#ledger-filters select[name=state]", "")
    page.fill("#ledger-filters input[name=name]", "硚口区人民政府")
    assert len(_visible_names(page)) == 1
    late = page.locator("#ledger tr[data-state=late] .state")
    colour = late.evaluate("e => getComputedStyle(e).backgroundColor")
    assert colour == "rgb(255, 243, 224)"
    download = page.request.get(f"{page.base_url}/v1/round/workbook")
    assert download.status == 200 and download.body()[:2] == b"PK"


def test_a_correction_made_in_the_page(page) -> None:
    page.goto(f"{page.base_url}/archive/round")
    row = page.locator("#round-reports tr", has_text="附件1.txt")
    assert "不在名单中" in row.locator("td.match").inner_text()
    # A wrong token is refused and said so; nothing changes.
    page.fill("#review-token", "wrong")
    page.dispatch_event("#review-token", "change")
    form = row.locator("form.correction")
    form.locator("select[name=field]").select_option("body")
    form.locator("input[name=value]").fill("武汉市硚口区司法局")
    form.locator("input[name=note]").fill("核对原件")
    form.locator("button").click()
    status = page.locator("#review-status")
    status.filter(has_text="403").wait_for(timeout=10_000)
    # The right token: the page reloads with the correction in place and marked.
    page.fill("#review-token", TOKEN)
    page.dispatch_event("#review-token", "change")
    with page.expect_navigation():
        form.locator("button").click()
    row = page.locator("#round-reports tr", has_text="附件1.txt")
    assert "武汉市硚口区司法局" in row.locator("td.match").inner_text()
    assert row.locator("td.match .corrected").count() == 1
    body = page.locator("#ledger tr[data-name=武汉市硚口区司法局]")
    assert body.get_attribute("data-state") != "missing"
    assert body.locator(".corrected").count() == 1
