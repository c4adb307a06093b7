"""Circulars in the 公文 layout, read back with python-docx and rendered by LibreOffice where it
is installed."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Emu, Pt, Twips
from docx.styles.style import BaseStyle
from docx.text.paragraph import Paragraph
from PIL import Image

from service.office.docx import write_circular, write_feedback

EXAMPLE = Path(__file__).with_name("circular_example.json")
STYLES = {  # name: (East Asian font, size in points)
    "公文标题": ("方正小标宋简体", 22),
    "公文副标题": ("楷体_GB2312", 16),
    "主送机关": ("仿宋_GB2312", 16),
    "公文正文": ("仿宋_GB2312", 16),
    "一级标题": ("黑体", 16),
    "二级标题": ("楷体_GB2312", 16),
    "引文": ("楷体_GB2312", 16),
    "发文机关署名": ("仿宋_GB2312", 16),
    "成文日期": ("仿宋_GB2312", 16),
    "单页页码": ("宋体", 14),
    "双页页码": ("宋体", 14),
}
BLOCK_STYLES = {"p": "公文正文", "h1": "一级标题", "h2": "二级标题", "quote": "引文"}
A4 = 297 / 210


@pytest.fixture()
def circular() -> dict[str, Any]:
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


@pytest.fixture()
def path(circular: dict[str, Any], tmp_path: Path) -> Path:
    return write_circular(circular, tmp_path / "circular.docx")


@pytest.fixture()
def document(path: Path) -> DocxDocument:
    return docx.Document(str(path))


def ind(item: Paragraph | BaseStyle) -> dict[str, str]:
    """The w:ind attributes of a paragraph or a style, by local name."""
    element = item._p if isinstance(item, Paragraph) else item.element
    found = element.find(f"{qn('w:pPr')}/{qn('w:ind')}")
    return {} if found is None else {k.split("}")[1]: v for k, v in found.attrib.items()}


@pytest.mark.parametrize(("name", "font_size"), [(n, s) for n, (_, s) in STYLES.items()])
def test_styles_exist_with_their_sizes(document: DocxDocument, name: str, font_size: int) -> None:
    style = document.styles[name]
    assert style.font.size == Pt(font_size)


@pytest.mark.parametrize(("name", "font"), [(n, f) for n, (f, _) in STYLES.items()])
def test_styles_name_their_east_asian_font(document: DocxDocument, name: str, font: str) -> None:
    rpr = document.styles[name].element.rPr
    assert rpr.rFonts.get(qn("w:eastAsia")) == font
    assert rpr.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"


def test_every_style_and_run_names_an_east_asian_font(document: DocxDocument) -> None:
    styles = document.styles.element
    fonts = styles.findall(f".//{qn('w:rFonts')}")
    assert fonts, "no style names a font"
    for element in fonts:
        assert element.get(qn("w:eastAsia")), "an rFonts without w:eastAsia"
        assert not [k for k in element.attrib if k.endswith("heme")], "a theme font"
    section = document.sections[0]
    parts = [document.element.body, section.footer._element, section.even_page_footer._element]
    runs = [r for part in parts for r in part.iter(qn("w:r"))]
    assert len(runs) > 20
    for run in runs:
        assert run.rPr.rFonts.get(qn("w:eastAsia")), "a run without w:eastAsia"


def test_default_language_is_chinese(document: DocxDocument) -> None:
    lang = document.styles.element.find(f".//{qn('w:rPrDefault')}//{qn('w:lang')}")
    assert lang.get(qn("w:eastAsia")) == "zh-CN"


def test_paragraphs_in_order_with_their_styles(
    document: DocxDocument, circular: dict[str, Any]
) -> None:
    got = [(p.style.name, p.text) for p in document.paragraphs]
    expected = [
        ("公文标题", circular["title"]),
        ("公文副标题", circular["subtitle"]),
        ("公文正文", ""),  # the blank line under the title
        ("主送机关", circular["recipient"]),
        *((BLOCK_STYLES[b["kind"]], b["text"]) for b in circular["blocks"]),
        ("发文机关署名", circular["signature"]),
        ("成文日期", circular["date"]),
    ]
    assert got == expected


def test_paragraph_looks(document: DocxDocument) -> None:
    styles = document.styles
    assert styles["公文标题"].paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert styles["公文副标题"].paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert styles["主送机关"].paragraph_format.alignment == WD_ALIGN_PARAGRAPH.LEFT
    assert ind(styles["主送机关"]) == {}
    for name in ("公文正文", "一级标题", "二级标题", "引文"):
        assert ind(styles[name])["firstLineChars"] == "200"
    for name in ("发文机关署名", "成文日期"):
        assert styles[name].paragraph_format.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert ind(styles["成文日期"])["rightChars"] == "400"
    assert styles["一级标题"].paragraph_format.keep_with_next


def test_short_signature_centred_over_the_date(circular: dict[str, Any], tmp_path: Path) -> None:
    circular["signature"] = "某某区司法局"  # 6 characters, the date 6.5 wide
    document = docx.Document(str(write_circular(circular, tmp_path / "c.docx")))
    signature = document.paragraphs[-2]
    assert ind(signature)["rightChars"] == str(round((4 + 0.25) * 100))


def test_page_size_and_margins(document: DocxDocument) -> None:
    section = document.sections[0]
    measured = [
        section.page_width.mm,
        section.page_height.mm,
        section.top_margin.mm,
        section.bottom_margin.mm,
        section.left_margin.mm,
        section.right_margin.mm,
    ]
    assert measured == pytest.approx([210, 297, 37, 35, 28, 26], abs=0.05)
    text_width = Emu(section.page_width - section.left_margin - section.right_margin)
    text_height = Emu(section.page_height - section.top_margin - section.bottom_margin)
    assert (text_width.mm, text_height.mm) == pytest.approx((156, 225), abs=0.1)


def test_document_grid_and_line_height(document: DocxDocument) -> None:
    section = document.sections[0]
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "linesAndChars"
    pitch = int(grid.get(qn("w:linePitch")))
    assert pitch == 579
    text_height = Emu(section.page_height - section.top_margin - section.bottom_margin).twips
    assert text_height // pitch == 22
    # Pitch = Normal's size + charSpace / 4096 pt; 28 of them fit in the text width, 29 do not.
    char = 16 + int(grid.get(qn("w:charSpace"))) / 4096
    text_width = Emu(section.page_width - section.left_margin - section.right_margin).pt
    assert text_width // char == 28
    normal = document.styles["Normal"].paragraph_format
    assert normal.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert normal.line_spacing == Twips(pitch)
    assert not normal.widow_control


def test_footer_holds_a_page_field_between_dashes(document: DocxDocument) -> None:
    section = document.sections[0]
    for footer, page in ((section.footer, "1"), (section.even_page_footer, "2")):
        paragraph = footer.paragraphs[0]
        assert paragraph.text == f"— {page} —"
        sequence = []
        for element in paragraph._p.iter(qn("w:t"), qn("w:fldChar"), qn("w:instrText")):
            sequence.append(element.get(qn("w:fldCharType")) or element.text.strip())
        assert sequence == ["—", "begin", "PAGE", "separate", page, "end", "—"]


def test_odd_and_even_footers(document: DocxDocument) -> None:
    settings = document.settings
    assert settings.odd_and_even_pages_header_footer
    section = document.sections[0]
    assert not section.even_page_footer.is_linked_to_previous
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    assert (odd.style.name, even.style.name) == ("单页页码", "双页页码")
    assert odd.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert even.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.LEFT
    assert ind(odd.style)["rightChars"] == ind(even.style)["leftChars"] == "100"


def test_unknown_block_kind(circular: dict[str, Any], tmp_path: Path) -> None:
    circular["blocks"].append({"kind": "table", "text": "x"})
    with pytest.raises(ValueError, match="table"):
        write_circular(circular, tmp_path / "c.docx")


def test_minimal_circular_and_odd_characters(tmp_path: Path) -> None:
    """No subtitle, recipient or blocks; a control character from a damaged report dropped."""
    circular = {"title": "关于\x0b某事的通报", "blocks": [], "signature": "", "date": ""}
    document = docx.Document(str(write_circular(circular, tmp_path / "c.docx")))
    assert [(p.style.name, p.text) for p in document.paragraphs] == [
        ("公文标题", "关于某事的通报"),
        ("公文正文", ""),
    ]


def test_feedback_file_names(circular: dict[str, Any], tmp_path: Path) -> None:
    titles = [
        '关于"某某区/教育局"的反馈意见：<草稿>|?*',
        '关于"某某区/教育局"的反馈意见：<草稿>|?*',
        "CON",
        "/\\:*?",
        "某某镇人民政府反馈意见. ",
    ]
    paths = write_feedback([{**circular, "title": t} for t in titles], tmp_path / "feedback")
    assert [p.name for p in paths] == [
        "关于某某区教育局的反馈意见：草稿.docx",
        "关于某某区教育局的反馈意见：草稿（2）.docx",
        "_CON.docx",
        "反馈意见.docx",
        "某某镇人民政府反馈意见.docx",
    ]
    for path, title in zip(paths, titles, strict=True):
        assert docx.Document(str(path)).paragraphs[0].text == title


def test_feedback_long_title_fits_a_file_name(circular: dict[str, Any], tmp_path: Path) -> None:
    (path,) = write_feedback([{**circular, "title": "很长的标题" * 40}], tmp_path)
    assert len(path.name.encode("utf-8")) <= 255


# -- LibreOffice -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    return found


def render(soffice: str, source: Path) -> Any:
    """The document as LibreOffice prints it, opened with pypdfium2."""
    pdfium = pytest.importorskip("pypdfium2")
    profile = (source.parent / "lo").as_uri()
    command = [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf"]
    result = subprocess.run(
        [*command, "--outdir", str(source.parent), str(source)], capture_output=True, timeout=180
    )
    assert result.returncode == 0, result.stderr
    return pdfium.PdfDocument(str(source.with_suffix(".pdf")))


def lines(page: Any) -> list[str]:
    """The page's lines of text, top to bottom, without spaces."""
    text = page.get_textpage()
    found: list[tuple[float, float, str]] = []
    for i in range(text.count_chars()):
        char = text.get_text_range(i, 1)
        if char.strip():
            left, bottom, _, top = text.get_charbox(i)
            found.append(((bottom + top) / 2, left, char))
    rows: list[list[tuple[float, float, str]]] = []
    for char in sorted(found, key=lambda c: -c[0]):
        if rows and abs(rows[-1][-1][0] - char[0]) < 9:  # the same line: under half a line apart
            rows[-1].append(char)
        else:
            rows.append([char])
    return ["".join(c[2] for c in sorted(row, key=lambda c: c[1])) for row in rows]


