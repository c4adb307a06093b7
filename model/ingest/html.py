"""Saved web pages: the article's text, and what the page says about it (title, meta tags,
the visible 发布时间 / 来源 line)."""

from __future__ import annotations

import re

from model.ingest.decode import Decoded, ReadError, decode_as, decode_bytes, normalise_codec

HTML_SUFFIXES = frozenset({".html", ".htm", ".shtml", ".xhtml"})

# -- HTML --------------------------------------------------------------------------------------

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_DROP_TAGS = (
    "script",
    "style",
    "noscript",
    "template",
    "iframe",
    "object",
    "embed",
    "svg",
    "canvas",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "button",
    "select",
    "input",
    "textarea",
    "head",
)
# id/class names that government sites give their menus, share bars and footers.
_CHROME_ATTR = re.compile(
    r"(?:^|[-_\s])(?:nav|navbar|menu|header|top|topbar|footer|foot|bottom|breadcrumbs?|crumbs?|"
    r"share|print|qrcode|ewm|sidebar|side|copyright|toolbar|related|position|location|dqwz)"
    r"(?:$|[-_\s\d])",
    re.I,
)
# Short lines of page furniture that survive structural cleaning.
_CHROME_LINE = re.compile(
    r"打印|关闭|扫一扫|分享到|收藏|主办单位|承办单位|协办单位|备案号|ICP备|公网安备|网站标识码|"
    r"版权所有|当前位置|您的位置|字号|【大 中 小】|网站地图|联系我们|技术支持"
)
_CHROME_LINE_MAX = 60
# A menu or footer is short; a "top"/"side" class on a block holding pages of text is layout.
_CHROME_TEXT_MAX = 400
_BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "blockquote",
        "body",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "li",
        "main",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "td",
        "th",
        "thead",
        "tr",
        "ul",
    ]
)
_SPACE = re.compile(r"[ \t\r\n\f\v]+")
# White space holding a line break of the page's source, which a browser shows as a space.
_BROKEN = re.compile(r"[ \t\f\v]*[\r\n][ \t\r\n\f\v]*")
# Source line breaks inside Chinese text become spaces in HTML, but Chinese has no word spaces:
# a break next to a Chinese character goes. A space typed on the page stays ("来源：留下街道
# 点击率", two fields), as one space.
_CJK_BREAK = re.compile(
    r"(?<=[\u3000-\u9fff\uff00-\uffef])\x01|\x01(?=[\u3000-\u9fff\uff00-\uffef])"
)


def _html_text(data: bytes) -> tuple[str, str]:
    """(decoded markup, encoding): BOM, then the page's declared charset, then detection."""
    if not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        declared = _META_CHARSET.search(data[:4096])
        if declared:
            try:
                decoded = decode_as(data, normalise_codec(declared.group(1).decode("ascii")))
                return decoded.text, decoded.encoding
            except ReadError:
                pass  # a wrong declaration is common: fall back to detection
    decoded = decode_bytes(data)
    return decoded.text, decoded.encoding


def _block_lines(node: object) -> list[str]:
    """Visible text of `node`, one line per block element, whitespace collapsed as browsers do."""
    from bs4 import NavigableString, Tag

    parts: list[str] = []
    for el in node.descendants:  # type: ignore[attr-defined]
        if type(el) is NavigableString:
            parts.append(_SPACE.sub(" ", _BROKEN.sub("\x01", str(el))))
        elif isinstance(el, Tag) and (el.name in _BLOCK_TAGS or el.name == "br"):
            parts.append("\n")
    lines = (
        _SPACE.sub(" ", _CJK_BREAK.sub("", line).replace("\x01", " ")).strip()
        for line in "".join(parts).split("\n")
    )
    return [line for line in lines if line]


