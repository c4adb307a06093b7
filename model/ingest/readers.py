"""Turn a report file's bytes into text: .txt in any Chinese encoding, .html, .docx, .pdf.

Shared by training, the CLI, the batch and the HTTP upload, so every entry point reads a file the
same way. Every reader records what it decoded from and raises `ReadError` with a one-line
reason instead of guessing.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

TEXT_SUFFIXES = frozenset({".txt", ".text", ".md"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".shtml", ".xhtml"})
DOCX_SUFFIXES = frozenset({".docx"})
PDF_SUFFIXES = frozenset({".pdf"})
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | DOCX_SUFFIXES | PDF_SUFFIXES

# A .docx is a zip: refuse one whose XML would inflate past this (a docx bomb).
MAX_DOCX_UNCOMPRESSED = 64 * 1024 * 1024
# Tolerated share of undecodable bytes after detection (a stray byte in a long report);
# more than this and the detected encoding is not trusted.
_MAX_REPLACED = 0.001
_CHINESE_CODECS = ("gb18030", "big5")


class ReadError(ValueError):
    """A file that cannot be turned into report text, with a one-line reason."""


@dataclass(frozen=True, slots=True)
class Decoded:
    """Text and what it was decoded from: a text encoding, or the docx/pdf container."""

    text: str
    encoding: str


def _normalise_codec(name: str) -> str:
    """GB2312/GBK are subsets of GB18030: decoding as the superset never loses a character."""
    name = name.lower().replace("_", "-")
    return "gb18030" if name in ("gb2312", "gbk", "cp936", "x-gbk") else name


def _decode_as(data: bytes, encoding: str) -> Decoded:
    """Decode strictly, tolerating only a handful of bad bytes, never silently mangling text."""
    try:
        return Decoded(data.decode(encoding), encoding)
    except UnicodeDecodeError:
        text = data.decode(encoding, errors="replace")
    except LookupError:
        raise ReadError(f"unknown text encoding {encoding!r}") from None
    if text.count("\ufffd") > max(1, len(text) * _MAX_REPLACED):
        raise ReadError(f"not valid {encoding}: too many undecodable bytes")
    return Decoded(text, encoding)


def decode_bytes(data: bytes) -> Decoded:
    """UTF-8 (with or without BOM) or UTF-16 by BOM, then charset detection; binary is refused."""
    if data.startswith(b"\xef\xbb\xbf"):
        return _decode_as(data[3:], "utf-8-sig")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _decode_as(data, "utf-16")
    if b"\x00" in data[:4096]:
        raise ReadError("binary data (NUL bytes), not a text report")
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    # Reports are Chinese: unrestricted detection takes short GBK texts for Korean (cp949).
    best = from_bytes(data, cp_isolation=list(_CHINESE_CODECS)).best() or from_bytes(data).best()
    if best is None:
        raise ReadError("cannot detect the text encoding")
    return _decode_as(data, _normalise_codec(best.encoding))


def read_text_file(path: str | Path) -> Decoded:
    """Read a plain-text report with encoding detection."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ReadError(f"{path}: {exc.strerror or exc}") from None
    return decode_bytes(data)


# -- HTML --------------------------------------------------------------------------------------

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_DROP_TAGS = (
    "script",
    "style",
    "noscript",
    "template",
    "iframe",
    "object",
    "embed",
    "svg",
    "canvas",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "button",
    "select",
    "input",
    "textarea",
    "head",
)
# id/class names that government sites give their menus, share bars and footers.
_CHROME_ATTR = re.compile(
    r"(?:^|[-_\s])(?:nav|navbar|menu|header|top|topbar|footer|foot|bottom|breadcrumbs?|crumbs?|"
    r"share|print|qrcode|ewm|sidebar|side|copyright|toolbar|related|position|location|dqwz)"
    r"(?:$|[-_\s\d])",
    re.I,
)
# Short lines of page furniture that survive structural cleaning.
_CHROME_LINE = re.compile(
    r"打印|关闭|扫一扫|分享到|收藏|主办单位|承办单位|协办单位|备案号|ICP备|公网安备|网站标识码|"
    r"版权所有|当前位置|您的位置|字号|【大 中 小】|网站地图|联系我们|技术支持"
)
_CHROME_LINE_MAX = 60
# A menu or footer is short; a "top"/"side" class on a block holding pages of text is layout.
_CHROME_TEXT_MAX = 400
_BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "blockquote",
        "body",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "li",
        "main",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "td",
        "th",
        "thead",
        "tr",
        "ul",
    ]
)
_SPACE = re.compile(r"[ \t\r\n\f\v]+")
# Source line breaks inside Chinese text become spaces in HTML; Chinese has no word spaces.
_CJK_SPACE = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef]) | (?=[\u3000-\u9fff\uff00-\uffef])")


def _html_text(data: bytes) -> tuple[str, str]:
    """(decoded markup, encoding): BOM, then the page's declared charset, then detection."""
    if not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        declared = _META_CHARSET.search(data[:4096])
        if declared:
            try:
                decoded = _decode_as(data, _normalise_codec(declared.group(1).decode("ascii")))
                return decoded.text, decoded.encoding
            except ReadError:
                pass  # a wrong declaration is common: fall back to detection
    decoded = decode_bytes(data)
    return decoded.text, decoded.encoding


