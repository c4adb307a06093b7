"""The summarisers' sentence vectors and graph scores (summary/scorers.py, text/bags.py)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

import model.vectors.features as features_module
from model.summary.base import Budget
from model.summary.registry import get_summariser
from model.summary.scorers import pagerank
from model.text.bags import bigram_vectors, sentence_vectors
from model.text.bags import word_counts as _word_counts
from model.text.document import build_document
from model.vectors.features import bigram_counts
from tests.model.summary.conftest import SEED_003

# -- vectors and graph -------------------------------------------------------------------------


def test_vectors_are_cached_and_normalised(tiny_report) -> None:
    doc = build_document(tiny_report.text)
    for vectors in (sentence_vectors(doc), bigram_vectors(doc)):
        assert vectors.shape[0] == len(doc.sentences)
        norms = np.sqrt((vectors.toarray() ** 2).sum(axis=1))
        assert np.allclose(norms[norms > 0], 1.0)
    assert bigram_vectors(doc) is bigram_vectors(doc)


def test_bigrams_skip_punctuation_and_stay_inside_a_sentence() -> None:
    doc = build_document("依法,行政。行政")
    vectors = bigram_vectors(doc)
    # 依法 法行 行政: the comma is skipped as ROUGE skips it; no bigram spans the full stop.
    assert vectors.shape == (2, 3)
    assert np.diff(vectors.indptr)[1] == 1


@pytest.mark.parametrize("row_bits", [22, 3])  # 3: the unpacked path, for > 2**22 sentences
@pytest.mark.parametrize("size", [4000, 0])
def test_bigram_counts_match_counting_pairs_one_by_one(monkeypatch, row_bits, size) -> None:
    monkeypatch.setattr(features_module, "_PAIR_ROW_BITS", row_bits)
    rng = np.random.default_rng(0)
    n = 300
    rows = np.sort(rng.integers(0, n, size=size))
    keys = rng.integers(0, 1 << 42, size=60, dtype=np.uint64)[rng.integers(0, 60, size=size)]
    counts, distinct = bigram_counts(keys, rows, n)
    column = {k: j for j, k in enumerate(sorted(set(keys.tolist())))}
    assert distinct.tolist() == sorted(column)
    expected = np.zeros((n, max(len(column), 1)))
    for k, r in zip(keys.tolist(), rows.tolist(), strict=True):
        expected[r, column[k]] += 1
    assert counts.has_sorted_indices
    assert np.array_equal(counts.toarray(), expected)


def test_word_counts_number_words_in_first_seen_order(seed_texts) -> None:
    doc = build_document(seed_texts[SEED_003] + "\n法治 法治。\n")
    counts, vocab = _word_counts(doc)
    column: dict[str, int] = {}
    expected = np.zeros((len(doc.sentences), len(vocab)))
    for i, s in enumerate(doc.sentences):
        for w in s.words:
            expected[i, column.setdefault(w, len(column))] += 1
    assert vocab == list(column)
    assert np.array_equal(counts.toarray(), expected)


def test_pagerank_is_a_distribution_and_stays_sparse() -> None:
    assert pagerank(np.zeros((0, 0))).shape == (0,)
    ranks = pagerank(sparse.identity(50_000, format="csr"))
    assert ranks.shape == (50_000,) and np.isclose(ranks.sum(), 1.0)
    star = np.zeros((4, 4))
    star[0, 1:] = star[1:, 0] = 1.0
    ranks = pagerank(star)
    assert np.isclose(ranks.sum(), 1.0) and ranks.argmax() == 0


# -- the learnt scorer -------------------------------------------------------------------------


def _statecouncil_2025() -> str:
    import json

    from tests.conftest import SEEDS

    lines = (SEEDS / "background" / "statecouncil.jsonl").read_text(encoding="utf-8").splitlines()
    return next(r["text"] for r in map(json.loads, lines) if r["doc_id"] == "sc2025")


def test_the_bundle_carries_a_scorer_learnt_from_the_extracts(bundle, full_bundle) -> None:
    from model.analyse import prepare, summary_record

    text = _statecouncil_2025()
    picks = [
        [
            s["start"]
            for s in summary_record(prepare(text, b.classifier), Budget(max_chars=300), "learnt")[
                "sentences"
            ]
        ]
        for b in (bundle, full_bundle)
    ]
    assert picks[0] == picks[1]  # the lean arrays score as the scikit-learn fit does
    doc = prepare(text, bundle.classifier)
    assert doc.sentence_scorer is not None
    learnt = get_summariser("learnt").score(doc)
    assert learnt.shape == (len(doc.sentences),) and 0 <= learnt.min() <= learnt.max() <= 1
    record = summary_record(doc, Budget(max_chars=300), "learnt")
    assert any("国内生产总值" in s["text"] for s in record["sentences"])  # the GDP line


def test_without_a_scorer_learnt_scores_as_the_default(seed_texts) -> None:
    doc = build_document(seed_texts[SEED_003])
    assert doc.sentence_scorer is None
    assert np.array_equal(get_summariser("learnt").score(doc), get_summariser().score(doc))
