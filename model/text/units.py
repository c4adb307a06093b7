"""Which sentences can stand in a summary, judged as a reader judges them.

An official briefing a superior wants whole sentences that say something. These never qualify
while the report has body text (SPEC, "What a reader wants from a summary"):

- a **heading**: a sentence of a heading line, or of a title line (short, no end mark);
- a **topic clause**: a run-in sentence that only names a topic, "一是强化制度落实。",
  "（一）进一步健全执法责任制。", "压实主体责任。" — one short clause (or two very short
  ones after a list marker) with no figure; and a **topic line**, a paragraph of one short
  sentence without a figure that the next, longer paragraph develops, as the subheadings of
  older work reports ("扩大开放，发展对外合作与交流。" / "当前国际环境总的看对我有利，…"; the
  readers' extracts of 48 reports quote none of the 87 such lines);
- a **scrap**: at most `SCRAP_CHARS` characters;
- a **dependent clause**: a piece that cannot stand alone — the first sentence of a paragraph
  that continues a line broken mid-sentence, a short clause cut off after "；", a sentence
  that opens by pointing back ("为此，…", "其中，…", "这些…", "上述…"), which quoted alone says
  nothing about what it points to (the readers' 1,909 extracted sentences hold none), or one
  that only leads into what follows it, ending on a colon ("一年来，我们主要做了以下工作：";
  the readers quote none of the 31 in their reports);
- **chrome**: web-page furniture, source and date lines, footers;
- **garbled** text: debris of machine conversion (box drawing, bopomofo);
- a **stock formula**: most of its characters (`FORMULA_SHARE`) are covered by 4-grams common
  across the background corpus of reports (`Background.stock_share`), or it is a maxim that
  states only on what condition a goal is met ("只有坚决打击阶级敌人，才能确保人民当家作主。";
  the readers quote none of the 33 in their reports), and it gives no figure;
- an **unfinished** sentence: body text that stops without an end mark (a page cut off).

**Specifics** (figures with units, document titles in 《》, named measures in “”) are counted
per sentence: a sentence that has them beats a generic one.

These definitions are used twice, by the summariser (to choose) and by the reader benchmark
(to count), so the two cannot drift apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import numpy as np

from model.text.document import Document
from model.text.segment import normalise
from model.text.structure import looks_like_boilerplate

SCRAP_CHARS = 14
TOPIC_CHARS = 20  # one clause up to this long names a topic
MARKED_TOPIC_CHARS = 30  # after a list marker, up to two clauses of ≤ 15 characters
FORMULA_SHARE = 0.6
DEPENDENT_CHARS = 30  # a clause cut off after "；" shorter than this has no subject of its own
TOPIC_LINE_CHARS = 30  # a paragraph of one sentence up to this long can be a topic line

# Ordinal list markers that open a run-in item.
_MARKER = re.compile(
    r"\s*(?:[一二三四五六七八九十]+\n?[是、]|[（(]\s*[一二三四五六七八九十0-9]+\s*[）)]|"
    r"[0-9]{1,2}\s*[.、](?![0-9])|第[一二三四五六七八九十]+[，、]|首先[，、]?|其次[，、]?|"
    r"再次[，、]?|最后[，、])\s*"
)
_CLAUSE_MARKS = re.compile(r"[，、；：:,]")
# The characters a list marker can start with (after white space, which sentences never start
# with): sentences starting otherwise have no marker.
_MARKER_FIRST = "一二三四五六七八九十（(0123456789第首其再最"
_END = "。！？；…：:"
_CLOSERS = "”’」』）\"' "
_DIGIT = re.compile(r"[0-9]")
_TITLE_END = re.compile(r"[。！？；…!?]\W*$")

_UNITS = (
    "人次|万人|亿元|万元|千元|元|余件|件次|件|宗|起|次|场次|场|期|项|个|家|条|份|篇|人|名|户|"
    "平方米|公里|千米|米|天|小时|分钟|个月|所|批|本|册|套|台|座|处|部|类|%|％|个百分点|倍|笔|"
    "亩|吨|支|位|间|门|课时|学时"
)
# A number with its unit, a multiplier allowed between them: 131件, 26.15%, 5万余件, 1300亿元.
FIGURE = re.compile(rf"([0-9]+(?:\.[0-9]+)?)\s*((?:万|亿)?余?(?:{_UNITS}))")
# A percentage written in words, as the older work reports write them ("增长百分之十三点四"):
# a figure to a reader as "13.4%" is. Kept apart from FIGURE, whose groups are a number and a
# unit (`model.summary.structured.key_figures`).
FIGURE_IN_WORDS = re.compile(r"百分之[零〇一二两三四五六七八九十百点几]+")
# Named documents and measures; with the figures, the specifics a sentence gives.
_NAMED = re.compile(r"《[^》\n]{2,60}》|“[^”\n]{2,30}”")


def marker_end(norm: str) -> int:
    """Where the words of a run-in item start, after its list marker (0 without one)."""
    m = _MARKER.match(norm)
    return m.end() if m else 0


# A lead-in to a list of problems or measures ("主要是：…", "主要表现在：…", "突出表现在…"), a
# connective that ties the sentence to the one before ("同时，", "特别是", "但是，"), or the side
# it turns to ("从国内看，", which blind readers called a lead-in).
_LEADS = (
    r"主要(?:是|表现为|表现在|体现在)[：，]?|主要有[：，]|"
    r"(?:突出|具体|集中)(?:表现为|表现在|体现在)[：，]?|从[^，。：]{1,6}看[，、]"
)
_CONNECTIVES = (
    r"(?:(?:与此|在这|在此)同时|同时|特别是|尤其是|此外|另外|但是|然而|而且|并且|当然|总之)[，、]?"
)
_LIST_LEAD = re.compile(rf"\s*(?:{_LEADS}|{_CONNECTIVES})\s*")
_LEAD_ONLY = re.compile(rf"\s*(?:{_LEADS})\s*")


# The longest lead-in ("集中体现在：").
_LEAD_CHARS = 6


# An announcement of problems that runs into the first of them after a colon ("…取得很大进步，
# 但仍然存在差距和不足：一是抽象行政行为监管有待进一步加强。"), and a second item in the same
# sentence, which keeps the announcement (the list reads whole: "…：一是…；二是…；三是…").
_ANNOUNCED = re.compile(
    r"[^。！？；：:]*(?:存在|面临|还有)[^。！？；：:]*(?:问题|困难|矛盾|不足|差距|短板)[^。！？；：:]*[：:]"
)
_SECOND_ITEM = re.compile(r"[；;。，,]\s*(?:[二两三四五六七八九十]+[是、]|其次|第二|2\s*[.、])")


def quoted_from(norm: str) -> int:
    """Where a sentence quoted on its own starts: after the list marker ("一是", "首先，"), the
    lead-in ("主要是：") or the connective ("同时，", "但是，") it opens with, which point to
    what the reader of a summary does not see and made blind readers call such sentences
    fragments; after an announcement of problems that runs into its only item in the sentence
    ("…但仍然存在差距和不足：一是…"), which blind readers called a lead-in; 0 when what is left
    would be a scrap."""
    m = _LIST_LEAD.match(norm)
    end = m.end() if m else marker_end(norm)
    announced = _ANNOUNCED.match(norm)
    item = marker_end(norm[announced.end() :]) if announced and not end else 0
    if item and not _SECOND_ITEM.search(norm, announced.end()):
        end = announced.end() + item
    return end if len(norm) - end > SCRAP_CHARS else 0


def is_scrap(text: str) -> bool:
    """At most `SCRAP_CHARS` characters: too little to say anything."""
    return len(text.strip()) <= SCRAP_CHARS


def is_topic_clause(text: str) -> bool:
    """A run-in sentence that only names a topic ("一是强化制度落实。", "压实主体责任。").

    One clause of at most `TOPIC_CHARS` characters with no figure, or, after a list marker, up
    to two clauses of at most 15 characters ("1.强化法治保障,提高法治化工作水平。").
    """
    return _topic_clause(normalise(text).strip())


def _topic_clause(norm: str) -> bool:
    """`is_topic_clause` of a normalised, stripped text."""
    start = marker_end(norm)
    words = norm[start:].rstrip(_END + _CLOSERS)
    if not words or FIGURE.search(words):
        return False
    clauses = [c for c in _CLAUSE_MARKS.split(words) if c]
    if len(clauses) == 1 and len(words) <= TOPIC_CHARS:
        return not (start == 0 and "《" in words)  # "印发《…》" names a document: a fact
    return bool(start) and len(clauses) <= 2 and all(len(c) <= 15 for c in clauses)


def is_title_line(text: str) -> bool:
    """A short line with no sentence punctuation: a title, a heading without numbering."""
    norm = normalise(text).strip()
    return len(norm) <= 40 and not _CLAUSE_MARKS.search(norm) and not _TITLE_END.search(norm)


def specifics(text: str) -> int:
    """Figures with units, document titles and named measures in `text`."""
    norm = normalise(text)
    return len(FIGURE.findall(norm)) + len(_NAMED.findall(norm))


def has_figure(text: str) -> bool:
    """A number with a unit (办理案件131件, 达89%); years alone are not figures."""
    return FIGURE.search(normalise(text)) is not None


# What admits a problem, and what turns to its remedy (针对这一问题，我局…).
_ADMISSION = re.compile(
    r"不足|不够|有待|薄弱|差距|短板|问题(?!上)|困难|不强|偏低|欠缺|缺乏|缺少|滞后|不严|不到位|不高|"
    r"不均衡|不完善|不规范|不平衡|还需|仍需|尚需|亟待|挑战|风险"
)
_REMEDY_WORD = r"(?:针对|对此|为此|下一步|整改措施|整改情况|我局将|今后|下步)"
REMEDY = re.compile(rf"\W*{_REMEDY_WORD}")
_REMEDY_WORDS = re.compile(_REMEDY_WORD)
_LEAD_IN = "，。、；：“”‘’（）《》 —…"
# Conversion debris of machine-converted pages (box drawing, bopomofo): not readable text.
_GARBLED = re.compile(r"[\u2500-\u257f\u3100-\u312f\ufffd]")


@dataclass(frozen=True, slots=True)
class Kinds:
    """What each sentence of a document is, as boolean (or count) arrays over its sentences."""

    heading: np.ndarray
    topic: np.ndarray
    scrap: np.ndarray
    dependent: np.ndarray
    chrome: np.ndarray
    stock: np.ndarray  # share of characters in stock 4-grams (0 without a background)
    specific: np.ndarray  # number of specifics
    figure: np.ndarray
    garbled: np.ndarray
    unfinished: np.ndarray  # body text that stops without an end mark (a cut-off page)
    admission: np.ndarray  # states a problem (不足, 有待, 薄弱 …)
    remedy: np.ndarray  # turns to a remedy ("针对这一问题，…")
    maxim: np.ndarray  # "只有…才能…": the condition of a goal, not a fact or a plan

    @property
    def formula(self) -> np.ndarray:
        """Stock formulae: mostly stock 4-grams, or a maxim, and no figure."""
        return ((self.stock >= FORMULA_SHARE) | self.maxim) & ~self.figure

    @property
    def body(self) -> np.ndarray:
        """Sentences that are neither headings nor chrome."""
        return ~self.heading & ~self.chrome

    @property
    def standalone(self) -> np.ndarray:
        """Whole body sentences that say something: the summary's candidates."""
        return (
            self.body
            & ~self.topic
            & ~self.scrap
            & ~self.dependent
            & ~self.unfinished
            & ~self.garbled
            & ~self.formula
        )


