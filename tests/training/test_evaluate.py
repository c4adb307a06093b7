"""Measured quality: ROUGE, heading recovery, the greedy oracle, baselines, grouped CV."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model import persist
from model.learn.classify import Prediction
from model.summary.registry import DEFAULT_METHOD, SUMMARISERS
from model.text.segment import split_paragraphs
from service.cli import main
from tests.conftest import SEED_FILES, SEEDS
from training.corpus import Report, weak_labels
from training.evaluate import (
    _oracle,
    content_chars,
    cross_validate,
    cross_validate_all,
    heading_split,
    mean_rows,
    nested_rows,
    recovery_rows,
    rouge_l,
    rouge_n,
    rules_baseline,
    scores,
)

# -- ROUGE --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("candidate", "reference", "n", "expected"),
    [
        ("法治政府", "法治政府", 1, 1.0),
        ("法治政府", "法治政府", 2, 1.0),
        ("ab", "bc", 1, 0.5),  # overlap b: P = R = 1/2
        ("abcd", "abxd", 2, 1 / 3),  # bigram ab only: P = R = 1/3
        ("aaa", "a", 1, 0.5),  # counts are clipped: P = 1/3, R = 1
        ("abc", "xyz", 1, 0.0),
        ("", "abc", 1, 0.0),
        ("abc", "", 1, 0.0),
        ("a", "a", 2, 0.0),  # no bigrams at all
    ],
)
def test_rouge_n(candidate: str, reference: str, n: int, expected: float) -> None:
    assert rouge_n(list(candidate), list(reference), n) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("candidate", "reference", "expected"),
    [
        ("abcd", "abcd", 1.0),
        ("abcd", "acbd", 0.75),  # LCS abd: P = R = 3/4
        ("ab", "abcd", 2 / 3),  # LCS 2: P = 1, R = 1/2
        ("abc", "xyz", 0.0),
        ("", "abc", 0.0),
        ("abc", "", 0.0),
    ],
)
def test_rouge_l(candidate: str, reference: str, expected: float) -> None:
    assert rouge_l(list(candidate), list(reference)) == pytest.approx(expected)


def test_content_chars_drop_punctuation_and_space() -> None:
    assert content_chars("一、成效：办理１３１件， ok！") == list("一成效办理131件ok")


# -- heading recovery ---------------------------------------------------------------------------


def test_heading_split(tiny_report) -> None:
    body, headings = heading_split(tiny_report.text)
    assert headings == "2024年法治政府建设主要举措和成效\n存在的不足和原因\n2025年工作计划"
    body_lines = body.split("\n")
    assert body_lines == [t for t in tiny_report.texts if t[:2] not in ("一、", "二、", "三、")]


def test_heading_split_without_headings(make_report) -> None:
    body, headings = heading_split(make_report(headings=False).text)
    assert headings == ""
    assert body.strip()


def test_heading_recovery_scores_every_method(tiny_report, make_report) -> None:
    no_headings = make_report(headings=False).text
    result = mean_rows(recovery_rows([tiny_report.text, no_headings, ""], None))
    assert set(result) == {*SUMMARISERS, "oracle"}
    for row in result.values():
        assert row["reports"] == 1  # reports without headings cannot be scored
        for key in ("rouge1", "rouge2", "rougeL"):
            assert 0.0 <= row[key] <= 1.0
    assert result["oracle"]["rouge2"] > 0


def test_heading_recovery_with_diversities(tiny_report) -> None:
    rows = recovery_rows(
        [tiny_report.text], None, methods=[DEFAULT_METHOD], oracle=False, diversities=[0.0, 0.7]
    )
    default = DEFAULT_METHOD
    assert list(rows) == [default, f"{default} d=0", f"{default} d=0.7"]
    # The default summariser picks with diversity 0.7: the same row.
    assert rows[f"{default} d=0.7"] == rows[default]


def test_nested_rows_score_each_fold_with_the_setting_best_elsewhere() -> None:
    def row(r2: float) -> tuple[float, float, float]:
        return (0.0, r2, 0.0)

    folds = [
        {"a": [row(0.5)], "b": [row(0.6)]},  # "b" wins here, but "a" wins on the other folds
        {"a": [row(0.8)], "b": [row(0.2)]},
        {"a": [row(0.8)], "b": [row(0.2)]},
    ]
    assert nested_rows(folds, ["a", "b"]) == [row(0.5), row(0.8), row(0.8)]
    # A tie goes to the first key.
    tied = [{"a": [row(0.1)], "b": [row(0.1)]}, {"a": [row(0.3)], "b": [row(0.4)]}]
    assert nested_rows(tied, ["b", "a"])[1] == row(0.4)


def test_heading_recovery_of_nothing() -> None:
    result = mean_rows(recovery_rows([], None, methods=["lead"], oracle=False))
    assert result == {"lead": {"rouge1": 0.0, "rouge2": 0.0, "rougeL": 0.0, "reports": 0}}


def test_oracle_picks_the_matching_sentence() -> None:
    sentences = ["无关的句子。", "存在的不足和原因。", "另一个无关句子。"]
    assert _oracle(sentences, content_chars("存在的不足和原因"), 20) == ["存在的不足和原因。"]


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.text(alphabet="法治政府建设成效不足计划。", min_size=1, max_size=12), max_size=8),
    st.text(alphabet="法治政府建设成效不足计划", max_size=20),
    st.integers(min_value=0, max_value=40),
)
def test_oracle_never_exceeds_the_budget(sentences: list[str], reference: str, budget: int) -> None:
    chosen = _oracle(sentences, list(reference), budget)
    assert sum(len(s) for s in chosen) <= budget
    assert all(s in sentences for s in chosen)
    assert len(set(chosen)) == len(chosen)


# -- classification baselines and scores -------------------------------------------------------


def _report(name: str, text: str) -> Report:
    paragraphs = split_paragraphs(text)
    return Report(name, text, paragraphs, weak_labels(paragraphs))


def test_rules_baseline(tiny_report) -> None:
    labels = rules_baseline(_report("a", tiny_report.text))
    assert labels[0] == "preamble"  # the first paragraph
    assert labels[1] == "boilerplate"  # 发布时间 … 来源
    assert labels[tiny_report.texts.index("二、存在的不足和原因")] == "shortcomings"
    assert labels[tiny_report.texts.index("三、2025年工作计划")] == "plans"
    assert labels[-1] == "boilerplate"
    assert len(labels) == len(tiny_report.lines)
    assert rules_baseline(_report("empty", "")) == []


def test_scores() -> None:
    result = scores(["plans", "plans", "shortcomings"], ["plans", "shortcomings", "shortcomings"])
    assert result["n"] == 3
    assert result["accuracy"] == pytest.approx(2 / 3, abs=1e-4)
    assert result["labels"] == ["shortcomings", "plans"]  # labels present, in LABELS order
    assert result["per_label_f1"] == {"shortcomings": 0.6667, "plans": 0.6667}
    assert result["macro_f1"] == pytest.approx(0.6667, abs=1e-4)
    assert result["confusion"] == [[1, 0], [1, 1]]


class _Spy:
    """A stand-in classifier that records what it was trained on and what it was asked."""

    log: list[tuple[set[int], int]] = []

    labels_ = ("achievements",)

    def fit(self, documents, labels, background=None) -> _Spy:
        self.trained = {id(d) for d in documents}
        return self

    def document_probabilities(self, paragraphs, words=None):
        _Spy.log.append((self.trained, id(paragraphs)))
        return "document", None, np.ones((len(paragraphs), 1))

    def predict_units(self, units):
        return np.ones((len(units), 1))

    def classify_document(self, paragraphs) -> list[Prediction]:
        return [Prediction("achievements", 1.0, {}) for _ in paragraphs]


@pytest.mark.parametrize("folds", [None, 2])
def test_cross_validation_never_tests_on_a_training_report(tiny_report, folds) -> None:
    reports = [_report(f"r{i}", tiny_report.text) for i in range(4)]
    _Spy.log = []
    result = cross_validate(reports, make=_Spy, folds=folds)
    assert len(_Spy.log) == 4  # every report scored once
    for trained, tested in _Spy.log:
        assert tested not in trained
        assert len(trained) == (3 if folds is None else 2)
    assert result["document"]["n"] == 4 * len(tiny_report.lines)
    assert set(result) == {"document", "isolated", "structure", "rules"}


def test_cross_validation_with_separate_test_reports(tiny_report) -> None:
    train = [_report(f"t{i}", tiny_report.text) for i in range(2)]
    test = [_report(f"x{i}", tiny_report.text) for i in range(3)]
    _Spy.log = []
    cross_validate(train, make=_Spy, test_reports=test)
    assert sorted(tested for _, tested in _Spy.log) == sorted(id(r.paragraphs) for r in test)
    for trained, tested in _Spy.log:
        assert tested not in trained
        assert {id(r.paragraphs) for r in train} <= trained
        assert len(trained) == 4  # the seeds plus the other test reports


@pytest.mark.parametrize("folds", [None, 2])
def test_summaries_are_scored_with_the_fold_model_that_never_saw_the_report(
    tiny_report, folds, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The heading model learns from headings: a report's own must never be in its fold."""
    import training.evaluate

    reports = [_report(f"r{i}", tiny_report.text + f"\n第{i}份。") for i in range(4)]
    by_text = {r.text: id(r.paragraphs) for r in reports}
    seen: list[tuple[set[int], int]] = []

    def spy(texts, classifier, diversities=()):
        seen.extend((classifier.trained, by_text[t]) for t in texts)
        return {"lead": [(1.0, 0.5, 0.25)] * len(texts)}

    monkeypatch.setattr(training.evaluate, "recovery_rows", spy)
    result = cross_validate_all(reports, make=_Spy, folds=folds)
    assert sorted(tested for _, tested in seen) == sorted(by_text.values())
    assert all(tested not in trained for trained, tested in seen)
    assert result["summary"] == {
        "lead": {"rouge1": 1.0, "rouge2": 0.5, "rougeL": 0.25, "reports": 4}
    }
    assert set(result["classification"]) == {"document", "isolated", "structure", "rules"}


