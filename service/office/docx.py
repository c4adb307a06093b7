"""Circulars (通报) and feedback (反馈意见) as Word drafts in the 公文 layout of GB/T 9704-2012.

Each kind of paragraph has a named style, so whoever finishes the draft changes a style, not
every paragraph. Fonts are named on every style and run, the East Asian one included: without
w:eastAsia Word takes the theme's East Asian font, a Japanese one in python-docx's template.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Mm, Pt, Twips
from docx.text.paragraph import Paragraph

# GB/T 9704-2012 §5.2: A4, 天头 37 mm, 订口 28 mm, 版心 156 × 225 mm, so 35 mm below and
# 26 mm on the right; §5.2.2: 22 lines of 28 characters of 三号 (16 pt) text.
_PAGE = (Mm(210), Mm(297))
_TOP, _BOTTOM, _LEFT, _RIGHT = Mm(37), Mm(35), Mm(28), Mm(26)  # margins
_LINES_PER_PAGE = 22
_CHARS_PER_LINE = 28
_BODY_PT = 16  # 三号
_TITLE_PT = 22  # 二号
_FOLIO_PT = 14  # 四号
# §7.5: the page number's dashes 7 mm below the 版心. The footer's 14 pt line ends 25 mm above
# the paper's edge, so its middle, where the dashes are, is 35 − 25 − 4.9 / 2 ≈ 7.5 mm below.
_FOOTER = Mm(25)

# The grid, in twips (1/20 pt) as the margins round when written: the 版心 is
# 11,906 − 1,587 − 1,474 = 8,845 twips wide and 16,838 − 2,098 − 1,984 = 12,756 high.
_TEXT_WIDTH = _PAGE[0].twips - _LEFT.twips - _RIGHT.twips
_TEXT_HEIGHT = _PAGE[1].twips - _TOP.twips - _BOTTOM.twips
# Line pitch: 12,756 / 22 = 579.8 twips, rounded down to 579 (28.95 pt) so 22 whole lines fit:
# at 580 (29 pt) 22 lines need 12,760 twips and Word would put 21 on a page.
_LINE_PITCH = _TEXT_HEIGHT // _LINES_PER_PAGE
# Character pitch: 8,845 / 28 = 315.9 twips, 15.79 pt, a little under 三号's 16 pt. w:charSpace
# holds the pitch minus the Normal style's font size in 1/4096 pt (ECMA-376 §17.6.5):
# (15.795 − 16) × 4096 = −841.1, rounded down to −842 so that 28 whole characters fit.
_CHAR_SPACE = math.floor((_TEXT_WIDTH / 20 / _CHARS_PER_LINE - _BODY_PT) * 4096)
# The text itself keeps off the character grid (w:snapToGrid off in Normal): LibreOffice 7.4 gives
# a character wider than a cell two cells, and 16 pt is wider than 15.79 pt. Instead 三号 text
# is condensed by 6 twips, the customary 紧缩 0.3 磅: 28 characters take 28 × 15.7 = 439.6 pt of
# the 442.25, 29 would take 455.3, in Word and LibreOffice alike (at 0.25 pt LibreOffice, which
# rounds spacing to its own units, fits only 27). Lines keep the grid's pitch through the exact
# line height, and the grid still gives Word's page setup its 28 × 22.
_CONDENSE = -6  # twips

_LATIN = "Times New Roman"  # digits and Latin letters in the text
_FANGSONG = "仿宋_GB2312"
_KAITI = "楷体_GB2312"
_HEITI = "黑体"
_XIAOBIAOSONG = "方正小标宋简体"
_SONGTI = "宋体"

# Child order inside w:pPr and w:rPr (ECMA-376 §17.3.1.26, §17.3.2.28): Word rejects a file
# whose children are out of order, so new children go before the first later one present.
_PPR_ORDER = (
    "w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr", "w:widowControl",
    "w:numPr", "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens",
    "w:kinsoku", "w:wordWrap", "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE",
    "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind",
    "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection",
    "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr",
    "w:sectPr", "w:pPrChange",
)  # fmt: skip
_RPR_AFTER_LANG = ("w:eastAsianLayout", "w:specVanish", "w:oMath")
_RPR_AFTER_SPACING = (
    "w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect", "w:bdr",
    "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang", *_RPR_AFTER_LANG,
)  # fmt: skip
_SECTPR_AFTER_GRID = ("w:printerSettings", "w:sectPrChange")

# Characters XML 1.0 cannot hold; a report's text may carry them from a damaged file.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Characters Windows forbids in file names (and control characters).
_NOT_IN_NAME = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
_RESERVED_NAMES = {"CON", "PRN", "AUX", "NUL"} | {
    f"{port}{i}" for port in ("COM", "LPT") for i in "123456789"
}
_INDENT_ATTRS = {"first_line": "firstLine", "left": "left", "right": "right"}
_NAME_BYTES = 180  # a file name is at most 255 bytes: leave room for a suffix and ".docx"


_JUSTIFY = WD_ALIGN_PARAGRAPH.JUSTIFY
_CENTRE = WD_ALIGN_PARAGRAPH.CENTER
_FLUSH_LEFT = WD_ALIGN_PARAGRAPH.LEFT
_FLUSH_RIGHT = WD_ALIGN_PARAGRAPH.RIGHT


@dataclass(frozen=True, slots=True)
class _Style:
    """A paragraph style: its name as a person sees it in Word, and its look. Indents are in
    characters; `line_pt` is an exact line height (None keeps the grid's pitch)."""

    name: str
    style_id: str
    east_asia: str
    size: int = _BODY_PT
    align: WD_ALIGN_PARAGRAPH = _JUSTIFY
    latin: str = _LATIN
    first_line: int = 0
    left: int = 0
    right: int = 0
    line_pt: float | None = None
    condense: int = _CONDENSE  # twips between characters
    keep_next: bool = False
    outline: int | None = None
    space_before_lines: int = 0


_BODY = _Style("公文正文", "GongwenBody", _FANGSONG, first_line=2)
_TITLE = _Style("公文标题", "GongwenTitle", _XIAOBIAOSONG, _TITLE_PT, _CENTRE, condense=0)
_SUBTITLE = _Style("公文副标题", "GongwenSubtitle", _KAITI, align=_CENTRE)
_RECIPIENT = _Style("主送机关", "GongwenRecipient", _FANGSONG, align=_FLUSH_LEFT)
_H1 = _Style("一级标题", "GongwenHeading1", _HEITI, first_line=2, keep_next=True, outline=0)
_H2 = _Style("二级标题", "GongwenHeading2", _KAITI, first_line=2, keep_next=True, outline=1)
_QUOTE = _Style("引文", "GongwenQuote", _KAITI, first_line=2)
# §7.3.5.1: the date 右空四字, the signature centred over it, one blank line above it.
_SIGNATURE = _Style(
    "发文机关署名", "GongwenSignature", _FANGSONG, align=_FLUSH_RIGHT, space_before_lines=1
)
_DATE = _Style("成文日期", "GongwenDate", _FANGSONG, align=_FLUSH_RIGHT, right=4)
# §7.5: 4号半角宋体 digits between 一字线, 单页码居右空一字, 双页码居左空一字.
_FOLIO: dict[str, Any] = {"latin": _SONGTI, "line_pt": _FOLIO_PT, "condense": 0}
_ODD_FOLIO = _Style(
    "单页页码", "GongwenOddFolio", _SONGTI, _FOLIO_PT, _FLUSH_RIGHT, right=1, **_FOLIO
)
_EVEN_FOLIO = _Style(
    "双页页码", "GongwenEvenFolio", _SONGTI, _FOLIO_PT, _FLUSH_LEFT, left=1, **_FOLIO
)
_STYLES = (_BODY, _TITLE, _SUBTITLE, _RECIPIENT, _H1, _H2, _QUOTE, _SIGNATURE, _DATE)
_FOLIOS = (_ODD_FOLIO, _EVEN_FOLIO)
_FIELD = qn("w:fldCharType")
_BLOCK_STYLES = {"p": _BODY, "h1": _H1, "h2": _H2, "quote": _QUOTE}


def write_circular(circular: Mapping[str, Any], path: Path) -> Path:
    """Write one circular to `path` (through a temporary file beside it) and return it."""
    document = _new_document()
    core = document.core_properties
    core.title = _clean(circular["title"])
    core.author = _clean(circular.get("signature") or "")
    core.comments = ""
    core.created = core.modified = datetime.now(UTC)
    _add(document, _TITLE, circular["title"])
    if circular.get("subtitle"):
        _add(document, _SUBTITLE, circular["subtitle"])
    document.add_paragraph(style=_BODY.name)  # 标题下空一行
    if circular.get("recipient"):
        _add(document, _RECIPIENT, circular["recipient"])
    for block in circular.get("blocks") or []:
        if block["kind"] not in _BLOCK_STYLES:
            raise ValueError(f"unknown block kind {block['kind']!r}: choose among p, h1, h2, quote")
        _add(document, _BLOCK_STYLES[block["kind"]], block["text"])
    _add_signature(document, circular.get("signature") or "", circular.get("date") or "")

    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        document.save(str(tmp))
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def write_feedback(circulars: Sequence[Mapping[str, Any]], folder: Path) -> list[Path]:
    """Write each body's feedback as its own draft in `folder`, named after its title."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    taken: set[str] = set()
    paths = []
    for circular in circulars:
        stem = _file_stem(circular["title"])
        name, n = stem, 1
        # Windows compares names without case: keep two titles from landing on one file.
        while name.casefold() in taken:
            n += 1
            name = f"{stem}（{n}）"
        taken.add(name.casefold())
        paths.append(write_circular(circular, folder / f"{name}.docx"))
    return paths


def _file_stem(title: str) -> str:
    """A title as a file name that Windows, macOS and Linux all accept, Chinese kept."""
    stem = _NOT_IN_NAME.sub("", title).strip().rstrip(". ")
    while len(stem.encode("utf-8")) > _NAME_BYTES:
        stem = stem[:-1]
    stem = stem.rstrip(". ")
    if not stem:
        return "反馈意见"
    if stem.split(".")[0].upper() in _RESERVED_NAMES:
        return f"_{stem}"
    return stem


# -- the document and its styles ----------------------------------------------------------------


def _new_document() -> DocumentObject:
    """An empty document with the 公文 page, grid, styles and page numbers."""
    document = Document()
    _strip_template_styles(document)
    _set_defaults(document)
    for style in (*_STYLES, *_FOLIOS):
        _add_style(document, style)
    section = document.sections[0]
    section.page_width, section.page_height = _PAGE
    section.top_margin, section.bottom_margin = _TOP, _BOTTOM
    section.left_margin, section.right_margin = _LEFT, _RIGHT
    section.footer_distance = _FOOTER
    grid = _child(section._sectPr, "w:docGrid", _SECTPR_AFTER_GRID, type="linesAndChars")
    grid.set(qn("w:linePitch"), str(_LINE_PITCH))
    grid.set(qn("w:charSpace"), str(_CHAR_SPACE))
    document.settings.odd_and_even_pages_header_footer = True
    _add_folio(section.footer.paragraphs[0], _ODD_FOLIO, 1)
    _add_folio(section.even_page_footer.paragraphs[0], _EVEN_FOLIO, 2)
    return document


def _strip_template_styles(document: DocumentObject) -> None:
    """Drop the template's styles but the defaults (Normal and the like): they name theme
    fonts, which would put a Japanese font in any paragraph given one of them."""
    for style in list(document.styles):
        if style._element.get(qn("w:default")) != "1":
            style._element.getparent().remove(style._element)


def _set_defaults(document: DocumentObject) -> None:
    """Fonts, language, the fixed line height and no grid snapping for everything, Normal
    included.

    Widow control is off, and so is Word's extra space between Chinese and Latin text or
    digits: either would move text off the 22 × 28 layout.
    """
    defaults = document.styles.element.find(qn("w:docDefaults"))
    _set_fonts(defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")), _FANGSONG, _LATIN)
    normal = document.styles["Normal"]
    normal.font.size = Pt(_BODY_PT)
    _set_fonts(normal.element.get_or_add_rPr(), _FANGSONG, _LATIN)
    fmt = normal.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Twips(_LINE_PITCH)
    fmt.widow_control = False
    ppr = normal.element.get_or_add_pPr()
    _child(ppr, "w:autoSpaceDE", _PPR_ORDER, val="0")
    _child(ppr, "w:autoSpaceDN", _PPR_ORDER, val="0")
    _child(ppr, "w:snapToGrid", _PPR_ORDER, val="0")
    lang = document.settings.element.find(qn("w:themeFontLang"))
    if lang is not None:
        lang.set(qn("w:eastAsia"), "zh-CN")


def _add_style(document: DocumentObject, look: _Style) -> None:
    style = document.styles.add_style(look.name, WD_STYLE_TYPE.PARAGRAPH)
    style.style_id = look.style_id
    style.base_style = document.styles["Normal"]
    style.quick_style = True
    style.font.size = Pt(look.size)
    _set_fonts(style.element.get_or_add_rPr(), look.east_asia, look.latin)
    fmt = style.paragraph_format
    fmt.alignment = look.align
    if look.keep_next:
        fmt.keep_with_next = True
    if look.line_pt is not None:
        fmt.line_spacing = Pt(look.line_pt)
    if look.space_before_lines:
        fmt.space_before = Twips(_LINE_PITCH * look.space_before_lines)
    _child(style.element.get_or_add_rPr(), "w:spacing", _RPR_AFTER_SPACING, val=str(look.condense))
    ppr = style.element.get_or_add_pPr()
    _set_indent(ppr, _char(look), first_line=look.first_line, left=look.left, right=look.right)
    if look.outline is not None:
        _child(ppr, "w:outlineLvl", _PPR_ORDER, val=str(look.outline))


def _char(style: _Style) -> int:
    """One character's advance in twips: the unit of the style's indents."""
    return style.size * 20 + style.condense


def _set_indent(ppr: BaseOxmlElement, char: float, **chars: float) -> None:
    """Indents given in characters, written both as w:firstLineChars and the like (which Word
    uses) and in twips (for readers that ignore character units), rounded down."""
    attrs = {}
    for side, n in chars.items():
        if n:
            attrs[_INDENT_ATTRS[side]] = str(math.floor(n * char))
            attrs[f"{_INDENT_ATTRS[side]}Chars"] = str(round(n * 100))
    if attrs:
        _child(ppr, "w:ind", _PPR_ORDER, **attrs)


def _child(
    parent: BaseOxmlElement, tag: str, order: Sequence[str], **attrs: str
) -> BaseOxmlElement:
    """`parent`'s `tag` child with `attrs` set, made in its schema place when missing.

    `order` is either the parent's whole child order or just the tags that follow `tag`.
    """
    child = parent.find(qn(tag))
    if child is None:
        child = OxmlElement(tag)
        later = order[order.index(tag) + 1 :] if tag in order else order
        parent.insert_element_before(child, *later)
    for name, value in attrs.items():
        child.set(qn(f"w:{name}"), value)
    return child


def _set_fonts(rpr: BaseOxmlElement, east_asia: str, latin: str) -> None:
    """Name the fonts outright (theme references would win over them) and mark the text
    Chinese, so Word sets quotation marks and dashes in the Chinese font."""
    fonts = rpr.get_or_add_rFonts()
    fonts.attrib.clear()
    names = {"ascii": latin, "hAnsi": latin, "eastAsia": east_asia, "cs": latin, "hint": "eastAsia"}
    for name, value in names.items():
        fonts.set(qn(f"w:{name}"), value)
    _child(rpr, "w:lang", _RPR_AFTER_LANG, val="en-US", eastAsia="zh-CN")


# -- paragraphs ----------------------------------------------------------------------------------


def _add(document: DocumentObject, style: _Style, text: str) -> Paragraph:
    paragraph = document.add_paragraph(style=style.name)
    _add_run(paragraph, style, text)
    return paragraph


def _add_run(paragraph: Paragraph, style: _Style, text: str) -> BaseOxmlElement:
    run = paragraph.add_run(_clean(text))
    _set_fonts(run._r.get_or_add_rPr(), style.east_asia, style.latin)
    return run._r


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def _chars_wide(text: str) -> float:
    """Width in characters: Latin letters and digits take half."""
    return sum(0.5 if ord(ch) < 0x2E80 else 1 for ch in text)


def _add_signature(document: DocumentObject, signature: str, when: str) -> None:
    """The signature, centred over the date where it is the narrower, then the date."""
    if signature:
        paragraph = _add(document, _SIGNATURE, signature)
        offset = _DATE.right + (_chars_wide(when) - _chars_wide(signature)) / 2
        if when and offset > 0:
            _set_indent(paragraph._p.get_or_add_pPr(), _char(_SIGNATURE), right=offset)
    if when:
        _add(document, _DATE, when)


def _add_folio(paragraph: Paragraph, style: _Style, page: int) -> None:
    """The page number as "— N —", N a PAGE field that shows `page` until it is updated."""
    paragraph.style = style.name
    instr = OxmlElement("w:instrText", {qn("xml:space"): "preserve"})
    instr.text = " PAGE "
    _add_run(paragraph, style, "— ")
    _add_run(paragraph, style, "").append(OxmlElement("w:fldChar", {_FIELD: "begin"}))
    _add_run(paragraph, style, "").append(instr)
    _add_run(paragraph, style, "").append(OxmlElement("w:fldChar", {_FIELD: "separate"}))
    _add_run(paragraph, style, str(page))
    _add_run(paragraph, style, "").append(OxmlElement("w:fldChar", {_FIELD: "end"}))
    _add_run(paragraph, style, " —")