# No "^": `match(text, pos)` anchors at `pos`, where "^" would fail mid-text.
_TOPIC = re.compile(
    r"(?:[一二三四五六七八九十]+是|（[一二三四五六七八九十]+）|[0-9]{1,2}[.、]|——|"
    r"第[一二三四五六七八九十]+[，、]|首先|其次)"
)
# The characters a `_TOPIC` match can start with: only sentences starting with one are tried.
_TOPIC_FIRST = "一二三四五六七八九十（0123456789—第首其"
_MIN_CONTENT = 5


@cache
def _code_table(chars: str) -> np.ndarray:
    """Which BMP code points are among `chars`."""
    table = np.zeros(0x10000, dtype=bool)
    table[[ord(c) for c in chars]] = True
    return table


def sentence_shape(doc: Document) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(opens its paragraph or a run-in item, ends like a sentence, has ≥5 content chars).

    Read from the code points of the normalised text, so there is no Python step per
    sentence but the topic pattern, tried only where a sentence starts as a match must.
    Computed once per document.
    """
    if "shape" in doc.features:
        return doc.features["shape"]
    n = len(doc.sentences)
    paragraph_of = doc.sentence_paragraphs()
    per_paragraph = np.bincount(paragraph_of, minlength=len(doc.paragraphs))
    first = _opens_paragraph(doc)
    codes, _, owner = doc.content()
    starts, ends = doc.spans()

    def table(chars: str, at: np.ndarray) -> np.ndarray:
        return _code_table(chars)[np.minimum(codes[np.maximum(at, 0)], 0xFFFF)]

    norm = doc.normalised()
    topic = np.zeros(n)
    for i in np.flatnonzero(table(_TOPIC_FIRST, starts)):
        topic[i] = _TOPIC.match(norm, starts[i], ends[i]) is not None
    opens = (first & (per_paragraph[paragraph_of] > 1)).astype(float) + topic
    # The last character before any closing quotes, brackets and spaces ends the sentence.
    last = ends - 1
    while (strip := (last >= starts) & table(_CLOSERS, last)).any():
        last = last - strip
    complete = (last >= starts) & table(_END, last)
    substantial = np.bincount(owner, minlength=n) >= _MIN_CONTENT
    doc.features["shape"] = opens, complete, substantial
    return doc.features["shape"]


def _opens_paragraph(doc: Document) -> np.ndarray:
    """Each sentence is the first of its paragraph (sentences run in paragraph order)."""
    paragraph_of = doc.sentence_paragraphs()
    first = np.ones(len(paragraph_of), dtype=bool)
    np.not_equal(paragraph_of[1:], paragraph_of[:-1], out=first[1:])
    return first


def _owners(doc: Document, positions: list[int]) -> np.ndarray:
    """The sentence each offset falls in (-1 outside every sentence)."""
    starts, ends = doc.spans()
    at = np.asarray(positions, dtype=np.int64)
    owner = np.searchsorted(starts, at, side="right") - 1
    inside = (owner >= 0) & (at < ends[np.maximum(owner, 0)]) if len(starts) else owner > 0
    return np.where(inside, owner, -1)


def counted(doc: Document, pattern: re.Pattern[str]) -> np.ndarray:
    """How often `pattern` matches in each sentence (one search of the whole normalised text,
    whose matches are mapped to sentences), computed once per document and pattern: the
    briefing asks for the same cues of several wants."""
    key = ("counted", pattern)
    if key not in doc.features:
        owner = _owners(doc, [m.start() for m in pattern.finditer(doc.normalised())])
        found = np.bincount(owner[owner >= 0], minlength=len(doc.sentences))
        found.flags.writeable = False
        doc.features[key] = found
    return doc.features[key]


def sentence_kinds(doc: Document) -> Kinds:
    """`Kinds` of every sentence of `doc`, computed once per document.

    Patterns are searched once over the whole normalised text and their matches mapped to
    sentences: no Python step per sentence but for the few short ones that may be topics.
    """
    if "kinds" in doc.features:
        return doc.features["kinds"]
    n = len(doc.sentences)
    norm = doc.normalised()
    starts, _ = doc.spans()
    paragraph_of = doc.sentence_paragraphs()
    heading_line = np.array(
        [p.heading or is_title_line(p.text) for p in doc.paragraphs], dtype=bool
    )
    chrome_line = np.array([looks_like_boilerplate(p.text) for p in doc.paragraphs], dtype=bool)
    if doc.labels is not None:
        # Short paragraphs the classifier calls boilerplate are chrome too (titles, footers).
        chrome_line |= np.array(
            [
                label == "boilerplate" and p.end - p.start <= _CHROME_MAX_CHARS
                for label, p in zip(doc.labels, doc.paragraphs, strict=True)
            ],
            dtype=bool,
        )
    lengths = doc.lengths()
    figures = counted(doc, FIGURE) + counted(doc, FIGURE_IN_WORDS)
    topic = np.zeros(n, dtype=bool)
    # Only short sentences without a figure can be topic clauses, and without a list marker
    # only those of one clause: the pattern is tried on those alone.
    codes = doc.content()[0]
    marked = _code_table(_MARKER_FIRST)[np.minimum(codes[starts], 0xFFFF)] if n else starts > 0
    clause_marks = np.flatnonzero(_code_table("，、；：,")[np.minimum(codes, 0xFFFF)]).tolist()
    marks = np.bincount(np.maximum(_owners(doc, clause_marks), 0), minlength=n)
    short = (lengths <= MARKED_TOPIC_CHARS + 6) & (figures == 0) & (marked | (marks == 0))
    for i in np.flatnonzero(short):
        topic[i] = _topic_clause(norm[starts[i] : starts[i] + int(lengths[i])])
    topic |= _topic_lines(doc, lengths, figures)
    opens = _opens_paragraph(doc)
    dependent = opens & _broken_paragraphs(doc)[paragraph_of]
    for i in np.flatnonzero(~opens & (lengths < DEPENDENT_CHARS)):
        dependent[i] = _after_semicolon(norm, int(starts[i]))
    for i, start in enumerate(starts.tolist()):
        if norm[start] in _BACK_FIRST and _POINTS_BACK.match(norm, start):
            dependent[i] = True
    dependent |= leads_in(doc)
    # A lead-in with too little after it to quote alone ("突出表现在能源消耗高、环境污染重。"):
    # blind readers called it a fragment, and `quoted_from` keeps such a lead. A connective
    # and a short point ("但是，执法人员素质有待提高。") is a turn readers do quote.
    for i in np.flatnonzero(lengths <= SCRAP_CHARS + _LEAD_CHARS).tolist():
        start, end = int(starts[i]), int(starts[i] + lengths[i])
        lead = _LEAD_ONLY.match(norm, start, end)
        if lead and lead.end() > start and end - lead.end() <= SCRAP_CHARS:
            dependent[i] = True
    remedy = np.zeros(n, dtype=bool)
    at = [m.start() for m in _REMEDY_WORDS.finditer(norm)]
    for i, a in zip(_owners(doc, at).tolist(), at, strict=True):
        if i >= 0 and not norm[starts[i] : a].strip(_LEAD_IN):
            remedy[i] = True
    stock = np.zeros(n)
    if doc.background is not None and n:
        codes, content, owner = doc.content()
        stock = doc.background.span_shares(codes[content], owner, n)
    complete = sentence_shape(doc)[1]
    kinds = Kinds(
        heading=heading_line[paragraph_of],
        topic=topic,
        scrap=lengths <= SCRAP_CHARS,
        dependent=dependent,
        chrome=chrome_line[paragraph_of],
        stock=stock,
        specific=figures + counted(doc, _NAMED),
        figure=figures > 0,
        garbled=counted(doc, _GARBLED) > 0 if _GARBLED.search(norm) else np.zeros(n, bool),
        unfinished=~heading_line[paragraph_of] & ~complete,
        admission=counted(doc, _ADMISSION) > 0,
        remedy=remedy,
        maxim=_maxims(doc),
    )
    doc.features["kinds"] = kinds
    return kinds


# Chrome is short (SPEC: titles, source lines, footers); a long paragraph is body text even
# when a classifier that never saw its kind of document calls it boilerplate.
_CHROME_MAX_CHARS = 120


# Openings that refer to what went before: "for this", "of which", "these", "the above", and
# a pronoun for someone named before ("他们要动手了，…": the readers quote none of the 48
# sentences of their reports that open on one).
_BACK_FIRST = frozenset("为对因由其这上以所于他她它 \u3000")
_POINTS_BACK = re.compile(
    r"[ \u3000]*(?:为此|对此|因此|因而|由此|所以|于是|其中|这[是些里种项样]|上述|以上|"
    r"[他她它](?:们|(?![国人乡山]))"
    r")"
)


def _after_semicolon(norm: str, start: int) -> bool:
    """The sentence at `start` follows a "；" (with closing quotes or spaces between)."""
    i = start - 1
    while i >= 0 and norm[i] in _CLOSERS:
        i -= 1
    return i >= 0 and norm[i] == "；"


# A sentence that points forward to what follows it ("今年要着重抓好以下三项工作。", "这里着重讲
# 以下几个问题。"), ending on it. "以下" after a number or an administrative level means "below"
# ("县以下", "30万千瓦以下").
_FORWARD = re.compile(r"(?<![0-9〇一二两三四五六七八九十百千万亿级省市县区乡镇])(?:以下|如下|下列)")
_FORWARD_END = re.compile(
    r"的?[几两二三四五六七八九十]*(?:个|项|点|条|种|件|类)?[^，,。；：]{0,8}[。！]"
)


# A maxim opens on the condition of a goal ("只有…，才能…", "唯有…才…").
_ONLY_IF = re.compile(r"只有|唯有")
_MAXIM = re.compile(r"\W*(?:我们)?(?:只有|唯有)[^。！？]*?[才就]")


def _maxims(doc: Document) -> np.ndarray:
    """Sentences that open on "只有…" and go on to "才…": maxims."""
    norm = doc.normalised()
    starts, ends = doc.spans()
    maxims = np.zeros(len(starts), dtype=bool)
    for i in np.flatnonzero(counted(doc, _ONLY_IF) > 0).tolist():
        maxims[i] = _MAXIM.match(norm, int(starts[i]), int(ends[i])) is not None
    return maxims


def leads_in(doc: Document) -> np.ndarray:
    """Sentences that lead into what follows them: they end on a colon ("…如下：") or point
    forward to it without one ("要着重抓好以下三项工作。", no digit). Computed once per
    document."""
    if "leads_in" in doc.features:
        return doc.features["leads_in"]
    norm = doc.normalised()
    starts, ends = doc.spans()
    leads = np.fromiter((norm[e - 1 : e] in "：:" for e in ends.tolist()), bool, len(ends))
    hits = [m.end() for m in _FORWARD.finditer(norm)]
    for i, at in zip(_owners(doc, hits).tolist(), hits, strict=True):
        if i >= 0 and _FORWARD_END.fullmatch(norm, at, int(ends[i])):
            leads[i] = _DIGIT.search(norm, int(starts[i]), at) is None
    doc.features["leads_in"] = leads
    return leads


def _topic_lines(doc: Document, lengths: np.ndarray, figures: np.ndarray) -> np.ndarray:
    """Sentences that are a paragraph of their own, short and without a figure, before a body
    paragraph at least twice as long: a subheading the next paragraph develops."""
    paragraph_of = doc.sentence_paragraphs()
    paragraphs = doc.paragraphs
    alone = np.bincount(paragraph_of, minlength=len(paragraphs))[paragraph_of] == 1
    lines = np.zeros(len(lengths), dtype=bool)
    for i in np.flatnonzero(alone & (lengths <= TOPIC_LINE_CHARS) & (figures == 0)).tolist():
        k = int(paragraph_of[i])
        if k + 1 < len(paragraphs) and not paragraphs[k].heading:
            after = paragraphs[k + 1]
            lines[i] = not after.heading and after.end - after.start >= 2 * lengths[i]
    return lines


def _broken_paragraphs(doc: Document) -> np.ndarray:
    """Paragraphs that continue the previous line, broken mid-sentence (web pages do that).

    The previous paragraph is running text (not a heading or title: long, or holding a
    sentence's end; or itself a continuation, as in "货币政策要保持稳健中性。今年广义货币M" / "2"
    / "和社会融资规模余额…", a subscript on a line of its own) that stops without an end mark or
    colon.
    """
    norm = doc.normalised()
    broken = np.zeros(len(doc.paragraphs), dtype=bool)
    for i in range(1, len(doc.paragraphs)):
        before = doc.paragraphs[i - 1]
        if before.heading and not broken[i - 1]:
            continue
        text = norm[before.start : before.end].rstrip(_CLOSERS)
        running = broken[i - 1] or len(text) > 40 or _SENTENCE_END.search(text) is not None
        broken[i] = running and bool(text) and text[-1] not in _END
    return broken


_SENTENCE_END = re.compile("[。！？]")
