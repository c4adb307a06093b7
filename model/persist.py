"""Model bundle on disk: a joblib file, the lean arrays beside it, and a JSON manifest that
vouches for both.

The joblib file pickles the fitted `SectionClassifier` (scikit-learn pipeline and all), for
training and evaluation code (`load_full`). Serving reads only `PATH.lean.npz`: the numpy arrays
inference needs (`model.learn.lean`), loaded without unpickling anything, so neither
scikit-learn nor scipy is imported (`load`). A bundle loads only when the sha256 of each file
matches the manifest written beside it; the pickle, since unpickling runs code, only under the
library versions it was built with.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import model
from model.labels import LABEL_ZH

if TYPE_CHECKING:
    from model.learn.classify import SectionClassifier, SectionModel

# Bump whenever what a bundle holds changes shape (e.g. a new fitted attribute of
# SectionClassifier): an older bundle is then refused with a clear message, not a crash later.
# 3: the classifier carries a HeadingModel; 4: and a Background; 5: the lean arrays beside it;
# 6: the pickle names the layered module paths (model.learn.classify …), not the flat ones;
# 7: and the classifier carries a sentence scorer learnt from the human extracts (or None);
# 8: the scorer reads the reader's cues too (`model.summary.cues`): more columns;
# 9: and whether a sentence names the economy's headline aggregate (the GDP line);
# 10: and a tense model of work reports' sections (`model.learn.tense`), or None.
FORMAT = 10


class ModelError(RuntimeError):
    """A bundle that cannot be used, with a message that says what to do."""


@dataclass(frozen=True, slots=True)
class Bundle:
    """A loaded classifier and the manifest it came with.

    The classifier is a `LeanClassifier` (from `load`) or the pickled `SectionClassifier`
    (from `load_full`); both classify and decode alike.
    """

    classifier: SectionModel
    manifest: dict[str, Any]
    path: Path

    @property
    def version(self) -> str:
        return str(self.manifest.get("created", ""))

    @property
    def sha256(self) -> str:
        return str(self.manifest.get("sha256", ""))


def manifest_path(path: Path) -> Path:
    """Where the manifest of the bundle at `path` lives."""
    return path.with_name(path.name + ".manifest.json")


def lean_path(path: Path) -> Path:
    """Where the lean arrays of the bundle at `path` live."""
    return path.with_name(path.name + ".lean.npz")


def versions() -> dict[str, str]:
    """Library versions a bundle was built with; `load_full` refuses other scikit-learn."""
    import platform

    import numpy
    import scipy
    import sklearn

    return {
        "fzreport": model.__version__,
        "scikit-learn": sklearn.__version__,
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "python": platform.python_version(),
    }


def sha256_file(path: Path) -> str:
    import hashlib  # here, as the other imports only writing needs: `--help` loads nothing

    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _umask() -> int:
    """The process umask (reading it means setting it, so set it straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write(path: Path, write: Callable[[Path], object]) -> None:
    """Write through a temp file in the same folder, then rename: readers never see half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        # mkstemp's private 0600 would outlive the rename: give the file the mode any new
        # file gets, so a service running as another user can read the bundle.
        os.chmod(tmp, 0o666 & ~_umask())
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save(
    classifier: SectionClassifier,
    path: str | os.PathLike[str],
    *,
    data_hash: str = "",
    metrics: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Write bundle, lean arrays, then manifest, each atomically; return the manifest.

    ValueError, before anything is written, for a classifier the lean arrays cannot express.
    """
    from datetime import UTC, datetime

    import joblib

    from model.learn.lean import export

    path = Path(path)
    arrays = export(classifier)
    lean = lean_path(path)
    atomic_write(path, lambda tmp: joblib.dump({"format": FORMAT, "classifier": classifier}, tmp))
    atomic_write(lean, lambda tmp: _write_arrays(tmp, arrays))
    manifest = {
        "format": FORMAT,
        "labels": list(classifier.labels_),
        "labels_zh": {label: LABEL_ZH[label] for label in classifier.labels_},
        "versions": versions(),
        "data_hash": data_hash,
        "metrics": metrics or {},
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "sha256": sha256_file(path),
        "bundle": path.name,
        "lean": {"file": lean.name, "sha256": sha256_file(lean)},
        **(extra or {}),
    }
    text = json.dumps(manifest, ensure_ascii=False, indent=2)
    atomic_write(manifest_path(path), lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return manifest


def read_manifest(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The manifest of a bundle, or ModelError if missing or unreadable."""
    mpath = manifest_path(Path(path))
    try:
        manifest = json.loads(mpath.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"no manifest {mpath}: retrain with `fzreport train`") from None
    except (OSError, ValueError) as exc:
        raise ModelError(f"unreadable manifest {mpath}: {exc}") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("versions", {}), dict):
        raise ModelError(f"unreadable manifest {mpath}: not a fzreport manifest")
    return manifest


def _write_arrays(tmp: Path, arrays: dict[str, Any]) -> None:
    import numpy

    with tmp.open("wb") as handle:  # a file, not a name: savez would add ".npz" to a name
        numpy.savez(handle, **arrays)


def _rebuild(path: Path) -> str:
    """How to replace an unusable bundle, in the words of the commands that do it."""
    return (
        f"rebuild it with `fzreport train --out {path}` (the default cache bundle, used without "
        "--model or $FZREPORT_MODEL, is rebuilt by itself)"
    )


def _checked_manifest(path: Path, libraries: tuple[str, ...]) -> dict[str, Any]:
    """The manifest of the bundle at `path`, after the checks every load makes."""
    if not path.is_file():
        raise ModelError(f"no model bundle at {path}: train one with `fzreport train --out {path}`")
    manifest = read_manifest(path)
    if manifest.get("format") != FORMAT:
        raise ModelError(
            f"{path}: bundle format {manifest.get('format')}, this fzreport reads {FORMAT} "
            f"(a pickle and its lean arrays); {_rebuild(path)}"
        )
    if sha256_file(path) != manifest.get("sha256"):
        raise ModelError(
            f"{path}: sha256 does not match its manifest (corrupt or replaced file); "
            + _rebuild(path)
        )
    built = manifest.get("versions", {})
    now = {"fzreport": model.__version__}
    if "scikit-learn" in libraries:
        now = versions()
    stale = [f"{k} {built.get(k)} != {now[k]}" for k in libraries if built.get(k) != now[k]]
    if stale:
        raise ModelError(f"{path}: built with other versions ({'; '.join(stale)}); retrain it")
    return manifest


def load(path: str | os.PathLike[str]) -> Bundle:
    """Load a bundle's lean classifier (numpy arrays, no pickle) for inference.

    Checks the sha256 of the bundle and of its lean arrays against the manifest and the
    fzreport version it was built with; scikit-learn is not needed.
    """
    import numpy

    from model.learn.lean import LeanClassifier

    path = Path(path)
    manifest = _checked_manifest(path, ("fzreport",))
    lean = manifest.get("lean")
    name = lean.get("file") if isinstance(lean, dict) else None
    if not isinstance(name, str) or Path(name).name != name or not name:
        raise ModelError(f"{path}: the manifest names no lean arrays; {_rebuild(path)}")
    arrays_path = path.with_name(name)
    if not arrays_path.is_file():
        raise ModelError(f"{path}: its lean arrays {arrays_path} are missing; {_rebuild(path)}")
    if sha256_file(arrays_path) != lean.get("sha256"):
        raise ModelError(
            f"{path}: sha256 of its lean arrays {arrays_path.name} does not match its manifest "
            f"(corrupt or replaced file); {_rebuild(path)}"
        )
    try:
        with numpy.load(arrays_path, allow_pickle=False) as arrays:
            classifier = LeanClassifier(arrays)
    except Exception as exc:  # a damaged archive can raise nearly anything
        reason = " ".join(str(exc).split()) or type(exc).__name__
        message = f"{path}: cannot read its lean arrays: {reason}; {_rebuild(path)}"
        raise ModelError(message) from None
    return Bundle(classifier, manifest, path)


def load_full(path: str | os.PathLike[str]) -> Bundle:
    """Load a bundle's pickled `SectionClassifier` (scikit-learn pipeline and all).

    For training-side code: checks the hash and the fzreport and scikit-learn versions it was
    built with before unpickling.
    """
    import joblib

    from model.learn.classify import SectionClassifier

    path = Path(path)
    manifest = _checked_manifest(path, ("fzreport", "scikit-learn"))
    try:
        payload = joblib.load(path)
    except Exception as exc:  # a damaged pickle can raise nearly anything
        raise ModelError(f"{path}: cannot unpickle bundle: {exc}") from None
    classifier = payload.get("classifier") if isinstance(payload, dict) else None
    if not isinstance(classifier, SectionClassifier):
        raise ModelError(f"{path}: not a fzreport bundle")
    return Bundle(classifier, manifest, path)
