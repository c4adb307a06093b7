"""OCR of scans: a seed report printed into an image-only PDF and a .png page, read back.

The pages are printed here with Pillow and a CJK font (Debian's fonts-noto-cjk), so the test
needs no scanned files; skipped without the `ocr` extra or without a CJK font.
"""

from __future__ import annotations

import functools
import io
import re
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from model.ingest import ocr
from model.ingest.decode import ReadError
from model.ingest.readers import read_document
from tests.conftest import SEEDS

pytest.importorskip("rapidocr", reason="the ocr extra is not installed")
pytest.importorskip("onnxruntime", reason="the ocr extra is not installed")
pytest.importorskip("pypdfium2", reason="the ocr extra is not installed")

# Noto first (fonts-noto-cjk); WenQuanYi and AR PL fonts are smaller Debian alternatives.
CJK_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
# An A4 page at 150 dpi, 28 px characters (about 四号), 1.8 line spacing: 31 lines a page.
PAGE = (1240, 1754)
MARGIN = 100
SIZE = 28
TARGET = 0.97


def find_cjk_font() -> Path | None:
    """The first installed font that has Chinese glyphs, or None."""
    return next((Path(p) for p in CJK_FONTS if Path(p).is_file()), None)


def load_font(path: Path, size: int = SIZE) -> ImageFont.FreeTypeFont:
    """The Simplified Chinese face of a collection (Noto's .ttc holds JP, KR, SC, TC …)."""
    for index in range(10):
        try:
            font = ImageFont.truetype(str(path), size, index=index)
        except OSError:
            break
        if font.getname()[0].endswith(" SC"):
            return font
    return ImageFont.truetype(str(path), size)


def wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Printed lines: each paragraph broken wherever the next character would overflow."""
    lines: list[str] = []
    for paragraph in text.splitlines():
        line = ""
        for char in paragraph.strip():
            if line and font.getlength(line + char) > width:
                lines.append(line)
                line = ""
            line += char
        if line:
            lines.append(line)
    return lines


def print_pages(text: str, font: ImageFont.FreeTypeFont) -> list[Image.Image]:
    """Text typeset onto white A4 pages, black on white, as a scanner would see them."""
    width, height = PAGE
    step = int(SIZE * 1.8)
    per_page = (height - 2 * MARGIN) // step
    lines = wrap(text, font, width - 2 * MARGIN)
    pages = []
    for start in range(0, len(lines), per_page):
        page = Image.new("RGB", PAGE, "white")
        draw = ImageDraw.Draw(page)
        for row, line in enumerate(lines[start : start + per_page]):
            draw.text((MARGIN, MARGIN + row * step), line, font=font, fill="black")
        pages.append(page)
    return pages


def image_only_pdf(pages: list[Image.Image]) -> bytes:
    """A PDF whose pages are only pictures: no text layer, like a scan."""
    out = io.BytesIO()
    pages[0].save(out, "PDF", save_all=True, append_images=pages[1:], resolution=150)
    return out.getvalue()


def levenshtein(a: str, b: str) -> int:
    """Edit distance (insertions, deletions, substitutions), one row at a time."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            )
        previous = current
    return previous[-1]


def char_accuracy(reference: str, text: str) -> float:
    """1 - edit distance / reference length, whitespace ignored (line breaks are not OCR's)."""
    ref = re.sub(r"\s+", "", reference)
    return 1 - levenshtein(ref, re.sub(r"\s+", "", text)) / len(ref)


def seed_text(chars: int = 1500) -> str:
    """The start of seed report 003: title, date line, headings and body paragraphs."""
    return next(SEEDS.glob("003_*.txt")).read_text(encoding="utf-8")[:chars]


@pytest.fixture(scope="module")
def font() -> ImageFont.FreeTypeFont:
    path = find_cjk_font()
    if path is None:
        pytest.skip("no CJK font: apt-get install fonts-noto-cjk")
    return load_font(path)


def png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def test_levenshtein_and_accuracy() -> None:
    assert levenshtein("kitten", "sitting") == 3
    assert levenshtein("", "法治") == 2
    assert char_accuracy("法治 政府\n建设", "法治政府建没") == pytest.approx(1 - 1 / 6)


