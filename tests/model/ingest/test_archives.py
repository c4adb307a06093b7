"""Archive walking: folders, zip, tar, nesting, and archives built to attack the reader."""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

import pytest

from model.ingest.archives import Item, Limits, walk

TEXT = "一、主要举措和成效。全年办理行政复议案件131件。".encode()


class _RawNameInfo(zipfile.ZipInfo):
    """Writes the member name as GBK bytes without the UTF-8 flag, as Chinese Windows tools do."""

    def _encodeFilenameFlags(self) -> tuple[bytes, int]:  # noqa: N802 (zipfile's own name)
        return self.filename.encode("gbk"), self.flag_bits


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _tar(path: Path, members: list[tuple[tarfile.TarInfo, bytes | None]]) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        for info, data in members:
            if data is not None:
                info.size = len(data)
            archive.addfile(info, io.BytesIO(data) if data is not None else None)
    return path


def _by_source(items: list[Item]) -> dict[str, Item]:
    return {item.source.split("::", 1)[-1]: item for item in items}


def test_folder_is_walked_recursively_in_order_skipping_other_types(tmp_path: Path) -> None:
    (tmp_path / "b" / "c").mkdir(parents=True)
    (tmp_path / "b" / "c" / "deep.txt").write_bytes(TEXT)
    (tmp_path / "a.html").write_bytes(b"<p>x</p>")
    (tmp_path / "logo.png").write_bytes(b"\x89PNG")
    (tmp_path / "b" / "z.docx").write_bytes(b"x")
    sources = [item.source for item in walk([tmp_path])]
    assert sources == [
        str(tmp_path / "a.html"),
        str(tmp_path / "b/z.docx"),
        str(tmp_path / "b/c/deep.txt"),
    ]


def test_zip_members_are_read_in_memory(tmp_path: Path) -> None:
    archive = _zip(
        tmp_path / "reports.zip", {"2023/a.txt": TEXT, "2023/b.htm": b"<p>x</p>", "x.css": b""}
    )
    items = list(walk([archive]))
    assert [i.source for i in items] == [f"{archive}::2023/a.txt", f"{archive}::2023/b.htm"]
    assert items[0].data == TEXT and items[0].error is None
    assert items[0].name == "2023/a.txt"


def test_gbk_member_names_are_decoded(tmp_path: Path) -> None:
    path = tmp_path / "gbk.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(_RawNameInfo("2023年/司法局法治政府建设报告.txt"), "内容".encode("gbk"))
        archive.writestr("utf8名.txt", TEXT)  # flagged UTF-8 by zipfile itself
    names = [item.source.split("::")[1] for item in walk([path])]
    assert names == ["2023年/司法局法治政府建设报告.txt", "utf8名.txt"]


@pytest.mark.parametrize(
    ("member", "reason"),
    [
        ("../x.txt", "escapes"),
        ("a/../../x.txt", "escapes"),
        ("/etc/x.txt", "absolute"),
        ("C:\\x.txt", "absolute"),
    ],
)
def test_unsafe_zip_member_paths_are_refused(tmp_path: Path, member: str, reason: str) -> None:
    work = tmp_path / "work"
    work.mkdir()
    archive = _zip(work / "evil.zip", {member: TEXT, "fine.txt": TEXT})
    items = _by_source(list(walk([archive])))
    assert reason in (items[member].error or "")
    assert items[member].data is None
    assert items["fine.txt"].data == TEXT
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["evil.zip", "work"]


def test_zip_symlink_member_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "link.zip"
    with zipfile.ZipFile(path, "w") as archive:
        info = zipfile.ZipInfo("passwd.txt")
        info.external_attr = (0o120777 << 16) | 0x20  # S_IFLNK
        archive.writestr(info, "/etc/passwd")
    [item] = walk([path])
    assert item.error == "symbolic link member refused"


