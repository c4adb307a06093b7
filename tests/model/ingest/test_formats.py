"""Legacy Word (.doc), WPS (.wps), OFD and .mht readers, on real files built from the seeds.

Each format's text must equal what a .docx (or .html) of the same content reads as, up to
whitespace: a report's wording must not depend on how it was saved.
"""

from __future__ import annotations

import io
import json
import random
import re
import shutil
import subprocess
import tempfile
import threading
import time
import zipfile
from email.message import EmailMessage
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from model.ingest import office
from model.ingest.decode import ReadError
from model.ingest.html import read_html
from model.ingest.mht import read_mht
from model.ingest.ofd import read_ofd
from model.ingest.office import read_doc, read_docx, read_wps
from model.ingest.readers import read_document
from service.cli import main
from tests.conftest import SEED_FILES

SOFFICE = shutil.which("soffice")
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="needs LibreOffice (make office)")
needs_antiword = pytest.mark.skipif(shutil.which("antiword") is None, reason="needs antiword")
SEEDS = SEED_FILES[:5]


def squash(text: str) -> str:
    """Text without whitespace: line breaks differ between formats, the wording must not."""
    return re.sub(r"\s+", "", text)


def paragraphs(seed: Path) -> list[str]:
    return [line.strip() for line in seed.read_text(encoding="utf-8").splitlines() if line.strip()]


def make_docx(lines: list[str]) -> bytes:
    import docx

    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def soffice_convert(source: Path, target: str) -> bytes:
    """`source` converted by LibreOffice to `target` ("doc", or "xml:<filter name>"), with a
    private profile."""
    with tempfile.TemporaryDirectory() as tmp:
        profile = Path(tmp, "profile").as_uri()
        command = [SOFFICE, f"-env:UserInstallation={profile}", "--headless"]
        command += ["--convert-to", target, "--outdir", tmp, str(source)]
        subprocess.run(command, check=True, capture_output=True, timeout=120)
        return Path(tmp, f"{source.stem}.{target.split(':')[0]}").read_bytes()


# -- .doc and .wps ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def word_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, bytes]:
    """(.docx, the .doc LibreOffice saves it as) of the first seed report."""
    if SOFFICE is None:
        pytest.skip("needs LibreOffice (make office)")
    folder = tmp_path_factory.mktemp("word")
    source = folder / "report.docx"
    source.write_bytes(make_docx(paragraphs(SEEDS[0])))
    return source.read_bytes(), soffice_convert(source, "doc")


@needs_soffice
def test_doc_reads_as_its_docx(word_files: tuple[bytes, bytes]) -> None:
    docx_bytes, doc_bytes = word_files
    decoded = read_doc(doc_bytes)
    assert decoded.encoding == "doc"
    assert "converted by LibreOffice" in decoded.notes
    assert squash(decoded.text) == squash(read_docx(docx_bytes).text)
    assert decoded.text.splitlines() == read_docx(docx_bytes).text.splitlines()


@needs_soffice
def test_wps_reads_as_its_docx(word_files: tuple[bytes, bytes]) -> None:
    # LibreOffice cannot write .wps. A Kingsoft WPS .wps is an OLE2 file in Word 97's layout,
    # so a Word 97 .doc under a .wps name stands in for one.
    docx_bytes, doc_bytes = word_files
    decoded = read_document(doc_bytes, "报告.wps")
    assert decoded.encoding == "wps"
    assert squash(decoded.text) == squash(read_docx(docx_bytes).text)
    assert read_wps(doc_bytes).text == decoded.text


@needs_soffice
def test_doc_through_the_dispatcher(word_files: tuple[bytes, bytes]) -> None:
    docx_bytes, doc_bytes = word_files
    assert read_document(doc_bytes, "x.doc").text == read_doc(doc_bytes).text
    # The content decides: a .doc saved under a .docx name is still read as a .doc.
    assert read_document(doc_bytes, "x.docx").encoding == "doc"


@needs_soffice
def test_rtf_named_doc_is_read() -> None:
    """Sites often serve RTF as .doc: LibreOffice reads it too."""
    text = "第一段：行政复议案件131件。"
    body = "".join(f"\\u{ord(c)}?" if ord(c) > 127 else c for c in text)
    rtf = ("{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0 SimSun;}}\\f0 " + body + "\\par}").encode("ascii")
    decoded = read_document(rtf, "通知.doc")
    assert (decoded.encoding, decoded.text) == ("doc", text)


