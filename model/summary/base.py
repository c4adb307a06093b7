"""What every summariser shares: the budget, a picked sentence, and the protocol they follow.

Each summariser only scores sentences (and says how much novelty should weigh against its
scores); `model.summary.select` applies the budget (sentences or characters, never exceeded),
picks by maximal marginal relevance and restores document order, as sumy does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from model.text.document import Document

DEFAULT_MAX_SENTENCES = 5
# In a briefing, the want for a sentence that gives a figure (the others are section labels).
FIGURE_WANT = "figure"


@dataclass(frozen=True, slots=True)
class Budget:
    """How much summary to return: at most `max_sentences` sentences and `max_chars` characters."""

    max_sentences: int | None = None
    max_chars: int | None = None

    def __post_init__(self) -> None:
        for name in ("max_sentences", "max_chars"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or value < 0):
                raise ValueError(f"{name} must be a non-negative integer, got {value!r}")


@dataclass(frozen=True, slots=True)
class Picked:
    """A summary sentence: where it is, how it scored, its rank among the picks.

    `cut`: only its first clauses are quoted (start..end), and `text` ends in "…".
    """

    text: str
    score: float
    rank: int
    start: int
    end: int
    label: str | None
    cut: bool = False

    def as_dict(self) -> dict[str, object]:
        return {
            "text": self.text,
            "score": round(self.score, 4),
            "rank": self.rank,
            "start": self.start,
            "end": self.end,
            "label": self.label,
            "cut": self.cut,
        }


class Summariser(Protocol):
    """Scores every sentence of a document; higher is more summary-worthy.

    `diversity` is how much `select` trades a sentence's score for novelty (MMR); 0 keeps
    the scores' order, as a baseline should. `briefing` names the section labels whose best
    sentence `select` picks first (what a report admits and plans); baselines name none.
    `briefed_diversity`, when not None, replaces `diversity` once the briefing has reserved
    those parts: the rest of the budget then follows the scores more closely. `fill_quantile`,
    when not None, keeps out of the characters left after the briefing every sentence scoring
    below that quantile of the report's usable sentences.
    """

    diversity: float
    briefing: tuple[str, ...]
    briefed_diversity: float | None
    fill_quantile: float | None

    def score(self, doc: Document) -> np.ndarray: ...
