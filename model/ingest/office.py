"""Word documents: .docx (python-docx)."""

from __future__ import annotations

import contextlib
import io
import zipfile
from typing import Any

from model.ingest.decode import Decoded, ReadError

DOCX_SUFFIXES = frozenset({".docx"})
# A .docx is a zip: refuse one whose XML would inflate past this (a docx bomb).
MAX_DOCX_UNCOMPRESSED = 64 * 1024 * 1024


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# What a run's children read as, as python-docx's Run.text reads them; a w:br is a line break
# unless it breaks a page or column.
_RUN_TEXT = {f"{_W}tab": "\t", f"{_W}ptab": "\t", f"{_W}cr": "\n", f"{_W}noBreakHyphen": "-"}


def _paragraph_text(paragraph: Any) -> str:
    """A w:p's text as python-docx's Paragraph.text gives it (its runs and hyperlinks' runs),
    read straight from the XML: Word splits a paragraph into a run at every change of script,
    and a proxy object per run made reading a 20,000-character report take 50 ms."""
    parts: list[str] = []
    for child in paragraph:
        runs = [child] if child.tag == f"{_W}r" else child if child.tag == f"{_W}hyperlink" else ()
        for run in runs:
            if run.tag != f"{_W}r":
                continue
            for item in run:
                if item.tag == f"{_W}t":
                    parts.append(item.text or "")
                elif item.tag == f"{_W}br":
                    if item.get(f"{_W}type") in (None, "textWrapping"):
                        parts.append("\n")
                elif item.tag in _RUN_TEXT:
                    parts.append(_RUN_TEXT[item.tag])
    return "".join(parts)


def read_docx(data: bytes) -> Decoded:
    """Paragraphs and table rows of a Word document, in document order.

    Only the main document part: headers, footers and footnotes stay out of the body.
    """
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
        for block in document.element.body:
            if block.tag == f"{_W}p":
                lines.append(_paragraph_text(block))
            elif block.tag == f"{_W}tbl":
                for row in Table(block, document).rows:
                    cells = list(dict.fromkeys(c.text.strip() for c in row.cells if c.text.strip()))
                    lines.append("\t".join(cells))
    except Exception as exc:  # python-docx raises KeyError, lxml and zip errors on damaged files
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ReadError(f"damaged .docx: {reason}") from None
    return Decoded("\n".join(line for line in lines if line.strip()), "docx")


# -- legacy Word (.doc) and WPS (.wps): OLE2 compound files ------------------------------------

DOC_SUFFIXES = frozenset({".doc"})
WPS_SUFFIXES = frozenset({".wps"})
# A conversion that takes longer is a file LibreOffice is stuck on, not a long report.
SOFFICE_TIMEOUT = 120.0
_INSTALL_HINT = "apt-get install libreoffice-writer-nogui"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Government sites often serve RTF or Word 2003 XML under a .doc name; LibreOffice reads both.
_RTF_MAGIC = b"{\\rtf"
_WORD_XML = (b'progid="Word.Document"', b"schemas.microsoft.com/office/word/2003/wordml")
_OLE2_HEADER = 512
_FREE_SECTOR = 0xFFFFFFFF
_FIB_IDENT = 0xA5EC  # the first two bytes of a Word 97-2003 WordDocument stream
_FIB_ENCRYPTED = 0x0100


def read_doc(data: bytes) -> Decoded:
    """Text of a Word 97-2003 document, read as the .docx LibreOffice converts it to.

    Converting and reading with `read_docx` gives exactly the text a .docx of the same
    content gives, so a report's wording does not depend on how it was saved.
    """
    return _read_legacy(data, "doc")


def read_wps(data: bytes) -> Decoded:
    """Text of a Kingsoft WPS Writer document: an OLE2 file in Word 97's layout."""
    return _read_legacy(data, "wps")


def _read_legacy(data: bytes, kind: str) -> Decoded:
    """Check the container, then convert with LibreOffice, or read a .doc with antiword."""
    import shutil

    disguised = _disguised(data)
    if disguised is None:
        _check_ole2(data, kind)
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice:
        converted = _convert_to_docx(soffice, data, disguised or kind)
        try:
            decoded = read_docx(converted)
        except ReadError as exc:
            raise ReadError(f"damaged .{kind}: {exc}") from None
        notes = (*decoded.notes, "converted by LibreOffice")
        return Decoded(decoded.text, kind, decoded.meta, notes)
    antiword = shutil.which("antiword")
    if antiword and disguised is None:
        return Decoded(_antiword_text(antiword, data, kind), kind, notes=("read by antiword",))
    raise ReadError(f".{kind} needs LibreOffice: {_INSTALL_HINT}")


def _disguised(data: bytes) -> str | None:
    """ "rtf" or "xml" (Word 2003 XML) for a text format under a .doc name, else None."""
    head = data[:4096].lstrip()
    if head.startswith(_RTF_MAGIC):
        return "rtf"
    if head.startswith(b"<?xml") and any(mark in head for mark in _WORD_XML):
        return "xml"
    return None


