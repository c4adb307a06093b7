"""The single registry of summarisers (model/summary/registry.py)."""

from __future__ import annotations

import numpy as np
import pytest

from model.summary.base import Budget
from model.summary.registry import DEFAULT_METHOD, SUMMARISERS, get_summariser
from model.text.document import build_document
from tests.model.summary.conftest import METHODS

# -- registry ----------------------------------------------------------------------------------


def test_registry_holds_the_baselines_and_the_default() -> None:
    assert {"lead", "textrank", "sectionrank"} <= set(SUMMARISERS)
    assert DEFAULT_METHOD in SUMMARISERS


@pytest.mark.parametrize("method", METHODS)
def test_every_summariser_scores_every_sentence(method: str, tiny_report) -> None:
    doc = build_document(tiny_report.text)
    scores = get_summariser(method).score(doc)
    assert scores.shape == (len(doc.sentences),)
    assert np.isfinite(scores).all()


def test_unknown_method_names_the_choices() -> None:
    with pytest.raises(ValueError, match="sectionrank"):
        get_summariser("nope")


@pytest.mark.parametrize("field", ["max_sentences", "max_chars"])
def test_budget_rejects_negative_numbers(field: str) -> None:
    with pytest.raises(ValueError, match=field):
        Budget(**{field: -1})
