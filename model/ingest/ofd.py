"""OFD (GB/T 33190, China's fixed-layout format): the text layer, page by page, in reading order.

An OFD is a zip of XML parts: OFD.xml names each document's Document.xml, which lists the
pages; each page's Content.xml places text objects on it in millimetres. The stdlib reads
that in about 150 lines; the PyPI readers either pull in PDF renderers or are early alphas.
Like a PDF's, the text comes out as visual lines: one per printed line.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from typing import NamedTuple
from xml.etree import ElementTree

from model.ingest.decode import Decoded, ReadError, normalise_codec

OFD_SUFFIXES = frozenset({".ofd"})
# Refuse a package whose parts would inflate past this (an OFD bomb), as for a .docx.
MAX_OFD_UNCOMPRESSED = 64 * 1024 * 1024
# Runs whose baselines differ by less than this share of the font size are one line.
_SAME_LINE = 0.5
# A gap wider than this many font sizes between runs on a line (table cells) becomes a space,
# and so does a narrower one beside Latin letters or digits: a word space left undrawn.
_CELL_GAP = 1.0
_WORD_GAP = 0.25
_DEFAULT_SIZE = 3.5  # mm: 10.5 pt, the usual body size, for objects that do not say
_IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_EXPAT_CODECS = frozenset({"utf-8", "utf8", "utf-16", "us-ascii", "ascii", "iso-8859-1"})


class _Run(NamedTuple):
    """One TextCode placed on the page: its baseline start, font size and advance width (mm)."""

    x: float
    y: float
    size: float
    width: float
    text: str


def read_ofd(data: bytes) -> Decoded:
    """Text of every page, in document order; lines in reading order, joined with newlines.

    Page templates (letterheads, backgrounds) and annotations (seals, signatures) are left
    out: the report's own text is in the pages' content.
    """
    if not data:
        raise ReadError("empty .ofd file")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, EOFError):
        raise ReadError("not a valid .ofd (not a zip package)") from None
    with archive:
        infos = [info for info in archive.infolist() if not info.is_dir()]
        inflated = sum(info.file_size for info in infos)
        if inflated > MAX_OFD_UNCOMPRESSED:
            raise ReadError(f"ofd inflates to {inflated} bytes, over {MAX_OFD_UNCOMPRESSED}")
        parts = {_normalise(info.filename): info for info in infos}
        if "OFD.xml" not in parts:
            raise ReadError("not an OFD package: no OFD.xml")
        pages: list[str] = []
        images = 0
        seen: set[str] = set()  # read each part once: a page listed 10^5 times is no bomb
        for document_path in _documents(archive, parts):
            document = _parse(archive, parts, document_path)
            for page in _descendants(document, "Page"):
                content_path = _resolve(parts, document_path, page.get("BaseLoc"))
                if content_path is None:
                    raise ReadError(f"damaged .ofd: page {page.get('BaseLoc')!r} is missing")
                if content_path in seen:
                    continue
                seen.add(content_path)
                content = _parse(archive, parts, content_path)
                images += sum(1 for _ in _descendants(content, "ImageObject"))
                pages.append(_page_text(list(_runs(content))))
    text = "\n".join(page for page in pages if page)
    if not text.strip():
        if images:
            raise ReadError("OFD has no text layer (a scan?): run OCR first")
        raise ReadError("empty .ofd: its pages hold no text")
    return Decoded(text, "ofd")


def _documents(archive: zipfile.ZipFile, parts: dict[str, zipfile.ZipInfo]) -> list[str]:
    """Paths of the Document.xml of each DocBody in OFD.xml (usually one)."""
    found = []
    for body in _descendants(_parse(archive, parts, "OFD.xml"), "DocBody"):
        for root in _descendants(body, "DocRoot"):
            path = _resolve(parts, "OFD.xml", root.text)
            if path is None:
                raise ReadError(f"damaged .ofd: document {root.text!r} is missing")
            found.append(path)
    if not found:
        raise ReadError("damaged .ofd: OFD.xml names no document")
    return list(dict.fromkeys(found))


def _normalise(name: str) -> str:
    name = name.replace("\\", "/")
    return posixpath.normpath(name.lstrip("/")) if name.strip("/") else ""


def _resolve(parts: dict[str, zipfile.ZipInfo], base: str, location: str | None) -> str | None:
    """A location inside the package: from the referencing part's folder, else from the root.

    The standard says relative to the referencing file; producers often write root-relative
    paths. A path that climbs out of the package resolves to nothing.
    """
    location = (location or "").strip().replace("\\", "/")
    if not location:
        return None
    folder = posixpath.dirname(base)
    candidates = [location] if location.startswith("/") else [f"{folder}/{location}", location]
    for candidate in candidates:
        path = _normalise(candidate)
        if path and not path.startswith("..") and path in parts:
            return path
    return None


def _parse(
    archive: zipfile.ZipFile, parts: dict[str, zipfile.ZipInfo], path: str
) -> ElementTree.Element:
    """One XML part, refusing DTDs (entity expansion) and decoding GBK-declared parts."""
    try:
        raw = archive.read(parts[path])
    except (zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError, EOFError) as exc:
        # RuntimeError: an encrypted entry; NotImplementedError: an unknown compression.
        raise ReadError(f"damaged .ofd: cannot read {path} ({exc})") from None
    if b"<!DOCTYPE" in raw or b"<!ENTITY" in raw:
        raise ReadError(f"damaged .ofd: {path} declares a DTD")
    declared = _XML_ENCODING.match(raw)
    markup: bytes | str = raw
    if declared and declared.group(1).decode("ascii").lower() not in _EXPAT_CODECS:
        codec = normalise_codec(declared.group(1).decode("ascii"))
        try:  # expat reads no GBK: decode here and drop the declaration
            markup = raw.decode(codec, errors="replace")
        except LookupError:
            raise ReadError(f"damaged .ofd: {path} has unknown encoding {codec!r}") from None
        markup = markup[markup.index("?>") + 2 :]
    try:
        return ElementTree.fromstring(markup)
    except ElementTree.ParseError as exc:
        raise ReadError(f"damaged .ofd: {path} is not well-formed XML ({exc})") from None


def _named(element: ElementTree.Element, name: str) -> bool:
    """Whether an element's local name is `name`: producers use several namespace URIs, or none."""
    return element.tag == name or element.tag.endswith("}" + name)


