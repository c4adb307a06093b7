"""Fixtures for the batch tests: a model trained once per session, and report files."""

from __future__ import annotations

from pathlib import Path

import pytest

from model import persist
from training.train import build_bundle

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "seeds"


@pytest.fixture(scope="session")
def model_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bundle trained on the seeds, shared by every batch test."""
    path = tmp_path_factory.mktemp("model") / "model.joblib"
    build_bundle(SEEDS, path, run_evaluation=False, show=False)
    persist.load(path)
    return path


@pytest.fixture(scope="session")
def seed_texts() -> list[str]:
    """The seed reports' texts, the material every test report is cut from."""
    return [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]


def make_reports(folder: Path, texts: list[str], count: int) -> list[Path]:
    """`count` distinct .txt reports in `folder`, cycling through `texts`."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        path = folder / f"report_{i:03d}.txt"
        path.write_text(f"报告编号{i}。\n{texts[i % len(texts)]}", encoding="utf-8")
        paths.append(path)
    return paths