@pytest.mark.slow
def test_libreoffice_renders_it(soffice: str, path: Path, circular: dict[str, Any]) -> None:
    pdf = render(soffice, path)
    assert 1 <= len(pdf) <= 3
    first = pdf[0]
    assert circular["title"] in re.sub(r"\s", "", first.get_textpage().get_text_range())
    width, height = first.get_size()
    assert height / width == pytest.approx(A4, rel=0.01)
    image = path.with_name("page1.png")
    first.render(scale=1).to_pil().save(image)
    with Image.open(image) as png:
        assert png.height / png.width == pytest.approx(A4, rel=0.01)


@pytest.mark.slow
def test_libreoffice_keeps_28_characters_and_22_lines(soffice: str, tmp_path: Path) -> None:
    text = "法治政府建设年度报告" * 30  # 300 characters: 26 on the first line, then 28
    circular = {
        "title": "标题",
        "blocks": [{"kind": "p", "text": text} for _ in range(6)],
        "signature": "",
        "date": "",
    }
    pdf = render(soffice, write_circular(circular, tmp_path / "long.docx"))
    body = lines(pdf[1])[:-1]  # the second page, all body text, less its page number
    assert len(body) == 22
    assert {len(line) for line in body} <= {26, 28, len(text) - 26 - 28 * 9}
    assert lines(pdf[1])[-1] == "—2—"
