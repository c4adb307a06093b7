"""Saved web pages: the article, and what the page says about it (model/ingest/html.py)."""

from __future__ import annotations

from model.ingest.html import read_html
from model.ingest.readers import read_document, sniff

PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8">
<title>某某区司法局2023年法治政府建设年度报告_某某区人民政府网站</title>
<meta name="ArticleTitle" content="某某区司法局2023年法治政府建设年度报告">
<meta name="PubDate" content="2024-01-20 09:30">
<meta name="ContentSource" content="某某区司法局">
<meta name="SiteName" content="某某区人民政府网站">
<meta name="ColumnName" content="法治政府建设">
<meta name="viewport" content="width=device-width">
</head><body>
<div class="nav">首页 &gt; 政务公开</div>
<h1>某某区司法局2023年法治政府建设年度报告</h1>
<div class="info"><span>发布时间：2024-01-20</span> <span>来源：某某区司法局</span></div>
<div id="zoom"><p>2023年，我局坚持以习近平法治思想为指导，
全面推进依法行政。</p><p>一、主要举措和成效</p>
<p>全年办理行政复议案件131件，行政机关负责人出庭应诉率达100%。</p></div>
<div class="footer">主办单位：某某区人民政府 打印 关闭</div></body></html>"""


def test_title_meta_tags_and_date_line_are_kept() -> None:
    decoded = read_html(PAGE.encode())
    assert decoded.meta["title"] == "某某区司法局2023年法治政府建设年度报告_某某区人民政府网站"
    assert decoded.meta["articletitle"] == "某某区司法局2023年法治政府建设年度报告"
    assert decoded.meta["pubdate"] == "2024-01-20 09:30"
    assert decoded.meta["contentsource"] == "某某区司法局"
    assert decoded.meta["columnname"] == "法治政府建设"
    assert "viewport" not in decoded.meta
    lines = decoded.text.splitlines()
    assert lines[0] == "某某区司法局2023年法治政府建设年度报告"
    assert lines[1] == "发布时间：2024-01-20 来源：某某区司法局"  # two fields, one space
    # a source line break inside Chinese text is no space; chrome stays out
    assert "我局坚持以习近平法治思想为指导，全面推进依法行政。" in decoded.text
    assert "主办单位" not in decoded.text and "首页" not in decoded.text


def test_every_body_paragraph_survives() -> None:
    paragraphs = "".join(
        f"<p>第{i}段：全年办理行政复议案件{i}件，依法行政水平持续提升。</p>" for i in range(30)
    )
    page = f"<html><body><div class='main'><div class='left'>{paragraphs}</div></div></body></html>"
    decoded = read_html(page.encode())
    assert len(decoded.text.splitlines()) == 30


def test_a_page_is_known_by_its_content_whatever_its_name() -> None:
    assert sniff(PAGE.encode(), "report") == "html"
    assert sniff(PAGE.encode(), "report.html") == "html"
    assert read_document(PAGE.encode(), "download.php").meta["pubdate"] == "2024-01-20 09:30"
