"""The heading model: examples from training reports, the same features in training and use."""

from __future__ import annotations

import numpy as np
import pytest

from model.analyse import prepare
from model.learn.headings import HeadingModel, examples, text_bigrams
from model.text.segment import split_paragraphs

REPORT = """关于2024年度法治政府建设情况的报告
一、主要举措和成效
（一）加强党对法治政府建设的领导。
局党组坚持把法治政府建设摆在全局工作的重要位置。全年召开专题会议3次。
（二）深入推进严格规范公正文明执法
全面推行行政执法公示制度。全年办理行政复议案件131件。
二、存在的不足
执法人员的专业素质有待提高。
"""

HEADINGS = ["加强组织领导", "深入推进依法行政", "加强执法队伍建设", "推进政务公开", "健全监督机制"]
BODY = [
    "全年办理行政复议案件131件，同比增长12%。",
    "局党组召开专题会议3次，研究部署相关工作。",
    "组织全体干部参加法律知识考试，参考率达100%。",
    "在门户网站公开各类信息560余条。",
    "聘请2名法律顾问，审查合同28份。",
    "开展执法检查45次，发现问题17个。",
]


def test_examples_are_headings_without_numbers_and_body_sentences() -> None:
    headings, sentences = examples([split_paragraphs(REPORT)])
    assert "主要举措和成效" in headings
    assert "深入推进严格规范公正文明执法" in headings
    assert "局党组坚持把法治政府建设摆在全局工作的重要位置。" in sentences
    assert "全年召开专题会议3次。" in sentences
    assert not any(s.startswith(("一、", "（二）")) for s in headings)


def _content_bigrams(text: str) -> list[str]:
    """The features written out: pairs of adjacent content characters (punctuation skipped)."""
    chars = [c for c in text if c.isalnum()]
    return [a + b for a, b in zip(chars, chars[1:], strict=False)]


def test_features_are_sklearn_tfidf_of_content_character_bigrams() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [*HEADINGS, *BODY, "法治，政府！法治"]
    model = HeadingModel(min_df=1).fit(texts[:5], texts[5:])
    counts, keys = text_bigrams(texts)
    ours = model._vectors(counts, keys)
    names = [chr(int(k) >> 21) + chr(int(k) & (1 << 21) - 1) for k in keys]
    reference = TfidfVectorizer(analyzer=_content_bigrams, sublinear_tf=True).fit(texts)
    assert sorted(names) == sorted(reference.vocabulary_)  # 治政: punctuation is skipped
    order = [reference.vocabulary_[name] for name in names]
    assert np.allclose(ours.toarray(), reference.transform(texts)[:, order].toarray())


def test_bigrams_the_model_never_kept_weigh_nothing() -> None:
    model = HeadingModel(min_df=2).fit(HEADINGS, BODY)
    counts, keys = text_bigrams(["加强组织领导", "龘龘龘"])
    vectors = model._vectors(counts, keys).toarray()
    assert vectors[0].any() and not vectors[1].any()
    assert set(model.bigrams_.tolist()) <= set(text_bigrams([*HEADINGS, *BODY])[1].tolist())


def test_a_heading_like_text_scores_above_a_body_sentence() -> None:
    model = HeadingModel(min_df=1).fit(HEADINGS, BODY)
    heading, body = model.predict(["深入推进执法监督", "全年办理案件56件，同比增长3%。"])
    assert heading > 0.5 > body


def test_document_and_text_features_agree() -> None:
    """Training featurises texts, serving the document's shared arrays: same numbers."""
    headings, sentences = examples([split_paragraphs(REPORT)])
    model = HeadingModel(min_df=1).fit(headings, sentences)
    doc = prepare(REPORT)
    expected = model.predict([s.text for s in doc.sentences])
    assert np.allclose(model.predict_document(doc), expected)


@pytest.mark.parametrize(("headings", "body"), [([], BODY), (HEADINGS, []), ([], [])])
def test_a_corpus_without_both_kinds_teaches_nothing(headings, body) -> None:
    model = HeadingModel().fit(headings, body)
    assert np.all(model.predict(["深入推进执法监督", "全年办理案件56件。"]) == 0.5)


def test_unseen_characters_and_empty_texts() -> None:
    model = HeadingModel(min_df=1).fit(HEADINGS, BODY)
    p = model.predict(["", "ŽŽŽ", "😀😀"])
    assert p.shape == (3,) and np.all((p > 0) & (p < 1))
    assert model.predict([]).shape == (0,)


def test_a_refit_and_a_pickle_round_trip_keep_predictions_right() -> None:
    import pickle

    model = HeadingModel(min_df=1).fit(HEADINGS, BODY)
    texts = ["深入推进执法监督", "全年办理案件56件。"]
    first = model.predict(texts)
    assert np.allclose(pickle.loads(pickle.dumps(model)).predict(texts), first)
    refit = model.fit(BODY, HEADINGS).predict(texts)  # roles swapped: a new vocabulary
    assert np.allclose(refit, HeadingModel(min_df=1).fit(BODY, HEADINGS).predict(texts))
    assert refit[0] < refit[1]