@needs_soffice
def test_word_2003_xml_named_doc_is_read(tmp_path: Path) -> None:
    """Word 2003 XML saved as .doc (Word and WPS both offer it) reads as its .docx."""
    source = tmp_path / "report.docx"
    source.write_bytes(make_docx(paragraphs(SEEDS[1])))
    xml = soffice_convert(source, "xml:MS Word 2003 XML")
    assert xml.startswith(b"<?xml")
    decoded = read_document(xml, "report.doc")
    assert decoded.encoding == "doc"
    assert squash(decoded.text) == squash(read_docx(source.read_bytes()).text)


@needs_soffice
def test_parallel_conversions_do_not_clash(word_files: tuple[bytes, bytes]) -> None:
    """Each call has its own LibreOffice profile, so the batch may convert side by side."""
    _, doc_bytes = word_files
    results: list[str] = []
    errors: list[Exception] = []

    def convert() -> None:
        try:
            results.append(read_doc(doc_bytes).text)
        except Exception as exc:  # collected: an exception in a thread would be lost
            errors.append(exc)

    threads = [threading.Thread(target=convert) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(results) == 2 and results[0] == results[1]


@needs_soffice
@needs_antiword
def test_doc_by_antiword_without_libreoffice(
    word_files: tuple[bytes, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    found = shutil.which
    monkeypatch.setattr(shutil, "which", lambda name: None if "office" in name else found(name))
    docx_bytes, doc_bytes = word_files
    decoded = read_doc(doc_bytes)
    assert decoded.notes == ("read by antiword",)
    assert squash(decoded.text) == squash(read_docx(docx_bytes).text)


def test_legacy_formats_say_they_need_libreoffice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    rtf = b"{\\rtf1\\ansi Report\\par}"
    with pytest.raises(ReadError, match=r"needs LibreOffice: apt-get install libreoffice-writer"):
        read_doc(rtf)
    with pytest.raises(ReadError, match=r"^\.doc needs LibreOffice"):
        read_doc(b'<?xml version="1.0"?>\n<?mso-application progid="Word.Document"?><w:x/>')
    with pytest.raises(ReadError, match=r"^\.wps needs LibreOffice"):
        read_wps(rtf)


def ole2_header(fat_sector: int, directory_sector: int) -> bytes:
    """A compound-file header alone: 512-byte sectors, one allocation-table sector."""
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    header[30:32] = (9).to_bytes(2, "little")
    header[44:48] = (1).to_bytes(4, "little")
    header[48:52] = directory_sector.to_bytes(4, "little")
    header[76:80] = fat_sector.to_bytes(4, "little")
    return bytes(header)


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "x.doc", r"^empty \.doc file$"),
        (b"", "x.wps", r"^empty \.wps file$"),
        (random.Random(0).randbytes(4096), "x.doc", r"not a Word 97-2003 \.doc"),
        (b"PK\x05\x06" + bytes(18), "x.doc", r"not a Word 97-2003 \.doc"),
        (ole2_header(0, 1), "x.doc", r"^truncated \.doc"),
        (ole2_header(0, 1)[:300], "x.wps", r"^truncated \.wps"),
        (ole2_header(0, 1) + bytes(1024), "x.doc", r"without a WordDocument stream"),
    ],
)
def test_bad_word_files(data: bytes, name: str, message: str) -> None:
    """Refused from the header, before LibreOffice is started: fast and with a reason."""
    started = time.perf_counter()
    with pytest.raises(ReadError, match=message):
        read_document(data, name)
    assert time.perf_counter() - started < 5


