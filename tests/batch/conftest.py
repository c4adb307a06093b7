"""Fixtures for the batch tests: a model trained once per session, and report files."""

from __future__ import annotations

import sqlite3
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


def version_2_store(folder: Path) -> Path:
    """A store as the code of schema version 2 left it, with one report and paragraph."""
    from service import archive

    path = folder / "archive.sqlite"
    old = sqlite3.connect(path)
    old.executescript(archive.MIGRATIONS[0] + "\nPRAGMA user_version = 1;")
    old.executescript(f"BEGIN;\n{archive.MIGRATIONS[1]}\nPRAGMA user_version = 2;\nCOMMIT;")
    old.execute(
        "INSERT INTO reports (id, source, status, issuer, issuer_norm, year, record) "
        "VALUES (1, 'old.txt', 'ok', '某局', '某局', 2023, '{\"source\": \"old.txt\"}')"
    )
    text = "全年办理行政复议案件131件。"
    old.execute(
        'INSERT INTO paragraphs (report_id, idx, start, "end", label, text, tokens) '
        "VALUES (1, 0, 0, ?, 'achievements', ?, '全年 办理 行政复议 案件 131 件')",
        (len(text), text),
    )
    old.commit()
    old.close()
    return path
