"""Who reported, on which year, when: a report's metadata read from its text, with evidence.

Every field comes with the offsets of the words it was read from, and is None when the text
does not say: an inspection office acts on these fields, so a guess is worse than a gap. The
patterns run over the normalised text (traditional characters read as simplified, full-width
digits as ASCII, one character for one), so offsets index the input.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import PurePosixPath

from model.audit.places import division_names, prefectures
from model.text.document import Document, build_document

LEVELS = ("national", "provincial", "municipal", "county", "township")
KINDS = ("government", "department", "party")

Span = tuple[int, int]

# -- dates ---------------------------------------------------------------------------------------

_CN_DIGIT = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {
    "零": 0,
    "○": 0,
    "Ｏ": 0,
    "O": 0,
}
_YEAR = r"(?:19|20)[0-9]{2}"
_CN_YEAR = "[〇零○ＯO一二三四五六七八九]{4}"
_CN_SMALL = "[一二三四五六七八九十]{1,3}"
DATE = re.compile(
    rf"(?P<y>{_YEAR})\s*(?:年|[-/.])\s*(?P<m>[0-9]{{1,2}})\s*(?:月|[-/.])\s*(?P<d>[0-9]{{1,2}})"
    rf"(?![0-9])\s*日?|(?P<cy>{_CN_YEAR})年(?P<cm>{_CN_SMALL})月(?P<cd>{_CN_SMALL})日"
)


def _small_number(text: str) -> int:
    """一 … 三十一, as months and days are written."""
    if "十" not in text:
        return _CN_DIGIT[text]
    tens, _, units = text.partition("十")
    return (_CN_DIGIT[tens] if tens else 1) * 10 + (_CN_DIGIT[units] if units else 0)


def parse_date(match: re.Match[str]) -> date | None:
    """The calendar date of a `DATE` match; None for an impossible one (2月30日)."""
    try:
        if match["y"]:
            return date(int(match["y"]), int(match["m"]), int(match["d"]))
        year = int("".join(str(_CN_DIGIT[c]) for c in match["cy"]))
        return date(year, _small_number(match["cm"]), _small_number(match["cd"]))
    except (ValueError, KeyError):
        return None


# -- places and bodies ---------------------------------------------------------------------------

_PROVINCES = [
    "北京",
    "天津",
    "上海",
    "重庆",
    "河北",
    "山西",
    "辽宁",
    "吉林",
    "黑龙江",
    "江苏",
    "浙江",
    "安徽",
    "福建",
    "江西",
    "山东",
    "河南",
    "湖北",
    "湖南",
    "广东",
    "海南",
    "四川",
    "贵州",
    "云南",
    "陕西",
    "甘肃",
    "青海",
    "台湾",
    "内蒙古",
    "广西",
    "西藏",
    "宁夏",
    "新疆",
    "香港",
    "澳门",
]
_MUNICIPALITIES = ("北京", "天津", "上海", "重庆")
_PROVINCE = re.compile(
    "(?:" + "|".join(_PROVINCES) + ")"
    r"(?:省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)?"
)


@cache
def _prefecture() -> re.Pattern[str]:
    # Also the short form without 市 ("武汉经开区", "嘉兴南湖区" name the city so).
    forms = {n for n in prefectures()} | {n[:-1] for n in prefectures() if n.endswith("市")}
    return re.compile("|".join(sorted(forms, key=len, reverse=True)))


# Words that end in a place suffix but name a field of work, not a place ("城市管理局").
_NOT_PLACE = re.compile(
    "^(?:城市|城乡|城镇|乡村|社区|市场|城区|县域|镇村|市政)|和城|住房|建设|管理|资源|发展|服务|卫生|"
    "文化|农业|规划|执法|综合|监督|应急|交通"
)
_CJK = "[\u4e00-\u9fff]"
_COUNTY = re.compile(rf"{_CJK}{{1,7}}?(?:自治县|新区|开发区|经开区|高新区|区|县|旗|市)")
_TOWNSHIP = re.compile(rf"{_CJK}{{1,6}}?(?:街道|镇|乡)")
# What a body's name ends with, and which of those are governments or party organs.
_GOVERNMENT = re.compile(r"(?:人民政府|政府|街道办事处|办事处|管委会|管理委员会)$")
_PARTY = re.compile(r"^中共|^中国共产党|(?:党委|党组|党工委|工委|纪委|监委)$")
_BODY_END = re.compile(
    r"(?:人民政府|政府|办事处|管委会|管理委员会|委员会|局|厅|委|办公室|办|署|院|中心|部|"
    r"党委|党组|工委)$"
)
_NATIONAL = re.compile(
    r"^(?:国家|国务院|中华人民共和国|中国(?!共产党))|^[^省市区县]{1,8}(?:部|总署|总局)$"
)


def is_body(name: str) -> bool:
    """`name` names an organ (…局, …人民政府, a town), not only a place ("北京市") nor an
    unnamed one ("我局")."""
    return (
        bool(_BODY_END.search(name))
        and not name.endswith(("市", "省", "区", "县"))
        and not name.startswith(("我", "本", "该", "全"))
        and "各级" not in name
    )


def issuer_kind(name: str) -> str | None:
    """government, department or party, from the name of the body."""
    if _PARTY.search(name) and not _GOVERNMENT.search(name):
        return "party"
    if _GOVERNMENT.search(name) or name.endswith(("镇", "乡", "街道")):
        return "government"  # a town or street reporting as itself speaks as its government
    return "department" if is_body(name) else None


def place_units(name: str) -> list[tuple[str, str]]:
    """The administrative units a name opens with, in order: [(level, words)]."""
    units: list[tuple[str, str]] = []
    at = 0
    m = _PROVINCE.match(name)
    if m:
        units.append(("provincial", m.group()))
        at = m.end()
    m = _prefecture().match(name, at)
    # A short form followed by its own unit is a county of the same name ("南昌县", "朝阳区").
    if m and not m.group().endswith("市") and name[m.end() : m.end() + 1] in ("县", "区", "旗"):
        m = None
    if m:
        units.append(("municipal", m.group()))
        at = m.end()
        if name.startswith("市", at):
            at += 1
    for level, pattern in (("county", _COUNTY), ("township", _TOWNSHIP)):
        m = pattern.match(name, at)
        if name.startswith("人民政府", at):  # "鲤城区人民政府金龙街道办事处"
            at += 4
            m = pattern.match(name, at)
        if m and not _NOT_PLACE.search(m.group()):
            if (
                level == "county"
                and m.group().endswith("市")
                and _prefecture().fullmatch(m.group())
            ):
                level = "municipal"
            units.append((level, m.group()))
            at = m.end()
    return units


def level_of(name: str) -> str | None:
    """The administrative level of a body or place, from its name; None when it does not say.

    The lowest unit named decides: "武汉市硚口区司法局" is county. A 市 is prefecture-level
    only when the division table (`model.audit.places`) says so, so "海宁市" is county-level;
    the four municipalities under the central government are provincial.
    """
    units = place_units(re.sub(r"^(?:中共|中国共产党)", "", name))
    if not units:
        return "national" if _NATIONAL.search(name) else None
    level, words = units[-1]
    if level == "provincial" and len(units) == 1:
        return "provincial"
    return level


# -- the fields ----------------------------------------------------------------------------------


@dataclass(slots=True)
class Metadata:
    """What the text says about itself; every field None when it does not say."""

    title: str | None = None
    issuer: str | None = None
    issuer_kind: str | None = None
    level: str | None = None
    year: int | None = None
    report_date: date | None = None
    published: date | None = None
    evidence: dict[str, Span] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # Where each field came from when not from the text: "page" (title, meta tags) or
    # "filename" (the file's name and folder). A field read from the text has its offsets in
    # `evidence` instead.
    sources: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "title": self.title,
            "issuer": self.issuer,
            "issuer_kind": self.issuer_kind,
            "level": self.level,
            "year": self.year,
            "report_date": self.report_date.isoformat() if self.report_date else None,
            "published": self.published.isoformat() if self.published else None,
            "evidence": {k: list(v) for k, v in self.evidence.items()},
            "sources": {
                k: self.sources.get(k, "text") for k in _FIELDS if getattr(self, k) is not None
            },
        }


_FIELDS = ("title", "issuer", "issuer_kind", "level", "year", "report_date", "published")


@dataclass(frozen=True, slots=True)
class Context:
    """What a file says about the report beside its text, in the order the audit trusts it.

    `page`: a saved page's <title> and meta tags (`Decoded.meta`); `filename`: the file's
    path as given, whose name and folder often name the body and the year
    (区司法局/2024年法治政府建设情况报告.docx).
    """

    page: Mapping[str, str] = field(default_factory=dict)
    filename: str | None = None


_HEAD_PARAGRAPHS = 12  # titles, date lines and addressees sit in a page's first lines
_TAIL_PARAGRAPHS = 6  # signatures in its last
# A line that names a rule-of-law report (its title), also the audit's genre evidence.
REPORT_TITLE = re.compile(
    r"(?:法治政府|依法行政|法治建设|法治[\u4e00-\u9fff]{1,4}建设).{0,20}(?:报告|情况)"
)
_TITLE_MAX = 80
_CRUMBS = re.compile(r"[>＞»]|首页|位置")
_SITE_SUFFIX = re.compile(r"\s*(?:[-_|｜—]+\s*[^-_|｜—]{2,30}(?:网|网站|门户|政府|平台)\s*)+$")
_PUBLISHED = re.compile(
    r"(?:发布时间|发布日期|公开日期|生成日期|(?<![更新成发文印])日期|(?<![更新])时间)"
    r"\s*[\]】]?\s*[：:|｜]?\s*[|｜]?\s*"
)
# A page's own stamp, unlabelled: a numeric date among the lines above the body ("• 2024-01-23",
# "2025-04-27 10:14 黑龙江日报"), not one in brackets, which dates the document itself.
_STAMP = re.compile(
    rf"(?<![（(0-9])(?P<y>{_YEAR})[-/](?P<m>[0-9]{{1,2}})[-/](?P<d>[0-9]{{1,2}})(?![0-9）)])"
)
_SOURCE = re.compile(
    r"(?:来源|发布机构|发布单位|信息来源|责任部门|发布部门)\s*[\]】]?\s*[：:|｜]?\s*[|｜]?\s*"
)
_NAME = re.compile(rf"{_CJK}[\u4e00-\u9fff（）()、]{{1,40}}")
_ADDRESSEE = re.compile(r"\s*(?P<to>[\u4e00-\u9fff、，（）]{2,60})[：:]\s*$")
# The subject of the opening sentence: "2024年，[在…领导下，]长治市应急管理局坚持…".
_OPENING = re.compile(
    rf"[\s?？]*(?:(?:{_YEAR}|今)年(?:度)?(?:以来)?(?:[^，。]{{0,30}}?[，,])?\s*)"
    rf"(?:(?:在[^。]{{2,80}}?下|按照[^。]{{2,60}}?)[，,]\s*)*"
    rf"(?P<subject>(?!在|按照|根据|我){_CJK}[\u4e00-\u9fff、]{{1,40}}?)"
    r"(?:党组|党委|法治政府建设工作|法治政府建设)?"
    r"(?=坚持|深入|认真|全面|始终|紧紧|紧扣|以|在|持续|聚焦|积极|扎实|围绕|高度|牢固|不断|立足|"
    r"按照|把|着力|坚决|继续|严格|大力|切实|主动)"
)
_NOW_REPORTING = re.compile(rf"现将(?P<subject>(?!我|本|有关){_CJK}{{2,30}}?)(?:{_YEAR})\s*年")
_ABBREVIATED = re.compile(r"^(?P<unit>[省市区县镇乡])(?P<rest>[\u4e00-\u9fff]{1,30})$")
_OWN = re.compile(r"我(?P<unit>省|市|区|县|镇|乡|街道|旗)")
_OWN_BODY = re.compile(r"[我本](?:局|委|厅|办)(?![\u4e00-\u9fff]{0,1}[省市区县])|[局厅]党[组委]")
_HEAD_CHARS = 600
_GOVERNMENT_OF = {"镇": "人民政府", "乡": "人民政府", "街道": "办事处"}


def extract(doc: Document, context: Context | None = None) -> Metadata:
    """The metadata of a segmented document (labels, when present, are not needed).

    Evidence from the text first; a field the text leaves open is then read, by the same
    rules, with the page's title and date lines (`context.page`) set above the text, then
    with the file's name and folder: so a page whose body starts "2022年，我镇坚持……" gets
    its issuer from its <title>. Such a field says where it came from (`sources`).
    """
    meta = _extract(doc)
    if context is None:
        return meta
    for source, lines, places in (
        ("page", _page_lines(context.page), _page_places(context.page)),
        ("filename", _path_lines(context), _path_lines(context)),
    ):
        if (
            not (lines or places)
            or meta.title is not None
            and all(getattr(meta, k) for k in _FIELDS)
        ):
            continue
        head = "".join(line + "\n" for line in lines)
        found = _extract(build_document(head + doc.text), places)
        _merge(meta, found, source, len(head), whole=meta.title is None and found.title is not None)
    return meta


def _merge(meta: Metadata, found: Metadata, source: str, offset: int, whole: bool) -> None:
    """Fields of `found`, read with `offset` characters of `source`'s lines above the text,
    into `meta`: only those `meta` lacks, or every field `found` has when the text has no
    title of its own (`whole`), since the rules read a text's head through its title.

    A field whose evidence lies in the text keeps its offsets there; one from the lines
    above says its source instead. An issuer's kind and level go with the issuer.
    """
    for name in _FIELDS:
        value = getattr(found, name)
        if value is None or getattr(meta, name) == value:
            continue  # the same value keeps the text's evidence
        if not whole and getattr(meta, name) is not None:
            continue
        if (
            not whole
            and name in ("issuer_kind", "level")
            and meta.issuer is not None
            and found.issuer != meta.issuer
        ):
            continue
        setattr(meta, name, value)
        # Read in the text (a short form written out with the page's place: both are said),
        # or in the lines above it: then only the source.
        span = found.evidence.get(name)
        if span is not None and span[0] >= offset:
            meta.evidence[name] = (span[0] - offset, span[1] - offset)
        else:
            meta.evidence.pop(name, None)
        meta.sources[name] = source


def _page_places(page: Mapping[str, str]) -> list[str]:
    """Where a page says it is: its site and source names ("罗湖区人民政府门户网站"), with which a
    short form in the text ("区司法局") may be written out; never an issuer by themselves."""
    names = ("sitename", "og:site_name", "contentsource", "title")
    return [page[name] for name in names if page.get(name)]


def _page_lines(page: Mapping[str, str]) -> list[str]:
    """A page's own statements, as the lines a report's head would hold: its title (the CMS's
    ArticleTitle before the <title>, which often ends with the site's name), its date and its
    source."""
    lines = []
    title = page.get("articletitle") or page.get("og:title") or page.get("title")
    if title:
        lines.append(_SITE_SUFFIX.sub("", title))
    if date_line := page.get("date_line"):
        lines.append(date_line)
    elif published := page.get("pubdate") or page.get("article:published_time"):
        lines.append(f"发布时间：{published}")
    if (source := page.get("contentsource")) and not page.get("date_line"):
        lines.append(f"来源：{source}")
    return lines


# Version marks at the end of a file name: "（定稿）", "_修改稿", "(1)".
_NAME_FURNITURE = re.compile(
    r"(?:[_\-—\s]*(?:[（(【\[][^）)】\]]{0,6}[）)】\]]|定稿|终稿|最终版|修改稿|公开版))+$"
)


def _path_lines(context: Context) -> list[str]:
    """The file's name (without its suffix and version marks) and its folder's, as head lines."""
    if not context.filename:
        return []
    parts = PurePosixPath(context.filename.replace("\\", "/")).parts
    stem = PurePosixPath(parts[-1]).stem
    lines = [_NAME_FURNITURE.sub("", stem)]
    lines += [part for part in parts[-2:-1] if part not in (".", "..", "/")]
    return [line for line in lines if line]


def _extract(doc: Document, places: Sequence[str] = ()) -> Metadata:
    """The fields the text says; `places` are more names of places (a page's site, a file's
    folder) that may write out a short form of the issuer."""
    norm = doc.normalised()
    meta = Metadata()
    title_at = _title(doc, norm, meta)
    _published(doc, norm, meta)
    _report_date(doc, norm, meta, title_at)
    _year(doc, norm, meta, title_at)
    _issuer(doc, norm, meta, title_at, places)
    return meta


def _head(doc: Document) -> range:
    return range(min(_HEAD_PARAGRAPHS, len(doc.paragraphs)))


def _title(doc: Document, norm: str, meta: Metadata) -> int | None:
    """The first short line near the top that names a rule-of-law report; its paragraph.

    Given as read (simplified characters, conversion debris dropped), without page furniture
    around it ("标  题", "|", a trailing name and date, a site's name), joined with the line
    after it when it is broken in two, and with the body's name on the line above it when it
    opens with 关于 or the year ("长治市应急管理局" / "关于2022年度…报告").
    """
    paragraphs = doc.paragraphs
    for i in _head(doc):
        p = paragraphs[i]
        line = _clean_title(norm[p.start : p.end])
        if len(line) > _TITLE_MAX + 30 or line.endswith(("。", "，", "；", "：")) or p.level:
            continue
        end = p.end
        if i + 1 < len(paragraphs) and not REPORT_TITLE.search(line):
            # A title broken over two lines: "…关于2023年度法治政府建设" / "工作的报告".
            q = paragraphs[i + 1]
            after = _clean_title(norm[q.start : q.end])
            short_tail = len(after) <= 12 and after.endswith("报告")
            after_about = line.endswith("关于") and bool(REPORT_TITLE.search(after))
            if not ((short_tail or after_about) and REPORT_TITLE.search(line + after)):
                continue
            line, end = line + after, q.end
        m = REPORT_TITLE.search(line)
        if not m or "，" in line[: m.start()] or _CRUMBS.search(line):
            continue
        quoted = re.search(r"《([^》]+)》", line)
        if quoted and REPORT_TITLE.search(quoted[1]):
            line = quoted[1]
        line = _SITE_SUFFIX.sub("", line)
        if len(line) > _TITLE_MAX:
            continue
        at = norm.find(line[:4], p.start, end)
        start = at if at >= 0 else p.start
        if i > 0 and re.match(rf"关于|{_YEAR}|{_CN_YEAR}", line):
            above = paragraphs[i - 1]
            name = _clean_name(norm[above.start : above.end])
            if is_body(name) and re.fullmatch(r"[\u4e00-\u9fff（）()]{3,30}", name):
                line, start = (
                    name + line,
                    above.start + norm[above.start : above.end].index(name[0]),
                )
        meta.title = line
        meta.evidence["title"] = (start, end)
        return i
    return None


_TITLE_FURNITURE = re.compile(r"^\s*(?:标\s*题|题\s*目)\s*[：:]?\s*|[|｜]+")
_TRAILING_STAMP = re.compile(
    rf"\s+\S{{2,30}}\s+(?:{_YEAR})[-/年][0-9]{{1,2}}[-/月][0-9]{{1,2}}日?\s*$"
)


def _clean_title(line: str) -> str:
    line = _TITLE_FURNITURE.sub("", line.replace("\u2060", ""))
    line = _TRAILING_STAMP.sub("", line)
    return re.sub(r"\s+", " ", line).strip()


def _dates(norm: str, start: int, end: int) -> list[tuple[date, Span]]:
    """The dates in norm[start:end], a date that a page width broke ("2\n023年2月3日") read
    whole, its span from its first character to its last."""
    if "\n" not in norm[start:end]:
        matches = [(m, m.span()) for m in DATE.finditer(norm, start, end)]
    else:
        kept = [k for k in range(start, end) if norm[k] not in "\r\n"]
        flat = "".join(norm[k] for k in kept)
        matches = [(m, (kept[m.start()], kept[m.end() - 1] + 1)) for m in DATE.finditer(flat)]
    found = []
    for m, span in matches:
        d = parse_date(m)
        if d is not None:
            found.append((d, span))
    return found


def _published(doc: Document, norm: str, meta: Metadata) -> None:
    """A 发布时间 / 发布日期 / 日期 line near the top (a banner's 'today' has no such label)."""
    for i in _head(doc):
        p = doc.paragraphs[i]
        for m in _PUBLISHED.finditer(norm, p.start, p.end):
            d = DATE.match(norm, m.end())
            if d and (when := parse_date(d)):
                meta.published = when
                meta.evidence["published"] = d.span()
                return
    for i in _head(doc):
        p = doc.paragraphs[i]
        if p.end - p.start > 60 and not p.heading:
            break  # the body has begun
        line = norm[p.start : p.end]
        if "成文" in line or "更新" in line or "索引" in line:
            continue
        m = _STAMP.search(norm, p.start, p.end)
        if m and (when := parse_date(m)):
            meta.published = when
            meta.evidence["published"] = m.span()
            return


def _report_date(doc: Document, norm: str, meta: Metadata, title_at: int | None) -> None:
    """A date standing alone as the signature, or on the line under the title."""
    n = len(doc.paragraphs)
    tail = range(n - 1, max(-1, n - 1 - _TAIL_PARAGRAPHS), -1)
    under_title = [] if title_at is None else list(range(title_at + 1, min(n, title_at + 3)))
    for i in [*tail, *under_title]:
        p = doc.paragraphs[i]
        line = norm[p.start : p.end].strip()
        if len(line) > 60:
            continue
        found = _dates(norm, p.start, p.end)
        if not found:
            continue
        d, span = found[-1]
        rest = (norm[p.start : span[0]] + norm[span[1] : p.end]).strip(" （）()|｜\n\t")
        labelled = (
            _PUBLISHED.search(norm, p.start, span[0])
            or "更新" in line
            or meta.evidence.get("published") == span
        )
        if labelled or (rest and not is_body(rest.split()[-1])):
            continue
        meta.report_date = d
        meta.evidence["report_date"] = span
        if rest:
            meta.evidence.setdefault("signature", (p.start, span[0]))
        elif i > 0 and i in tail:  # the signing body on the line above the date
            above = doc.paragraphs[i - 1]
            name = norm[above.start : above.end].strip()
            if len(name) <= 50 and is_body(_clean_name(name)) and not re.search("[，。；：]", name):
                at = norm.index(name, above.start)
                end = at + len(name)
                if i > 1:  # a name broken over two lines: "中共某某区" / "某某局党组"
                    first = doc.paragraphs[i - 2]
                    head = norm[first.start : first.end].strip()
                    if (
                        2 < len(head) <= 30
                        and not re.search("[，。；：:]", head)
                        and not is_body(_clean_name(head))
                    ):
                        at = norm.index(head, first.start)
                meta.evidence.setdefault("signature", (at, end))
        return


def _year(doc: Document, norm: str, meta: Metadata, title_at: int | None) -> None:
    """The year reported on: the title's, else the one that opens the first body paragraphs."""
    if title_at is not None and meta.title is not None:
        for m in re.finditer(rf"(?P<y>{_YEAR})\s*年|(?P<cy>{_CN_YEAR})年", meta.title):
            meta.year = _year_value(m)
            meta.evidence["year"] = _in_title(meta, norm, m.group()[:4])
            return
    body = [
        p
        for p in doc.paragraphs[: _HEAD_PARAGRAPHS + 4]
        if not p.heading
        and p.end - p.start > 40
        and _PUBLISHED.search(norm, p.start, p.end) is None
    ]
    for p in body[:2]:
        m = re.search(
            rf"现将[^。]{{0,20}}?(?P<y>{_YEAR})\s*年度?[^。]{{0,30}}?报告", norm[p.start : p.end]
        )
        if m:
            meta.year = int(m["y"])
            meta.evidence["year"] = (p.start + m.start("y"), p.start + m.end("y"))
            return
        # An addressee may share the line when line breaks were lost ("中共海宁市委、
        # 海宁市人民政府： 2022年，市住建局…").
        m = re.match(
            rf"\s*(?:[^。：:]{{2,40}}[：:]\s*)?(?:[^，。]{{0,12}}?)(?P<y>{_YEAR})\s*年(?![0-9—-])",
            norm[p.start : p.end],
        )
        if m and not re.search(r"[《（(—-]", m.group()):
            meta.year = int(m["y"])
            meta.evidence["year"] = (p.start + m.start("y"), p.start + m.end("y"))
            return


def _year_value(m: re.Match[str]) -> int:
    if m["y"]:
        return int(m["y"])
    return int("".join(str(_CN_DIGIT[c]) for c in m["cy"]))


def _clean_name(name: str) -> str:
    return re.sub(r"[\s\u2060]+", "", name).strip("（）()、，")


def _issuer(
    doc: Document, norm: str, meta: Metadata, title_at: int | None, places: Sequence[str] = ()
) -> None:
    """The issuing body: from the title, the signature, the opening sentence's subject, a
    来源 / 发布机构 line, or 我区 / 我局 with a title that names the place. Short forms
    ("县政府", "市住建局") are written out only with a place of that unit named nearby."""
    named = _named_places(doc, norm, meta, places)
    candidates: list[tuple[str, Span, str]] = []  # (name, evidence, where)
    if meta.title:
        m = _TITLE_NAME.match(meta.title)
        if m:
            for name in _government_first(m["name"].split("关于")[0]):
                candidates.append((name, _in_title(meta, norm, name), "title"))
    for i in _head(doc):  # the body's name on a line of its own above the text ("赵县人民政府")
        p = doc.paragraphs[i]
        if p.end - p.start > 60 and not p.heading:
            break
        line = norm[p.start : p.end].strip()
        if is_body(line) and re.fullmatch(r"[\u4e00-\u9fff（）]{3,30}", line):
            at = norm.index(line, p.start)
            candidates.append((line, (at, at + len(line)), "name line"))
    if "signature" in meta.evidence:
        s, e = meta.evidence["signature"]
        line = norm[s:e].strip()
        joined = "".join(line.split("\n"))
        name = (
            joined if "\n" in line and is_body(_clean_name(joined)) else (line.split() or [""])[-1]
        )
        at = s if name == joined else norm.rfind(name, s, e)
        candidates.append((name, (at, e if name == joined else at + len(name)), "signature"))
    else:
        n = len(doc.paragraphs)
        for i in range(n - 1, max(-1, n - 1 - 3), -1):
            p = doc.paragraphs[i]
            line = norm[p.start : p.end].strip()
            if 3 <= len(line) <= 30 and is_body(line) and not re.search(r"[，。；：]", line):
                at = norm.index(line, p.start)
                candidates.append((line, (at, at + len(line)), "signature"))
                break
    for p in doc.paragraphs[: _HEAD_PARAGRAPHS + 4]:
        # The first paragraph of running text: page furniture ("设为首页 | 收藏本站 …") has no
        # clause marks.
        if p.heading or p.end - p.start < 30 or not re.search("[，,。]", norm[p.start : p.end]):
            continue
        m = _OPENING.match(norm, p.start, p.end)
        if m:
            name = m["subject"]
            s = m.start("subject")
            candidates.append((name, (s, s + len(name)), "opening"))
        break
    for p in doc.paragraphs[
        :_HEAD_PARAGRAPHS
    ]:  # "现将县人民政府2022年法治政府建设工作情况报告如下"
        m = _NOW_REPORTING.search(norm, p.start, p.end)
        if m:
            candidates.append((m["subject"], m.span("subject"), "opening"))
            break
    for i in _head(doc):
        p = doc.paragraphs[i]
        for m in _SOURCE.finditer(norm, p.start, p.end):
            n = _NAME.match(norm, m.end(), p.end)
            if n:
                candidates.append((n.group(), n.span(), "source"))
    title_place = _title_place(meta, norm)
    for name, span, where in candidates:
        full = _written_out(_clean_name(name), named) or _named_in_full(norm, _clean_name(name))
        # A 发布机构 line naming a town or street names the body that published it.
        named_town = where == "source" and bool(full) and full.endswith(("镇", "乡", "街道"))
        if not full or not (is_body(full) or named_town) or _joint(full):
            continue
        # A page's 来源 is often the office that posted it; under a title naming a place it
        # stands for the issuer only when it is that place's government.
        if (
            where == "source"
            and title_place
            and not (title_place[0] in full and issuer_kind(full) == "government")
        ):
            continue
        meta.issuer = full
        meta.evidence["issuer"] = span
        break
    else:
        own = _OWN.search(norm)
        if own and title_place and title_place[0].endswith(own["unit"]):
            place, span = title_place
            meta.issuer = place + _GOVERNMENT_OF.get(own["unit"], "人民政府")
            meta.evidence["issuer"] = span
    if meta.issuer:
        meta.issuer_kind = issuer_kind(meta.issuer)
        meta.level = level_of(meta.issuer)
        if meta.level:
            meta.evidence["level"] = meta.evidence["issuer"]
    else:  # no issuer, but the place reported on may be named ("2024年，渝中区坚持…")
        named = [title_place] if title_place else []
        named += [(_clean_name(n), span) for n, span, where in candidates if where != "source"]
        for name, span in named:
            if not name.startswith(("我", "本", "全", "各")) and (level := level_of(name)):
                meta.level = level
                meta.evidence["level"] = span
                # A place reporting as itself ("北京市坚持…") speaks as its government; a joint
                # subject ("河北省委、省政府") is no one kind.
                joint = any(_joint(_clean_name(n)) for n, _, w in candidates if w == "opening")
                meta.issuer_kind = None if joint else issuer_kind(name) or "government"
                break
        else:
            own = _OWN_BODY.search(norm, 0, _HEAD_CHARS)
            if own:  # "我局" / "我委": a department, though unnamed
                meta.issuer_kind = "department"
            _level_from_unit(norm, meta, candidates)


# The unit a report speaks as, without its name: "省教育厅", "区司法局", "我市", "全省各级政府".
_UNIT_LEVEL = {
    "省": "provincial",
    "市": "municipal",
    "区": "county",
    "县": "county",
    "镇": "township",
    "乡": "township",
    "街道": "township",
}
_UNIT_WORD = re.compile(r"(?:我|全)(省|市|区|县|镇|乡|街道)")


def _level_from_unit(norm: str, meta: Metadata, candidates: list[tuple[str, Span, str]]) -> None:
    """The level an unnamed subject's unit states: 省 provincial, 县 / 区 county, 镇 / 乡 /
    街道 township, and 市 municipal, taken as prefecture-level (a county-level city calls
    itself 市 too: the one guess here, documented). 区 is provincial when the text names an
    autonomous region (内蒙古, 广西 … speak of 我区)."""
    found: tuple[str, Span] | None = None
    for name, span, where in candidates:
        m = _ABBREVIATED.match(_clean_name(name)) if where == "opening" else None
        if m:
            found = (m["unit"], span)
            break
        if where == "opening" and _clean_name(name).startswith("街道"):
            found = ("街道", span)
            break
    if found is None:
        m = _UNIT_WORD.search(norm, 0, _HEAD_CHARS)
        if m is None:
            return
        found = (m[1], m.span())
    unit, span = found
    level = _UNIT_LEVEL[unit]
    head = norm[:_HEAD_CHARS]
    if unit == "区" and "自治区" in head:
        level = "provincial"
    if unit == "市" and any(f"{m}市" in head for m in _MUNICIPALITIES):
        level = "provincial"  # 上海市's "全市" is a province-level municipality
    meta.level = level
    meta.evidence["level"] = span
    if meta.issuer_kind is None and unit != "街道":
        words = norm[span[0] : span[1]]
        meta.issuer_kind = "department" if re.search(r"[局厅委办]", words[1:]) else "government"


def _joint(name: str) -> bool:
    """A joint party–government subject ("省委、省政府", "镇党委、政府"): not one issuer."""
    return "、" in name or "和" in name[-6:] and "政府" in name and "党" in name


def _title_place(meta: Metadata, norm: str) -> tuple[str, Span] | None:
    """The place a title opens with ("硚口区2024年度…"), when it names no body."""
    if not meta.title:
        return None
    m = re.match(rf"(?P<name>{_CJK}{{2,20}}?)(?:关于)?(?=(?:{_YEAR}|{_CN_YEAR})\s*年)", meta.title)
    if not m or is_body(m["name"]):
        return None
    return m["name"], _in_title(meta, norm, m["name"])


_TITLE_NAME = re.compile(
    rf"(?P<name>{_CJK}[^0-9]{{1,60}}?)(?:关于)?(?=(?:{_YEAR}|{_CN_YEAR})\s*年|关于)"
)


def _in_title(meta: Metadata, norm: str, words: str) -> Span:
    """Where `words` of the title stand in the text (the title's span when not found)."""
    s, e = meta.evidence["title"]
    at = norm.find(words, s, e)
    return (at, at + len(words)) if at >= 0 else (s, e)


def _government_first(name: str) -> list[str]:
    """The bodies a (joint) name lists, a government first: "中共某镇委员会 某镇人民政府"."""
    parts = [w for w in re.split(r"[\s、]+", name) if w]
    order = {"government": 0, "department": 1, None: 2, "party": 3}
    return sorted(parts, key=lambda w: order[issuer_kind(w)]) if len(parts) > 1 else parts


def _named_places(
    doc: Document, norm: str, meta: Metadata, extra: Sequence[str] = ()
) -> dict[str, str]:
    """Places named near the top, by unit ({"市": "海宁市", "区": "硚口区"}), for short forms;
    then those of `extra` (a page's site, a file's folder), which the text's own names outrank."""
    places: dict[str, str] = {}
    texts = [meta.title or ""]
    for i in _head(doc):
        p = doc.paragraphs[i]
        m = _ADDRESSEE.match(norm, p.start, p.end)
        if m:
            texts.append(m["to"])
    # Provinces and prefecture-level cities named anywhere near the top ("武汉市农业综合执法支队",
    # "《湖南省法治政府建设实施纲要》") settle 市/省 short forms too, after the title's.
    head = norm[:_HEAD_CHARS]
    texts += [m.group() for m in _PROVINCE.finditer(head) if m.group()[-1] in "省市区"]
    # A city named in full with a district after it ("《杭州市上城区2024年…》") names the 区 too.
    texts += [
        head[m.start() : m.end() + 8]
        for m in _prefecture().finditer(head)
        if m.group().endswith("市")
    ]
    for t in [*texts, *extra]:
        prefix = ""  # a county named after its city keeps the city: "杭州市上城区"
        for level, words in place_units(re.sub(r"^中共", "", t)):
            whole = prefix + words if level in ("county", "township") else words
            prefix = whole if level == "municipal" and words.endswith("市") else ""
            unit = next(
                (
                    u
                    for u in ("街道", "自治县", "区", "县", "市", "省", "镇", "乡", "旗")
                    if words.endswith(u)
                ),
                None,
            )
            if unit:
                places.setdefault(unit[-1] if unit != "街道" else unit, whole)
            elif level == "municipal":
                places.setdefault("市", words + "市")
    return places


def _named_in_full(norm: str, name: str) -> str | None:
    """A short form's full name as the text itself writes it elsewhere: "区司法局" in a text
    that names "罗湖区司法局《…工作方案》" is 罗湖区司法局; "县人民政府" with 《岳阳县人民政府常务会
    会前学法制度》 is 岳阳县人民政府. The place must be a division of the national table, and only
    one may fit: two places, no answer."""
    m = _ABBREVIATED.match(name)
    if not m or _PROVINCE.match(name) or _prefecture().match(name):
        return None
    short = m["unit"] + ("人民" + m["rest"] if m["rest"].startswith("政府") else m["rest"])
    names = division_names()
    found = set()
    for hit in re.finditer(re.escape(short), norm):
        at = hit.start() + 1  # the place ends with the short form's unit (区, 县, 市 …)
        for length in range(3, 10):
            if at - length >= 0 and norm[at - length : at] in names:
                found.add(norm[at - length : at] + short[1:])
                break
    return found.pop() if len(found) == 1 else None


def _written_out(name: str, places: dict[str, str]) -> str | None:
    """A body's full name: "县政府" with 赵县 named nearby is "赵县人民政府"."""
    if not name:
        return None
    m = _ABBREVIATED.match(name)
    if m and not _PROVINCE.match(name) and not _prefecture().match(name):
        place = places.get(m["unit"])
        if place is None:
            return None
        rest = m["rest"]
        return place + ("人民" + rest if rest.startswith("政府") else rest)
    if name.endswith("政府") and not name.endswith("人民政府"):
        name = name[:-2] + "人民政府"
    return name