@needs_soffice
def test_damaged_word_files(word_files: tuple[bytes, bytes]) -> None:
    _, doc_bytes = word_files
    with pytest.raises(ReadError, match=r"^truncated \.doc"):
        read_doc(doc_bytes[: len(doc_bytes) // 2])
    at = office._ole2_streams(doc_bytes)["WordDocument"][0] + 1 << 9
    encrypted = bytearray(doc_bytes)
    encrypted[at + 11] |= 0x01  # the FIB's fEncrypted flag
    with pytest.raises(ReadError, match=r"^password-protected \.doc"):
        read_doc(bytes(encrypted))
    garbled = bytearray(doc_bytes)
    garbled[at : at + 4096] = random.Random(1).randbytes(4096)
    with pytest.raises(ReadError, match=r"^damaged \.doc: LibreOffice could not open it"):
        read_doc(bytes(garbled))


@needs_soffice
def test_conversion_timeout_leaves_no_process(
    word_files: tuple[bytes, bytes], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    psutil = pytest.importorskip("psutil")
    monkeypatch.setattr(office, "SOFFICE_TIMEOUT", 0.3)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the profile's folder, to find it
    with pytest.raises(ReadError, match=r"LibreOffice gave no result within 0.3 s"):
        read_doc(word_files[1])
    time.sleep(0.2)
    left = [
        p.info["pid"]
        for p in psutil.process_iter(["pid", "cmdline"])
        if str(tmp_path) in " ".join(p.info["cmdline"] or [])
    ]
    assert left == []


# -- OFD ----------------------------------------------------------------------------------------

NS = "http://www.ofdspec.org/2016"
PAGE_W, PAGE_H, MARGIN, SIZE = 210.0, 297.0, 25.0, 4.2  # mm: A4, 12 pt text
PER_LINE = int((PAGE_W - 2 * MARGIN) // SIZE)
LINES_PER_PAGE = int((PAGE_H - 2 * MARGIN) // (SIZE * 1.5))


def ofd_xml(root: str, body: str, **attributes: str) -> str:
    attrs = "".join(f' {k}="{v}"' for k, v in attributes.items())
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<ofd:{root} xmlns:ofd="{NS}"{attrs}>{body}</ofd:{root}>'
    )


def steps(text: str, size: float = SIZE) -> list[float]:
    """Each character's advance: full width for Chinese, half for ASCII, as in SimSun."""
    return [size if ord(c) > 0x2E7F else size / 2 for c in text]


def delta_x(advances: list[float]) -> str:
    """A DeltaX list, equal steps written in the "g <count> <step>" shorthand."""
    out: list[str] = []
    i = 0
    while i < len(advances):
        j = i
        while j < len(advances) and advances[j] == advances[i]:
            j += 1
        out.append(f"g {j - i} {advances[i]}" if j - i > 1 else f"{advances[i]}")
        i = j
    return " ".join(out)


def text_object(ident: int, x: float, y: float, text: str, size: float = SIZE) -> str:
    """One line of text: a TextObject whose TextCode spaces characters by DeltaX, as producers
    of official documents write them."""
    advances = steps(text, size)
    boundary = f"{x} {y} {sum(advances) + 1:.2f} {size * 1.4:.2f}"
    return (
        f'<ofd:TextObject ID="{ident}" Boundary="{boundary}" Font="2" Size="{size}">'
        f'<ofd:FillColor Value="0 0 0"/><ofd:TextCode X="0" Y="{size:.2f}" '
        f'DeltaX="{delta_x(advances[:-1])}">{escape(text)}</ofd:TextCode></ofd:TextObject>'
    )


def layout(lines: list[str], split: bool = True) -> list[list[tuple[float, float, str]]]:
    """(x, y, text) runs of each page: lines wrapped at the text width, pages filled in turn.

    With `split`, each printed line is drawn as two text objects, the second one first, so
    the reader must order runs by position, not by their order in the file.
    """
    printed = [line[i : i + PER_LINE] for line in lines for i in range(0, len(line), PER_LINE)]
    pages = []
    for start in range(0, len(printed), LINES_PER_PAGE):
        runs: list[tuple[float, float, str]] = []
        for row, text in enumerate(printed[start : start + LINES_PER_PAGE]):
            y = MARGIN + row * SIZE * 1.5
            cut = len(text) // 2 if split and len(text) > 1 else len(text)
            if cut < len(text):
                runs.append((MARGIN + sum(steps(text[:cut])), y, text[cut:]))
            runs.append((MARGIN, y, text[:cut]))
        pages.append(runs)
    return pages


def make_ofd(pages: list[list[tuple[float, float, str]]], *, absolute: bool = False) -> bytes:
    """A minimal valid OFD package: OFD.xml, Document.xml, PublicRes.xml and one Content.xml
    per page, text objects on a body layer."""
    doc_info = "<ofd:DocInfo><ofd:DocID>0</ofd:DocID><ofd:Title>报告</ofd:Title></ofd:DocInfo>"
    root = "/Doc_0/Document.xml" if absolute else "Doc_0/Document.xml"
    ofd = ofd_xml(
        "OFD",
        f"<ofd:DocBody>{doc_info}<ofd:DocRoot>{root}</ofd:DocRoot></ofd:DocBody>",
        Version="1.0",
        DocType="OFD",
    )
    page_refs = "".join(
        f'<ofd:Page ID="{10 + i}" BaseLoc="'
        + ("/Doc_0/" if absolute else "")
        + f'Pages/Page_{i}/Content.xml"/>'
        for i in range(len(pages))
    )
    common = (
        f"<ofd:CommonData><ofd:MaxUnitID>{10_000}</ofd:MaxUnitID>"
        f"<ofd:PageArea><ofd:PhysicalBox>0 0 {PAGE_W} {PAGE_H}</ofd:PhysicalBox></ofd:PageArea>"
        "<ofd:PublicRes>PublicRes.xml</ofd:PublicRes></ofd:CommonData>"
    )
    document = ofd_xml("Document", f"{common}<ofd:Pages>{page_refs}</ofd:Pages>")
    fonts = '<ofd:Fonts><ofd:Font ID="2" FontName="宋体" FamilyName="宋体"/></ofd:Fonts>'
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("OFD.xml", ofd)
        archive.writestr("Doc_0/Document.xml", document)
        archive.writestr("Doc_0/PublicRes.xml", ofd_xml("Res", fonts, BaseLoc="Res"))
        ident = 100
        for i, runs in enumerate(pages):
            objects = ""
            for x, y, text in runs:
                objects += text_object(ident, x, y, text)
                ident += 1
            body = f'<ofd:Content><ofd:Layer ID="{ident}" Type="Body">{objects}</ofd:Layer>'
            archive.writestr(
                f"Doc_0/Pages/Page_{i}/Content.xml", ofd_xml("Page", body + "</ofd:Content>")
            )
    return buffer.getvalue()


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name[:3])
def test_ofd_reads_as_its_docx(seed: Path) -> None:
    lines = paragraphs(seed)
    pages = layout(lines)
    decoded = read_ofd(make_ofd(pages))
    assert decoded.encoding == "ofd"
    assert squash(decoded.text) == squash(read_docx(make_docx(lines)).text)
    assert len(decoded.text.splitlines()) == sum(len({y for _, y, _ in p}) for p in pages)


def test_ofd_pages_and_lines_in_reading_order() -> None:
    first = [(MARGIN, 40.0, "第一行"), (MARGIN + 3 * SIZE, 40.1, "接着写"), (MARGIN, 30.0, "标题")]
    second = [(MARGIN, 60.0, "第二页末行"), (MARGIN, 30.0, "第二页首行")]
    table = [(MARGIN, 50.0, "项目"), (MARGIN + 30, 50.0, "131件")]  # cells far apart
    text = read_document(make_ofd([first + table, second]), "报告.ofd").text
    assert text.splitlines() == ["标题", "第一行接着写", "项目 131件", "第二页首行", "第二页末行"]


def test_ofd_text_drawn_one_character_at_a_time() -> None:
    """Some producers place every character on its own, and leave word spaces undrawn: the
    characters join up, with a space where a gap beside a Latin letter or digit was left."""
    line = "发布时间：2025-03-06 11:37 来源：Wuhan"
    xs = [MARGIN + sum(steps(line[:i])) for i in range(len(line))]
    runs = [(x, 30.0, c) for x, c in zip(xs, line, strict=True) if c != " "]
    assert read_ofd(make_ofd([runs[::-1]])).text == line


def test_ofd_absolute_locations() -> None:
    pages = layout(["一、主要举措", "（一）深化行政复议体制改革。"], split=False)
    assert (
        read_ofd(make_ofd(pages, absolute=True)).text
        == "一、主要举措\n（一）深化行政复议体制改革。"
    )


def rewrite(data: bytes, change: dict[str, bytes | None]) -> bytes:
    """The package with some parts replaced (bytes) or removed (None)."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            if info.filename not in change:
                target.writestr(info, source.read(info))
        for name, part in change.items():
            if part is not None:
                target.writestr(name, part)
    return buffer.getvalue()


def test_ofd_gbk_declared_part() -> None:
    good = make_ofd([[(MARGIN, 30.0, "法治政府建设")]])
    with zipfile.ZipFile(io.BytesIO(good)) as archive:
        content = archive.read("Doc_0/Pages/Page_0/Content.xml").decode("utf-8")
    gbk = content.replace('encoding="UTF-8"', 'encoding="GB2312"').encode("gb18030")
    assert read_ofd(rewrite(good, {"Doc_0/Pages/Page_0/Content.xml": gbk})).text == "法治政府建设"


def test_ofd_page_listed_twice_is_read_once() -> None:
    """A page list naming one content part over and over must not multiply the work."""
    good = make_ofd([[(MARGIN, 30.0, "正文")]])
    with zipfile.ZipFile(io.BytesIO(good)) as archive:
        document = archive.read("Doc_0/Document.xml").decode("utf-8")
    page = re.search(r"<ofd:Page [^>]*/>", document).group(0)
    document = document.replace(page, page * 10_000)
    assert read_ofd(rewrite(good, {"Doc_0/Document.xml": document.encode()})).text == "正文"


def zip_of(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, part in parts.items():
            archive.writestr(name, part)
    return buffer.getvalue()


GOOD_OFD = make_ofd([[(MARGIN, 30.0, "正文")]])
CONTENT = "Doc_0/Pages/Page_0/Content.xml"
OUTSIDE = ofd_xml(
    "OFD", "<ofd:DocBody><ofd:DocRoot>../../etc/Document.xml</ofd:DocRoot></ofd:DocBody>"
)
IMAGE_PAGE = ofd_xml(
    "Page",
    '<ofd:Content><ofd:Layer ID="1"><ofd:ImageObject ID="2" Boundary="0 0 210 297" '
    'ResourceID="3"/></ofd:Layer></ofd:Content>',
)
BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY lol "lol"><!ENTITY l2 "&lol;&lol;">]>'
    b"<ofd:Page xmlns:ofd='http://www.ofdspec.org/2016'>&l2;</ofd:Page>"
)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", r"^empty \.ofd file$"),
        (b"%not a zip at all", r"not a valid \.ofd \(not a zip package\)"),
        (GOOD_OFD[: len(GOOD_OFD) // 2], r"not a valid \.ofd"),
        (zip_of({"Doc_0/Document.xml": b"<x/>"}), r"not an OFD package: no OFD\.xml"),
        (zip_of({"OFD.xml": b"<ofd:OFD"}), r"OFD\.xml is not well-formed XML"),
        (zip_of({"OFD.xml": ofd_xml("OFD", "")}), r"OFD\.xml names no document"),
        (
            zip_of({"OFD.xml": OUTSIDE.encode()}),
            r"document '\.\./\.\./etc/Document\.xml' is missing",
        ),
        (rewrite(GOOD_OFD, {CONTENT: None}), r"page 'Pages/Page_0/Content\.xml' is missing"),
        (rewrite(GOOD_OFD, {CONTENT: IMAGE_PAGE.encode()}), r"no text layer \(a scan\?\)"),
        (rewrite(GOOD_OFD, {CONTENT: ofd_xml("Page", "").encode()}), r"pages hold no text"),
        (rewrite(GOOD_OFD, {CONTENT: BILLION_LAUGHS}), r"Content\.xml declares a DTD"),
    ],
)
def test_bad_ofd(data: bytes, message: str) -> None:
    with pytest.raises(ReadError, match=message):
        read_document(data, "报告.ofd")


def test_ofd_bomb_is_refused_unread() -> None:
    bomb = rewrite(GOOD_OFD, {"Doc_0/Res/padding.bin": bytes(65 * 1024 * 1024)})
    assert len(bomb) < 1024 * 1024
    with pytest.raises(ReadError, match=r"ofd inflates to \d+ bytes, over 67108864"):
        read_document(bomb, "x.ofd")


# -- .mht ---------------------------------------------------------------------------------------

PAGE = """<!DOCTYPE html><html><head><meta charset="{declared}">
<title>某区2024年法治政府建设年度报告</title></head><body>
<div class="nav">首页 > 政务公开</div><div id="content">
<h1>某区2024年法治政府建设年度报告</h1>
<p>2024年，我区坚持以习近平法治思想为指导，全面推进法治政府建设。</p>
<p>全年办理行政复议案件131件，行政机关负责人出庭应诉率达100%。</p>
<p>一是部分执法人员法治意识有待加强；二是基层法治力量较为薄弱。</p>
</div><div class="footer">版权所有：某区人民政府</div></body></html>"""


def make_mht(html: str, charset: str, cte: str, *, image_first: bool = False) -> bytes:
    """An archive as browsers save one: multipart/related, the page and its image."""
    message = EmailMessage()
    message["Subject"] = "某区2024年法治政府建设年度报告"
    message["MIME-Version"] = "1.0"
    page = EmailMessage()
    page.set_content(html, subtype="html", charset=charset, cte=cte)
    page["Content-Location"] = "http://www.example.gov.cn/art/2025/1/10/art_1.html"
    image = EmailMessage()
    image.set_content(b"\x89PNG\r\n\x1a\n" + bytes(64), maintype="image", subtype="png")
    message.make_mixed()
    message.set_type("multipart/related")
    for part in (image, page) if image_first else (page, image):
        message.attach(part)
    return message.as_bytes()


@pytest.mark.parametrize("charset", ["utf-8", "gb18030", "gb2312"])
@pytest.mark.parametrize("cte", ["quoted-printable", "base64"])
def test_mht_reads_as_its_html(charset: str, cte: str) -> None:
    html = PAGE.format(declared=charset)
    decoded = read_mht(make_mht(html, charset, cte))
    assert decoded.encoding == "mht"
    assert decoded.text == read_html(html.encode("utf-8-sig")).text
    assert "出庭应诉率达100%" in decoded.text
    assert "版权所有" not in decoded.text


def test_mht_trusts_the_mime_charset_over_a_stale_meta() -> None:
    """A page saved from GBK bytes whose <meta> still says UTF-8."""
    html = PAGE.format(declared="utf-8")
    decoded = read_document(make_mht(html, "gb18030", "base64"), "报告.mhtml")
    assert decoded.text == read_html(html.encode("utf-8")).text


def test_mht_takes_the_first_html_part() -> None:
    html = PAGE.format(declared="utf-8")
    decoded = read_document(make_mht(html, "utf-8", "quoted-printable", image_first=True), "a.mht")
    assert decoded.text == read_html(html.encode("utf-8")).text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", r"^empty \.mht file$"),
        (b"MIME-Version: 1.0\nContent-Type: text/plain\n\nhello", r"no text/html part"),
        (
            b'MIME-Version: 1.0\nContent-Type: multipart/related; boundary="b"\n\n--b\n'
            b"Content-Type: image/png\n\nPNG\n--b--\n",
            r"^not a saved web page: the \.mht has no text/html part$",
        ),
        (b"MIME-Version: 1.0\nContent-Type: text/html\n\n  \n", r"text/html part has no content"),
    ],
)
def test_bad_mht(data: bytes, message: str) -> None:
    with pytest.raises(ReadError, match=message):
        read_document(data, "x.mht")


# -- the command line ---------------------------------------------------------------------------


def summarise_json(capsys: pytest.CaptureFixture[str], path: Path) -> dict:
    capsys.readouterr()
    out = io.StringIO()
    code = main(["summarise", str(path), "--format", "json"], out=out)
    assert code == 0, capsys.readouterr().err
    return json.loads(out.getvalue())


def check_summary_of(result: dict, source: Path, seed: Path) -> None:
    assert result["source"] == str(source)
    assert 0 < len(result["sentences"]) <= 5
    whole = squash(seed.read_text(encoding="utf-8"))
    assert all(squash(s["text"]) in whole for s in result["sentences"])


def test_cli_summarises_an_ofd(capsys, model_env: Path, tmp_path: Path) -> None:
    path = tmp_path / "报告.ofd"
    path.write_bytes(make_ofd(layout(paragraphs(SEEDS[3]), split=False)))
    check_summary_of(summarise_json(capsys, path), path, SEEDS[3])


@needs_soffice
def test_cli_summarises_a_doc(
    capsys, model_env: Path, tmp_path: Path, word_files: tuple[bytes, bytes]
) -> None:
    path = tmp_path / "报告.doc"
    path.write_bytes(word_files[1])
    check_summary_of(summarise_json(capsys, path), path, SEEDS[0])


def test_cli_reports_a_bad_ofd(capsys, model_env: Path, tmp_path: Path) -> None:
    path = tmp_path / "坏.ofd"
    path.write_bytes(zip_of({"readme.txt": b"hi"}))
    assert main(["summarise", str(path), "--format", "json"], out=io.StringIO()) != 0
    assert "no OFD.xml" in capsys.readouterr().err
