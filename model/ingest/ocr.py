"""Scans: page images and image-only PDFs read by OCR (the optional `ocr` extra).

RapidOCR 3 on onnxruntime: its PP-OCRv6 Chinese models ship inside the wheel, so nothing is
fetched at run time. PDF pages are rendered with pdfium (pypdfium2).
"""

from __future__ import annotations

import functools
import io
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from model.ingest.decode import Decoded, ReadError

if TYPE_CHECKING:
    from PIL.Image import Image as Picture

MISSING_EXTRA = "image-only: install fzreport[ocr] to read scans"
# The engine shrinks any image whose long side is over this before detection, so rendering a
# page larger only costs time; an A4 page at 2000 px is ~170 dpi, ample for 小四 Chinese.
_MAX_SIDE = 2000
_MAX_SCALE = 3.0  # small pages (A5, receipts) are rendered up to 216 dpi, no more
# Two boxes are on one line when their centres are closer than this share of a line's height.
_SAME_LINE = 0.5
# A horizontal gap wider than this share of the line height separates two cells or fields.
_WIDE_GAP = 1.0

# A page takes seconds: a scan longer than this is refused rather than read for half an hour.
MAX_PAGES = 60

Box = tuple[float, float, float, float, str]  # left, top, right, bottom, text


def read_image(data: bytes) -> Decoded:
    """Text of one scanned page (.png, .jpg)."""
    image = _open_image(data)
    text = _recognise(image)
    if not text.strip():
        raise ReadError("OCR found no text in the image")
    return Decoded(text, "ocr", notes=("ocr: pages 1-1",))


def read_scanned_pdf(data: bytes) -> Decoded:
    """Text of a PDF without a text layer: every page rendered to an image, then OCR'd."""
    try:
        import pypdfium2 as pdfium
    except ImportError:
        raise ReadError(MISSING_EXTRA) from None
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise ReadError(f"damaged PDF: {_first_line(exc)}") from None
    try:
        if len(pdf) == 0:
            raise ReadError("PDF has no pages")
        if len(pdf) > MAX_PAGES:
            raise ReadError(f"a scan of {len(pdf)} pages is over the OCR limit of {MAX_PAGES}")
        pages = [_recognise(image) for image in _render_pages(pdf)]
    finally:
        pdf.close()
    text = "\n".join(pages)
    if not text.strip():
        raise ReadError(f"OCR found no text on {len(pages)} scanned pages")
    return Decoded(text, "ocr", notes=(f"ocr: pages 1-{len(pages)}",))


def join_lines(boxes: Iterable[Box]) -> str:
    """Lines in reading order from OCR boxes: top to bottom, and left to right within a line.

    One printed line may come back as several boxes (a wide gap, a date beside a source):
    they are joined, with a space only where the gap is wide.
    """
    lines: list[list[Box]] = []
    for box in sorted(boxes, key=lambda b: ((b[1] + b[3]) / 2, b[0])):
        centre, height = (box[1] + box[3]) / 2, box[3] - box[1]
        if lines:
            last = lines[-1]
            top = min(b[1] for b in last)
            bottom = max(b[3] for b in last)
            limit = _SAME_LINE * min(height, bottom - top)
            if abs(centre - (top + bottom) / 2) <= limit:
                last.append(box)
                continue
        lines.append([box])
    return "\n".join(_join_line(sorted(line)) for line in lines)


def _join_line(line: Sequence[Box]) -> str:
    """One line's boxes, left to right."""
    height = max(b[3] - b[1] for b in line)
    parts = [line[0][4]]
    for before, box in zip(line, line[1:], strict=False):
        parts.append(" " if box[0] - before[2] > _WIDE_GAP * height else "")
        parts.append(box[4])
    return "".join(parts)


def _open_image(data: bytes) -> Picture:
    """A decoded RGB image; Pillow reads lazily, so damage shows only on `load`."""
    try:
        from PIL import Image, ImageOps, UnidentifiedImageError
    except ImportError:
        raise ReadError(MISSING_EXTRA) from None
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
        image = ImageOps.exif_transpose(image)  # phone photos are stored sideways
    except UnidentifiedImageError:  # its message names the BytesIO object, not the cause
        raise ReadError("damaged image: not a readable PNG or JPEG") from None
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ReadError(f"damaged image: {_first_line(exc)}") from None
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        # Transparent pixels are text-coloured black under a plain convert: lay them on paper.
        rgba = image.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, "white")
        return Image.alpha_composite(paper, rgba).convert("RGB")
    return image.convert("RGB")


def _render_pages(pdf: Any) -> Iterable[Picture]:
    """Each page as an image, one at a time, so a long scan never sits in memory whole."""
    for index in range(len(pdf)):
        page = pdf[index]
        try:
            width, height = page.get_size()
            scale = min(_MAX_SCALE, _MAX_SIDE / max(width, height, 1.0))
            bitmap = page.render(scale=scale)
            image = bitmap.to_pil().convert("RGB")
            bitmap.close()
        except Exception as exc:  # pdfium raises PdfiumError, or ValueError for a broken page
            raise ReadError(f"damaged PDF page {index + 1}: {_first_line(exc)}") from None
        finally:
            page.close()
        yield image


def _recognise(image: Picture) -> str:
    """The text of one page image, lines rebuilt from the engine's boxes."""
    engine = _engine()
    try:
        result = engine(image)
    except Exception as exc:  # onnxruntime and OpenCV errors have no common base
        raise ReadError(f"OCR failed: {_first_line(exc)}") from None
    if result.boxes is None or result.txts is None:
        return ""
    boxes: list[Box] = []
    for points, text in zip(result.boxes, result.txts, strict=True):
        xs = [float(p[0]) for p in points]
        ys = [float(p[1]) for p in points]
        boxes.append((min(xs), min(ys), max(xs), max(ys), text))
    return join_lines(boxes)


@functools.cache
def _engine() -> Any:
    """The OCR engine, built once per process on first use (its models load on first call)."""
    try:
        import onnxruntime  # noqa: F401  (RapidOCR does not require it; without it, no engine)
        from rapidocr import RapidOCR
    except ImportError:
        raise ReadError(MISSING_EXTRA) from None
    return RapidOCR(params={"Global.log_level": "warning", "Global.max_side_len": _MAX_SIDE})


def _first_line(exc: BaseException) -> str:
    """An exception's message fit for a one-line reason."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
