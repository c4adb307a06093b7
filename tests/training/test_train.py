"""Retraining: `python -m training.train`, determinism, evaluation outputs, the default model."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from model import persist
from tests.conftest import SEED_FILES, SEEDS
from training import train
from training.corpus import data_hash


@pytest.fixture(scope="module")
def main_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bundle written by the training entry point, without cross-validation."""
    out = tmp_path_factory.mktemp("train") / "m.joblib"
    assert train.main(["--corpus", str(SEEDS), "--out", str(out), "--no-eval"]) == 0
    return out


def test_main_writes_bundle_and_manifest(main_bundle: Path) -> None:
    assert sorted(p.name for p in main_bundle.parent.iterdir()) == [
        "m.joblib",
        "m.joblib.lean.npz",
        "m.joblib.manifest.json",
    ]
    manifest = json.loads(persist.manifest_path(main_bundle).read_text(encoding="utf-8"))
    assert manifest["reports"] == len(train.load_reports(SEEDS, None)) > len(SEED_FILES)
    assert manifest["seed"] == 0
    assert manifest["metrics"] == {}
    assert manifest["data_hash"] == data_hash(train.load_reports(SEEDS, None))
    assert persist.load(main_bundle).sha256 == manifest["sha256"]


def test_training_is_deterministic(main_bundle: Path, bundle, seed_texts) -> None:
    # Two trainings on the same data with the same seed: the session bundle and this one.
    other = persist.load(main_bundle)
    assert other.manifest["data_hash"] == bundle.manifest["data_hash"]
    for text in seed_texts.values():
        lines = [line for line in text.splitlines() if line.strip()]
        assert other.classifier.classify_isolated(lines) == bundle.classifier.classify_isolated(
            lines
        )
    doc = train.load_reports(SEEDS, None)[0].paragraphs
    assert other.classifier.classify_document(doc) == bundle.classifier.classify_document(doc)


def test_show_labels_prints_the_label_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], tiny_report
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "tiny.txt").write_text(tiny_report.text, encoding="utf-8")
    reports = train.load_reports(corpus, None)
    train.print_label_table(reports)
    out = capsys.readouterr().out
    assert out.startswith("== tiny.txt (13 paragraphs, 0 manual labels)")
    assert "  4 H achievements  一、2024年法治政府建设主要举措和成效" in out
    assert len(out.splitlines()) == 1 + len(tiny_report.lines)


def test_evaluation_run_writes_metrics_and_confusion_pngs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in SEED_FILES[:3]:
        shutil.copy(path, corpus / path.name)
    shutil.copy(SEEDS / "labels.jsonl", corpus / "labels.jsonl")
    out = tmp_path / "out" / "m.joblib"
    assert train.main(["--corpus", str(corpus), "--out", str(out)]) == 0

    metrics = json.loads(out.with_name("m.joblib.metrics.json").read_text(encoding="utf-8"))
    assert metrics == persist.load(out).manifest["metrics"]
    classification = metrics["classification"]
    assert set(classification) == {"document", "isolated", "structure", "rules"}
    for result in classification.values():
        assert 0.0 <= result["macro_f1"] <= 1.0
        assert set(result["per_label_f1"]) == set(result["labels"])
        n = len(result["labels"])
        assert len(result["confusion"]) == n and all(len(row) == n for row in result["confusion"])
        assert sum(map(sum, result["confusion"])) == result["n"]
    summary = metrics["summary"]
    assert {"lead", "textrank", "oracle"} <= set(summary)
    assert all(row["reports"] == 3 for row in summary.values())

    for mode in ("document", "isolated"):
        png = out.with_name(f"m.joblib.confusion-{mode}.png")
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not out.with_name("m.joblib.confusion-rules.png").exists()

    printed = capsys.readouterr().out
    assert "classification [document]" in printed and "macro-F1" in printed
    assert "oracle" in printed and f"wrote {out}" in printed


