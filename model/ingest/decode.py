"""Bytes to text: what every reader returns (`Decoded`), its error, and plain-text decoding.

Every reader records what it decoded from and raises `ReadError` with a one-line reason
instead of guessing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

# Tolerated share of undecodable bytes after detection (a stray byte in a long report);
# more than this and the detected encoding is not trusted.
_MAX_REPLACED = 0.001
_CHINESE_CODECS = ("gb18030", "big5")
# What a Chinese report is made of: CJK characters, their punctuation and full-width forms,
# printable ASCII and white space.
_PLAUSIBLE = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef\u2010-\u2027\x20-\x7e\s]")


class ReadError(ValueError):
    """A file that cannot be turned into report text, with a one-line reason."""


class NoTextLayer(ReadError):
    """A document of page images only (a scan): OCR may read it."""


@dataclass(frozen=True, slots=True)
class Decoded:
    """Text and what it was decoded from: a text encoding, or the container (docx, pdf …).

    `meta` is what the file says about the report beside its text: a page's <title> and meta
    tags (ArticleTitle, PubDate, ContentSource …), its visible 发布时间 / 来源 line, a document's
    properties. `notes` says what a reader did to the text (pages OCR'd, lines re-joined).
    """

    text: str
    encoding: str
    meta: Mapping[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


def normalise_codec(name: str) -> str:
    """GB2312/GBK are subsets of GB18030: decoding as the superset never loses a character."""
    name = name.lower().replace("_", "-")
    return "gb18030" if name in ("gb2312", "gbk", "cp936", "x-gbk") else name


def decode_as(data: bytes, encoding: str) -> Decoded:
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
        return decode_as(data[3:], "utf-8-sig")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return decode_as(data, "utf-16")
    if b"\x00" in data[:4096]:
        raise ReadError("binary data (NUL bytes), not a text report")
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    # Reports are Chinese: unrestricted detection takes short GBK texts for Korean (cp949).
    best = from_bytes(data, cp_isolation=list(_CHINESE_CODECS)).best() or from_bytes(data).best()
    if best is not None:
        return decode_as(data, normalise_codec(best.encoding))
    # Detection gives up on some long reports (a 30,000-character GB18030 one): a Chinese codec
    # that decodes every byte into Chinese text, punctuation and ASCII is then the answer.
    for codec in _CHINESE_CODECS:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if len(_PLAUSIBLE.findall(text)) >= 0.95 * len(text):
            return Decoded(text, codec)
    raise ReadError("cannot detect the text encoding")


def read_text_file(path: str | Path) -> Decoded:
    """Read a plain-text report with encoding detection."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ReadError(f"{path}: {exc.strerror or exc}") from None
    return decode_bytes(data)
