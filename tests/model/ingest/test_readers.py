"""Readers on real files: encodings, web pages with chrome, Word documents, PDFs, junk."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pytest

from model.ingest.readers import ReadError, decode_bytes, read_document, read_text_file

REPORT = (
    "一、主要举措和成效\n"
    "全年办理行政复议案件131件，行政机关负责人出庭应诉率达100%。\n"
    "二、存在的不足和原因\n"
    "基层执法规范化水平有待提高。\n"
)
REPORT_BIG5 = (
    "一、主要舉措和成效\n全年辦理行政復議案件131件。\n二、存在的不足\n執法規範化水準有待提高。\n"
)


@pytest.mark.parametrize(
    ("text", "codec", "expected"),
    [
        (REPORT, "gbk", "gb18030"),
        (REPORT, "gb18030", "gb18030"),
        (REPORT_BIG5, "big5", "big5"),
        (REPORT, "utf-8", "utf-8"),
        (REPORT, "utf-8-sig", "utf-8-sig"),
        (REPORT, "utf-16", "utf-16"),
    ],
)
def test_txt_encodings_are_detected_and_recorded(
    tmp_path: Path, text: str, codec: str, expected: str
) -> None:
    path = tmp_path / f"report-{codec}.txt"
    path.write_bytes(text.encode(codec))
    decoded = read_document(path.read_bytes(), path.name)
    assert decoded.text == text
    assert decoded.encoding == expected
    assert read_text_file(path).text == text


def test_short_gbk_text_is_not_taken_for_korean() -> None:
    assert decode_bytes("内容".encode("gbk")) == decode_bytes("内容".encode("gb18030"))
    assert decode_bytes("内容".encode("gbk")).text == "内容"


def test_text_with_many_undecodable_bytes_is_refused() -> None:
    with pytest.raises(ReadError):
        read_document(bytes(range(128, 256)) * 50, "noise.txt")


PAGE = """<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>XX区司法局2023年法治政府建设年度报告_XX区人民政府</title>
<script>var nav = "打印";</script><style>.x{color:red}</style></head>
<body>
<div class="top-nav"><a href="/">首页</a><a href="/zwgk">政务公开</a><a>互动交流</a></div>
<div class="dqwz">当前位置：首页 &gt; 政务公开 &gt; 法治政府建设</div>
<div class="main">
 <h1>XX区司法局2023年法治政府建设年度报告</h1>
 <div class="info">来源：XX区司法局　发布时间：2024-01-15</div>
 <div id="zoom">
  <p>　　2023年，我局坚持以习近平新时代中国特色社会主义思想为指导，深入推进法治政府建设。</p>
  <p>一、主要举措和成效</p>
  <p>（一）完善制度体系。全年办理行政复议案件131件，
  行政机关负责人出庭应诉率达100%。</p>
  <p>二、存在的不足和原因</p>
  <p>执法规范化水平有待提高，基层法治力量<b>仍然</b>薄弱。</p>
 </div>
 <div class="tools">【大 中 小】 打印 关闭</div>
 <div>扫一扫在手机打开当前页</div>
</div>
<div class="footer">主办单位：XX区人民政府办公室 备案号：京ICP备12345678号
 网站标识码1101050001</div>
