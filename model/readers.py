"""Turn bytes into report text: encoding detection for .txt (GB18030/GBK/Big5 are common)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class ReadError(ValueError):
    """A file that cannot be turned into report text, with a one-line reason."""


@dataclass(frozen=True, slots=True)
class Decoded:
    """Text and the encoding it was decoded from."""

    text: str
    encoding: str


def decode_bytes(data: bytes) -> Decoded:
    """UTF-8 (with or without BOM) first, then charset detection; binary data is refused."""
    if data.startswith(b"\xef\xbb\xbf"):
        return Decoded(data[3:].decode("utf-8", errors="replace"), "utf-8-sig")
    if b"\x00" in data[:4096]:
        raise ReadError("binary data (NUL bytes), not a text report")
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise ReadError("cannot detect the text encoding")
    encoding = best.encoding
    if encoding in ("gb2312", "gbk"):  # GB18030 is a superset: never lose a rare character
        encoding = "gb18030"
    return Decoded(data.decode(encoding, errors="replace"), encoding)


def read_text_file(path: str | Path) -> Decoded:
    """Read a plain-text report with encoding detection."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ReadError(f"{path}: {exc.strerror or exc}") from None
    return decode_bytes(data)
