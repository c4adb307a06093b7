"""Saved web archives (.mht/.mhtml): the page inside, read as any saved web page is."""

from __future__ import annotations

from dataclasses import replace

from model.ingest.decode import Decoded, ReadError, normalise_codec

MHT_SUFFIXES = frozenset({".mht", ".mhtml"})
_UTF8_BOM = b"\xef\xbb\xbf"
# Tools default to these when they do not know: on a Chinese page's non-ASCII bytes they are
# never right, and would decode anything without an error.
_DEFAULT_CHARSETS = frozenset({"us-ascii", "ascii", "iso-8859-1", "latin-1", "windows-1252"})


def read_mht(data: bytes) -> Decoded:
    """Article text of the archive's first HTML part, through `read_html`.

    The MIME header's charset is what the saving browser wrote the bytes in; the page's own
    <meta charset> may be stale, so a part whose bytes decode in the MIME charset goes to
    `read_html` as UTF-8 with a BOM, which it trusts over the page's declaration.
    """
    import email
    import email.policy

    from model.ingest.html import read_html

    if not data.strip():
        raise ReadError("empty .mht file")
    try:
        message = email.message_from_bytes(data, policy=email.policy.compat32)
        part = next((p for p in message.walk() if p.get_content_type() == "text/html"), None)
        if part is None:
            raise ReadError("not a saved web page: the .mht has no text/html part")
        payload = part.get_payload(decode=True)
    except ReadError:
        raise
    except Exception as exc:  # the email parser is lenient; a decoder may still give up
        raise ReadError(f"damaged .mht: {exc}") from None
    if not isinstance(payload, bytes) or not payload.strip():
        raise ReadError("empty .mht: its text/html part has no content")
    charset = part.get_content_charset()
    if charset and not (charset.lower() in _DEFAULT_CHARSETS and not payload.isascii()):
        try:
            text = payload.decode(normalise_codec(charset)).lstrip("\ufeff")
            payload = _UTF8_BOM + text.encode("utf-8")
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong or unknown MIME charset: let read_html detect the encoding
    return replace(read_html(payload), encoding="mht")