def test_scanned_pdf_reads_two_pages_accurately(font: ImageFont.FreeTypeFont) -> None:
    reference = seed_text()
    pages = print_pages(reference, font)
    assert len(pages) == 2
    decoded = ocr.read_scanned_pdf(image_only_pdf(pages))
    assert decoded.encoding == "ocr"
    assert decoded.notes == ("ocr: pages 1-2",)
    assert char_accuracy(reference, decoded.text) >= TARGET
    lines = decoded.text.splitlines()
    assert len(lines) > 20
    assert lines[0].endswith("2024年度法治政府建设情况报告")  # reading order: title first
    assert reference.rstrip()[-6:] in decoded.text.replace(" ", "")  # and page 2 last


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_page_image_through_read_document(font: ImageFont.FreeTypeFont, fmt: str) -> None:
    reference = seed_text(400)
    page = print_pages(reference, font)[0]
    out = io.BytesIO()
    page.save(out, fmt, quality=85)
    decoded = read_document(out.getvalue(), f"page.{fmt.lower()}")
    assert decoded.encoding == "ocr"
    assert decoded.notes == ("ocr: pages 1-1",)
    assert char_accuracy(reference, decoded.text) >= TARGET


def test_transparent_png_is_read_on_white(font: ImageFont.FreeTypeFont) -> None:
    """Black text on a transparent background: a plain RGB convert would make it all black."""
    page = Image.new("RGBA", (900, 120), (0, 0, 0, 0))
    ImageDraw.Draw(page).text((20, 40), "法治政府建设情况报告", font=font, fill="black")
    assert ocr.read_image(png(page)).text == "法治政府建设情况报告"


def test_blank_page_is_refused() -> None:
    with pytest.raises(ReadError, match="no text"):
        ocr.read_image(png(Image.new("RGB", (600, 800), "white")))


def test_bad_images_are_refused(font: ImageFont.FreeTypeFont) -> None:
    data = png(print_pages(seed_text(200), font)[0])
    with pytest.raises(ReadError):
        read_document(b"", "page.png")
    with pytest.raises(ReadError, match="damaged image"):
        ocr.read_image(b"")
    with pytest.raises(ReadError, match="damaged image"):
        read_document(data[: len(data) // 2], "page.png")
    with pytest.raises(ReadError, match="damaged image"):
        read_document(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "page.png")


def test_damaged_pdf_is_refused() -> None:
    with pytest.raises(ReadError, match="damaged PDF"):
        ocr.read_scanned_pdf(b"%PDF-1.4\n1 0 obj <<>> garbage")
    with pytest.raises(ReadError, match="damaged PDF"):
        ocr.read_scanned_pdf(b"")


def test_without_the_extra_the_reason_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "rapidocr", None)  # `import rapidocr` raises ImportError
    monkeypatch.setitem(sys.modules, "pypdfium2", None)
    monkeypatch.setattr(ocr, "_engine", functools.cache(ocr._engine.__wrapped__))
    with pytest.raises(ReadError, match=r"install fzreport\[ocr\]"):
        ocr.read_image(png(Image.new("RGB", (60, 40), "white")))
    with pytest.raises(ReadError, match=r"install fzreport\[ocr\]"):
        ocr.read_scanned_pdf(b"%PDF-1.4")


def box(left: float, top: float, right: float, bottom: float, text: str) -> ocr.Box:
    return (left, top, right, bottom, text)


def test_join_lines_orders_boxes_and_joins_one_line() -> None:
    boxes = [
        box(100, 200, 400, 230, "第二行"),
        box(420, 52, 600, 80, "来源:司法局"),  # a little lower than its neighbour
        box(100, 50, 300, 78, "发布时间:2025-03-06"),
        box(100, 120, 500, 150, "第一段"),
        box(505, 121, 700, 149, "接着写"),  # a narrow gap: one run of text
    ]
    assert ocr.join_lines(boxes) == "发布时间:2025-03-06 来源:司法局\n第一段接着写\n第二行"


def test_join_lines_of_nothing_is_empty() -> None:
    assert ocr.join_lines([]) == ""