def _descendants(element: ElementTree.Element, name: str) -> Iterator[ElementTree.Element]:
    suffix = "}" + name  # the parser keeps no comments, so every tag is a string
    return (el for el in element.iter() if el.tag == name or el.tag.endswith(suffix))


def _floats(value: str | None) -> list[float]:
    """Numbers of an attribute ("x y w h", a CTM); an unreadable one gives []."""
    try:
        return [float(v) for v in (value or "").split()]
    except ValueError:
        return []


def _number(value: str | None, default: float) -> float:
    """One number of an attribute (X, Y, Size), or `default` when missing or unreadable."""
    if value is None:
        return default
    try:
        return float(value)
    except ValueError:
        return default


def _deltas(value: str | None) -> list[float]:
    """A DeltaX list, expanding the "g <count> <step>" shorthand."""
    tokens, out = (value or "").split(), []
    i = 0
    try:
        while i < len(tokens):
            if tokens[i] == "g" and i + 2 < len(tokens):
                out += [float(tokens[i + 2])] * min(int(tokens[i + 1]), 100_000)
                i += 3
            else:
                out.append(float(tokens[i]))
                i += 1
    except ValueError:
        return []
    return out


def _width(char: str, size: float) -> float:
    """A character's advance when the file does not say: full width for CJK, half otherwise."""
    return size if ord(char) > 0x2E7F else size / 2


def _advance(text: str, deltas: list[float], size: float) -> float:
    """Width of a run: its DeltaX steps and the last character, else estimated per character."""
    if deltas and text:
        return sum(deltas[: len(text) - 1]) + _width(text[-1], size)
    return sum(_width(c, size) for c in text)


def _runs(content: ElementTree.Element) -> Iterator[_Run]:
    """Every TextCode of a page's content, placed in page coordinates."""
    for obj in _descendants(content, "TextObject"):
        box = _floats(obj.get("Boundary")) + [0.0, 0.0]
        ctm = _floats(obj.get("CTM")) if "CTM" in obj.attrib else []
        a, b, c, d, e, f = ctm if len(ctm) == 6 else _IDENTITY
        scale = abs(a * d - b * c) ** 0.5 or 1.0
        size = _number(obj.get("Size"), _DEFAULT_SIZE)
        x = y = 0.0
        for code in obj:
            if not _named(code, "TextCode"):
                continue
            text = (code.text or "").replace("\r", "").replace("\n", "")
            x = _number(code.get("X"), x)  # a missing X or Y carries on from the last code
            y = _number(code.get("Y"), y)
            deltas = _deltas(code.get("DeltaX")) if "DeltaX" in code.attrib else []
            width = _advance(text, deltas, size)
            if text.strip():
                px, py = a * x + c * y + e + box[0], b * x + d * y + f + box[1]
                yield _Run(px, py, size * scale, width * scale, text)
            x += width


def _page_text(runs: list[_Run]) -> str:
    """Runs grouped into lines by baseline (top to bottom), each line read left to right."""
    unique = list({(r.text, round(r.x, 1), round(r.y, 1)): r for r in runs}.values())  # fake bold
    lines: list[list[_Run]] = []
    for run in sorted(unique, key=lambda r: (r.y, r.x)):
        line = lines[-1] if lines else None
        if line and abs(run.y - line[0].y) <= _SAME_LINE * max(run.size, line[0].size):
            line.append(run)
        else:
            lines.append([run])
    out = []
    for line in lines:
        line.sort(key=lambda r: r.x)
        pieces = [line[0].text]
        for before, run in zip(line, line[1:], strict=False):
            gap = run.x - (before.x + before.width)
            latin = before.text[-1].isascii() or run.text[0].isascii()
            spaced = gap > (_WORD_GAP if latin else _CELL_GAP) * run.size
            pieces.append((" " if spaced else "") + run.text)
        out.append("".join(pieces).strip())
    return "\n".join(line for line in out if line)