def test_tar_links_devices_and_escapes_are_refused(tmp_path: Path) -> None:
    def info(name: str, kind: bytes = tarfile.REGTYPE, link: str = "") -> tarfile.TarInfo:
        member = tarfile.TarInfo(name)
        member.type, member.linkname = kind, link
        return member

    path = _tar(
        tmp_path / "evil.tar.gz",
        [
            (info("ok.txt"), TEXT),
            (info("link.txt", tarfile.SYMTYPE, "/etc/passwd"), None),
            (info("hard.txt", tarfile.LNKTYPE, "ok.txt"), None),
            (info("tty.txt", tarfile.CHRTYPE), None),
            (info("fifo.txt", tarfile.FIFOTYPE), None),
            (info("../../escape.txt"), TEXT),
            (info("/abs.txt"), TEXT),
        ],
    )
    items = _by_source(list(walk([path])))
    assert items["ok.txt"].data == TEXT
    assert "link member" in (items["link.txt"].error or "")
    assert "link member" in (items["hard.txt"].error or "")
    assert "device" in (items["tty.txt"].error or "")
    assert "device" in (items["fifo.txt"].error or "")
    assert "escapes" in (items["../../escape.txt"].error or "")
    assert "absolute" in (items["/abs.txt"].error or "")
    assert not (tmp_path.parent / "escape.txt").exists()


def test_zip_bomb_is_stopped_by_the_ratio_limit(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "bomb.zip", {"bomb.txt": bytes(40 << 20), "ok.txt": TEXT})
    items = _by_source(list(walk([archive])))
    assert "compression ratio" in (items["bomb.txt"].error or "")
    assert items["ok.txt"].data == TEXT


def test_member_size_and_total_limits(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "big.zip", {f"{i}.txt": bytes([65 + i]) * 4000 for i in range(5)})
    limits = Limits(max_member_bytes=3000)
    assert all("over the limit" in (i.error or "") for i in walk([archive], limits))
    limits = Limits(max_total_bytes=10_000)
    items = list(walk([archive], limits))
    assert [i.data is not None for i in items] == [True, True, False]
    assert "archive stopped" in (items[-1].error or "") and items[-1].source == str(archive)


def test_lying_header_cannot_inflate_past_the_member_limit(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "liar.zip", {"a.txt": b"A" * 5000})
    raw = bytearray(archive.read_bytes())
    # Shrink the declared size in the central directory; zipfile trusts it when opening.
    directory = raw.rindex(b"PK\x01\x02")
    raw[directory + 24 : directory + 28] = (100).to_bytes(4, "little")
    archive.write_bytes(bytes(raw))
    [item] = walk([archive], Limits(max_member_bytes=1000))
    assert item.data is None
    assert item.error


def test_nested_archives_open_one_level_deep(tmp_path: Path) -> None:
    inner = _zip(tmp_path / "inner.zip", {"c.txt": TEXT})
    innermost = _zip(tmp_path / "deeper.zip", {"d.txt": TEXT})
    middle = _zip(tmp_path / "middle.zip", {"deeper.zip": innermost.read_bytes()})
    member = tarfile.TarInfo
    outer = _tar(
        tmp_path / "outer.tgz",
        [(member("inner.zip"), inner.read_bytes()), (member("middle.zip"), middle.read_bytes())],
    )
    items = list(walk([outer]))
    assert items[0].source == f"{outer}::inner.zip::c.txt" and items[0].data == TEXT
    assert items[1].source == f"{outer}::middle.zip::deeper.zip"
    assert "nested more than one level" in (items[1].error or "")


@pytest.mark.parametrize("name", ["broken.zip", "broken.tar.gz", "broken.tar"])
def test_damaged_archive_is_one_error_item(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"PK\x03\x04 not really an archive" * 3)
    [item] = walk([path])
    assert item.source == str(path)
    assert item.error and "\n" not in item.error


def test_missing_file_is_an_error_item(tmp_path: Path) -> None:
    [item] = walk([tmp_path / "gone.txt"])
    assert item.error