def _check_ole2(data: bytes, kind: str) -> None:
    """Refuse empty, foreign, truncated and password-protected files before starting LibreOffice.

    LibreOffice takes seconds to say a file is damaged and may salvage part of a truncated
    one; the compound-file header and directory tell the reason at once.
    """
    if not data:
        raise ReadError(f"empty .{kind} file")
    if not data.startswith(_OLE2_MAGIC):
        raise ReadError(f"not a Word 97-2003 .{kind} (no OLE2 compound-file header)")
    if len(data) < _OLE2_HEADER:
        raise ReadError(f"truncated .{kind}: {len(data)} bytes, shorter than its header")
    shift = int.from_bytes(data[30:32], "little")
    if shift not in (9, 12):
        raise ReadError(f"damaged .{kind}: sector size 2^{shift} in the OLE2 header")
    n_fat = int.from_bytes(data[44:48], "little")
    directory = int.from_bytes(data[48:52], "little")
    # The header lists the first 109 sectors of the allocation table: each must be in the file.
    fat = [int.from_bytes(data[76 + 4 * i : 80 + 4 * i], "little") for i in range(min(n_fat, 109))]
    for sector in (directory, *fat):
        if sector == _FREE_SECTOR or (sector + 2) << shift > len(data):
            raise ReadError(f"truncated .{kind}: its sector tables lie past the end of the file")
    streams = _ole2_streams(data)
    if "EncryptedPackage" in streams or "EncryptionInfo" in streams:
        raise ReadError(f"password-protected .{kind} (encrypted): cannot read its text")
    if "WordDocument" in streams:
        start, size = streams["WordDocument"]
        offset = (start + 1) << shift
        if offset + 12 > len(data) or size > len(data):
            raise ReadError(f"truncated .{kind}: its WordDocument stream lies past the end")
        # The stream starts with the FIB; under 4 KiB it would sit in the mini stream instead.
        ident = int.from_bytes(data[offset : offset + 2], "little")
        flags = int.from_bytes(data[offset + 10 : offset + 12], "little")
        if size >= 4096 and ident == _FIB_IDENT and flags & _FIB_ENCRYPTED:
            raise ReadError(f"password-protected .{kind} (encrypted): cannot read its text")
    elif kind == "doc":  # WPS versions before 2005 use other streams: let LibreOffice judge
        raise ReadError("not a Word document: an OLE2 file without a WordDocument stream")


def _ole2_streams(data: bytes) -> dict[str, tuple[int, int]]:
    """(first sector, size) of the named streams, found by their 128-byte directory entries.

    Entries are 128-byte aligned and carry their own name length, so a scan for the few
    names we need is exact without walking the allocation table.
    """
    streams: dict[str, tuple[int, int]] = {}
    for name in ("WordDocument", "EncryptedPackage", "EncryptionInfo"):
        key = name.encode("utf-16-le")
        at = data.find(key, _OLE2_HEADER)
        while at != -1:
            entry = data[at : at + 128]
            named = len(entry) == 128 and int.from_bytes(entry[64:66], "little") == len(key) + 2
            if at % 128 == 0 and named and entry[66] == 2:  # 2: a stream, not a storage
                start = int.from_bytes(entry[116:120], "little")
                streams[name] = (start, int.from_bytes(entry[120:124], "little"))
                break
            at = data.find(key, at + 1)
    return streams


def _run(command: list[str], timeout: float, what: str) -> tuple[int, bytes, bytes]:
    """Run a converter in its own process group, so a timeout kills it and all its children."""
    import os
    import signal
    import subprocess

    try:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    except OSError as exc:
        raise ReadError(f"cannot start {what}: {exc.strerror or exc}") from None
    try:
        out, err = process.communicate(timeout=timeout)
    except BaseException as exc:  # a timeout, or an interrupt: never leave soffice.bin behind
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        if isinstance(exc, subprocess.TimeoutExpired):
            raise ReadError(f"{what} gave no result within {timeout:g} s") from None
        raise
    return process.returncode, out, err


def _convert_to_docx(soffice: str, data: bytes, suffix: str) -> bytes:
    """LibreOffice's .docx of the file, converted in a private folder with a fresh profile.

    Each call has its own user profile: two LibreOffice processes sharing one refuse to run
    side by side, and the batch reads files in parallel.
    """
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory(prefix="fzreport-soffice-") as tmp:
        source = Path(tmp, f"report.{suffix}")
        source.write_bytes(data)
        outdir = Path(tmp, "out")
        command = [
            soffice,
            f"-env:UserInstallation={Path(tmp, 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "docx",
            "--outdir",
            str(outdir),
            str(source),
        ]
        _, _, err = _run(command, SOFFICE_TIMEOUT, "LibreOffice")
        result = outdir / "report.docx"
        if not result.is_file():
            said = [line for line in err.decode(errors="replace").splitlines() if "rror" in line]
            reason = f" ({said[0].strip()})" if said else ""
            raise ReadError(f"damaged .{suffix}: LibreOffice could not open it{reason}")
        return result.read_bytes()


def _antiword_text(antiword: str, data: bytes, kind: str) -> str:
    """A .doc's paragraphs through antiword: unwrapped lines, UTF-8, picture marks dropped."""
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory(prefix="fzreport-antiword-") as tmp:
        source = Path(tmp, f"report.{kind}")
        source.write_bytes(data)
        command = [antiword, "-w", "0", "-m", "UTF-8.txt", str(source)]
        code, out, err = _run(command, SOFFICE_TIMEOUT, "antiword")
    if code != 0:
        said = err.decode(errors="replace").strip().splitlines()
        reason = f": {said[-1]}" if said else ""
        raise ReadError(f"damaged .{kind}: antiword could not read it{reason}")
    lines = (line.strip() for line in out.decode("utf-8", errors="replace").splitlines())
    return "\n".join(line for line in lines if line and line != "[pic]")