def _content_root(body: object) -> object:
    """The element holding the article: most text in its paragraph-like children (readability)."""
    from bs4 import Tag

    scores: dict[int, float] = {}
    elements: dict[int, Tag] = {}
    for el in body.find_all(["p", "div", "td", "section", "li"]):  # type: ignore[attr-defined]
        if el.find(["p", "div", "td", "section", "table"]) is not None:
            continue  # score leaf blocks only; containers collect from them
        length = len(el.get_text(strip=True))
        if length < 20:
            continue
        for weight, ancestor in ((1.0, el.parent), (0.5, el.parent and el.parent.parent)):
            if isinstance(ancestor, Tag):
                scores[id(ancestor)] = scores.get(id(ancestor), 0.0) + weight * length
                elements[id(ancestor)] = ancestor
    if not scores:
        return body
    return elements[max(scores, key=scores.__getitem__)]


# Meta tags Chinese government sites carry (the CMS of most of them, and Open Graph), kept as
# the page's own statement of title, date and source, by their lower-cased names.
PAGE_META = frozenset(
    {
        "articletitle",
        "pubdate",
        "contentsource",
        "sitename",
        "columnname",
        "columndescription",
        "author",
        "firstimg",
        "keywords",
        "description",
        "og:title",
        "og:site_name",
        "article:published_time",
    }
)
# The visible line under a page title that says when and by whom it was published.
_DATE_LINE = re.compile(
    r"(?:发布|发稿|公开|生成|更新)(?:时间|日期)|信息来源|来源[：:]|发文机关|发布机构"
)
_DATE_LINE_MAX = 120


def page_meta(soup: object) -> dict[str, str]:
    """The page's <title> (as "title") and the meta tags of PAGE_META, by lower-cased name."""
    from bs4 import Tag

    meta: dict[str, str] = {}
    title = soup.find("title")  # type: ignore[attr-defined]
    if isinstance(title, Tag) and (text := _SPACE.sub(" ", title.get_text()).strip()):
        meta["title"] = text
    for tag in soup.find_all("meta"):  # type: ignore[attr-defined]
        name = str(tag.get("name") or tag.get("property") or "").strip().lower()
        content = _SPACE.sub(" ", str(tag.get("content") or "")).strip()
        if name in PAGE_META and content and name not in meta:
            meta[name] = content
    return meta


def _date_line(lines: list[str]) -> str | None:
    """The page's visible 发布时间 / 来源 line, if one stands among its lines."""
    for line in lines:
        if len(line) <= _DATE_LINE_MAX and _DATE_LINE.search(line):
            return line
    return None


def read_html(data: bytes) -> Decoded:
    """Article text of a web page, without navigation, share/print bars and site footers.

    The text starts with the page's <h1> and its 发布时间 / 来源 line when the article itself
    does not hold them; the <title> and meta tags go to `meta`, where the audit's metadata
    takes them as the page's evidence.
    """
    from bs4 import BeautifulSoup, Tag

    markup, encoding = _html_text(data)
    soup = BeautifulSoup(markup, "lxml")
    meta = page_meta(soup)
    title = soup.find("h1")
    title_text = title.get_text(" ", strip=True) if isinstance(title, Tag) else ""
    for el in soup.find_all(_DROP_TAGS):
        el.decompose()
    date_line = _date_line(_block_lines(soup.body or soup))
    # Find the article first, so that a chrome-like class on one of its containers cannot cut
    # it out; then clear menus, share bars and footers inside it.
    root = _content_root(soup.body or soup)
    for el in root.find_all(True):
        if el.decomposed:
            continue
        names = " ".join([el.get("id") or "", *(el.get("class") or [])])
        if (
            names.strip()
            and _CHROME_ATTR.search(names)
            and len(el.get_text(strip=True)) <= _CHROME_TEXT_MAX
        ):
            el.decompose()
    lines = _block_lines(root)
    if date_line and date_line not in lines[:6]:
        lines.insert(0, date_line)
        meta["date_line"] = date_line
    if title_text and title_text not in lines[:3]:
        lines.insert(0, title_text)
    kept = [
        line
        for line in lines
        if not (len(line) <= _CHROME_LINE_MAX and _CHROME_LINE.search(line)) or line == date_line
    ]
    return Decoded("\n".join(kept), encoding, meta)
