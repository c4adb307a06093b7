"""PDF: the text layer, page furniture taken out, lines that only the page width broke re-joined.

A PDF's text comes out a line at a time, at the width of the page, with page numbers ("— 3 —")
and running headers between the pages. The report typed as text has one line per paragraph, and
it must read the same (SPEC "Reports as they arrive"): so the reader returns one line per
paragraph. pdfium (pypdfium2) gives each line's position, which says whether it filled its line
and whether it is indented, and reads a 20-page report in tens of milliseconds; pypdf, which
needs no native code but is about twenty times slower, stands in without it and judges lines by
their lengths, as plain text is judged (model/ingest/layout.py).
"""

from __future__ import annotations

import ctypes
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median

from model.ingest.decode import Decoded, NoTextLayer, ReadError
from model.ingest.layout import (
    Shape,
    furniture_key,
    glue,
    indents_paragraphs,
    is_page_number,
    running_lines,
    soft_breaks,
    text_shapes,
)

PDF_SUFFIXES = frozenset({".pdf"})
NO_TEXT = "PDF has no text layer (a scan?)"
# A line whose right end is within this many character widths of the right margin filled its
# line (ragged right text stops up to two characters short, when a closing mark may not start
# the next line and takes a character with it; justified text reaches the margin).
_FULL_EMS = 2.0
# A Latin letter or digit is about this many character widths wide; a run of them is never split.
_LATIN_EMS = 0.6
_LATIN_RUN = re.compile(r"[0-9A-Za-z.,%]*")
_LATIN_MAX = 10  # a longer run (an address) would have been broken or stood on its own line
# A line that starts this many character widths right of the left margin is indented.
_INDENT_EMS = 0.8
# pypdf writes a space wherever the font changes or a justified line stretches; it cannot tell
# them from real ones, and Chinese text has none beside a Chinese character.
_CJK_GAP = re.compile(r"(?<=[^\x00-\x7f]) +| +(?=[^\x00-\x7f])")
# A gap between lines this many times the usual line pitch separates paragraphs.
_GAP_PITCHES = 1.6


@dataclass(frozen=True, slots=True)
class Line:
    """One printed line: its text, and where it sits (left, right, baseline; None without)."""

    text: str
    left: float | None = None
    right: float | None = None
    base: float | None = None
    height: float | None = None


def read_pdf(data: bytes) -> Decoded:
    """Report text of a PDF, one line per paragraph, with what was removed and joined in notes.

    Raises ReadError for an encrypted or damaged PDF, NoTextLayer for a scan (which
    `read_document` hands to OCR).
    """
    if not data:
        raise ReadError("damaged PDF: empty file")
    try:
        pages = _pdfium_pages(data)
        engine = "pdfium"
    except ImportError:
        pages = _pypdf_pages(data)
        engine = "pypdf"
    if not any(line.text.strip() for page in pages for line in page):
        raise NoTextLayer(NO_TEXT)
    text, notes = compose(pages)
    return Decoded(text, "pdf", notes=(f"pdf: {len(pages)} pages read with {engine}", *notes))


def compose(pages: Sequence[Sequence[Line]]) -> tuple[str, list[str]]:
    """The text of the pages without page furniture, wrapped lines joined; and what was done."""
    notes: list[str] = []
    body, removed = strip_furniture(pages)
    if removed:
        notes.append(f"removed {removed} page-number and running header/footer lines")
    lines = [line for page in body for line in page]
    if not lines:
        return "", notes
    shapes, indents = _shapes(lines, body)
    texts = [line.text for line in lines]
    soft = soft_breaks(texts, shapes, indents) if shapes else [False] * (len(lines) - 1)
    for i in _gaps(body):
        soft[i] = False
    out: list[str] = []
    joining = False
    for i, text in enumerate(texts):
        piece = text.strip()
        if joining:
            out[-1] += glue(out[-1], piece) + piece
        else:
            out.append(piece)
        joining = i < len(soft) and soft[i]
    if sum(soft):
        notes.append(f"joined {sum(soft)} wrapped lines into {len(out)} paragraphs")
    return "\n".join(out), notes


