"""Turn a report file's bytes into text, whatever its format: the one reader of every entry point.

Training, the command line, the batch and the HTTP upload all call `read_document`, so every
entry point reads a file the same way. The format is chosen by the content (magic bytes) first
and the file name's suffix second: a .pdf that is really a .docx is read as a .docx.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import PurePosixPath

from model.ingest.decode import Decoded, NoTextLayer, ReadError, decode_bytes, read_text_file
from model.ingest.html import HTML_SUFFIXES
from model.ingest.mht import MHT_SUFFIXES
from model.ingest.ofd import OFD_SUFFIXES
from model.ingest.office import DOC_SUFFIXES, DOCX_SUFFIXES, WPS_SUFFIXES
from model.ingest.pdf import PDF_SUFFIXES

__all__ = ["DOCUMENT_SUFFIXES", "SUPPORTED_SUFFIXES", "Decoded", "ReadError", "decode_bytes"]
__all__ += ["read_document", "read_text_file", "sniff"]

TEXT_SUFFIXES = frozenset({".txt", ".text", ".md"})
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg"})  # scanned pages, read by OCR
# Reports the batch picks up in folders and archives. Images are left out there: a saved page's
# folder holds its logos, and a scan comes as a PDF; an image given by name is read all the same.
DOCUMENT_SUFFIXES = (
    TEXT_SUFFIXES
    | HTML_SUFFIXES
    | MHT_SUFFIXES
    | DOCX_SUFFIXES
    | DOC_SUFFIXES
    | WPS_SUFFIXES
    | OFD_SUFFIXES
    | PDF_SUFFIXES
)
# Everything a reader exists for (what the web page's upload accepts).
SUPPORTED_SUFFIXES = DOCUMENT_SUFFIXES | IMAGE_SUFFIXES

_HTML_START = (b"<!doctype html", b"<html", b"<head", b"<meta", b"<body", b"<?xml")
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_IMAGES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")
# The reader of each format: module and function, imported when first needed.
_READERS = {
    "html": ("model.ingest.html", "read_html"),
    "mht": ("model.ingest.mht", "read_mht"),
    "docx": ("model.ingest.office", "read_docx"),
    "doc": ("model.ingest.office", "read_doc"),
    "wps": ("model.ingest.office", "read_wps"),
    "ofd": ("model.ingest.ofd", "read_ofd"),
    "pdf": ("model.ingest.pdf", "read_pdf"),
    "image": ("model.ingest.ocr", "read_image"),
}


def sniff(data: bytes, name: str) -> str:
    """The format of a file, from its first bytes, then from the suffix of its name.

    One of "pdf", "docx", "ofd", "doc", "wps", "mht", "html", "image", "text", or the suffix
    itself (without the dot) when neither says more (an unsupported type).
    """
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    suffix = PurePosixPath(name.replace("\\", "/")).suffix.lower()
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        if b"word/" in data[:65536]:
            return "docx"
        if b"OFD.xml" in data[:65536] or suffix in OFD_SUFFIXES:
            return "ofd"
        return "docx" if suffix in DOCX_SUFFIXES else suffix.lstrip(".") or "zip"
    if data.startswith(_OLE2):  # Word 97-2003 and WPS documents are OLE2 compound files
        return "wps" if suffix in WPS_SUFFIXES else "doc"
    if data.startswith(_IMAGES):
        return "image"
    if suffix in MHT_SUFFIXES or head.startswith(b"mime-version:") and b"multipart/related" in head:
        return "mht"
    if suffix in HTML_SUFFIXES or head.startswith(_HTML_START) and b"<html" in data[:4096].lower():
        return "html"
    if suffix in TEXT_SUFFIXES or not suffix:
        return "text"
    if suffix in DOCX_SUFFIXES | OFD_SUFFIXES | PDF_SUFFIXES:
        return suffix.lstrip(".")  # not what the name says: its reader says so
    return suffix.lstrip(".")


def read_document(data: bytes, name: str) -> Decoded:
    """Report text from a file's bytes, the reader chosen by `sniff`.

    Raises ReadError for unsupported types, damaged files and documents with no text.
    """
    kind = sniff(data, name)
    if kind == "text":
        decoded = decode_bytes(data)
    elif kind in _READERS:
        module, function = _READERS[kind]
        try:
            decoded = getattr(import_module(module), function)(data)
        except NoTextLayer as scan:
            if kind != "pdf":
                raise
            from model.ingest.ocr import read_scanned_pdf  # a scan: OCR, when the extra is there

            try:
                decoded = read_scanned_pdf(data)
            except ReadError as exc:
                raise ReadError(f"{scan}; {exc}") from None
    else:
        raise ReadError(f"unsupported file type .{kind}")
    if not decoded.text.strip():
        raise ReadError("empty document: no text")
    return decoded
