"""What a careful reader looks for in a sentence, beyond what makes it usable at all.

The reader's brief (seeds/extracts/README.md) asks for the results with their figures, the
problems as the report states them and a plan with a target; these cues are the columns the
learnt scorer (`model.summary.scorers.sentence_features`) reads for that, so training and serving
compute them in one place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from model.text.document import Document
from model.text.problems import closes_problems, frames_problems
from model.text.units import FIGURE, FIGURE_IN_WORDS, counted, sentence_kinds

# Headline cues: the totals and growth a briefing opens with (全年…, 累计…, 同比增长…, GDP).
_HEADLINE = re.compile(r"全年|累计|同比|比上年|年均|增长|达到|突破|总额|总量|总值|GDP")
# The economy's headline aggregate, which the brief asks of a government work report ("the GDP
# line"): GDP and GNP (国内/地区/国民生产总值) and the planned economy's 工农业总产值; not a
# ratio to it (单位国内生产总值能耗, 占国内生产总值的比重), which a work report's plans also set.
AGGREGATE = re.compile(r"(?<!单位)(?<!占)(?:生产总值|GDP|GNP|总产值)(?!的?比[重例]|能耗)")
_PERCENT = re.compile(r"[0-9]\s*(?:%|％|个百分点)")
_MONEY = re.compile(r"[0-9]\s*(?:万|亿)?元")
# What makes a plan a target rather than an intention.
TARGET = re.compile(
    r"力争|确保|目标|左右|以上|以内|控制在|提高到|降低到|下降到|实现|计划(?:增长|达到|完成)"
)
# A quantity a plan commits to (年度开展不少于8课时), beside TARGET's words: how the briefing
# tells a plan with a figure to meet from one that only names a figure. The scorer's features
# keep TARGET, whose weights the extracts taught.
COMMITS = re.compile(rf"{TARGET.pattern}|不少于|不低于|达到")


@dataclass(frozen=True, slots=True)
class Cues:
    """Per sentence, what the reader's brief names beyond `Kinds` (seeds/extracts/README.md):
    headline cues and the GDP line, the kind of figure, where it sits in its section, whether
    it states a problem, only announces problems or closes them, and whether a plan has a
    target."""

    headline: np.ndarray  # headline cues, up to 3
    aggregate: np.ndarray  # names the economy's headline aggregate (GDP)
    figures: np.ndarray  # figures with units, up to 3
    percent: np.ndarray
    money: np.ndarray
    in_section: np.ndarray  # 0 at its section's first sentence, 1 at its last
    states_problem: np.ndarray  # admits a problem, neither turning to a remedy nor closing
    frames: np.ndarray  # only announces problems
    closes: np.ndarray  # resolves to meet the problems or looks back on them
    target: np.ndarray  # a plan with a figure or a target word

    def columns(self) -> list[np.ndarray]:
        return [
            self.headline,
            self.aggregate,
            self.figures,
            self.percent,
            self.money,
            self.in_section,
            self.states_problem,
            self.frames,
            self.closes,
            self.target,
        ]


def reader_cues(doc: Document) -> Cues:
    """`Cues` of every sentence of `doc`, computed once per document."""
    if "cues" in doc.features:
        return doc.features["cues"]
    n = len(doc.sentences)
    kinds = sentence_kinds(doc)
    norm = doc.normalised()
    starts, ends = doc.spans()
    labels = doc.sentence_labels()
    # Sections are runs of one label over consecutive sentences.
    run_start = np.ones(n, dtype=bool)
    if n:
        run_start[1:] = labels[1:] != labels[:-1]
    run_id = np.cumsum(run_start) - 1
    first = np.flatnonzero(run_start)
    size = np.bincount(run_id, minlength=len(first))
    offset = np.arange(n) - first[run_id] if n else np.zeros(0)
    in_section = offset / np.maximum(size[run_id] - 1, 1) if n else np.zeros(0)
    closes = np.zeros(n, dtype=bool)
    frames = np.zeros(n, dtype=bool)
    for i in np.flatnonzero(kinds.admission | (labels == "shortcomings")):
        a, b = int(starts[i]), int(ends[i])
        closes[i] = closes_problems(norm, a, b)
        frames[i] = frames_problems(norm, a, b)
    cues = Cues(
        headline=np.minimum(counted(doc, _HEADLINE), 3),
        aggregate=counted(doc, AGGREGATE) > 0,
        figures=np.minimum(counted(doc, FIGURE) + counted(doc, FIGURE_IN_WORDS), 3),
        percent=counted(doc, _PERCENT) + counted(doc, FIGURE_IN_WORDS) > 0,
        money=counted(doc, _MONEY) > 0,
        in_section=in_section,
        states_problem=kinds.admission & ~kinds.remedy & ~closes & ~frames,
        frames=frames,
        closes=closes,
        target=(labels == "plans") & (kinds.figure | (counted(doc, TARGET) > 0)),
    )
    doc.features["cues"] = cues
    return cues