def strip_furniture(pages: Sequence[Sequence[Line]]) -> tuple[list[list[Line]], int]:
    """Pages without blank lines, page numbers and running headers and footers (lines repeated
    at the top or bottom of most pages); and how many lines went."""
    kept_pages = [[line for line in page if line.text.strip()] for page in pages]
    running = running_lines([[line.text for line in page] for page in kept_pages])
    body: list[list[Line]] = []
    removed = 0
    for page in kept_pages:
        edge = set(range(min(3, len(page)))) | set(range(max(0, len(page) - 3), len(page)))
        kept = []
        for k, line in enumerate(page):
            if k in edge and (is_page_number(line.text) or furniture_key(line.text) in running):
                removed += 1
            else:
                kept.append(line)
        body.append(kept)
    return body, removed


def _shapes(lines: list[Line], pages: list[list[Line]]) -> tuple[list[Shape], bool]:
    """Each line's shape from its position when known, else from its length (as plain text)."""
    if any(line.right is None for line in lines):
        found = text_shapes([line.text for line in lines])
        return found if found is not None else ([], False)
    em = median(line.height or 1.0 for line in lines)
    rights = sorted(line.right or 0.0 for line in lines)
    # The right margin: the right end that most lines reach, within a character.
    margin, best, lo = rights[-1], 0, 0
    for hi, right in enumerate(rights):
        while rights[lo] < right - em:
            lo += 1
        if hi - lo + 1 >= best:
            margin, best = right, hi - lo + 1
    full = sorted(r for r in rights if r >= margin - _FULL_EMS * em)
    exact = full[len(full) // 20] if full else margin
    lefts = sorted(line.left or 0.0 for line in lines)
    flush = lefts[len(lefts) // 10]
    # A line stops short when the next one opens with a Latin word or number the wrap could not
    # split ("…列入" then "2024年度…"): the line ends as far right as that word leaves it.
    reach = [
        (line.right or 0.0)
        + _LATIN_EMS * em * min(len(_LATIN_RUN.match(after.text.lstrip())[0]), _LATIN_MAX)
        for line, after in zip(lines, [*lines[1:], Line("")], strict=True)
    ]
    shapes = [
        Shape(
            right >= margin - _FULL_EMS * em,
            right >= exact,
            (line.left or 0.0) >= flush + _INDENT_EMS * em,
        )
        for line, right in zip(lines, reach, strict=True)
    ]
    return shapes, indents_paragraphs(shapes)


def _gaps(pages: list[list[Line]]) -> list[int]:
    """Indices (in all pages' lines) of lines followed, on the same page, by a wide gap."""
    pitches = [
        a.base - b.base
        for page in pages
        for a, b in zip(page, page[1:], strict=False)
        if a.base is not None and b.base is not None and a.base > b.base
    ]
    if not pitches:
        return []
    usual = median(pitches)
    found, at = [], 0
    for page in pages:
        for k in range(len(page) - 1):
            a, b = page[k], page[k + 1]
            if a.base is not None and b.base is not None and a.base - b.base > _GAP_PITCHES * usual:
                found.append(at + k)
        at += len(page)
    return found


# -- engines -------------------------------------------------------------------------------------


def _pdfium_pages(data: bytes) -> list[list[Line]]:
    """Lines of every page with their positions (pypdfium2)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise ReadError(_pdfium_reason(str(exc))) from None
    try:
        pages = []
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            try:
                pages.append(_page_lines(textpage, raw))
            finally:
                textpage.close()
                page.close()
        return pages
    except pdfium.PdfiumError as exc:
        raise ReadError(f"damaged PDF: {exc}") from None
    finally:
        document.close()


def _pdfium_reason(message: str) -> str:
    """ReadError text for pdfium's "Failed to load document (PDFium: Data format error)."."""
    if "password" in message.lower():
        return "encrypted PDF"
    reason = message.rpartition("PDFium: ")[2].rstrip(").") or message
    return f"damaged PDF: {reason[:1].lower()}{reason[1:]}"


# Quotation marks a writer may set in a Western font beside the Chinese run of a line: the PDF
# then holds them after the run, and pdfium gives them in that order ("有“”件必审格局" for
# "“有件必审”格局"), though their positions are right.
_OUT_OF_RUN = frozenset("“”‘’")


def _page_lines(textpage: object, raw: object) -> list[Line]:
    """The lines of one page: pdfium ends each with a generated CRLF; spaces it generated
    between a Chinese character and a Latin run (a font change, not a space) are dropped, and
    a line's quotation marks are put where their positions say (`_quotes_in_place`)."""
    text = textpage.get_text_range()  # type: ignore[attr-defined]
    positions = len(text) == textpage.count_chars()  # type: ignore[attr-defined]
    lines, start = [], 0
    for piece in text.split("\r\n"):
        end = start + len(piece)
        line_text, first, last = piece, len(piece) - len(piece.lstrip()), len(piece.rstrip()) - 1
        quoted = positions and not _OUT_OF_RUN.isdisjoint(piece)
        if " " in piece or quoted:  # most lines have neither: no step per character
            kept = [
                k
                for k, c in enumerate(piece)
                if c != " " or not _generated_gap(piece, k, textpage, raw, start + k)
            ]
            if quoted:
                kept = _quotes_in_place(kept, piece, start, textpage, raw)
            line_text = "".join(piece[k] for k in kept)
            words = [k for k in kept if not piece[k].isspace()]
            first, last = (words[0], words[-1]) if words else (0, -1)
        if positions and line_text.strip():
            left, bottom, _, top = textpage.get_charbox(start + first, loose=True)  # type: ignore[attr-defined]
            _, _, right, _ = textpage.get_charbox(start + last, loose=True)  # type: ignore[attr-defined]
            lines.append(Line(line_text, left, right, bottom, top - bottom))
        else:
            lines.append(Line(line_text))
        start = end + 2
    return lines


def _quotes_in_place(
    kept: list[int], piece: str, start: int, textpage: object, raw: object
) -> list[int]:
    """The line's characters (indices into `piece`) with each quotation mark moved to where its
    position puts it among the others, which are in reading order: a binary search over their
    origins, so a line costs a few lookups per mark rather than one per character."""
    seen: dict[int, float] = {}
    x_at, y_at = ctypes.c_double(), ctypes.c_double()

    def x(k: int) -> float:
        if k not in seen:
            raw.FPDFText_GetCharOrigin(textpage.raw, start + k, x_at, y_at)  # type: ignore[attr-defined]
            seen[k] = x_at.value
        return seen[k]

    placed = [k for k in kept if piece[k] not in _OUT_OF_RUN]
    for mark in sorted((k for k in kept if piece[k] in _OUT_OF_RUN), key=x):
        lo, hi = 0, len(placed)
        while lo < hi:
            mid = (lo + hi) // 2
            if x(placed[mid]) <= x(mark):
                lo = mid + 1
            else:
                hi = mid
        placed.insert(lo, mark)
    return placed


def _generated_gap(piece: str, k: int, textpage: object, raw: object, index: int) -> bool:
    """A space pdfium made up beside a Chinese character: a change of font before a Latin run,
    or a justified line's stretched spacing, not a space in the text (Latin words keep theirs)."""
    before, after = piece[k - 1 : k], piece[k + 1 : k + 2]
    if before.isascii() and after.isascii():
        return False
    return bool(raw.FPDFText_IsGenerated(textpage.raw, index))  # type: ignore[attr-defined]


def _pypdf_pages(data: bytes) -> list[list[Line]]:
    """Lines of every page, without positions (pypdf)."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ReadError("encrypted PDF")
        return [
            [Line(_CJK_GAP.sub("", line)) for line in (page.extract_text() or "").splitlines()]
            for page in reader.pages
        ]
    except ReadError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else repr(exc)
        raise ReadError(f"damaged PDF: {reason}") from None
