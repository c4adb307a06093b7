"""The roster of a spring round: the bodies that must report, which body each report is from,
and the ledger that says, body by body, who reported, on time or late, and who did not.

Pure: the roster arrives as a header and rows of strings (`parse`), a report as the few
facts the audit and the file give (`Evidence`); reading files is the service's job.

Matching trusts the roster, not a hand list: every body's names are its full name, the
aliases the office wrote, and the forms the name itself yields (without its leading places:
"硚口区司法局", "区司法局", "司法局"; a government also by its place: "下太镇"). A report's
evidence is read in order of trust: the issuer the audit found, the title, the signature
lines, the file's name and folders, then the opening. In each, the roster names that occur
are found, a name inside a longer one found at the same place giving way to it, and the
bodies so named are that source's candidates. The first source with candidates gives the
set; each later one narrows it when it agrees with some of it. A report is `matched` only
when one body is left and nothing contradicts it (a place in the issuer's name that the body
does not have, a 我镇 for a department). Otherwise it is `ambiguous`, with its candidates,
or `unlisted` (not on the roster). A second report for a body and year is a `duplicate`.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from model.audit.deadlines import Rules
from model.audit.metadata import DATE, is_body, issuer_kind, level_of, parse_date, place_units

COLUMNS = ("名称", "简称/别名", "层级", "类型", "截止日期")
# Headers an office may use for each column.
_HEADERS = {
    "名称": ("名称", "单位名称", "单位", "机关名称", "name"),
    "简称/别名": ("简称/别名", "简称", "别名", "简称别名", "aliases"),
    "层级": ("层级", "级别", "level"),
    "类型": ("类型", "单位类型", "kind"),
    "截止日期": ("截止日期", "报送期限", "截止时间", "deadline"),
}
REQUIRED_COLUMNS = ("名称",)
LEVEL_ZH = {
    "national": "国家",
    "provincial": "省级",
    "municipal": "市级",
    "county": "县级",
    "township": "乡镇",
}
KIND_ZH = {"government": "政府", "department": "部门", "party": "党组织"}
_LEVEL_OF_ZH = {v: k for k, v in LEVEL_ZH.items()} | {
    "中央": "national",
    "国家级": "national",
    "部委": "national",
    "省": "provincial",
    "省级": "provincial",
    "市": "municipal",
    "地市": "municipal",
    "地级": "municipal",
    "县": "county",
    "区县": "county",
    "县区": "county",
    "乡": "township",
    "镇": "township",
    "街道": "township",
    "乡镇街道": "township",
}
_KIND_OF_ZH = {v: k for k, v in KIND_ZH.items()} | {
    "人民政府": "government",
    "政府部门": "department",
    "党委": "party",
    "党组": "party",
    "党委部门": "party",
}
_ALIAS_SPLIT = re.compile(r"[；;、，,/|\s]+")
_ISO_DATE = re.compile(r"^\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\s*$")
# A report's self-reference: 我镇 names a township, 我局 a department.
_OWN_TOWN = re.compile(r"[我本](?:镇|乡|街道)")
_OWN_OFFICE = re.compile(r"[我本](?:局|委|厅|办)(?![\u4e00-\u9fff]{0,1}[省市区县])")
_OWN_PLACE = re.compile(r"[我本](镇|乡|街道|区|县|市|省)")
_OWN_LEVEL = {
    "镇": ("township",),
    "乡": ("township",),
    "街道": ("township",),
    "区": ("county",),
    "县": ("county",),
    "市": ("municipal", "county"),
    "省": ("provincial",),
}
_PARTY_PREFIX = re.compile(r"^(?:中共|中国共产党)")
_PARTY_SUFFIX = re.compile(r"(?:党组|党委)$")
_GOVERNMENT_SUFFIX = re.compile(r"(?:人民政府|政府|街道办事处|办事处)$")
# Organ names too general to name one body on their own.
_GENERIC_ORGANS = frozenset({"人民政府", "政府", "办事处", "街道办事处", "管委会", "办公室"})
_UNIT_CHARS = {"provincial": "省", "municipal": "市", "county": "区", "township": "镇"}


class RosterError(ValueError):
    """A roster that cannot be used, in one line naming the file, the row and the column."""

    def __init__(self, source: str, row: int | None, column: str | None, message: str) -> None:
        where = source + (f", row {row}" if row is not None else "")
        where += f", column {column}" if column else ""
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True, slots=True)
class Body:
    """A body that must report. `row` is its row in the roster file (the header is row 1)."""

    name: str
    aliases: tuple[str, ...] = ()
    level: str | None = None
    kind: str | None = None
    deadline: date | None = None
    row: int = 0

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "aliases": list(self.aliases),
            "level": self.level,
            "kind": self.kind,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "row": self.row,
        }


def key(name: str) -> str:
    """A name as compared: NFKC (full-width letters, brackets), no spaces, 中共 dropped."""
    text = unicodedata.normalize("NFKC", name)
    text = re.sub(r"\s+", "", text).replace("(", "（").replace(")", "）")
    return text


def _header_map(header: Sequence[str], source: str, row: int) -> dict[str, int]:
    found: dict[str, int] = {}
    for i, cell in enumerate(header):
        name = key(cell or "").replace("／", "/")
        for column, names in _HEADERS.items():
            if name in names or name.lower() in names:
                if column in found:
                    raise RosterError(source, row, cell, f"two columns are {column}")
                found[column] = i
    for column in REQUIRED_COLUMNS:
        if column not in found:
            raise RosterError(
                source,
                row,
                column,
                f"no {column} column (the header must name {', '.join(COLUMNS)}; "
                f"found {', '.join(c for c in header if c) or 'nothing'})",
            )
    return found


def parse_deadline(text: str) -> date | None:
    """ "2025-03-31", "2025/3/31" or "2025年3月31日"; None for an empty cell; ValueError else."""
    text = (text or "").strip()
    if not text:
        return None
    m = _ISO_DATE.match(text)
    if m:
        return date(int(m[1]), int(m[2]), int(m[3]))
    m = DATE.fullmatch(text)
    if m and (found := parse_date(m)) is not None:
        return found
    raise ValueError(f"not a date: {text!r} (write 2025-03-31 or 2025年3月31日)")


def parse(
    header: Sequence[str], rows: Iterable[Sequence[str]], source: str, first_row: int = 2
) -> list[Body]:
    """The roster's bodies, checked: every body named once, levels, kinds and dates readable.

    Rows are numbered as a spreadsheet shows them (`first_row` is the row under the header);
    blank rows are skipped. Level and kind, when the roster leaves them empty, come from the
    name.
    """
    columns = _header_map(header, source, first_row - 1)
    bodies: list[Body] = []
    seen: dict[str, int] = {}

    def cell(values: Sequence[str], column: str) -> str:
        i = columns.get(column)
        return str(values[i] or "").strip() if i is not None and i < len(values) else ""

    for row, values in enumerate(rows, start=first_row):
        if not any(str(v or "").strip() for v in values):
            continue
        name = re.sub(r"\s+", "", cell(values, "名称"))  # as the office wrote it
        if not name:
            raise RosterError(source, row, "名称", "empty name")
        if key(name) in seen:
            raise RosterError(
                source, row, "名称", f"{name} is listed twice (first at row {seen[key(name)]})"
            )
        seen[key(name)] = row
        level_text = cell(values, "层级")
        level = _LEVEL_OF_ZH.get(level_text, level_text if level_text in LEVEL_ZH else None)
        if level_text and level is None:
            raise RosterError(
                source, row, "层级", f"unknown level {level_text!r} ({'/'.join(LEVEL_ZH.values())})"
            )
        kind_text = cell(values, "类型")
        kind = _KIND_OF_ZH.get(kind_text, kind_text if kind_text in KIND_ZH else None)
        if kind_text and kind is None:
            raise RosterError(
                source, row, "类型", f"unknown kind {kind_text!r} ({'/'.join(KIND_ZH.values())})"
            )
        try:
            deadline = parse_deadline(cell(values, "截止日期"))
        except ValueError as exc:
            raise RosterError(source, row, "截止日期", str(exc)) from None
        aliases = tuple(
            dict.fromkeys(
                key(a) for a in _ALIAS_SPLIT.split(cell(values, "简称/别名")) if key(a) != key(name)
            )
        )
        bodies.append(
            Body(
                name,
                tuple(a for a in aliases if a),
                level or level_of(name),
                kind or issuer_kind(name),
                deadline,
                row,
            )
        )
    if not bodies:
        raise RosterError(source, None, None, "the roster lists no body")
    return bodies


# -- names ---------------------------------------------------------------------------------------


def forms(body: Body) -> dict[str, int]:
    """The names that point at `body`, each with its strength (3 the full name or an alias
    the office wrote, 2 a form still naming its lowest place, 1 a bare organ or unit form)."""
    name = key(body.name)
    found: dict[str, int] = {name: 3}
    for alias in body.aliases:
        # An alias that names no place ("区政府", "区住更局") is as weak as a derived short form.
        found.setdefault(alias, 3 if place_units(alias) and is_body(alias) else 1)
    bare = _PARTY_SUFFIX.sub("", _PARTY_PREFIX.sub("", name))
    if bare != name and len(bare) >= 3:
        found.setdefault(bare, 3)
    units = place_units(bare)
    at = sum(len(words) for _, words in units)
    organ = bare[at:]
    if units and bare.startswith("".join(w for _, w in units)):
        for k in range(1, len(units)):
            found.setdefault("".join(w for _, w in units[k:]) + organ, 2)
        lowest = units[-1][1]
        if organ and organ not in _GENERIC_ORGANS:
            found.setdefault(lowest + organ, 2)
            found.setdefault(lowest[-1] + organ, 1)  # 区司法局, 市统计局
        if not organ or _GOVERNMENT_SUFFIX.fullmatch(organ):
            found.setdefault(lowest, 2)  # 下太镇, 硚口区: a place reporting as itself
            found.setdefault(lowest + "政府", 2)
            found.setdefault(lowest + "人民政府", 2)
    if not units and len(bare) >= 4 and bare[0] in _UNIT_CHARS.values():
        # A name without its place ("区司法局", "区人民政府"): the organ alone, and 区政府.
        organ = bare[1:]
        if _GOVERNMENT_SUFFIX.fullmatch(organ):
            found.setdefault(bare[0] + "政府", 1)
    if organ and organ not in _GENERIC_ORGANS and len(organ) >= 3:
        found.setdefault(organ, 1)
    return {k: v for k, v in found.items() if len(k) >= 2}


@dataclass(slots=True)
class Roster:
    """The bodies and an index from every name form to the bodies it may point at."""

    bodies: list[Body]
    names: dict[str, dict[int, int]] = field(default_factory=dict)  # form -> {body: strength}
    # The lengths of the forms that open with each character, longest first: a text is
    # looked up only where a form may start, only at the lengths forms have.
    lengths: dict[str, list[int]] = field(default_factory=dict)
    places: list[str] = field(default_factory=list)  # each body's lowest place ("硚口区")

    def __post_init__(self) -> None:
        for b, body in enumerate(self.bodies):
            for form, strength in forms(body).items():
                self.names.setdefault(form, {})[b] = strength
            units = place_units(_PARTY_PREFIX.sub("", key(body.name)))
            self.places.append(units[-1][1] if units else "")
        starts: dict[str, set[int]] = {}
        for form in self.names:
            starts.setdefault(form[0], set()).add(len(form))
        self.lengths = {c: sorted(n, reverse=True) for c, n in starts.items()}

    def named_in(self, text: str, prose: bool = False) -> dict[int, str]:
        """The bodies whose names occur in `text`, each with the name found, a name inside a
        longer one at the same place giving way to it (so "硚口区司法局" names no
        硚口区人民政府).

        In `prose` (the opening of a text), a name without a place ("区政府", "区司法局")
        counts only where it opens a line or follows "2024年，", as the report's subject: a
        report mentions its superiors and partners in passing ("在区委、区政府的领导下")."""
        text = key(text)
        hits: list[tuple[int, int, str]] = []
        for start, char in enumerate(text):
            for length in self.lengths.get(char, ()):
                if start + length <= len(text) and text[start : start + length] in self.names:
                    hits.append((start, start + length, text[start : start + length]))
                    break
        kept = [
            h
            for h in hits
            if not any(o[0] <= h[0] and h[1] <= o[1] and o[1] - o[0] > h[1] - h[0] for o in hits)
        ]
        found: dict[int, str] = {}
        for start, end, form in kept:
            for b, strength in self.names[form].items():
                if prose and strength < 2 and not _opens(text, start):
                    continue
                if form == self.places[b] and _ORGAN_AFTER.match(text, end):
                    continue  # "广州市司法局" names a department of 广州市, not its government
                found.setdefault(b, form)
        return found


_ORGAN_AFTER = re.compile(
    r"[\u4e00-\u9fff]{0,12}?(?:局|委员会|委|厅|办公室|办|部|院|中心|署|所|队)(?![\u4e00-\u9fff]{0,2}[市区县镇])"
)


def _opens(text: str, at: int) -> bool:
    """`at` begins the text, a line, or a sentence's subject after its year ("2024年,")."""
    return at == 0 or text[at - 1] == "\n" or bool(re.search(r"年(?:度)?[,，]$", text[:at][-4:]))


