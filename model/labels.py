"""The section types a paragraph can have (SPEC.md), in the usual order of a report, and the
parts an annual report must contain: the one list every layer, the archive and the pages read."""

from __future__ import annotations

LABELS: tuple[str, ...] = (
    "preamble",
    "achievements",
    "shortcomings",
    "leadership",
    "plans",
    "other",
    "boilerplate",
)

LABEL_ZH: dict[str, str] = {
    "preamble": "导语",
    "achievements": "主要举措和成效",
    "shortcomings": "存在的不足和原因",
    "leadership": "主要负责人履职情况",
    "plans": "下一年度主要安排",
    "other": "其他",
    "boilerplate": "非正文",
}

# Labels whose sentences carry report content; boilerplate never enters a summary.
CONTENT_LABELS: tuple[str, ...] = tuple(label for label in LABELS if label != "boilerplate")

# The contents the 《法治政府建设与责任落实督察工作规定》 (2019) asks of an annual report, by the
# label of the section that carries each; the fifth, other matters, may be absent.
PARTS: tuple[str, ...] = ("achievements", "shortcomings", "leadership", "plans", "other")
REQUIRED: tuple[str, ...] = PARTS[:4]
PART_ZH: dict[str, str] = {
    "achievements": "主要举措和成效",
    "shortcomings": "存在的不足和原因",
    "leadership": "党政主要负责人履行第一责任人职责",
    "plans": "下一年度主要安排",
    "other": "其他需要报告的情况",
}
# Column heads where the full names do not fit (the archive's tables).
PART_SHORT: dict[str, str] = {
    "achievements": "举措成效",
    "shortcomings": "不足原因",
    "leadership": "负责人履职",
    "plans": "下年安排",
    "other": "其他",
}