</body></html>"""


def test_html_keeps_the_article_and_drops_the_chrome() -> None:
    decoded = read_document(PAGE.encode("gb18030"), "report.htm")
    assert decoded.encoding == "gb18030"
    lines = decoded.text.splitlines()
    assert lines[0] == "XX区司法局2023年法治政府建设年度报告"
    assert "一、主要举措和成效" in lines
    assert (
        "（一）完善制度体系。全年办理行政复议案件131件，行政机关负责人出庭应诉率达100%。" in lines
    )
    assert "执法规范化水平有待提高，基层法治力量仍然薄弱。" in lines
    for chrome in ("首页", "打印", "关闭", "扫一扫", "主办单位", "备案号", "当前位置", "var nav"):
        assert chrome not in decoded.text


def test_html_without_declared_charset_is_detected() -> None:
    page = "<html><body><p>一、主要举措和成效。全年办理行政复议案件131件。</p></body></html>"
    decoded = read_document(page.encode("gbk"), "a.html")
    assert decoded.encoding == "gb18030"
    assert decoded.text == "一、主要举措和成效。全年办理行政复议案件131件。"


def test_html_with_a_wrong_declared_charset_falls_back_to_detection() -> None:
    page = '<html><head><meta charset="utf-8"></head><body><p>全年办理案件131件。</p></body></html>'
    assert read_document(page.encode("gbk"), "a.html").text == "全年办理案件131件。"


def _docx_bytes() -> bytes:
    document = docx.Document()
    document.add_heading("XX市法治政府建设年度报告", level=1)
    for line in REPORT.splitlines():
        document.add_paragraph(line)
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "指标", "数值"
    table.cell(1, 0).text, table.cell(1, 1).text = "复议案件", "131件"
    document.add_paragraph("特此报告。")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_paragraphs_and_tables_in_order() -> None:
    decoded = read_document(_docx_bytes(), "报告.docx")
    assert decoded.encoding == "docx"
    assert decoded.text.splitlines() == [
        "XX市法治政府建设年度报告",
        *REPORT.splitlines(),
        "指标\t数值",
        "复议案件\t131件",
        "特此报告。",
    ]


def _zip_without_document() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "name", "reason"),
    [
        (_docx_bytes()[:2000], "truncated.docx", "docx"),
        (b"this is not a word file", "fake.docx", "docx"),
        (_zip_without_document(), "empty-package.docx", "docx"),
        (b"", "empty.txt", "empty"),
        (b"   \n\r\n\t ", "blank.txt", "empty"),
        ("<html><body><nav>首页</nav></body></html>".encode(), "chrome-only.html", "empty"),
        # the content decides, not the name: a PNG named .txt is an image (read by OCR)
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "image.txt", "image"),
        (bytes(range(256)) * 4, "random.txt", "binary"),
        (b"%PDF-1.4 broken", "broken.pdf", "PDF"),
        (b"\xd0\xcf\x11\xe0", "legacy.doc", ".doc"),
        (b"a,b", "table.xls", "unsupported"),
    ],
)
def test_bad_files_raise_a_one_line_read_error(data: bytes, name: str, reason: str) -> None:
    with pytest.raises(ReadError) as info:
        read_document(data, name)
    message = str(info.value)
    assert reason in message
    assert "\n" not in message


def _pdf(text: str) -> bytes:
    """A minimal one-page PDF with `text` in Helvetica, xref offsets computed."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def test_pdf_text_layer_is_read() -> None:
    decoded = read_document(_pdf("Annual report 2024"), "report.pdf")
    assert decoded.encoding == "pdf"
    assert "Annual report 2024" in decoded.text


def test_pdf_without_text_is_refused() -> None:
    with pytest.raises(ReadError, match="no text layer"):
        read_document(_pdf(""), "scan.pdf")


def test_readers_keep_the_core_pure() -> None:
    code = (
        "import sys, model.ingest.readers, model.ingest.archives; "
        "print(sorted(m for m in ('flask', 'tqdm', 'argparse') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_layout_class_names_on_the_article_do_not_drop_it() -> None:
    body = "".join(
        f"<p>（{n}）全年办理行政复议案件131件，行政机关负责人出庭应诉率达100%。</p>"
        for n in "一二三四五六七八九十"
    )
    page = f'<html><body class="top"><div class="w1200 top20"><div id="zoom">{body}</div></div>'
    page += '<div class="footer">主办单位：XX区人民政府</div></body></html>'
    decoded = read_document(page.encode(), "a.html")
    assert len(decoded.text.splitlines()) == 10
    assert "主办单位" not in decoded.text