# -- matching ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Evidence:
    """What a report says about who wrote it: the audit's issuer and title, the file's path,
    and the text's opening and signature lines."""

    source: str
    issuer: str | None = None
    title: str | None = None
    head: str = ""
    tail: str = ""
    year: int | None = None


@dataclass(frozen=True, slots=True)
class Match:
    """Which roster body a report is from: `status` matched, ambiguous, unlisted or
    duplicate; `body` the roster name when matched or duplicate; `evidence` says why."""

    status: str
    body: str | None = None
    candidates: tuple[str, ...] = ()
    evidence: str = ""

    def as_dict(self) -> dict[str, object]:
        return {
            "status": self.status,
            "body": self.body,
            "candidates": list(self.candidates),
            "evidence": self.evidence,
        }


MATCH_ZH = {
    "matched": "已匹配",
    "ambiguous": "待确认",
    "unlisted": "不在名单中",
    "duplicate": "重复报送",
}
_OWN_NAMES = ("issuer", "title", "file", "folder")  # where a report names itself
_SOURCE_ZH = {
    "issuer": "报告单位",
    "title": "标题",
    "tail": "落款",
    "file": "文件名",
    "folder": "文件夹",
    "head": "正文开头",
}


def _sources(ev: Evidence) -> list[tuple[str, str]]:
    parts = re.split(r"[\\/]", ev.source)
    stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", parts[-1])
    found = [("issuer", ev.issuer or ""), ("title", ev.title or ""), ("tail", ev.tail)]
    found.append(("file", stem))
    found += [("folder", folder) for folder in reversed(parts[:-1])]
    found.append(("head", ev.head))
    return [(name, text) for name, text in found if text]


