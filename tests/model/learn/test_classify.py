"""Section classifier: the trained model's behaviour and the HMM decoding (learn/classify.py)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.special import logsumexp

from model.labels import LABELS
from model.learn.classify import SectionClassifier, round_like_python
from model.text.segment import split_paragraphs
from tests.conftest import SEED_FILES, SEEDS
from training.train import load_reports

# -- behaviour of the model trained on the seeds ------------------------------------------------


@pytest.mark.parametrize(
    ("paragraph", "label"),
    [
        ("部分执法人员法治意识有待加强，执法不够规范，存在差距。", "shortcomings"),
        (
            "下一步，我局将进一步深化法治政府建设，2025年继续推进行政执法规范化建设，"
            "拟开展执法人员专项培训。",
            "plans",
        ),
        ("来源：某某区司法局 发布时间：2025-01-01", "boilerplate"),
    ],
)
def test_isolated_paragraph(bundle, paragraph: str, label: str) -> None:
    (prediction,) = bundle.classifier.classify_isolated([paragraph])
    assert prediction.label == label


def test_probabilities_are_calibrated_distributions(bundle, tiny_report) -> None:
    clf = bundle.classifier
    isolated = clf.classify_isolated(tiny_report.texts)
    in_document = clf.classify_document(split_paragraphs(tiny_report.text))
    for prediction in [*isolated, *in_document]:
        assert set(prediction.scores) == set(clf.labels_)
        assert sum(prediction.scores.values()) == pytest.approx(1.0, abs=1e-3)
        assert all(0.0 <= p <= 1.0 for p in prediction.scores.values())
        assert 0.0 <= prediction.confidence <= 1.0
        assert prediction.label in LABELS
    # In isolated mode the label is the most probable one.
    for prediction in isolated:
        assert prediction.scores[prediction.label] == max(prediction.scores.values())


def test_trained_labels_are_known(bundle) -> None:
    assert set(bundle.classifier.labels_) <= set(LABELS)
    assert list(bundle.manifest["labels"]) == list(bundle.classifier.labels_)


def test_empty_input(bundle) -> None:
    assert bundle.classifier.classify_document([]) == []
    assert bundle.classifier.classify_isolated([]) == []


def test_tiny_report_in_document_mode(bundle, tiny_report) -> None:
    predictions = bundle.classifier.classify_document(split_paragraphs(tiny_report.text))
    labels = [p.label for p in predictions]
    agree = sum(a == b for a, b in zip(labels, tiny_report.labels, strict=True))
    assert agree / len(labels) >= 0.8, list(zip(labels, tiny_report.labels, strict=True))
    assert labels[tiny_report.texts.index("二、存在的不足和原因")] == "shortcomings"


@pytest.fixture(scope="module")
def manual_reports():
    """The seed reports split into the manual labels' units, with the hand-checked labels."""
    names = {p.name for p in SEED_FILES}
    return {r.name: r for r in load_reports(SEEDS, None) if r.name in names}


# A golden check, not an evaluation: the model was trained on these very reports, so it
# must reproduce their hand-checked labels almost everywhere.
@pytest.mark.parametrize("name", [p.name for p in SEED_FILES], ids=lambda name: name[:3])
def test_seed_in_document_mode_matches_manual_labels(bundle, manual_reports, name: str) -> None:
    report = manual_reports[name]
    predicted = [p.label for p in bundle.classifier.classify_document(report.paragraphs)]
    agree = sum(a == b for a, b in zip(predicted, report.labels, strict=True))
    assert agree / len(report.labels) >= 0.95


def test_all_seeds_in_document_mode_match_manual_labels(bundle, manual_reports) -> None:
    agree = total = 0
    for report in manual_reports.values():
        predicted = [p.label for p in bundle.classifier.classify_document(report.paragraphs)]
        agree += sum(a == b for a, b in zip(predicted, report.labels, strict=True))
        total += len(report.labels)
    # The 150 manual units, some cut in two where a one-line report lost its line breaks.
    assert total == 168
    assert agree / total >= 0.95


# -- HMM decoding on hand-made numbers ------------------------------------------------------------


def _hmm(labels: tuple[str, ...], start, trans) -> SectionClassifier:
    """A classifier whose HMM is set by hand (no paragraph model needed for `decode`)."""
    clf = SectionClassifier(prior_power=0.0)
    clf.labels_ = labels
    clf.log_start_ = np.log(np.asarray(start, dtype=float))
    clf.log_trans_ = np.log(np.asarray(trans, dtype=float))
    clf.log_prior_ = np.log(np.full(len(labels), 1.0 / len(labels)))
    return clf


PROBS = np.array([[0.9, 0.1], [0.4, 0.6], [0.9, 0.1]])


def test_viterbi_smooths_a_lone_switch_with_sticky_transitions() -> None:
    clf = _hmm(("a", "b"), [0.5, 0.5], [[0.9, 0.1], [0.1, 0.9]])
    path, marginals = clf.decode(PROBS)
    # a,a,a scores .5*.9*.9*.4*.9*.9 = .131; a,b,a only .5*.9*.1*.6*.1*.9 = .00243.
    assert path.tolist() == [0, 0, 0]
    assert marginals.shape == PROBS.shape
    assert marginals.sum(axis=1) == pytest.approx(np.ones(3))


def test_viterbi_follows_emissions_with_flat_transitions() -> None:
    clf = _hmm(("a", "b"), [0.5, 0.5], [[0.5, 0.5], [0.5, 0.5]])
    path, marginals = clf.decode(PROBS)
    assert path.tolist() == [0, 1, 0]
    # With flat transitions the marginals are the emissions themselves.
    assert marginals == pytest.approx(PROBS)


