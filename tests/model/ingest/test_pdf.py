"""PDF reading (model/ingest/pdf.py): real PDFs made from the seeds by LibreOffice, with running
headers and page numbers, read back as the clean text reads; and bad PDFs refused clearly."""

from __future__ import annotations

import builtins
import io
import re
import shutil
import subprocess
from collections.abc import Iterator
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

import pytest

from model import persist
from model.analyse import analyse
from model.ingest.decode import NoTextLayer, ReadError
from model.ingest.layout import is_page_number
from model.ingest.pdf import NO_TEXT, read_pdf
from model.ingest.readers import read_document
from tests.conftest import SEED_FILES, essentials

HEADER = "某某区2024年度法治政府建设情况报告"
# Page-number styles Chinese documents print in their footers: — 3 —, 第3页, 3/12.
FOOTERS = [("— ", "PAGE", " —"), ("第 ", "PAGE", " 页"), ("", "PAGE", " / NUMPAGES")]


def _field(paragraph: Any, instruction: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    run = paragraph.add_run()
    for kind in ("begin", None, "end"):
        if kind is None:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = instruction
        else:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        run._r.append(element)


def make_docx(text: str, path: Path, chars: int, footer: tuple[str, str, str]) -> None:
    """An A4 document in 公文 style: `chars` characters a line, first lines indented two
    characters, justified, a running header and a page number in the footer."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    document = docx.Document()
    size = 442 / chars  # points: 156 mm of text width
    style = document.styles["Normal"]
    style.font.size = Pt(size)
    style.font.name = "Noto Serif CJK SC"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "Noto Serif CJK SC")
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(27)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.header.paragraphs[0].text = HEADER
    line = section.footer.paragraphs[0]
    line.alignment = WD_ALIGN_PARAGRAPH.CENTER
    before, field, after = footer
    line.add_run(before)
    _field(line, field)
    if "NUMPAGES" in after:
        line.add_run(" / ")
        _field(line, "NUMPAGES")
    else:
        line.add_run(after)
    for paragraph in text.split("\n"):
        if paragraph.strip():
            p = document.add_paragraph(paragraph.strip())
            p.paragraph_format.first_line_indent = Pt(size * 2)
            p.paragraph_format.space_after = Pt(0)
            p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    document.save(str(path))


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Each seed as a 公文-style PDF (28-40 characters a line, three footer styles), and one
    seed's plain text converted as it is (ragged lines, no indentation, no page furniture)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: `make office` installs it")
    pytest.importorskip("docx")
    folder = tmp_path_factory.mktemp("pdf")
    sources = []
    for k, path in enumerate(SEED_FILES):
        target = folder / f"{path.stem[:3]}.docx"
        make_docx(path.read_text(encoding="utf-8"), target, 28 + 3 * k, FOOTERS[k % 3])
        sources.append(target)
    plain = folder / "plain.txt"
    plain.write_text(SEED_FILES[3].read_text(encoding="utf-8"), encoding="utf-8")
    sources.append(plain)
    command = [soffice, "--headless", "--convert-to", "pdf", "--outdir", str(folder)]
    subprocess.run([*command, *map(str, sources)], capture_output=True, timeout=300, check=False)
    made = {p.stem: p.read_bytes() for p in folder.glob("*.pdf")}
    if len(made) < len(sources):
        pytest.skip("LibreOffice could not convert the documents to PDF")
    return made


@pytest.fixture(scope="module")
def clean(bundle: persist.Bundle) -> dict[str, dict[str, Any]]:
    return {
        p.stem[:3]: analyse(p.read_text(encoding="utf-8"), bundle.classifier, audit=True)
        for p in SEED_FILES
    }


def _squeezed(lines: list[str]) -> list[str]:
    return [re.sub(r"\s", "", line) for line in lines if line.strip()]


SEEDS = [p.stem[:3] for p in SEED_FILES]


@pytest.mark.parametrize("seed", SEEDS)
def test_page_furniture_never_reaches_the_text(seed: str, pdfs: dict[str, bytes]) -> None:
    decoded = read_pdf(pdfs[seed])
    assert HEADER not in decoded.text
    assert not any(is_page_number(line) for line in decoded.text.split("\n"))
    assert not re.search(r"—\s*\d+\s*—|第\s*\d+\s*页|\d+\s*/\s*\d+\s*$", decoded.text, re.M)
    assert any("page-number and running header/footer lines" in n for n in decoded.notes)


@pytest.mark.parametrize("seed", SEEDS)
def test_wrapped_lines_are_joined_into_the_clean_paragraphs(
    seed: str, pdfs: dict[str, bytes]
) -> None:
    decoded = read_pdf(pdfs[seed])
    source = next(p for p in SEED_FILES if p.stem.startswith(seed)).read_text(encoding="utf-8")
    expected, got = _squeezed(source.split("\n")), _squeezed(decoded.text.split("\n"))
    if seed == "002":  # one line of 15,000 characters: joined again, whatever cuts it
        assert "".join(got) == "".join(expected)
        return
    matched = SequenceMatcher(None, expected, got, autojunk=False).get_matching_blocks()
    assert sum(m.size for m in matched) >= len(expected) - 1
    assert any(n.startswith("joined ") for n in decoded.notes)


@pytest.mark.parametrize("seed", SEEDS)
def test_a_pdf_gives_the_clean_texts_audit(
    seed: str, pdfs: dict[str, bytes], clean: dict[str, dict[str, Any]], bundle: persist.Bundle
) -> None:
    decoded = read_document(pdfs[seed], f"{seed}.pdf")
    result = analyse(decoded.text, bundle.classifier, audit=True)
    assert essentials(result) == essentials(clean[seed])


def test_a_plain_text_pdf_ragged_and_unindented(
    pdfs: dict[str, bytes], clean: dict[str, dict[str, Any]], bundle: persist.Bundle
) -> None:
    decoded = read_pdf(pdfs["plain"])
    source = SEED_FILES[3].read_text(encoding="utf-8")
    assert _squeezed(decoded.text.split("\n")) == _squeezed(source.split("\n"))
    result = analyse(decoded.text, bundle.classifier, audit=True)
    assert essentials(result) == essentials(clean[SEED_FILES[3].stem[:3]])


@pytest.fixture()
def no_pdfium(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """pypdfium2 made unimportable: the reader falls back to pypdf."""
    real = builtins.__import__

    def refuse(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.startswith("pypdfium2"):
            raise ImportError(f"No module named {name!r}")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", refuse)
    yield


@pytest.mark.parametrize("seed", ["000", "003"])
def test_without_pdfium_pypdf_reads_by_line_lengths(
    seed: str,
    pdfs: dict[str, bytes],
    clean: dict[str, dict[str, Any]],
    no_pdfium: None,
    bundle: persist.Bundle,
) -> None:
    decoded = read_pdf(pdfs[seed])
    assert "pypdf" in decoded.notes[0]
    assert HEADER not in decoded.text
    assert not any(is_page_number(line) for line in decoded.text.split("\n"))
    result = analyse(decoded.text, bundle.classifier, audit=True)
    assert essentials(result) == essentials(clean[seed])


# -- bad PDFs ------------------------------------------------------------------------------------


def _encrypted(data: bytes, user: str, owner: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=user, owner_password=owner)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _image_only() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (600, 800), "white")
    ImageDraw.Draw(image).rectangle((100, 100, 500, 300), outline="black", width=5)
    out = io.BytesIO()
    image.save(out, "PDF")
    return out.getvalue()


@pytest.mark.parametrize("engine", ["pdfium", "pypdf"])
def test_bad_pdfs_are_refused_with_a_reason(
    engine: str, pdfs: dict[str, bytes], request: pytest.FixtureRequest
) -> None:
    if engine == "pypdf":
        request.getfixturevalue("no_pdfium")
    good = pdfs["000"]
    cases = {
        "damaged PDF": [b"", good[: len(good) // 2], good[:100], b"%PDF-1.7\n" + b"x" * 2000],
        "encrypted PDF": [_encrypted(good, "secret", "owner")],
        NO_TEXT: [_image_only()],
    }
    for reason, blobs in cases.items():
        for data in blobs:
            with pytest.raises(ReadError) as caught:
                read_pdf(data)
            assert str(caught.value).startswith(reason), (reason, str(caught.value))


def test_an_image_only_pdf_goes_to_ocr() -> None:
    with pytest.raises(NoTextLayer, match=re.escape(NO_TEXT)):
        read_pdf(_image_only())
    # a page with no text to find: OCR (or the missing extra) says so after the first reason
    with pytest.raises(ReadError, match=re.escape(NO_TEXT) + "; ") as caught:
        read_document(_image_only(), "scan.pdf")
    assert "\n" not in str(caught.value)


def test_a_pdf_with_only_an_owner_password_reads(pdfs: dict[str, bytes]) -> None:
    decoded = read_pdf(_encrypted(pdfs["003"], "", "owner"))
    assert "硚口区" in decoded.text


@pytest.fixture(scope="module")
def plain_docx_pdf(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """Seed 000 as a Word file with python-docx's default styles (a Western font beside the
    Chinese one, so LibreOffice sets “ ” in the Western font), converted to PDF."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: `make office` installs it")
    docx = pytest.importorskip("docx")
    folder = tmp_path_factory.mktemp("plain-docx")
    document = docx.Document()
    for line in SEED_FILES[0].read_text(encoding="utf-8").split("\n"):
        if line.strip():
            document.add_paragraph(line.strip())
    document.save(str(folder / "s.docx"))
    command = [soffice, "--headless", "--convert-to", "pdf", "--outdir", str(folder)]
    subprocess.run([*command, str(folder / "s.docx")], capture_output=True, timeout=300)
    if not (folder / "s.pdf").is_file():
        pytest.skip("LibreOffice could not convert the document to PDF")
    return (folder / "s.pdf").read_bytes()


