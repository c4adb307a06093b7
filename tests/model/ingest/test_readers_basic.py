"""Bytes to text for plain-text reports: decode_bytes and read_text_file basics.

Other formats (html, docx, pdf) are tested in test_readers.py, archives in test_archives.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from model.ingest.readers import ReadError, decode_bytes, read_text_file
from tests.conftest import SEEDS

TEXT = "一、2024年法治政府建设主要举措和成效\n全年办理行政复议案件131件，出庭应诉率达100%。\n"


def test_utf8() -> None:
    decoded = decode_bytes(TEXT.encode("utf-8"))
    assert decoded.text == TEXT
    assert decoded.encoding == "utf-8"


def test_utf8_with_bom_drops_the_bom() -> None:
    decoded = decode_bytes(b"\xef\xbb\xbf" + TEXT.encode("utf-8"))
    assert decoded.text == TEXT
    assert decoded.encoding == "utf-8-sig"


def test_empty_bytes_are_empty_text() -> None:
    assert decode_bytes(b"").text == ""


@pytest.mark.parametrize("codec", ["gbk", "gb18030", "gb2312"])
def test_chinese_legacy_encodings_are_detected(codec: str) -> None:
    text = (SEEDS / "003_5c5bdc2152d9c680.txt").read_text(encoding="utf-8")
    data = text.encode(codec, errors="ignore")
    decoded = decode_bytes(data)
    # GBK and GB2312 are subsets of GB18030: decoding as the superset loses nothing.
    assert decoded.encoding == "gb18030"
    assert decoded.text == data.decode("gb18030")
    assert "法治政府建设" in decoded.text


def test_short_gbk_report_is_decoded() -> None:
    decoded = decode_bytes(TEXT.encode("gbk"))
    assert decoded.text == TEXT
    assert decoded.encoding == "gb18030"


@pytest.mark.parametrize(
    "data",
    [b"\x00\x01\x02\x03" * 100, b"PK\x03\x04\x14\x00\x00\x00\x08\x00", TEXT.encode() + b"\x00"],
    ids=["noise", "zip", "text-with-nul"],
)
def test_binary_data_is_refused(data: bytes) -> None:
    with pytest.raises(ReadError, match="binary"):
        decode_bytes(data)


def test_read_text_file_records_the_encoding(tmp_path: Path) -> None:
    path = tmp_path / "gbk.txt"
    path.write_bytes(TEXT.encode("gbk"))
    decoded = read_text_file(path)
    assert (decoded.text, decoded.encoding) == (TEXT, "gb18030")


def test_read_text_file_missing_file_is_a_read_error(tmp_path: Path) -> None:
    missing = tmp_path / "missing.txt"
    with pytest.raises(ReadError) as err:
        read_text_file(missing)
    message = str(err.value)
    assert str(missing) in message
    assert "\n" not in message


def test_read_error_is_a_value_error() -> None:
    # Callers that catch ValueError (the CLI) also catch unreadable input.
    assert issubclass(ReadError, ValueError)


def test_a_long_gb18030_report_that_detection_gives_up_on_is_still_read() -> None:
    import json

    from tests.conftest import ROOT

    rows = (ROOT / "seeds" / "background" / "statecouncil.jsonl").read_text(encoding="utf-8")
    text = next(r["text"] for r in map(json.loads, rows.splitlines()) if r["doc_id"] == "sc1982")
    decoded = decode_bytes(text.encode("gb18030"))
    assert (decoded.encoding, decoded.text) == ("gb18030", text)
