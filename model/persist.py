"""Model bundle on disk: a joblib file and a JSON manifest that vouches for it.

Unpickling runs code, so a bundle loads only when its sha256 matches the manifest written
beside it, and only under the library versions it was built with.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import joblib
import numpy
import scipy
import sklearn

import model
from model.classify import SectionClassifier
from model.labels import LABEL_ZH

# Bump whenever what a bundle holds changes shape (e.g. a new fitted attribute of
# SectionClassifier): an older bundle is then refused with a clear message, not a crash later.
FORMAT = 4  # 3: the classifier carries a HeadingModel; 4: and a Background


class ModelError(RuntimeError):
    """A bundle that cannot be used, with a message that says what to do."""


@dataclass(frozen=True, slots=True)
class Bundle:
    """A loaded classifier and the manifest it came with."""

    classifier: SectionClassifier
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


def versions() -> dict[str, str]:
    """Library versions a bundle depends on; a mismatch on load is refused."""
    return {
        "fzreport": model.__version__,
        "scikit-learn": sklearn.__version__,
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "python": platform.python_version(),
    }


def sha256_file(path: Path) -> str:
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
    """Write bundle then manifest, each atomically; return the manifest."""
    path = Path(path)
    atomic_write(path, lambda tmp: joblib.dump({"format": FORMAT, "classifier": classifier}, tmp))
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


def load(path: str | os.PathLike[str]) -> Bundle:
    """Load a bundle after checking its hash and the library versions it was built with."""
    path = Path(path)
    if not path.is_file():
        raise ModelError(f"no model bundle at {path}: train one with `fzreport train --out {path}`")
    manifest = read_manifest(path)
    if manifest.get("format") != FORMAT:
        raise ModelError(
            f"{path}: bundle format {manifest.get('format')}, this fzreport reads {FORMAT}; "
            "retrain it with `fzreport train`"
        )
    if sha256_file(path) != manifest.get("sha256"):
        raise ModelError(f"{path}: sha256 does not match its manifest (corrupt or replaced file)")
    built, now = manifest.get("versions", {}), versions()
    stale = [
        f"{k} {built.get(k)} != {now[k]}"
        for k in ("fzreport", "scikit-learn")
        if built.get(k) != now[k]
    ]
    if stale:
        raise ModelError(f"{path}: built with other versions ({'; '.join(stale)}); retrain it")
    try:
        payload = joblib.load(path)
    except Exception as exc:  # a damaged pickle can raise nearly anything
        raise ModelError(f"{path}: cannot unpickle bundle: {exc}") from None
    classifier = payload.get("classifier") if isinstance(payload, dict) else None
    if not isinstance(classifier, SectionClassifier):
        raise ModelError(f"{path}: not a fzreport bundle")
    return Bundle(classifier, manifest, path)
