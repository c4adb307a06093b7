"""Picking a summary from sentence scores: candidates, the budget, briefing picks and MMR."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np

from model.summary.base import DEFAULT_MAX_SENTENCES, FIGURE_WANT, Budget, Picked, Summariser
from model.summary.cues import AGGREGATE, COMMITS, TARGET, reader_cues
from model.summary.registry import DEFAULT_METHOD, get_summariser
from model.text.bags import bigram_vectors
from model.text.document import Document
from model.text.segment import unwrap
from model.text.structure import (
    YEAR,
    addresses_congress,
    names_later,
    report_year,
    structural_labels,
)
from model.text.units import (
    FIGURE,
    FIGURE_IN_WORDS,
    counted,
    leads_in,
    quoted_from,
    sentence_kinds,
)

REDUNDANCY = 0.7

# A briefing reserves its admissions and plans only when the budget leaves room for claims too.
_BRIEFING_SENTENCES, _BRIEFING_CHARS = 3, 200
# A table cell (from 100 characters up to the briefing's 200) reserves a result and a problem,
# not a plan: what the readers' 150-character extracts give. Held out, ROUGE-2 at 150 on the
# two halves of the extracts rose from 0.353 / 0.331 to 0.431 / 0.373 (the whole briefing
# there had lowered it, see README).
_CELL_CHARS = 100
# Under a character budget, a reserved problem or plan is the best of those of at most half
# the characters left: readers quote the problems listed in one long sentence and the year's
# list of targets. A result is looked for among the shortest first (a quarter, then a third,
# then half), which leaves room for more of them: the blind readers of the seeds preferred
# several short results with their figures to one long one (see README).
_SHARE = 0.5
_RESULT_SHARES = (0.25, 1 / 3, _SHARE)


def candidates(doc: Document) -> tuple[np.ndarray, str]:
    """(sentences a summary may use, where they come from: "body" or "headings").

    Whole body sentences that say something (`Kinds.standalone`); failing those, any body
    sentence; a report that is only headings (a pasted table of contents) is summarised from
    its headings, and says so.
    """
    kinds = sentence_kinds(doc)
    usable = kinds.standalone
    if usable.any():
        return usable, "body"
    if kinds.body.any():
        return kinds.body, "body"
    return kinds.heading & ~kinds.chrome, "headings"


def select(
    doc: Document,
    scores: np.ndarray,
    budget: Budget,
    redundancy: float = REDUNDANCY,
    allowed: np.ndarray | None = None,
    diversity: float = 0.0,
    briefing: Sequence[str] = (),
    briefed_diversity: float | None = None,
    fill_quantile: float | None = None,
) -> list[Picked]:
    """Best sentences within the budget by maximal marginal relevance, in document order.

    Only `candidates` are used. For each label in `briefing` that the report has, its best
    sentence is picked first (a report whose labels hold no problem or no plan has its
    admission or its target for the coming year picked instead, see `_briefing_picks`),
    when the budget is at least 3 sentences or 200 characters (so that what the report
    admits and plans is never crowded out by its claims), and but for the plan from 100
    characters (a table cell); under a character budget it is chosen by score among
    sentences of at most half the budget.
    Then each pick maximises (1 - diversity) × score (scaled to the best) - diversity × its
    highest cosine to a sentence already picked (Carbonell & Goldstein 1998), on
    character-bigram TF-IDF; a sentence whose cosine to a pick exceeds `redundancy` is never
    picked. With diversity 0 the picks follow the scores, skipping only near-duplicates; once
    the briefing has picked, `briefed_diversity` (when not None) replaces `diversity`. A
    sentence longer than the characters left is skipped, not cut: output stays extractive and
    the character budget is never exceeded. The exceptions: a report whose best problem
    sentence is too long for the briefing's share has it quoted up to a clause boundary, with
    "…" (`CUT_MARK`) for the rest (`Picked.cut`); and a report
    whose every usable sentence is longer than the budget has its best one quoted so, rather
    than an empty summary. Ranks
    order the picks by score.
    """
    usable = candidates(doc)[0]
    if allowed is not None:
        usable = usable & allowed
    if "shortcomings" in briefing:
        usable = usable & ~_announcements(doc)
    order = np.argsort(-scores, kind="stable")
    order = order[usable[order]]
    budget = _default(budget)
    first, cuts = _briefing_picks(doc, order, budget, briefing) if briefing else ([], {})
    if first and briefed_diversity is not None:
        diversity = briefed_diversity
    # A sentence budget asks for that many sentences; a table cell (no briefing) keeps its
    # parts: only the characters left after a briefing go to the best sentences alone.
    if not first or budget.max_chars is None:
        fill_quantile = None
    fill = ~_worlds_troubles(doc) if first else None
    weight = None
    if first and (budget.max_chars is None or budget.max_chars >= _BRIEFING_CHARS):
        weight = _next_headline_first(doc, scores, usable)
    picks = pick(
        doc, scores, order, budget, redundancy, diversity, first, cuts, fill_quantile, fill, weight
    )
    if picks or budget.max_chars is None or not len(order) or budget.max_sentences == 0:
        return picks
    # Every usable sentence is longer than the budget (an opening's one long sentence): the
    # best is quoted up to a clause boundary rather than nothing.
    end = _clause_cut(doc, int(order[0]), budget.max_chars - len(CUT_MARK))
    return [] if end is None else pick(doc, scores, order, budget, redundancy, 0.0, [0], {0: end})


def select_for(
    summariser: Summariser, doc: Document, scores: np.ndarray, budget: Budget
) -> list[Picked]:
    """`select` as `summariser` picks: its diversity and briefing."""
    return select(
        doc,
        scores,
        budget,
        diversity=summariser.diversity,
        briefing=summariser.briefing,
        briefed_diversity=summariser.briefed_diversity,
        fill_quantile=summariser.fill_quantile,
    )


def _announcements(doc: Document) -> np.ndarray:
    """Sentences that only announce problems ("…存在着诸多亟待解决的问题。"), in a report
    that also states them: when the list follows, a reader quotes the list, never its
    announcement."""
    if doc.labels is None:
        return np.zeros(len(doc.sentences), dtype=bool)
    cues = reader_cues(doc)
    label = doc.sentence_labels() == "shortcomings"
    if not (label & cues.states_problem).any():
        return np.zeros(len(doc.sentences), dtype=bool)
    return label & cues.frames


def _worlds_troubles(doc: Document) -> np.ndarray:
    """Problem sentences whose subject is the world around the report ("世界经济增长动能不足，…
    外部环境的复杂性…上升。"): the briefing may quote one when the report states no problem of
    its own, but readers do not spend the rest of a briefing on them (one of 48 reports'
    extracts did, once; two blind readers marked the 2025 briefing down for it). A problem the
    world caused is the report's own ("二是受国际金融危机影响，经济增速持续下滑，…")."""
    n = len(doc.sentences)
    if doc.labels is None:
        return np.zeros(n, dtype=bool)
    label = doc.sentence_labels() == "shortcomings"
    norm = doc.normalised()
    troubles = np.zeros(n, dtype=bool)
    for i in np.flatnonzero(label & (counted(doc, _EXTERNAL) > 0)).tolist():
        s = doc.sentences[i]
        start = s.start + quoted_from(norm[s.start : s.end])
        troubles[i] = _EXTERNAL.match(norm, start, s.end) is not None
    return troubles


def _next_headline_first(
    doc: Document, scores: np.ndarray, usable: np.ndarray
) -> np.ndarray | None:
    """Weights that rank the result right after the GDP line first among the sentences of its
    label, for the rest of a briefing; None when the report has no such result.

    A work report opens its review with its headline results, the GDP line first ("增速稳，
    国内生产总值…增长7.4%" and then "就业稳，城镇新增就业1322万人"): in the 15 State Council
    reports whose GDP line is followed in its paragraph by a sentence with a figure, the two
    readers' 300-character extracts quote that sentence in 43% of cases, against 17% for the
    results the rest of a briefing added by score; blind readers marked summaries down whose
    only result was the GDP line (see README)."""
    hits = np.flatnonzero(_headline_result(doc))
    if not len(hits):
        return None
    paragraph_of = doc.sentence_paragraphs()
    line, nxt = int(hits[0]), int(hits[0]) + 1
    if (
        nxt >= len(doc.sentences)
        or paragraph_of[nxt] != paragraph_of[line]
        or not (usable[nxt] and sentence_kinds(doc).figure[nxt])
        or scores[nxt] <= 0
    ):
        return None
    labels = doc.sentence_labels()
    rivals = usable & (labels == labels[nxt])
    rivals[nxt] = False
    best = float(scores[rivals].max()) if rivals.any() else 0.0
    weight = np.ones(len(doc.sentences))
    weight[nxt] = max(1.0, np.nextafter(best, np.inf) / scores[nxt])
    return weight


def _default(budget: Budget) -> Budget:
    if budget.max_sentences is None and budget.max_chars is None:
        return Budget(max_sentences=DEFAULT_MAX_SENTENCES)
    return budget


def _briefing_picks(
    doc: Document, order: np.ndarray, budget: Budget, wants: Sequence[str]
) -> tuple[list[int], dict[int, int]]:
    """Positions in `order` of the best sentence for each want, when room allows, and where
    a problem sentence too long for the room is cut ({position: end offset}).

    A want is a section label, or `FIGURE_WANT` (a sentence that gives a figure, one with a
    percentage first). For
    shortcomings, a sentence that states a problem is preferred to one that only announces
    problems, and both to one on its remedy, and a problem stated where the report admits
    most (`_main_admission`) to one stated in passing; when the best sentence stating a problem
    is too long, it is cut at a clause boundary rather than passed over for a lesser one or
    an announcement.
    For plans, a plan with a figure it commits to is preferred, then in a speech one for the
    coming year ("国务院决定今年行政费…节约10%"), to a problem restated among the plans ("我国
    消费…比重偏低，不利于…"), to a sentence about the past (`_looks_back`) and to the sentence
    leading into the list of them. Where no sentence has the label, the structure's admission
    of problems (`_admitted`) and a target set for the coming year (`_targets_ahead`) stand in
    for shortcomings and plans.
    """
    if doc.labels is None:
        return [], {}
    roomy = (budget.max_sentences is None or budget.max_sentences >= _BRIEFING_SENTENCES) and (
        budget.max_chars is None or budget.max_chars >= _BRIEFING_CHARS
    )
    cell = (
        (budget.max_sentences is None or budget.max_sentences >= 2)
        and budget.max_chars is not None
        and _CELL_CHARS <= budget.max_chars < _BRIEFING_CHARS
    )
    if not roomy:
        if not cell:
            return [], {}
        wants = [w for w in wants if w != "plans"]
    lengths = doc.lengths()[order]
    room = np.inf if budget.max_chars is None else float(budget.max_chars)
    tiers = {want: _preferred(doc, want) for want in wants}
    # What each want needs at least: its shortest sentence of the first tier that has one,
    # past the tier it only prefers (a result, with a percentage or not; a problem, any stated
    # one, the report's own or not, and as it may be cut, at most half the budget; a plan, with
    # a target or not).
    need = {
        want: next(
            (float(lengths[m].min()) for t in tiers[want][1:] if (m := t[order]).any()),
            0.0,
        )
        for want in wants
    }
    if "shortcomings" in need:
        need["shortcomings"] = min(need["shortcomings"], room * _SHARE)
    first: list[int] = []
    cuts: dict[int, int] = {}
    headline = _headline_targets(doc) if "plans" in wants else []
    for k, want in enumerate(wants):
        preferred = tiers[want]
        if any(preferred[-1][order[j]] for j in first):
            continue  # a sentence picked already gives it
        # the best of at most half the characters left (a result: the shortest shares first),
        # leaving the wants still to come what they need
        left = room - sum(need[w] for w in wants[k + 1 :])
        shares = _RESULT_SHARES if want == FIGURE_WANT else (_SHARE,)
        limits = [min(room * share, left) for share in shares]
        # the year's headline target ("今年发展主要预期目标是：国内生产总值增长5%左右；…"), the
        # plan blind readers missed most, may take all the wants still to come leave it
        # and so may the headline result, the GDP line the brief names first
        aims = np.zeros(0, dtype=int)
        if want == "plans":
            aims = _first_hits([(preferred[0] & t)[order] & (lengths <= left) for t in headline])
        elif want == FIGURE_WANT:
            aims = np.flatnonzero(_headline_result(doc)[order] & (lengths <= left))
        found = (
            aims
            if len(aims)
            else next(
                (
                    hits
                    for mask in preferred
                    for limit in limits
                    if len(hits := np.flatnonzero(mask[order] & (lengths <= limit)))
                ),
                None,
            )
        )
        if want == "shortcomings" and budget.max_chars is not None:
            # the best stated problem too long: cut at a clause rather than passed over for a
            # lesser one that fits, often a stock phrase ("一些长期矛盾与短期问题相互交织，…" where
            # the report goes on "经济增长存在下行压力，物价水平仍处高位，…")
            stated = np.flatnonzero(preferred[0][order])
            if len(stated) and (found is None or found[0] != stated[0]):
                end = _clause_cut(doc, int(order[stated[0]]), limits[-1] - len(CUT_MARK))
                if end is not None:
                    cuts[int(stated[0])] = end
                    found = stated
        if want == "plans" and budget.max_chars is not None and not len(aims):
            # the year's targets too long for what is left: quoted up to a clause boundary,
            # so long as the cut keeps the headline target (the GDP target comes first)
            targets = _first_hits([(preferred[0] & t)[order] for t in headline])
            if len(targets):
                start = doc.sentences[int(order[targets[0]])].start
                end = _clause_cut(doc, int(order[targets[0]]), left - len(CUT_MARK))
                if end is not None and _sets_headline_target(doc.normalised()[start:end]):
                    cuts[int(targets[0])] = end
                    found = targets
        if found is not None:
            j = int(found[0])  # `order` is by score: the first is the best
            first.append(j)
            taken = (cuts[j] - doc.sentences[int(order[j])].start + 1) if j in cuts else lengths[j]
            room -= float(taken)
    return first, cuts


def _preferred(doc: Document, want: str) -> list[np.ndarray]:
    """The sentences that give `want`, best kind first (see `_briefing_picks`)."""
    kinds = sentence_kinds(doc)
    labels = doc.sentence_labels()
    if want == FIGURE_WANT:
        # a result with a rate or a share ("出庭应诉率达89%", "调解率达26.15%") before a count
        # alone: the headline a rule-of-law report's readers quote (not a plan's or a
        # problem's percentage)
        claims = (labels != "plans") & (labels != "shortcomings")
        return [kinds.figure & reader_cues(doc).percent & claims, kinds.figure]
    label = labels == want
    if want == "shortcomings":
        # a problem stated, before the sentence that only announces problems, and both
        # before one that resolves to meet them ("我们要…决不辜负…")
        cues = reader_cues(doc)

        def admitting(mask: np.ndarray) -> list[np.ndarray]:
            # a problem of the report's own, in its admission, before one stated in passing
            # and before one of the world around it
            stated = mask & cues.states_problem
            admits = mask & kinds.admission & ~kinds.remedy & ~cues.closes
            own = stated & ~external
            return [own & _main_admission(doc, stated), own, stated, admits]

        external = counted(doc, _EXTERNAL) > 0

        # and the list that follows a sentence announcing problems, which a reader quotes
        # though no classifier labelled it ("…我们正面临前所未有的困难和挑战。" and then "一是…")
        label = label | _listed(doc, label & cues.frames)
        if not any(t.any() for t in admitting(label)):
            # the labels admit nothing: the structure's admissions, only those that admit
            admitted = label | _admitted(doc)
            return admitting(admitted | _listed(doc, admitted & cues.frames))
        return [*admitting(label), label & ~kinds.remedy & ~cues.closes, label]
    if want == "plans":
        label = label if label.any() else _targets_ahead(doc)
        # a plan with a figure it commits to, then (in a speech) one for the coming year, then
        # a plan itself, before a problem restated among the plans and before the sentence that
        # leads into the list ("…如下：")
        lead_in = leads_in(doc)
        plan = label & ~kinds.admission & ~lead_in & ~_looks_back(doc)
        commits = plan & kinds.figure & (counted(doc, COMMITS) > 0)
        if not addresses_congress(doc.paragraphs):
            return [commits, plan, label & ~lead_in, label]
        # a speech's task sections also recall the year under review: its coming year's plans
        # first ("国务院决定今年…"); a rule-of-law report's plans section holds plans alone, and
        # the sentence naming its coming year there frames it ("把2025年列为“…年”，深入学习…")
        coming = plan & _coming_year(doc)
        return [commits, coming, plan, label & ~lead_in, label]
    return [label]


def _main_admission(doc: Document, stated: np.ndarray) -> np.ndarray:
    """The sentences of the run of body paragraphs stating problems (`stated`) that states
    the most: where the report makes its admission. A problem stated elsewhere is one a review
    or a plan touches on ("发展中美关系仍然存在着障碍，这就是台湾问题。", in 1984's foreign
    policy), which a reader does not quote as the report's own."""
    paragraph_of = doc.sentence_paragraphs()
    per = np.bincount(paragraph_of[stated], minlength=len(doc.paragraphs))
    run = np.full(len(doc.paragraphs), -1)
    count, inside = 0, False
    for k, paragraph in enumerate(doc.paragraphs):
        if paragraph.heading:
            continue  # a heading neither ends a run nor joins one
        if per[k] and not inside:
            count += 1
        inside = bool(per[k])
        if inside:
            run[k] = count - 1
    if not count:
        return np.zeros(len(stated), dtype=bool)
    best = int(np.argmax(np.bincount(run[run >= 0], weights=per[run >= 0], minlength=count)))
    return run[paragraph_of] == best


# The growth target most work reports set the headline aggregate as ("今年经济增长预期目标为7%
# 左右", "经济增长速度的宏观调控目标，定为百分之八至九").
_GROWTH_TARGET = re.compile(
    r"经济增长(?:速度)?的?(?:宏观)?(?:调控)?(?:预期|目标)|经济增长速度(?=\s*[0-9])"
)


# What a sentence recalls of the past: a plan section also reviews ("去年，控制固定资产投资过度
# 增长的工作初见成效", "两年来通过财政向银行发行2100亿元长期国债，…"); "上年" is the base a
# target is set against ("比上年增长8%").
_PAST = re.compile(r"去年|过去|[一二两三四五六七八九十几多近]年来")


def _looks_back(doc: Document) -> np.ndarray:
    """Sentences about the past: they say 去年 or 过去, or name a year up to the report's own
    ("1986年同1978年相比，…"), and name neither the coming year nor a later year or five-year
    plan ("“十三五”时期…国内生产总值比2010年翻一番" looks ahead)."""
    norm = doc.normalised()
    year = _year(doc)
    back = counted(doc, _PAST) > 0
    if year is not None:
        starts = doc.spans()[0]
        for m in YEAR.finditer(norm):
            i = int(np.searchsorted(starts, m.start(), side="right")) - 1
            if i >= 0 and int(m.group(1)) <= year:
                back[i] = True
    back &= counted(doc, _COMING) == 0
    if year is not None:
        for i in np.flatnonzero(back).tolist():
            s = doc.sentences[i]
            back[i] = not names_later(norm[s.start : s.end], year)
    return back


def _headline_targets(doc: Document) -> list[np.ndarray]:
    """Sentences that set the economy's headline aggregate a target with a figure, those for
    the coming year first (the GDP target of a work report's year, "今年发展的主要预期目标是：
    国内生产总值增长6.5%—7%…", before a five-year plan's "“十三五”时期经济年均增长保持在6.5%以
    上": the brief asks for the coming year's targets)."""
    targets = sentence_kinds(doc).figure & (counted(doc, TARGET) > 0)
    coming = _coming_year(doc)
    headline = reader_cues(doc).aggregate & targets
    if not (headline & coming).any():
        # a report that sets no GDP target for its year sets the growth rate one
        headline |= (counted(doc, _GROWTH_TARGET) > 0) & targets
    return [headline & coming, headline]


def _first_hits(masks: Sequence[np.ndarray]) -> np.ndarray:
    """The positions set in the first of `masks` that has any (none when none has)."""
    return next((h for m in masks if len(h := np.flatnonzero(m))), np.zeros(0, dtype=int))


def _headline_result(doc: Document) -> np.ndarray:
    """Sentences that give the economy's headline aggregate with a figure and are not plans
    (a work report's GDP line: "国内生产总值47.2万亿元，比上年增长9.2％；…")."""
    plans = doc.sentence_labels() == "plans"
    return reader_cues(doc).aggregate & sentence_kinds(doc).figure & ~plans


def _sets_headline_target(text: str) -> bool:
    """The text names the headline aggregate, a figure and a target word."""
    figure = FIGURE.search(text) or FIGURE_IN_WORDS.search(text)
    aggregate = AGGREGATE.search(text) or _GROWTH_TARGET.search(text)
    return bool(figure and aggregate and TARGET.search(text))


# How far the list an announcement of problems opens may run.
_LIST_SENTENCES = 12


def _listed(doc: Document, framing: np.ndarray) -> np.ndarray:
    """The sentences after each sentence of `framing` (an announcement of problems), up to
    the one that resolves to meet them ("我们一定要…"), a heading, a plan or
    `_LIST_SENTENCES`: the problems it announces."""
    n = len(doc.sentences)
    listed = np.zeros(n, dtype=bool)
    if not framing.any():
        return listed
    kinds, cues = sentence_kinds(doc), reader_cues(doc)
    labels = doc.sentence_labels()
    for i in np.flatnonzero(framing).tolist():
        for j in range(i + 1, min(n, i + 1 + _LIST_SENTENCES)):
            if cues.closes[j] or kinds.heading[j] or labels[j] == "plans":
                break
            listed[j] = True
    return listed


def _admitted(doc: Document) -> np.ndarray:
    """Sentences of the paragraphs the structure reads as an admission of problems
    (`structural_labels`: "我们清醒地看到…困难和问题…" closing a review), for a report where no
    paragraph is labelled shortcomings.

    The decoder learns its transitions from reports that keep their problems in a section
    of their own, and overrules a lone admission inside a review (five of 32 State Council
    reports since 1992); a reader still quotes it. Only a sentence that itself admits a
    problem is taken from them: the structure's cue also fires on a plan to "找出存在问题".
    """
    admits = np.array(structural_labels(doc.paragraphs), dtype=object) == "shortcomings"
    return admits[doc.sentence_paragraphs()]


# The world around the report's own work: a work report admits the world economy's troubles
# before its own, and blind readers marked a briefing down whose only problem was those.
_EXTERNAL = re.compile(r"世界经济|全球|国际(?:形势|环境|市场|金融)|外部环境|发达经济体|新兴经济体")
# The period a plan is for, besides a later year than the report's (`names_later`).
_COMING = re.compile(r"今年|明年")


def _year(doc: Document) -> int | None:
    """The year the report is about (`report_year`), read once per document: the briefing asks
    it for the plan, the headline target and the past."""
    if "year" not in doc.features:
        doc.features["year"] = report_year(doc.paragraphs)
    return doc.features["year"]


def _coming_year(doc: Document) -> np.ndarray:
    """Sentences that name the coming year: 今年, 明年, or the year after the report's (`_year`);
    and the list a sentence naming it leads into ("今年…的主要预期目标是：" / "国内生产总值增长8%
    左右；…")."""
    year = _year(doc)
    coming = counted(doc, _COMING) > 0
    if year is not None:
        coming |= counted(doc, re.compile(f"{year + 1}年")) > 0
    coming[1:] |= coming[:-1] & leads_in(doc)[:-1]
    return coming


def _targets_ahead(doc: Document) -> np.ndarray:
    """Sentences that set the coming year a target with a figure ("今年国民经济宏观调控的主要
    目标是：经济增长速度8％…"), for a report where no paragraph is labelled plans.

    The structure reads a section as plans only when its heading says so; the task sections
    of older work reports ("二、抓紧有利时机，加快经济发展") are read as the review, and a
    reader still quotes the year's target.
    """
    kinds = sentence_kinds(doc)
    norm = doc.normalised()
    year = _year(doc)
    coming = _coming_year(doc)
    if year is not None:
        later = [names_later(norm[a:b], year) for a, b in zip(*doc.spans(), strict=True)]
        coming |= np.array(later, dtype=bool)
    return coming & kinds.figure & (counted(doc, TARGET) > 0) & ~kinds.admission


# A problem quoted in part keeps at least this many characters (one clause that says something).
_MIN_CUT = 20
CUT_MARK = "…"
# A summary unit ending here is a sentence's first clauses, not the whole sentence.
_CLAUSE_END = "；;"


def _clause_cut(doc: Document, i: int, room: float) -> int | None:
    """Where sentence i is cut to fit `room` characters: after the last "；" that fits, else
    the last "，"; None when no clause of at least `_MIN_CUT` characters fits."""
    s = doc.sentences[i]
    norm = doc.normalised()
    stop = s.start + int(room)
    for marks in ("；;", "，,"):
        at = max(norm.rfind(m, s.start, stop) for m in marks)
        if at - s.start >= _MIN_CUT:
            return at  # the mark itself gives way to CUT_MARK
    return None


def pick(
    doc: Document,
    scores: np.ndarray,
    candidates: np.ndarray,
    budget: Budget,
    redundancy: float,
    diversity: float,
    first: Sequence[int] = (),
    cuts: Mapping[int, int] | None = None,
    fill_quantile: float | None = None,
    fill: np.ndarray | None = None,
    weight: np.ndarray | None = None,
) -> list[Picked]:
    """`select` over usable sentences already in score order (shared by every section).

    `first`: positions in `candidates` picked before the others, budget permitting; `cuts`:
    the end offsets of those quoted in part, which then count as long as they read; after
    them, only sentences scoring at least `fill_quantile` of the candidates' scores and, when
    given, set in `fill` (one flag per sentence of `doc`), their relevance times `weight` (one
    factor per sentence) when given.
    """
    budget = _default(budget)
    max_n = budget.max_sentences if budget.max_sentences is not None else len(doc.sentences)
    chars_left = budget.max_chars if budget.max_chars is not None else float("inf")
    lengths = doc.lengths()[candidates]
    cuts = cuts or {}
    ends = {int(candidates[k]): end for k, end in cuts.items()}
    if cuts:
        lengths = lengths.copy()
        for k, end in cuts.items():
            lengths[k] = len(_cut_text(doc, doc.sentences[int(candidates[k])].start, end))
    top = float(scores[candidates].max()) if len(candidates) else 0.0
    relevance = (1 - diversity) * (scores[candidates] / top if top > 0 else np.zeros(len(lengths)))
    if weight is not None:
        relevance = relevance * weight[candidates]
    # Highest cosine of each candidate to the picks so far; a candidate is taken once at most.
    similar = np.zeros(len(candidates))
    open_ = np.ones(len(candidates), dtype=bool)
    vectors = bigram_vectors(doc) if (redundancy < 1 or diversity) and doc.sentences else None
    floor = -np.inf
    if fill_quantile is not None and len(candidates):
        floor = np.quantile(scores[candidates], fill_quantile)
    worthy = scores[candidates] >= floor
    if fill is not None:
        worthy &= fill[candidates]
    chosen: list[int] = []
    queue = list(first)
    while len(chosen) < max_n:
        fits = open_ & (lengths <= chars_left) & (similar <= redundancy)
        if not queue:
            fits &= worthy
        if not fits.any():
            break
        k = queue.pop(0) if queue else -1
        if k < 0 or not fits[k]:
            if k >= 0:
                continue
            k = int(np.argmax(np.where(fits, relevance - diversity * similar, -np.inf)))
        open_[k] = False
        i = int(candidates[k])
        chosen.append(i)
        chars_left -= lengths[k]
        if vectors is not None and len(chosen) < max_n:  # another pick follows
            np.maximum(similar, vectors.times_row(i)[candidates], out=similar)
    by_score = sorted(chosen, key=lambda i: (-scores[i], i))
    ranks = {i: r for r, i in enumerate(by_score, start=1)}
    norm = doc.normalised()
    picked = []
    for i in sorted(chosen):
        s = doc.sentences[i]
        start = s.start + quoted_from(norm[s.start : s.end])
        if i not in ends and norm[s.end - 1] in _CLAUSE_END:
            # the first clauses of a long sentence (`split_sentences` cuts one at its "；"):
            # marked as cut, so the reader sees it goes on
            ends[i] = s.end - 1
        end = ends.get(i, s.end)
        text = unwrap(doc.text[start:end]) if start > s.start else s.text
        picked.append(
            Picked(
                text if i not in ends else _cut_text(doc, start, end),
                float(scores[i]),
                ranks[i],
                start,
                end,
                doc.sentence_label(s),
                cut=i in ends,
            )
        )
    return picked


def _cut_text(doc: Document, start: int, end: int) -> str:
    """A sentence from `start` up to `end`, as it reads, marked as cut."""
    return unwrap(doc.text[start:end]).rstrip() + CUT_MARK


def summarise(
    doc: Document, budget: Budget | None = None, method: str = DEFAULT_METHOD
) -> list[Picked]:
    """Score with the named summariser, then select within the budget."""
    summariser = get_summariser(method)
    return select_for(summariser, doc, summariser.score(doc), budget or Budget())
