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


def test_the_first_page_of_the_draft_circular(browser, round_dir: Path, tmp_path: Path) -> None:
    """The circular rendered by LibreOffice: an A4 page whose title band and body carry text,
    looked at in the browser as a reader opens the picture."""
    import base64
    import shutil
    import subprocess

    import pypdfium2

    from service.cli import main

    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice is not installed")
    folder = Path(shutil.copytree(round_dir, tmp_path / "round"))
    docx_path = tmp_path / "通报.docx"
    assert main(["report", str(folder), "--out", str(docx_path), "--date", "2025-04-15"]) == 0
    profile = f"-env:UserInstallation=file://{tmp_path}/lo"
    subprocess.run(
        ["soffice", profile, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
         str(docx_path)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    pdf = pypdfium2.PdfDocument(tmp_path / "通报.pdf")
    text = "".join(pdf[0].get_textpage().get_text_range().split())
    assert text.startswith("关于2024年度法治政府建设年度报告报送情况的通报（征求意见稿）各单位：")
    png = tmp_path / "page1.png"
    pdf[0].render(scale=1).to_pil().save(png)
    context = browser.new_context()
    page = context.new_page()
    data = base64.b64encode(png.read_bytes()).decode()
    page.set_content(f'<img id="p" src="data:image/png;base64,{data}">')
    page.wait_for_function("document.getElementById('p').complete")
    ink = page.evaluate(
        """() => {
        const img = document.getElementById('p');
        const c = document.createElement('canvas');
        c.width = img.naturalWidth; c.height = img.naturalHeight;
        const g = c.getContext('2d'); g.drawImage(img, 0, 0);
        const share = (top, bottom) => {
          const d = g.getImageData(0, top * c.height, c.width, (bottom - top) * c.height).data;
          let dark = 0;
          for (let i = 0; i < d.length; i += 4) if (d[i] < 128) dark++;
          return dark / (d.length / 4);
        };
        return {w: c.width, h: c.height, margin: share(0, 0.1), title: share(0.12, 0.22),
                body: share(0.3, 0.85)};
      }"""
    )
    context.close()
    assert abs(ink["h"] / ink["w"] - 297 / 210) < 0.01  # A4
    assert ink["margin"] == 0  # the 37 mm top margin is empty
    assert ink["title"] > 0.01 and ink["body"] > 0.02
