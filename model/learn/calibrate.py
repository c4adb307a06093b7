"""Calibrated confidences: a label given 0.9 should be right nine times in ten.

The HMM's marginals multiply many per-paragraph probabilities and the structural prior, so they
are far too sure (a 1.00 for every paragraph of a report, wrong ones included). Temperature
scaling (Guo et al. 2017) divides the log-probabilities by one number T fitted on out-of-fold
predictions of grouped cross-validation: it keeps every label's rank, so no label changes, and
with one parameter it cannot overfit a few hundred paragraphs. Isotonic regression was the
alternative; with 7 labels and ~1,000 paragraphs its steps would be fitted on a handful of
errors.
"""

from __future__ import annotations

import numpy as np

_FLOOR = 1e-12
_GRID = np.exp(np.linspace(np.log(0.2), np.log(20.0), 241))


def scale(probs: np.ndarray, temperature: float) -> np.ndarray:
    """softmax(log p / T) of each row; T = 1 leaves the rows as they are."""
    if temperature == 1.0 or not len(probs):
        return probs
    logits = np.log(np.clip(probs, _FLOOR, 1.0)) / temperature
    logits -= logits.max(axis=1, keepdims=True)
    out = np.exp(logits)
    return out / out.sum(axis=1, keepdims=True)


def fit_temperature(probs: np.ndarray, truth: np.ndarray) -> float:
    """The T minimising the negative log-likelihood of the true labels (column indices).

    A grid over 0.2-20, fine in log space: the likelihood is smooth and one-dimensional, so a
    grid is as good as an optimiser and has no starting point to get wrong.
    """
    if not len(probs):
        return 1.0
    rows = np.arange(len(truth))
    logp = np.log(np.clip(probs, _FLOOR, 1.0))
    best, best_nll = 1.0, np.inf
    for t in _GRID:
        logits = logp / t
        logits -= logits.max(axis=1, keepdims=True)
        nll = -(logits[rows, truth] - np.log(np.exp(logits).sum(axis=1))).mean()
        if nll < best_nll:
            best, best_nll = float(t), nll
    return best


def reliability(
    confidence: np.ndarray, correct: np.ndarray, bins: int = 10
) -> list[dict[str, float]]:
    """Per equal-width confidence bin: its range, count, mean confidence and accuracy."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, bins - 1)
    table = []
    for b in range(bins):
        inside = which == b
        n = int(inside.sum())
        table.append(
            {
                "low": float(edges[b]),
                "high": float(edges[b + 1]),
                "n": n,
                "confidence": float(confidence[inside].mean()) if n else 0.0,
                "accuracy": float(correct[inside].mean()) if n else 0.0,
            }
        )
    return table


def expected_calibration_error(
    confidence: np.ndarray, correct: np.ndarray, bins: int = 10
) -> float:
    """Σ over bins of (share of predictions) × |accuracy - mean confidence| (Naeini et al.)."""
    total = len(confidence)
    if not total:
        return 0.0
    return float(
        sum(
            row["n"] / total * abs(row["accuracy"] - row["confidence"])
            for row in reliability(confidence, correct, bins)
        )
    )