def test_quotation_marks_stay_where_they_are_printed(plain_docx_pdf: bytes) -> None:
    # The PDF holds the Western-font quotes after the line's Chinese run; pdfium gives them in
    # that order ("有“”件必审格局") unless the line is read by its characters' positions.
    source = SEED_FILES[0].read_text(encoding="utf-8")
    text = "".join(_squeezed(read_pdf(plain_docx_pdf).text.split("\n")))
    quoted = re.findall(r"“[^“”\n]{1,20}”", source)
    assert len(quoted) >= 5
    assert all(q in text for q in quoted), [q for q in quoted if q not in text]
    assert "“”" not in text


@pytest.mark.parametrize(
    ("next_line", "joined"), [("2024年度党组学习计划。", True), ("党组学习计划。", False)]
)
def test_a_line_left_short_by_a_number_the_wrap_moved_is_still_wrapped(
    next_line: str, joined: bool
) -> None:
    # LibreOffice keeps "2024" whole: "…列入" stops 1.4 character widths short of the margin,
    # and the paragraph goes on below. A line as short before Chinese text ends its paragraph.
    from model.ingest.pdf import Line, compose

    def line(text: str, right: float, base: float) -> Line:
        return Line(text, left=50.0, right=right, base=base, height=10.0)

    full = "把深入学习贯彻习近平法治思想作为重要内容，推进法治政府建设工作"
    page = [
        line(full, 530.0, 700.0),
        line(full, 530.0, 685.0),
        line("把深入学习贯彻习近平法治思想、学习党内法规作为重要内容，列入", 504.0, 670.0),
        line(next_line, 260.0, 655.0),
        line(full, 530.0, 640.0),
        line("完成。", 90.0, 625.0),
    ]
    text, _ = compose([page])
    assert ("列入\n" not in text) == joined
