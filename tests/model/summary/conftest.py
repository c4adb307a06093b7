"""What the summary tests share: the registered methods and the contract of every summary."""

from __future__ import annotations

from model.summary.base import Budget
from model.summary.registry import SUMMARISERS
from model.text.segment import unwrap

METHODS = sorted(SUMMARISERS)
SEED_003 = "003_5c5bdc2152d9c680.txt"


def check_picks(text: str, picks: list, budget: Budget) -> None:
    """The contract every summary keeps: budget, document order, offsets, unique ranks."""
    if budget.max_chars is not None:
        assert sum(len(p.text) for p in picks) <= budget.max_chars
    if budget.max_sentences is not None:
        assert len(picks) <= budget.max_sentences
    assert [p.start for p in picks] == sorted(p.start for p in picks)
    assert all(unwrap(text[p.start : p.end]) + ("…" if p.cut else "") == p.text for p in picks)
    assert sorted(p.rank for p in picks) == list(range(1, len(picks) + 1))
