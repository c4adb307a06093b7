"""PDF: the text layer (pypdf)."""

from __future__ import annotations

import io

from model.ingest.decode import Decoded, NoTextLayer, ReadError

PDF_SUFFIXES = frozenset({".pdf"})


def read_pdf(data: bytes) -> Decoded:
    """Text layer of a PDF (pypdf, pure Python); a PDF without one raises NoTextLayer."""
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
        raise NoTextLayer("PDF has no text layer (a scan?)")
    return Decoded(text, "pdf")