def test_viterbi_single_paragraph() -> None:
    clf = _hmm(("a", "b"), [0.2, 0.8], [[0.5, 0.5], [0.5, 0.5]])
    path, _ = clf.decode(np.array([[0.6, 0.4]]))
    assert path.tolist() == [1]  # .2*.6 = .12 < .8*.4 = .32


def _path_score(clf: SectionClassifier, emit: np.ndarray, path: tuple[int, ...]) -> float:
    score = clf.log_start_[path[0]] + emit[0, path[0]]
    for t in range(1, len(path)):
        score += clf.log_trans_[path[t - 1], path[t]] + emit[t, path[t]]
    return float(score)


@pytest.mark.parametrize("seed", range(5))
def test_decode_matches_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    k, n = 3, 4
    start = rng.dirichlet(np.ones(k))
    trans = rng.dirichlet(np.ones(k), size=k)
    probs = rng.dirichlet(np.ones(k), size=n)
    clf = _hmm(("a", "b", "c"), start, trans)
    path, marginals = clf.decode(probs)
    emit = np.log(probs)
    paths = list(itertools.product(range(k), repeat=n))
    scores = np.array([_path_score(clf, emit, p) for p in paths])
    assert tuple(path.tolist()) == paths[int(scores.argmax())]
    weights = np.exp(scores - logsumexp(scores))
    expected = np.zeros((n, k))
    for p, w in zip(paths, weights, strict=True):
        for t, j in enumerate(p):
            expected[t, j] += w
    assert marginals == pytest.approx(expected, abs=1e-9)


def _sequential_marginals(clf: SectionClassifier, emit: np.ndarray) -> np.ndarray:
    """Forward-backward one paragraph at a time, rescaled at every step (Rabiner 1989)."""
    n, k = emit.shape
    trans = np.exp(clf.log_trans_)
    lik = np.exp(emit - emit.max(axis=1, keepdims=True))
    alpha, beta = np.empty((n, k)), np.ones((n, k))
    a = np.exp(clf.log_start_) * lik[0]
    alpha[0] = a / a.sum()
    for t in range(1, n):
        a = (alpha[t - 1] @ trans) * lik[t]
        alpha[t] = a / a.sum()
    for t in range(n - 2, -1, -1):
        b = trans @ (lik[t + 1] * beta[t + 1])
        beta[t] = b / b.sum()
    post = alpha * beta
    return post / post.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("n", [1, 2, 7, 64, 65, 300])
def test_marginals_of_long_documents_match_the_sequential_recursion(n: int) -> None:
    # Peaked emissions (down to 1e-9) over hundreds of paragraphs would underflow unscaled.
    rng = np.random.default_rng(n)
    k = 7
    clf = _hmm(tuple("abcdefg"), rng.dirichlet(np.ones(k)), rng.dirichlet(np.ones(k), size=k))
    probs = rng.dirichlet(np.full(k, 0.05), size=n)
    _, marginals = clf.decode(probs)
    emit = np.log(np.clip(probs, 1e-9, 1.0)) - clf.log_prior_ * clf.prior_power
    assert np.abs(marginals - _sequential_marginals(clf, emit)).max() < 1e-12


def test_a_one_paragraph_document_is_labelled_as_an_isolated_paragraph(bundle) -> None:
    # Decoded as a whole report, a lone paragraph would be the report's opening (preamble).
    text = "部分执法人员法治意识有待加强，执法不够规范，存在差距。"
    [in_document] = bundle.classifier.classify_document(split_paragraphs(text))
    [isolated] = bundle.classifier.classify_isolated([text])
    assert in_document == isolated
    assert in_document.label == "shortcomings"


def test_a_report_without_headings_is_labelled_from_its_words(bundle) -> None:
    text = (
        "2024年，我局认真贯彻落实法治政府建设各项部署，全年办理行政复议案件131件。\n"
        "但也存在一些问题和不足，部分执法人员法治意识有待加强，执法不够规范。\n"
        "下一步，我局将进一步完善行政执法制度，继续推进法治政府建设。\n"
    )
    labels = [p.label for p in bundle.classifier.classify_document(split_paragraphs(text))]
    assert "shortcomings" in labels
    assert set(labels) != {"preamble"}


def test_probabilities_equal_sklearn_predict_proba(full_bundle, manual_reports) -> None:
    from scipy import sparse

    from model.learn.classify import document_units, probabilities

    clf = full_bundle.classifier
    features, model = clf.pipeline_.steps[0][1], clf.pipeline_.steps[-1][1]
    units = document_units(next(iter(manual_reports.values())).paragraphs)
    X = sparse.hstack([t.transform(units) for _, t in features.transformer_list], format="csr")
    assert np.array_equal(probabilities(model, X), model.predict_proba(X))


def test_round_like_python_equals_round_entry_by_entry() -> None:
    rng = np.random.default_rng(0)
    halves = (np.arange(10_001) + 0.5) / 1e4  # every tie at 4 digits, and its neighbours
    columns = [halves, np.nextafter(halves, 0), np.nextafter(halves, 1)]
    for values in (
        rng.dirichlet(np.full(7, 0.1), size=2000),
        -rng.random((500, 3)),
        np.array([[0.03125, 0.5, 5e-5, 0.12345, 1.0, 0.0, 1e-300]]),
        np.stack(columns, axis=1),
    ):
        expected = [[round(v, 4) for v in row] for row in values.tolist()]
        assert round_like_python(values, 4) == expected
