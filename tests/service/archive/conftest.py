"""Fixtures of the archive tests: one real batch of the seeds, its store, private copies."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from service.archive.store import open_store
from service.archive.write import build
from service.cli import main
from service.journal import load_journal
from tests.conftest import SEEDS

SEED_FILES = sorted(SEEDS.glob("*.txt"))
HOSTILE = ['"', "NEAR(", "*", "AND OR", "a" * 10000, "", "复议\"'(", "NOT 复议", "复" * 5000]


def batch_dir(root: Path, model_path: Path) -> Path:
    """A batch output folder from the seed reports and one file that cannot be read."""
    inputs = root / "in"
    inputs.mkdir()
    for path in SEED_FILES:
        shutil.copy(path, inputs / path.name)
    (inputs / "corrupt.docx").write_bytes(b"PK\x03\x04\x00\xff binary, not a package")
    out = root / "out"
    argv = ["batch", str(inputs), "--out", str(out), "--model", str(model_path), "--workers", "1"]
    assert main(argv) == 1  # the corrupt file fails
    return out


@pytest.fixture(scope="package")
def journal_dir(tmp_path_factory: pytest.TempPathFactory, model_path: Path) -> Path:
    """One real batch for the whole package; tests copy it before writing to it."""
    return batch_dir(tmp_path_factory.mktemp("batch"), model_path)


@pytest.fixture(scope="package")
def built(journal_dir: Path) -> tuple[Path, dict]:
    return journal_dir, build(journal_dir)


@pytest.fixture
def conn(built: tuple[Path, dict]) -> sqlite3.Connection:
    connection = open_store(built[0], readonly=True)
    yield connection
    connection.close()


@pytest.fixture
def records(journal_dir: Path) -> list[dict]:
    return load_journal(journal_dir / "results.jsonl")


@pytest.fixture
def own_dir(journal_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the batch folder (journal only), for tests that write."""
    folder = tmp_path / "own"
    folder.mkdir()
    shutil.copy(journal_dir / "results.jsonl", folder / "results.jsonl")
    return folder


def has_compare() -> bool:
    try:
        import model.compare  # noqa: F401
    except ImportError:
        return False
    return True


def ids(result: dict) -> list[int]:
    return [r["id"] for r in result["reports"]]
