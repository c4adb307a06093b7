"""The web page in headless Chromium: paste or upload a report, see it coloured by section."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.service.conftest import SEED_REPORT, free_port

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

if not os.path.exists(CHROMIUM):
    pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


@pytest.fixture(scope="module")
def live_url(app: Flask) -> Iterator[str]:
    """The test app on a loopback port in a thread (the page, not gunicorn, is under test)."""
    server = make_server("127.0.0.1", free_port(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture(scope="module")
def browser() -> Iterator:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture()
def page(browser, live_url: str) -> Iterator:
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="zh-CN")
    page = context.new_page()
    requested: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console",
        lambda msg: errors.append(msg.text) if msg.type == "error" else None,
    )
    page.goto(live_url)
    yield page
    context.close()
    outside = [url for url in requested if not url.startswith(live_url)]
    assert not outside, f"the page fetched from elsewhere: {outside}"
    # HTTP error answers are expected in some tests; script errors and CSP refusals are not.
    errors = [e for e in errors if not e.startswith("Failed to load resource")]
    assert not errors, errors


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