def _compatible(body: Body, ev: Evidence) -> bool:
    """False when the report says something the body cannot be: a place in a full issuer
    name that is not in the body's names, or 我镇/我局 against the body's kind."""
    names = key(body.name) + "".join(body.aliases)
    # A roster that names its bodies without their place ("区司法局", as a district's own list
    # does) says nothing against the place a report names.
    bare = _PARTY_PREFIX.sub("", key(body.name))
    placeless = not place_units(bare) and bare[:1] in _UNIT_CHARS.values()
    if not placeless and ev.issuer and is_body(ev.issuer):
        units = place_units(_PARTY_PREFIX.sub("", key(ev.issuer)))
        if units:
            lowest = units[-1][1]
            if lowest not in names and lowest[:-1] not in names:
                return False
    head = ev.head[:400]
    if _OWN_TOWN.search(head) and body.level not in (None, "township"):
        return False
    return not (
        _OWN_OFFICE.search(head) and not _OWN_TOWN.search(head) and body.kind == "government"
    )


def match(roster: Roster, ev: Evidence) -> Match:
    """The roster body a report is from, or why none is certain (see the module's note)."""
    chosen: set[int] | None = None
    said: list[str] = []
    for source, text in _sources(ev):
        if chosen is not None and len(chosen) == 1 and source not in _OWN_NAMES:
            continue
        named_as = roster.named_in(text, prose=source in ("head", "tail"))
        named = {b for b in named_as if _compatible(roster.bodies[b], ev)}
        if chosen is not None and len(chosen) == 1:
            # Chosen already; a name the report gives itself (issuer, title, file, folder)
            # that points at one other body makes it a question for a person.
            if source in _OWN_NAMES and len(named) == 1 and not named & chosen:
                other = roster.bodies[next(iter(named))].name
                return Match(
                    "ambiguous",
                    None,
                    tuple(sorted({roster.bodies[b].name for b in chosen | named})),
                    "；".join(said) + f"；但{_SOURCE_ZH[source]}指向{other}",
                )
            continue
        if chosen is not None and len(chosen) > 1:
            # A place alone ("硚口区/区司法局.docx") narrows the bodies of that place.
            plain = key(text)
            for b in chosen:
                if roster.places[b] and roster.places[b] in plain:
                    named.add(b)
                    named_as.setdefault(b, roster.places[b])
        if not named:
            continue
        if chosen is None:
            chosen = named
        elif chosen & named and chosen & named != chosen:
            chosen &= named
        else:
            continue
        said.append(f"{_SOURCE_ZH[source]}：" + "、".join(sorted({named_as[b] for b in named})))
    if not chosen:
        own = _OWN_PLACE.search(ev.head[:400])
        level = _OWN_LEVEL.get(own.group(1)) if own and not ev.issuer else None
        places = tuple(
            b.name
            for b in roster.bodies
            if b.kind == "government" and b.level in (level or ()) and _compatible(b, ev)
        )
        if own and places:
            # "我镇" with no name: which town is for a person to say, never certain.
            return Match("ambiguous", None, places, f"正文开头：“{own.group()}”，未写单位名称")
        why = f"报告单位“{ev.issuer}”不在名单中" if ev.issuer else "未找到名单中的单位名称"
        return Match("unlisted", evidence=why)
    names = tuple(roster.bodies[b].name for b in sorted(chosen))
    if len(names) == 1:
        return Match("matched", names[0], (), "；".join(said))
    return Match("ambiguous", None, names, "；".join(said) + f"（名单中有 {len(names)} 个单位）")


