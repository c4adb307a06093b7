"""Picking a summary from sentence scores: candidates, the budget, briefing picks and MMR."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from model.summary.base import DEFAULT_MAX_SENTENCES, FIGURE_WANT, Budget, Picked
from model.summary.registry import DEFAULT_METHOD, get_summariser
from model.text.bags import bigram_vectors
from model.text.document import Document
from model.text.problems import closes_problems, frames_problems
from model.text.units import sentence_kinds

REDUNDANCY = 0.7

# A briefing reserves its admissions and plans only when the budget leaves room for claims too.
_BRIEFING_SENTENCES, _BRIEFING_CHARS = 3, 200
# Under a character budget, a reserved sentence is looked for among those of at most this
# share of the budget first, so that the claims keep room.
_SHARES = (0.25, 1 / 3, 0.5)


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
) -> list[Picked]:
    """Best sentences within the budget by maximal marginal relevance, in document order.

    Only `candidates` are used. For each label in `briefing` that the report has, its best
    sentence is picked first, when the budget is at least 3 sentences or 200 characters (so
    that what the report admits and plans is never crowded out by its claims); under a
    character budget it is chosen among sentences of at most a third of the budget.
    Then each pick maximises (1 - diversity) × score (scaled to the best) - diversity × its
    highest cosine to a sentence already picked (Carbonell & Goldstein 1998), on
    character-bigram TF-IDF; a sentence whose cosine to a pick exceeds `redundancy` is never
    picked. With diversity 0 the picks follow the scores, skipping only near-duplicates. A
    sentence longer than the characters left is skipped, not cut: output stays extractive and
    the character budget is never exceeded. Ranks order the picks by score.
    """
    usable = candidates(doc)[0]
    if allowed is not None:
        usable = usable & allowed
    order = np.argsort(-scores, kind="stable")
    order = order[usable[order]]
    budget = _default(budget)
    first = _briefing_picks(doc, order, budget, briefing) if briefing else []
    return pick(doc, scores, order, budget, redundancy, diversity, first)


def _default(budget: Budget) -> Budget:
    if budget.max_sentences is None and budget.max_chars is None:
        return Budget(max_sentences=DEFAULT_MAX_SENTENCES)
    return budget


def _briefing_picks(
    doc: Document, order: np.ndarray, budget: Budget, wants: Sequence[str]
) -> list[int]:
    """Positions in `order` of the best sentence for each want, when room allows.

    A want is a section label, or `FIGURE_WANT` (a sentence that gives a figure). For
    shortcomings, a sentence that states a problem is preferred to one that only announces
    problems, and both to one on its remedy; for plans, a plan to the sentence leading into
    the list of them.
    """
    if doc.labels is None:
        return []
    roomy = (budget.max_sentences is None or budget.max_sentences >= _BRIEFING_SENTENCES) and (
        budget.max_chars is None or budget.max_chars >= _BRIEFING_CHARS
    )
    if not roomy:
        return []
    kinds = sentence_kinds(doc)
    sentence_labels = np.array(doc.labels, dtype=object)[doc.sentence_paragraphs()]
    lengths = doc.lengths()[order]
    limits = [np.inf] if budget.max_chars is None else [budget.max_chars * f for f in _SHARES]
    first: list[int] = []
    for want in wants:
        if want == FIGURE_WANT:
            preferred = [kinds.figure]
        else:
            label = sentence_labels == want
            preferred = [label]
            if want == "shortcomings":
                # a problem stated, before the sentence that only announces problems, and
                # both before one that resolves to meet them ("我们要…决不辜负…")
                norm = doc.normalised()
                closes = np.zeros(len(label), dtype=bool)
                for i in np.flatnonzero(label):
                    s = doc.sentences[i]
                    closes[i] = closes_problems(norm, s.start, s.end)
                admits = label & kinds.admission & ~kinds.remedy & ~closes
                frames = np.zeros(len(label), dtype=bool)
                for i in np.flatnonzero(admits):
                    s = doc.sentences[i]
                    frames[i] = frames_problems(norm, s.start, s.end)
                preferred = [admits & ~frames, admits, label & ~kinds.remedy & ~closes, label]
            elif want == "plans":
                # a plan itself, before the sentence that leads into the list ("…如下：")
                ends = doc.spans()[1]
                norm = doc.normalised()
                lead_in = np.fromiter(
                    (norm[e - 1 : e] in "：:" for e in ends.tolist()), bool, len(label)
                )
                preferred = [label & ~lead_in, label]
        if any(preferred[-1][order[k]] for k in first):
            continue  # a sentence picked already gives it
        found = next(
            (
                hits
                for mask in preferred
                for limit in limits
                if len(hits := np.flatnonzero(mask[order] & (lengths <= limit)))
            ),
            None,
        )
        if found is not None:
            first.append(int(found[0]))  # `order` is by score: the first is the best
    return first


def pick(
    doc: Document,
    scores: np.ndarray,
    candidates: np.ndarray,
    budget: Budget,
    redundancy: float,
    diversity: float,
    first: Sequence[int] = (),
) -> list[Picked]:
    """`select` over usable sentences already in score order (shared by every section).

    `first`: positions in `candidates` picked before the others, budget permitting.
    """
    budget = _default(budget)
    max_n = budget.max_sentences if budget.max_sentences is not None else len(doc.sentences)
    chars_left = budget.max_chars if budget.max_chars is not None else float("inf")
    lengths = doc.lengths()[candidates]
    top = float(scores[candidates].max()) if len(candidates) else 0.0
    relevance = (1 - diversity) * (scores[candidates] / top if top > 0 else np.zeros(len(lengths)))
    # Highest cosine of each candidate to the picks so far; a candidate is taken once at most.
    similar = np.zeros(len(candidates))
    open_ = np.ones(len(candidates), dtype=bool)
    vectors = bigram_vectors(doc) if (redundancy < 1 or diversity) and doc.sentences else None
    chosen: list[int] = []
    queue = list(first)
    while len(chosen) < max_n:
        fits = open_ & (lengths <= chars_left) & (similar <= redundancy)
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
    return [
        Picked(
            doc.sentences[i].text,
            float(scores[i]),
            ranks[i],
            doc.sentences[i].start,
            doc.sentences[i].end,
            doc.sentence_label(doc.sentences[i]),
        )
        for i in sorted(chosen)
    ]


def summarise(
    doc: Document, budget: Budget | None = None, method: str = DEFAULT_METHOD
) -> list[Picked]:
    """Score with the named summariser, then select within the budget."""
    summariser = get_summariser(method)
    return select(
        doc,
        summariser.score(doc),
        budget or Budget(),
        diversity=summariser.diversity,
        briefing=summariser.briefing,
    )
