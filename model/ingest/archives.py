"""Walk folders, .zip and .tar(.gz) archives and yield report files as bytes, safely.

Archive members are read into memory, never extracted, so a hostile archive cannot write
anywhere. Members with unsafe names (`..`, absolute paths), links and devices are refused,
and size limits stop zip bombs; each refusal is an `Item` with an error, so the caller can
record it and go on.
"""

from __future__ import annotations

import io
import os
import stat
import tarfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from model.ingest.readers import DOCUMENT_SUFFIXES

ZIP_SUFFIXES = (".zip",)
TAR_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz")
SEPARATOR = "::"
_CHUNK = 1 << 16


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds that keep a hostile or broken archive from exhausting memory or disk."""

    max_member_bytes: int = 50 * 1024 * 1024
    max_total_bytes: int = 2 * 1024 * 1024 * 1024
    max_ratio: float = 200.0
    max_members: int = 100_000
    # Below this size a high ratio is normal (a short, repetitive text) and harmless.
    ratio_floor: int = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Item:
    """One report file found in the inputs: its bytes, or why it could not be read."""

    source: str
    data: bytes | None = None
    error: str | None = None

    @property
    def name(self) -> str:
        """The innermost member path (or the file path), whose suffix picks the reader."""
        return self.source.rsplit(SEPARATOR, 1)[-1]


def _one_line(exc: BaseException) -> str:
    """An exception message fit for a record: some (tarfile's) span several lines."""
    return " ".join(str(exc).split()) or type(exc).__name__


class _LimitExceeded(Exception):
    """A member or an archive went over a limit while being read."""


def is_archive(name: str) -> bool:
    """Whether the file name is one of the archive types we open."""
    lower = name.lower()
    return lower.endswith(ZIP_SUFFIXES) or lower.endswith(TAR_SUFFIXES)


def is_document(name: str) -> bool:
    """Whether a reader exists for the file name's suffix."""
    return PurePosixPath(name).suffix.lower() in DOCUMENT_SUFFIXES


def unsafe_reason(name: str) -> str | None:
    """Why a member name could escape an extraction directory, or None when it is safe."""
    normal = name.replace("\\", "/")
    if normal.startswith("/") or (len(normal) > 1 and normal[1] == ":"):
        return f"absolute member path {name!r}"
    if ".." in normal.split("/"):
        return f"member path escapes the archive {name!r}"
    return None


def zip_member_name(info: zipfile.ZipInfo) -> str:
    """The member name, decoding legacy (non-UTF-8 flagged) names as UTF-8, else GB18030.

    Chinese Windows tools write GBK names without the UTF-8 flag; Python reads them as CP437.
    """
    if info.flag_bits & 0x800:
        return info.filename
    raw = info.filename.encode("cp437")
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


def _read_bounded(stream: IO[bytes], limit: int) -> bytes:
    """Read a stream but stop as soon as it passes `limit` bytes (sizes in headers can lie)."""
    buffer = io.BytesIO()
    while chunk := stream.read(_CHUNK):
        buffer.write(chunk)
        if buffer.tell() > limit:
            raise _LimitExceeded(f"member larger than the {limit}-byte limit")
    return buffer.getvalue()


class _Budget:
    """Running totals for one archive: uncompressed bytes and member count."""

    def __init__(self, limits: Limits, packed: int) -> None:
        self.limits, self.packed, self.total, self.members = limits, packed, 0, 0

    def admit(self) -> None:
        self.members += 1
        if self.members > self.limits.max_members:
            raise _LimitExceeded(f"more than {self.limits.max_members} members")

    def charge(self, size: int) -> None:
        self.total += size
        limits = self.limits
        if self.total > limits.max_total_bytes:
            raise _LimitExceeded(f"uncompressed size over the {limits.max_total_bytes}-byte limit")
        if self.total > limits.ratio_floor and self.total > limits.max_ratio * max(self.packed, 1):
            raise _LimitExceeded(
                f"compression ratio over {limits.max_ratio:g} (zip bomb?): "
                f"{self.total} bytes from {self.packed}"
            )


def _zip_items(
    prefix: str, file: str | IO[bytes], packed: int, limits: Limits, depth: int
) -> Iterator[Item]:
    budget = _Budget(limits, packed)
    with zipfile.ZipFile(file) as archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            name = zip_member_name(info)
            source = f"{prefix}{SEPARATOR}{name}"
            budget.admit()
            if reason := unsafe_reason(name):
                yield Item(source, error=reason)
                continue
            if stat.S_ISLNK(info.external_attr >> 16):
                yield Item(source, error="symbolic link member refused")
                continue
            if not (is_document(name) or is_archive(name)):
                continue
            if info.flag_bits & 0x1:
                yield Item(source, error="encrypted member")
                continue
            if info.file_size > limits.max_member_bytes:
                yield Item(source, error=f"member of {info.file_size} bytes over the limit")
                continue
            if info.file_size > limits.ratio_floor and info.file_size > limits.max_ratio * max(
                info.compress_size, 1
            ):
                yield Item(
                    source,
                    error=f"compression ratio over {limits.max_ratio:g} (zip bomb?): "
                    f"{info.file_size} bytes from {info.compress_size}",
                )
                continue
            try:
                with archive.open(info) as stream:
                    data = _read_bounded(stream, limits.max_member_bytes)
            except _LimitExceeded as exc:
                yield Item(source, error=str(exc))
                continue
            except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
                yield Item(source, error=f"unreadable member: {_one_line(exc)}")
                continue
            budget.charge(len(data))
            yield from _member(source, data, limits, depth)


def _tar_items(
    prefix: str, file: str | IO[bytes], packed: int, limits: Limits, depth: int
) -> Iterator[Item]:
    budget = _Budget(limits, packed)
    path, fileobj = (file, None) if isinstance(file, str) else (None, file)
    with tarfile.open(name=path, fileobj=fileobj, mode="r:*") as archive:
        for info in archive:
            if info.isdir():
                continue
            source = f"{prefix}{SEPARATOR}{info.name}"
            budget.admit()
            if reason := unsafe_reason(info.name):
                yield Item(source, error=reason)
            elif info.issym() or info.islnk():
                yield Item(source, error=f"link member refused (-> {info.linkname})")
            elif not info.isfile():
                yield Item(source, error="device, FIFO or special member refused")
            elif not (is_document(info.name) or is_archive(info.name)):
                continue
            elif info.size > limits.max_member_bytes:
                yield Item(source, error=f"member of {info.size} bytes over the limit")
            else:
                stream = archive.extractfile(info)
                if stream is None:
                    yield Item(source, error="unreadable member")
                    continue
                data = _read_bounded(stream, limits.max_member_bytes)
                budget.charge(len(data))
                yield from _member(source, data, limits, depth)


def _member(source: str, data: bytes, limits: Limits, depth: int) -> Iterator[Item]:
    """A document, or a nested archive opened from memory when still one level deep."""
    if not is_archive(source.rsplit(SEPARATOR, 1)[-1]):
        yield Item(source, data)
    elif depth >= 1:
        yield Item(source, error="archive nested more than one level deep")
    else:
        yield from _archive_items(source, io.BytesIO(data), len(data), limits, depth + 1)


def _archive_items(
    source: str, file: str | IO[bytes], packed: int, limits: Limits, depth: int = 0
) -> Iterator[Item]:
    """Items of one archive; a damaged or over-limit archive ends in one error item."""
    lower = source.rsplit(SEPARATOR, 1)[-1].lower()
    reader = _zip_items if lower.endswith(ZIP_SUFFIXES) else _tar_items
    try:
        yield from reader(source, file, packed, limits, depth)
    except _LimitExceeded as exc:
        yield Item(source, error=f"archive stopped: {exc}")
    except (zipfile.BadZipFile, tarfile.TarError, OSError, EOFError, ValueError) as exc:
        yield Item(source, error=f"damaged archive: {_one_line(exc)}")


def _file_items(path: Path, limits: Limits) -> Iterator[Item]:
    source = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        yield Item(source, error=exc.strerror or _one_line(exc))
        return
    if is_archive(path.name):
        yield from _archive_items(source, source, size, limits)
        return
    if size > limits.max_member_bytes:
        yield Item(source, error=f"file of {size} bytes over the limit")
        return
    try:
        yield Item(source, path.read_bytes())
    except OSError as exc:
        yield Item(source, error=exc.strerror or _one_line(exc))


def walk(
    inputs: Iterable[str | os.PathLike[str]],
    limits: Limits | None = None,
    exclude: Iterable[str | os.PathLike[str]] = (),
) -> Iterator[Item]:
    """Every report in the inputs, lazily: files, folders (recursively, sorted) and archives.

    Files given by name are always tried; inside folders and archives only known document
    and archive types are, so images and stylesheets next to the reports are passed over.
    Folders in `exclude` (an output folder inside an input folder) are not entered.
    """
    limits = limits or Limits()
    skipped = {Path(p).resolve() for p in exclude}
    for given in inputs:
        path = Path(given)
        if path.is_dir():
            for folder, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if (Path(folder) / d).resolve() not in skipped)
                for name in sorted(files):
                    if is_document(name) or is_archive(name):
                        yield from _file_items(Path(folder) / name, limits)
        else:
            yield from _file_items(path, limits)