def assign(
    roster: Roster,
    evidence: Sequence[Evidence],
    year: int | None,
    fixed: Mapping[int, Match] | None = None,
) -> list[Match]:
    """`match` for every report (`fixed` gives a reviewer's match by position instead), then
    every report after the first for the same body of the round's year (or of the same
    year, when the round has none) marked `duplicate`."""
    fixed = fixed or {}
    matches = [fixed.get(k) or match(roster, ev) for k, ev in enumerate(evidence)]
    seen: dict[tuple[str, int | None], str] = {}
    for k, (ev, m) in enumerate(zip(evidence, matches, strict=True)):
        if m.status != "matched":
            continue
        slot = (m.body or "", year if year is not None else ev.year)
        if slot in seen:
            matches[k] = Match("duplicate", m.body, (), f"{m.evidence}；与 {seen[slot]} 重复")
        else:
            seen[slot] = ev.source
    return matches


def round_year(years: Iterable[int | None]) -> int | None:
    """The year most reports are about: the year of the round when none is given."""
    counted = Counter(y for y in years if y is not None)
    return counted.most_common(1)[0][0] if counted else None


# -- the ledger ----------------------------------------------------------------------------------

STATE_ZH = {
    "on_time": "按时报送",
    "late": "逾期报送",
    "undated": "已报送（日期不明）",
    "pending": "待确认",
    "missing": "未报送",
}


