"""The fast vectorisers give exactly scikit-learn's matrices (model/learn/vectorisers.py)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

from model.learn.classify import (
    CHAR_NGRAMS,
    Unit,
    document_units,
    isolated_unit,
    unit_context,
    unit_words,
)
from model.learn.vectorisers import CharNgramTfidf, TokenCounts, TokenTfidf
from model.text.segment import split_paragraphs
from tests.conftest import SEED_FILES

TRAIN = [Unit(p.text) for f in SEED_FILES for p in split_paragraphs(f.read_text("utf-8"))]
ODD = ["", " ", "😀法治政府", "𠀀𠀁行政复议", "ABC abc\t\u3000一、", "完全没见过的字龘靐"]


def _chars(cls: type[TfidfVectorizer]) -> TfidfVectorizer:
    return cls(**CHAR_NGRAMS)


@pytest.fixture(scope="module")
def char_pair() -> tuple[TfidfVectorizer, TfidfVectorizer]:
    return _chars(CharNgramTfidf).fit(TRAIN), _chars(TfidfVectorizer).fit(TRAIN)


@pytest.fixture(scope="module")
def word_pair() -> tuple[TfidfVectorizer, TfidfVectorizer]:
    fast = TokenTfidf(analyzer=unit_words, sublinear_tf=True).fit(TRAIN)
    return fast, TfidfVectorizer(analyzer=unit_words, sublinear_tf=True).fit(TRAIN)


def _same(fast: TfidfVectorizer, reference: TfidfVectorizer, units: list[Unit]) -> None:
    a, b = fast.transform(units), reference.transform(units)
    assert a.shape == b.shape
    np.testing.assert_allclose(a.toarray(), b.toarray(), atol=1e-12)


def test_char_ngrams_match_sklearn_on_the_seeds_and_odd_text(char_pair) -> None:
    _same(*char_pair, TRAIN + [Unit(t) for t in ODD])


def test_words_match_sklearn_on_the_seeds_and_odd_text(word_pair) -> None:
    _same(*word_pair, TRAIN + [Unit(t) for t in ODD])


def test_context_counts_equal_sklearn_exactly() -> None:
    documents = [split_paragraphs(f.read_text("utf-8")) for f in SEED_FILES]
    train = [u for paragraphs in documents[1:] for u in document_units(paragraphs)]
    train += [isolated_unit(u.text) for u in train]
    units = document_units(documents[0]) + [Unit("x", ("unseen", "lvl=1", "lvl=1")), Unit("")]
    for binary in (True, False):
        fast = TokenCounts(analyzer=unit_context, binary=binary).fit(train)
        reference = CountVectorizer(analyzer=unit_context, binary=binary).fit(train)
        assert fast.vocabulary_ == reference.vocabulary_
        a, b = fast.transform(units), reference.transform(units)
        assert a.dtype == b.dtype and a.has_sorted_indices and b.has_sorted_indices
        assert (a.indptr == b.indptr).all() and (a.indices == b.indices).all()
        assert (a.data == b.data).all()


def test_empty_batch(char_pair, word_pair) -> None:
    assert char_pair[0].transform([]).shape == (0, len(char_pair[0].vocabulary_))
    assert word_pair[0].transform([]).shape == (0, len(word_pair[0].vocabulary_))


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.text(
            alphabet=st.sampled_from(list("法治政府建设年。，；一、（）1 \n😀𠀀")), max_size=30
        ),
        min_size=1,  # scikit-learn refuses an empty batch; ours returns an empty matrix
        max_size=5,
    )
)
def test_any_text_matches_sklearn(char_pair, word_pair, texts: list[str]) -> None:
    units = [Unit(t) for t in texts]
    _same(*char_pair, units)
    _same(*word_pair, units)