@pytest.mark.parametrize("corpus", ["empty", "missing"])
def test_training_without_reports_fails_cleanly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], corpus: str
) -> None:
    path = tmp_path / corpus
    if corpus == "empty":
        path.mkdir()
    assert train.main(["--corpus", str(path), "--out", str(tmp_path / "m.joblib")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("fzreport train: ") and str(path) in err
    assert not (tmp_path / "m.joblib").exists()


def test_bad_manual_labels_fail_cleanly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    labels = tmp_path / "labels.csv"
    labels.write_text("report,unit,label\nx.txt,0,nonsense\n", encoding="utf-8")
    argv = ["--corpus", str(SEEDS), "--labels", str(labels), "--out", str(tmp_path / "m.joblib")]
    assert train.main(argv) == 2
    assert "labels.csv:2: unknown label 'nonsense'" in capsys.readouterr().err


# -- the default model: built from the seeds into the cache on first use -----------------------


def test_default_model_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert train.default_model_path() == tmp_path / "fzreport" / "model.joblib"
    monkeypatch.setenv("FZREPORT_MODEL", str(tmp_path / "x.joblib"))
    assert train.default_model_path() == tmp_path / "x.joblib"


@pytest.fixture()
def fake_build(monkeypatch: pytest.MonkeyPatch, bundle_path: Path) -> list[Path]:
    """Replace training by a copy of the session bundle; record where it was written."""
    built: list[Path] = []

    def build(corpus: Path, out: Path, *args: object, **kwargs: object) -> dict:
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(bundle_path, out)
        shutil.copy(persist.lean_path(bundle_path), persist.lean_path(out))
        manifest = persist.read_manifest(bundle_path) | {"source": train.source_fingerprint(corpus)}
        persist.manifest_path(out).write_text(json.dumps(manifest), encoding="utf-8")
        built.append(out)
        return manifest

    monkeypatch.setattr(train, "build_bundle", build)
    return built


def test_ensure_model_builds_the_cache_bundle_once(
    fake_build: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    expected = tmp_path / "cache" / "fzreport" / "model.joblib"
    assert train.ensure_model().path == expected
    assert train.ensure_model().path == expected
    assert fake_build == [expected]


def test_ensure_model_rebuilds_a_broken_cache_bundle(
    fake_build: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    cached = train.ensure_model().path
    cached.write_bytes(b"garbage")
    assert train.ensure_model().sha256 == persist.sha256_file(cached)
    assert len(fake_build) == 2


def test_ensure_model_rebuilds_a_cache_bundle_of_an_older_format(
    fake_build: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A bundle of format 5 pickled the flat module paths (model.classify): never unpickled.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    cached = train.ensure_model().path
    manifest = persist.read_manifest(cached) | {"format": persist.FORMAT - 1}
    persist.manifest_path(cached).write_text(json.dumps(manifest), encoding="utf-8")
    assert train.ensure_model().manifest["format"] == persist.FORMAT
    assert len(fake_build) == 2


def test_ensure_model_never_rebuilds_an_explicit_bundle(
    fake_build: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(persist.ModelError):
        train.ensure_model(tmp_path / "missing.joblib")
    monkeypatch.setenv("FZREPORT_MODEL", str(tmp_path / "also-missing.joblib"))
    with pytest.raises(persist.ModelError):
        train.ensure_model()
    assert fake_build == []


def test_ensure_model_rebuilds_the_cache_bundle_when_the_code_changes(
    fake_build: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A classifier pickled by older code may lack attributes the new code reads.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    train.ensure_model()
    train.ensure_model()
    assert len(fake_build) == 1
    monkeypatch.setattr(train, "source_fingerprint", lambda corpus=None: "edited code")
    train.ensure_model()
    assert len(fake_build) == 2
    assert train.ensure_model().manifest["source"] == "edited code"


def test_explicit_bundle_is_used_even_from_other_code(
    fake_build: list[Path], bundle_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(train, "source_fingerprint", lambda corpus=None: "edited code")
    assert train.ensure_model(bundle_path).path == bundle_path
    assert fake_build == []


def test_source_fingerprint_covers_code_and_corpus(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("一、成效", encoding="utf-8")
    before = train.source_fingerprint(tmp_path)
    assert train.source_fingerprint(tmp_path) == before
    assert train.source_fingerprint(None) != before
    (tmp_path / "a.txt").write_text("一、成效。", encoding="utf-8")
    assert train.source_fingerprint(tmp_path) != before


def test_out_is_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert train.main(["--corpus", str(SEEDS), "--out", str(tmp_path), "--no-eval"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("fzreport train: ") and "is a folder" in err
    assert list(tmp_path.iterdir()) == []


def test_unwritable_out_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    argv = ["--corpus", str(SEEDS), "--out", str(blocker / "m.joblib"), "--no-eval"]
    assert train.main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"fzreport train: cannot write {blocker / 'm.joblib'}")
    assert len(err.splitlines()) == 1


def test_build_bundle_without_reports(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no reports in"):
        train.build_bundle(tmp_path, tmp_path / "m.joblib", run_evaluation=False, show=False)


def test_show_labels_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str], tiny_report) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "tiny.txt").write_text(tiny_report.text, encoding="utf-8")
    argv = ["--corpus", str(corpus), "--out", str(tmp_path / "m.joblib"), "--no-eval"]
    assert train.main([*argv, "--show-labels"]) == 0
    out = capsys.readouterr().out
    assert "== tiny.txt (13 paragraphs, 0 manual labels)" in out


def test_the_fingerprint_covers_the_core_s_subpackages(tmp_path: Path, monkeypatch) -> None:
    # A change in model/learn/ must rebuild the cache bundle as one in model/ does.
    import shutil

    root = tmp_path / "repo"
    for package in ("model", "training"):
        shutil.copytree(Path(train.__file__).resolve().parents[1] / package, root / package)
    monkeypatch.setattr(train, "__file__", str(root / "training" / "train.py"))
    before = train.source_fingerprint()
    path = root / "model" / "learn" / "classify.py"
    path.write_text(path.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert train.source_fingerprint() != before
