"""A linear sentence scorer learnt from what careful readers pick (seeds/extracts/).

Its inputs are the summariser's own signals per sentence (`model.summary.scorers
.sentence_features`); it knows nothing of them but their number, so the learning layer stays
below the summary layer. Fitted with scikit-learn (standardised features, balanced logistic
regression); it predicts with numpy alone, from four arrays the lean bundle stores.
"""

from __future__ import annotations

import numpy as np


class LinearScorer:
    """P(a careful reader picks the sentence | its features) (scikit-learn conventions)."""

    def __init__(self, C: float = 1.0) -> None:
        self.C = C

    def fit(self, X: np.ndarray, y: np.ndarray) -> LinearScorer:
        from sklearn.linear_model import LogisticRegression

        self.mean_ = X.mean(axis=0)
        scale = X.std(axis=0)
        self.scale_ = np.where(scale > 0, scale, 1.0)
        model = LogisticRegression(C=self.C, max_iter=2000, class_weight="balanced")
        model.fit((X - self.mean_) / self.scale_, y)
        self.coef_ = model.coef_[0].astype(float)
        self.intercept_ = float(model.intercept_[0])
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The probability of each row; an empty array for no rows."""
        if len(X) == 0:
            return np.zeros(0)
        logit = ((X - self.mean_) / self.scale_) @ self.coef_ + self.intercept_
        return 1.0 / (1.0 + np.exp(-logit))
