"""The section types a paragraph can have (SPEC.md), in the usual order of a report."""

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
