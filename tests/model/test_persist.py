"""Model bundle on disk: round trip, integrity and version checks, lean arrays, atomic writes."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import joblib
import pytest

from model import persist
from model.learn.lean import LeanClassifier
from model.persist import (
    FORMAT,
    ModelError,
    atomic_write,
    lean_path,
    load,
    load_full,
    manifest_path,
    save,
    sha256_file,
)

PARAGRAPHS = [
    "部分执法人员法治意识有待加强，执法不够规范。",
    "下一步，我局将继续推进法治政府建设。",
    "收藏 打印 关闭",
]


@pytest.fixture()
def saved(full_bundle, tmp_path: Path) -> Path:
    """The session model saved afresh into an empty folder."""
    path = tmp_path / "m.joblib"
    save(full_bundle.classifier, path, data_hash="abc123", metrics={"macro_f1": 0.9})
    return path


def _edit_manifest(path: Path, **changes) -> None:
    mpath = manifest_path(path)
    manifest = json.loads(mpath.read_text(encoding="utf-8"))
    manifest.update(changes)
    mpath.write_text(json.dumps(manifest), encoding="utf-8")


def test_round_trip(full_bundle, saved: Path) -> None:
    loaded = load(saved)
    assert loaded.path == saved
    assert isinstance(loaded.classifier, LeanClassifier)
    before = full_bundle.classifier.classify_isolated(PARAGRAPHS)
    assert load_full(saved).classifier.classify_isolated(PARAGRAPHS) == before
    after = loaded.classifier.classify_isolated(PARAGRAPHS)  # the same to rounding
    assert [p.label for p in after] == [p.label for p in before]
    for a, b in zip(after, before, strict=True):
        assert max(abs(a.scores[k] - b.scores[k]) for k in a.scores) <= 1e-12
    manifest = loaded.manifest
    assert manifest["labels"] == list(full_bundle.classifier.labels_)
    assert manifest["data_hash"] == "abc123"
    assert manifest["metrics"] == {"macro_f1": 0.9}
    assert manifest["sha256"] == sha256_file(saved) == loaded.sha256
    assert manifest["lean"] == {
        "file": "m.joblib.lean.npz",
        "sha256": sha256_file(lean_path(saved)),
    }
    assert manifest["versions"] == persist.versions()
    assert manifest["bundle"] == "m.joblib"
    assert loaded.version == manifest["created"]
    assert set(manifest["labels_zh"]) == set(manifest["labels"])


def test_write_leaves_only_bundle_arrays_and_manifest(saved: Path) -> None:
    assert sorted(p.name for p in saved.parent.iterdir()) == [
        "m.joblib",
        "m.joblib.lean.npz",
        "m.joblib.manifest.json",
    ]


def test_saving_again_replaces_the_bundle(full_bundle, saved: Path) -> None:
    save(full_bundle.classifier, saved, data_hash="def456")
    assert load(saved).manifest["data_hash"] == "def456"
    assert len(list(saved.parent.iterdir())) == 3


def test_failed_write_keeps_the_old_file_and_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "model.joblib"
    target.write_bytes(b"old")

    def crash(tmp: Path) -> None:
        tmp.write_bytes(b"half a bund")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        atomic_write(target, crash)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["model.joblib"]


def test_atomic_write_creates_the_folder(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "x.txt"
    atomic_write(target, lambda tmp: tmp.write_text("ok", encoding="utf-8"))
    assert target.read_text(encoding="utf-8") == "ok"


def test_saved_files_honour_the_umask(saved: Path) -> None:
    # Bundles are read by other accounts (a service user); a temp file's private 0600 mode
    # must not leak into the final file.
    umask = os.umask(0)
    os.umask(umask)
    for path in (saved, lean_path(saved), manifest_path(saved)):
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask


@pytest.mark.parametrize("loader", [load, load_full])
def test_tampered_bundle_is_refused(saved: Path, loader) -> None:
    with saved.open("ab") as handle:
        handle.write(b"\x00")
    with pytest.raises(ModelError, match="sha256 does not match"):
        loader(saved)


def _one_line_rebuild_hint(error: pytest.ExceptionInfo[ModelError], path: Path) -> None:
    message = str(error.value)
    assert "\n" not in message
    assert f"fzreport train --out {path}" in message and "rebuilt by itself" in message


def test_tampered_lean_arrays_are_refused(saved: Path) -> None:
    arrays = lean_path(saved)
    data = bytearray(arrays.read_bytes())
    data[len(data) // 2] ^= 0xFF
    arrays.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="lean arrays .* does not match its manifest") as err:
        load(saved)
    _one_line_rebuild_hint(err, saved)


def test_a_bundle_without_lean_arrays_is_refused(saved: Path) -> None:
    # What an older fzreport wrote: the pickle and a format-4 manifest, no arrays.
    lean_path(saved).unlink()
    manifest = json.loads(manifest_path(saved).read_text(encoding="utf-8"))
    del manifest["lean"]
    manifest["format"] = 4
    manifest_path(saved).write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ModelError, match=f"bundle format 4, this fzreport reads {FORMAT}") as err:
        load(saved)
    _one_line_rebuild_hint(err, saved)
    _edit_manifest(saved, format=FORMAT)  # the current format, but no arrays named
    with pytest.raises(ModelError, match="names no lean arrays") as err:
        load(saved)
    _one_line_rebuild_hint(err, saved)


def test_a_bundle_of_the_flat_module_paths_is_refused_before_unpickling(saved: Path) -> None:
    # Format 5 pickled `model.classify.SectionClassifier`, a module that no longer exists:
    # the manifest's format stops it with the one-line hint, before unpickling could fail.
    saved.write_bytes(b"\x80\x04\x95" + b"cmodel.classify\nSectionClassifier\n" + b".")
    _edit_manifest(saved, format=5)
    for loader in (load, load_full):
        with pytest.raises(
            ModelError, match=f"bundle format 5, this fzreport reads {FORMAT}"
        ) as err:
            loader(saved)
        _one_line_rebuild_hint(err, saved)


def test_missing_lean_arrays_are_refused(saved: Path) -> None:
    lean_path(saved).unlink()
    with pytest.raises(ModelError, match="lean arrays .* are missing") as err:
        load(saved)
    _one_line_rebuild_hint(err, saved)


def test_unreadable_lean_arrays_are_refused(saved: Path) -> None:
    arrays = lean_path(saved)
    arrays.write_bytes(b"not an npz")
    _edit_manifest(saved, lean={"file": arrays.name, "sha256": sha256_file(arrays)})
    with pytest.raises(ModelError, match="cannot read its lean arrays") as err:
        load(saved)
    _one_line_rebuild_hint(err, saved)


@pytest.mark.parametrize("name", ["../m.joblib.lean.npz", "/etc/passwd", ""])
def test_lean_arrays_outside_the_bundle_folder_are_refused(saved: Path, name: str) -> None:
    _edit_manifest(saved, lean={"file": name, "sha256": ""})
    with pytest.raises(ModelError, match="names no lean arrays"):
        load(saved)


class _Explodes:
    """Unpickling this raises: a load that unpickles the bundle cannot succeed."""

    def __reduce__(self):
        return (_explode, ())


def _explode() -> None:
    raise AssertionError("the pickle was read")


def test_loading_for_inference_never_unpickles(saved: Path) -> None:
    joblib.dump({"format": FORMAT, "classifier": _Explodes()}, saved)
    _edit_manifest(saved, sha256=sha256_file(saved))
    assert load(saved).classifier.classify_isolated(PARAGRAPHS)
    with pytest.raises(ModelError, match="cannot unpickle"):
        load_full(saved)


def test_missing_manifest_is_refused(saved: Path) -> None:
    manifest_path(saved).unlink()
    with pytest.raises(ModelError, match="no manifest") as err:
        load(saved)
    assert "fzreport train" in str(err.value)


@pytest.mark.parametrize("content", ["{not json", "[]", '"text"', '{"versions": [1]}'])
def test_unreadable_manifest_is_refused(saved: Path, content: str) -> None:
    manifest_path(saved).write_text(content, encoding="utf-8")
    with pytest.raises(ModelError, match="unreadable manifest"):
        load(saved)


def test_missing_bundle_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="no model bundle") as err:
        load(tmp_path / "nothing.joblib")
    assert "fzreport train" in str(err.value)


@pytest.mark.parametrize("library", ["scikit-learn", "fzreport"])
def test_version_mismatch_is_refused(saved: Path, library: str) -> None:
    # The manifest's sha256 covers only the bundle, so editing the manifest passes the hash
    # check and must be caught by the version check.
    versions = persist.versions() | {library: "0.0.1"}
    _edit_manifest(saved, versions=versions)
    for loader in (load, load_full) if library == "fzreport" else (load_full,):
        with pytest.raises(ModelError, match=f"{library} 0.0.1 != ") as err:
            loader(saved)
        assert "retrain" in str(err.value)


def test_lean_arrays_do_not_depend_on_the_scikit_learn_version(saved: Path) -> None:
    _edit_manifest(saved, versions=persist.versions() | {"scikit-learn": "0.0.1"})
    assert load(saved).classifier.classify_isolated(PARAGRAPHS)


def test_format_mismatch_is_refused(saved: Path) -> None:
    _edit_manifest(saved, format=999)
    for loader in (load, load_full):
        with pytest.raises(ModelError, match="bundle format 999") as err:
            loader(saved)
        assert "fzreport train" in str(err.value)


def test_bundle_that_is_not_a_pickle_is_refused(saved: Path) -> None:
    saved.write_bytes(b"this is not a pickle")
    _edit_manifest(saved, sha256=sha256_file(saved))
    with pytest.raises(ModelError, match="cannot unpickle"):
        load_full(saved)


def test_pickle_of_something_else_is_refused(saved: Path) -> None:
    joblib.dump({"format": FORMAT, "classifier": "not a classifier"}, saved)
    _edit_manifest(saved, sha256=sha256_file(saved))
    with pytest.raises(ModelError, match="not a fzreport bundle"):
        load_full(saved)