def test_cross_validated_summaries_on_the_seeds(seed_texts) -> None:
    reports = [_report(name, text) for name, text in sorted(seed_texts.items())[:3]]
    result = cross_validate_all(reports)
    assert {m: row["reports"] for m, row in result["summary"].items()} == {
        m: 3 for m in [*SUMMARISERS, "oracle"]
    }
    oracle = result["summary"]["oracle"]["rouge2"]
    assert all(row["rouge2"] <= oracle for row in result["summary"].values())


# -- the `fzreport evaluate` and `fzreport train` sub-commands ---------------------------------


@pytest.fixture()
def small_seeds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Three seed reports with their manual labels, standing in for the bundled seeds."""
    corpus = tmp_path / "seeds"
    corpus.mkdir()
    for path in SEED_FILES[:3]:
        shutil.copy(path, corpus / path.name)
    shutil.copy(SEEDS / "labels.jsonl", corpus / "labels.jsonl")
    monkeypatch.setenv("FZREPORT_SEEDS", str(corpus))
    return corpus


def test_evaluate_command_on_the_seeds(small_seeds: Path, tmp_path: Path, capsys) -> None:
    figures = tmp_path / "figures.json"
    assert main(["evaluate", "--json", str(figures)]) == 0
    metrics = json.loads(figures.read_text(encoding="utf-8"))
    assert metrics["reports"] == 3
    assert set(metrics["classification"]) == {"document", "isolated", "structure", "rules"}
    assert metrics["weak_label_agreement"]["reports_compared"] >= 2
    assert {*SUMMARISERS, "oracle"} <= set(metrics["summary"])
    out = capsys.readouterr().out
    assert "weak labels vs manual labels" in out and "classification [document]" in out


def test_evaluate_command_sweeps_diversity(small_seeds: Path, tmp_path: Path, capsys) -> None:
    figures = tmp_path / "figures.json"
    assert main(["evaluate", "--diversity", "0", "0.7", "--json", str(figures)]) == 0
    summary = json.loads(figures.read_text(encoding="utf-8"))["summary"]
    default = DEFAULT_METHOD
    assert {f"{default} d=0", f"{default} d=0.7", f"{default} nested"} <= set(summary)
    assert summary[f"{default} d=0.7"] == summary[default]
    assert f"{default} nested" in capsys.readouterr().out


@pytest.mark.parametrize("weight", ["1.5", "-0.1", "nan", "x"])
def test_evaluate_command_refuses_a_weight_outside_0_to_1(weight: str, capsys) -> None:
    assert main(["evaluate", "--diversity", weight]) == 2
    assert "not a weight between 0 and 1" in capsys.readouterr().err


def test_evaluate_command_on_a_jsonl_corpus(
    small_seeds: Path, tmp_path: Path, tiny_report, make_report
) -> None:
    corpus = tmp_path / "corpus.jsonl"
    rows = [
        {"doc_id": "a", "year": 2020, "text": tiny_report.text},
        {"doc_id": "b", "year": 2021, "text": make_report(unit="某某市住建局", year=2021).text},
        {"doc_id": "old", "year": 1980, "text": tiny_report.text},
    ]
    corpus.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), "utf-8")
    figures = tmp_path / "figures.json"
    argv = ["evaluate", "--corpus", str(corpus), "--min-year", "1992", "--json", str(figures)]
    assert main(argv) == 0
    metrics = json.loads(figures.read_text(encoding="utf-8"))
    assert metrics["reports"] == 2
    assert metrics["classification"]["document"]["n"] == 2 * len(tiny_report.lines)
    assert "weak_label_agreement" not in metrics


def test_evaluate_command_without_reports(tmp_path: Path, capsys) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["evaluate", "--corpus", str(empty)]) == 2
    assert capsys.readouterr().err.startswith("fzreport evaluate: ")


def test_train_command(small_seeds: Path, tmp_path: Path) -> None:
    out = tmp_path / "m.joblib"
    assert main(["train", "--out", str(out), "--no-eval"]) == 0
    bundle = persist.load(out)
    assert bundle.manifest["reports"] == 3
    assert bundle.manifest["corpus"] == str(small_seeds)


def test_evaluate_command_with_a_missing_corpus(tmp_path: Path, capsys) -> None:
    assert main(["evaluate", "--corpus", str(tmp_path / "missing.jsonl")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("fzreport evaluate: ") and "missing.jsonl" in err
