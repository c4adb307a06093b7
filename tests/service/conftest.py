"""Fixtures for the HTTP service: one model bundle per test session, apps built on it."""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient

from service.app import create_app
from training.train import build_bundle

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
SEED_REPORT = SEEDS / "003_5c5bdc2152d9c680.txt"
ADMIN_TOKEN = "test-token-123"


@pytest.fixture(scope="session")
def other_bundle_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A second, different bundle (four seeds only) for reload tests."""
    corpus = tmp_path_factory.mktemp("corpus")
    for report in sorted(SEEDS.glob("*.txt"))[:4]:
        shutil.copy(report, corpus / report.name)
    path = tmp_path_factory.mktemp("model2") / "model.joblib"
    build_bundle(corpus, path, run_evaluation=False, show=False)
    return path


@pytest.fixture(scope="session")
def app(bundle_path: Path) -> Flask:
    return create_app({"TESTING": True, "MODEL_PATH": str(bundle_path)})


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED_REPORT.read_text(encoding="utf-8")


def copy_bundle(source: Path, target: Path) -> Path:
    """Copy a bundle, its lean arrays and its manifest (what `persist.load` reads)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(source, target)
    for suffix in (".lean.npz", ".manifest.json"):
        shutil.copy(source.with_name(source.name + suffix), target.with_name(target.name + suffix))
    return target


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A `fzreport serve` subprocess on a loopback port."""

    def __init__(self, process: subprocess.Popen[bytes], url: str, log_path: Path) -> None:
        self.process, self.url, self.log_path = process, url, log_path

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def wait_ready(url: str, process: subprocess.Popen[bytes], limit: float = 60.0) -> None:
    """Poll /readyz until it answers 200; fail early if the server process died."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            if requests.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} not ready after {limit}s")


@pytest.fixture()
def start_server(tmp_path: Path) -> Iterator:
    """Start `fzreport serve` with the given flags; stopped with SIGTERM after the test."""
    started: list[subprocess.Popen[bytes]] = []

    def start(*flags: str, env: dict[str, str] | None = None) -> Server:
        port = free_port()
        log_path = tmp_path / f"server-{port}.log"
        command = [sys.executable, "-m", "service.cli", "serve", "--port", str(port), *flags]
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                command,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=os.environ | (env or {}),
            )
        started.append(process)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_ready(url, process)
        except RuntimeError as exc:
            pytest.fail(f"{exc}\n{log_path.read_text(errors='replace')}")
        return Server(process, url, log_path)

    yield start
    for process in started:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(scope="session")
def archive_dir(tmp_path_factory: pytest.TempPathFactory, bundle_path: Path) -> Path:
    """A batch over the seeds and a binary file, and the archive built from its journal."""
    from service.archive.write import build
    from service.cli import main

    inputs = tmp_path_factory.mktemp("archive-in")
    for report in sorted(SEEDS.glob("*.txt")):
        shutil.copy(report, inputs / report.name)
    (inputs / "broken.docx").write_bytes(b"PK\x03\x04\x00\xff not a package")
    out = tmp_path_factory.mktemp("archive") / "out"
    argv = ["batch", str(inputs), "--out", str(out), "--model", str(bundle_path), "--workers", "1"]
    assert main(argv) == 1  # the broken file is an error record
    build(out)
    return out


@pytest.fixture(scope="session")
def archive_client(bundle_path: Path, archive_dir: Path) -> FlaskClient:
    app = create_app(
        {"TESTING": True, "MODEL_PATH": str(bundle_path), "ARCHIVE_DIR": str(archive_dir)}
    )
    return app.test_client()


def version_2_store(folder: Path) -> Path:
    """A store as the code of schema version 2 left it, with one report and paragraph."""
    from service.archive.store import MIGRATIONS

    path = folder / "archive.sqlite"
    old = sqlite3.connect(path)
    old.executescript(MIGRATIONS[0] + "\nPRAGMA user_version = 1;")
    old.executescript(f"BEGIN;\n{MIGRATIONS[1]}\nPRAGMA user_version = 2;\nCOMMIT;")
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