def _block_lines(node: object) -> list[str]:
    """Visible text of `node`, one line per block element, whitespace collapsed as browsers do."""
    from bs4 import NavigableString, Tag

    parts: list[str] = []
    for el in node.descendants:  # type: ignore[attr-defined]
        if type(el) is NavigableString:
            parts.append(_SPACE.sub(" ", str(el)))
        elif isinstance(el, Tag) and (el.name in _BLOCK_TAGS or el.name == "br"):
            parts.append("\n")
    lines = (_CJK_SPACE.sub("", line).strip() for line in "".join(parts).split("\n"))
    return [line for line in lines if line]


def _content_root(body: object) -> object:
    """The element holding the article: most text in its paragraph-like children (readability)."""
    from bs4 import Tag

    scores: dict[int, float] = {}
    elements: dict[int, Tag] = {}
    for el in body.find_all(["p", "div", "td", "section", "li"]):  # type: ignore[attr-defined]
        if el.find(["p", "div", "td", "section", "table"]) is not None:
            continue  # score leaf blocks only; containers collect from them
        length = len(el.get_text(strip=True))
        if length < 20:
            continue
        for weight, ancestor in ((1.0, el.parent), (0.5, el.parent and el.parent.parent)):
            if isinstance(ancestor, Tag):
                scores[id(ancestor)] = scores.get(id(ancestor), 0.0) + weight * length
                elements[id(ancestor)] = ancestor
    if not scores:
        return body
    return elements[max(scores, key=scores.__getitem__)]


def read_html(data: bytes) -> Decoded:
    """Article text of a web page, without navigation, share/print bars and site footers."""
    from bs4 import BeautifulSoup, Tag

    markup, encoding = _html_text(data)
    soup = BeautifulSoup(markup, "lxml")
    title = soup.find("h1")
    title_text = title.get_text(" ", strip=True) if isinstance(title, Tag) else ""
    for el in soup.find_all(_DROP_TAGS):
        el.decompose()
    # Find the article first, so that a chrome-like class on one of its containers cannot cut
    # it out; then clear menus, share bars and footers inside it.
    root = _content_root(soup.body or soup)
    for el in root.find_all(True):
        if el.decomposed:
            continue
        names = " ".join([el.get("id") or "", *(el.get("class") or [])])
        if (
            names.strip()
            and _CHROME_ATTR.search(names)
            and len(el.get_text(strip=True)) <= _CHROME_TEXT_MAX
        ):
            el.decompose()
    lines = _block_lines(root)
    if title_text and title_text not in lines[:3]:
        lines.insert(0, title_text)
    kept = [
        line for line in lines if not (len(line) <= _CHROME_LINE_MAX and _CHROME_LINE.search(line))
    ]
    return Decoded("\n".join(kept), encoding)


# -- docx / pdf --------------------------------------------------------------------------------


def read_docx(data: bytes) -> Decoded:
    """Paragraphs and table rows of a Word document, in document order."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise ReadError("not a valid .docx (not a zip package)") from None
    if inflated > MAX_DOCX_UNCOMPRESSED:
        raise ReadError(f"docx inflates to {inflated} bytes, over {MAX_DOCX_UNCOMPRESSED}")
    import docx
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
        lines: list[str] = []
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                for row in block.rows:
                    cells = list(dict.fromkeys(c.text.strip() for c in row.cells if c.text.strip()))
                    lines.append("\t".join(cells))
            else:
                lines.append(block.text)
    except Exception as exc:  # python-docx raises KeyError, lxml and zip errors on damaged files
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ReadError(f"damaged .docx: {reason}") from None
    return Decoded("\n".join(line for line in lines if line.strip()), "docx")


def read_pdf(data: bytes) -> Decoded:
    """Text layer of a PDF (pypdf, pure Python); scanned PDFs without text are refused."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ReadError("encrypted PDF")
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
    except ReadError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise ReadError(f"damaged PDF: {str(exc).splitlines()[0] if str(exc) else exc!r}") from None
    if not text.strip():
        raise ReadError("PDF has no text layer (a scan?): run OCR first")
    return Decoded(text, "pdf")


def read_document(data: bytes, name: str) -> Decoded:
    """Report text from a file's bytes, the reader chosen by the file name's suffix.

    Raises ReadError for unsupported types, damaged files and documents with no text.
    """
    suffix = PurePosixPath(name.replace("\\", "/")).suffix.lower()
    if suffix in HTML_SUFFIXES:
        decoded = read_html(data)
    elif suffix in DOCX_SUFFIXES:
        decoded = read_docx(data)
    elif suffix in PDF_SUFFIXES:
        decoded = read_pdf(data)
    elif suffix in TEXT_SUFFIXES or not suffix:
        decoded = decode_bytes(data)
    elif suffix == ".doc":
        raise ReadError("legacy Word .doc is not supported: save it as .docx")
    else:
        raise ReadError(f"unsupported file type {suffix!r}")
    if not decoded.text.strip():
        raise ReadError("empty document: no text")
    return decoded