@dataclass(frozen=True, slots=True)
class Filed:
    """A report as the ledger sees it: its match (corrected, when a reviewer corrected it)
    and the date it counts as filed on."""

    source: str
    match: Match
    date: date | None = None


@dataclass(frozen=True, slots=True)
class Entry:
    """One body's line of the ledger."""

    body: Body
    state: str
    deadline: date | None
    date: date | None
    reports: tuple[str, ...]
    candidates: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            **self.body.as_dict(),
            "state": self.state,
            "state_zh": STATE_ZH[self.state],
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "date": self.date.isoformat() if self.date else None,
            "reports": list(self.reports),
            "candidates": list(self.candidates),
        }


def deadline_of(body: Body, year: int | None, rules: Rules) -> date | None:
    """The roster's own date for the body, else the first rule that applies to it."""
    if body.deadline is not None:
        return body.deadline
    if year is None:
        return None
    return rules.rule_for(body.level, body.kind, body.name).due(year)


def ledger(
    bodies: Sequence[Body], filed: Sequence[Filed], year: int | None, rules: Rules
) -> list[Entry]:
    """Every body's state, in roster order: on time or late by its first report's date
    against its deadline (undated when the report gives no date), pending when a report
    might be it, missing otherwise."""
    reports: dict[str, list[Filed]] = {}
    maybe: dict[str, list[str]] = {}
    for f in filed:
        if f.match.status in ("matched", "duplicate") and f.match.body:
            reports.setdefault(f.match.body, []).append(f)
        elif f.match.status == "ambiguous":
            for name in f.match.candidates:
                maybe.setdefault(name, []).append(f.source)
    entries = []
    for body in bodies:
        due = deadline_of(body, year, rules)
        own = sorted(reports.get(body.name, []), key=lambda f: f.match.status != "matched")
        when = own[0].date if own else None
        if own:
            state = "undated" if when is None or due is None else "on_time"
            if when is not None and due is not None and when > due:
                state = "late"
        else:
            state = "pending" if maybe.get(body.name) else "missing"
        entries.append(
            Entry(
                body,
                state,
                due,
                when,
                tuple(f.source for f in own),
                tuple(maybe.get(body.name, ())),
            )
        )
    return entries


def counts(entries: Sequence[Entry]) -> dict[str, object]:
    """The numbers a circular opens with: bodies and states, in all and by level and kind."""

    def tally(group: Sequence[Entry]) -> dict[str, int]:
        states = Counter(e.state for e in group)
        return {
            "bodies": len(group),
            "reported": sum(states[s] for s in ("on_time", "late", "undated")),
            **{s: states[s] for s in STATE_ZH},
        }

    def by(attr: str, names: Mapping[str, str]) -> dict[str, dict[str, int]]:
        groups: dict[str, list[Entry]] = {}
        for e in entries:
            value = getattr(e.body, attr)
            groups.setdefault(names.get(value, "未注明") if value else "未注明", []).append(e)
        return {name: tally(group) for name, group in groups.items()}

    return {**tally(entries), "by_level": by("level", LEVEL_ZH), "by_kind": by("kind", KIND_ZH)}
