"""The lean classifier serves what the scikit-learn pipeline would (model/learn/lean.py)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from model.analyse import analyse, prepare, summary_record
from model.learn.classify import SectionClassifier
from model.learn.lean import LeanClassifier, export, strings, text_array
from model.summary.base import Budget
from model.text.document import build_document
from tests.conftest import SEED_FILES, SEEDS

STATE_COUNCIL = SEEDS / "background" / "statecouncil.jsonl"
TOLERANCE = 1e-9


def _reports() -> dict[str, str]:
    texts = {p.name: p.read_text(encoding="utf-8") for p in SEED_FILES}
    for i, line in enumerate(STATE_COUNCIL.read_text(encoding="utf-8").splitlines()):
        if line.strip():
            texts[f"statecouncil-{i:02d}"] = json.loads(line)["text"]
    return texts


REPORTS = _reports()


def _same_predictions(lean: list, full: list) -> None:
    assert [p.label for p in lean] == [p.label for p in full]
    for a, b in zip(lean, full, strict=True):
        assert abs(a.confidence - b.confidence) <= TOLERANCE
        assert a.scores.keys() == b.scores.keys()
        assert max(abs(a.scores[k] - b.scores[k]) for k in a.scores) <= TOLERANCE


def test_the_corpus_is_there() -> None:
    assert len(SEED_FILES) == 5 and len(REPORTS) == 5 + 43


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_lean_labels_and_probabilities_are_the_pipelines(bundle, full_bundle, name: str) -> None:
    lean, full = bundle.classifier, full_bundle.classifier
    assert isinstance(lean, LeanClassifier) and isinstance(full, SectionClassifier)
    doc = build_document(REPORTS[name])
    words = doc.paragraph_words()
    _same_predictions(
        lean.classify_document(doc.paragraphs, words), full.classify_document(doc.paragraphs, words)
    )
    texts = [p.text for p in doc.paragraphs]
    _same_predictions(lean.classify_isolated(texts), full.classify_isolated(texts))


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_lean_summaries_are_the_pipelines(bundle, full_bundle, name: str) -> None:
    text = REPORTS[name]
    lean = analyse(text, bundle.classifier, Budget(max_chars=300))
    full = analyse(text, full_bundle.classifier, Budget(max_chars=300))
    # Paragraph scores are compared above, within the tolerance; everything else is equal.
    labels = [[p["label"] for p in r.pop("paragraphs")] for r in (lean, full)]
    assert labels[0] == labels[1]
    assert lean == full
    budget = Budget(max_sentences=5)
    assert summary_record(prepare(text, bundle.classifier), budget) == summary_record(
        prepare(text, full_bundle.classifier), budget
    )


def test_the_heading_model_and_background_are_the_pipelines(bundle, full_bundle) -> None:
    doc = build_document(REPORTS[SEED_FILES[0].name])
    lean, full = bundle.classifier, full_bundle.classifier
    assert np.array_equal(
        lean.headings_.predict_document(doc), full.headings_.predict_document(doc)
    )
    words = sorted({w for s in doc.sentences for w in s.words})
    assert np.array_equal(lean.background_.idf(words), full.background_.idf(words))
    assert lean.background_.stock_share(doc.text) == full.background_.stock_share(doc.text)
    assert lean.calibration_ == full.calibration_
    assert lean.labels_ == full.labels_
    sections = ["".join(p.text for p in doc.paragraphs[k : k + 5]) for k in range(0, 50, 5)]
    assert full.tense_ is not None  # learnt from the State Council reports in background/
    assert np.array_equal(lean.tense_.predict(sections), full.tense_.predict(sections))


def test_empty_and_one_paragraph_inputs(bundle, full_bundle) -> None:
    lean, full = bundle.classifier, full_bundle.classifier
    assert lean.classify_document([]) == full.classify_document([]) == []
    assert lean.classify_isolated([]) == []
    for text in ("", "收藏 打印 关闭", "部分执法人员法治意识有待加强。"):
        _same_predictions(lean.classify_isolated([text]), full.classify_isolated([text]))


def test_export_refuses_a_model_it_cannot_express(full_bundle) -> None:
    arrays = export(full_bundle.classifier)
    assert all(isinstance(a, np.ndarray) and a.dtype != object for a in arrays.values())
    altered = SectionClassifier.__new__(SectionClassifier)
    altered.__dict__.update(full_bundle.classifier.__dict__)
    altered.labels_ = tuple(reversed(altered.labels_))
    with pytest.raises(ValueError, match="label order"):
        export(altered)


@pytest.mark.parametrize("values", [[], ["a"], ["行政复议", "<num>", "lvl=None|pos=2"]])
def test_text_arrays_round_trip(values: list[str]) -> None:
    assert strings(text_array(values)) == values


@pytest.mark.parametrize("bad", ["", "two\nlines"])
def test_text_arrays_refuse_what_would_not_come_back(bad: str) -> None:
    with pytest.raises(ValueError):
        text_array(["ok", bad])
