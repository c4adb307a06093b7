"""A batch killed with SIGKILL mid-run and run again ends with exactly one record per document."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from service.cli import main
from tests.conftest import ROOT as REPO
from tests.conftest import make_reports

DOCUMENTS = 120


def _lines(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


def test_sigkill_then_resume_gives_exactly_one_record_per_document(
    tmp_path: Path, seed_list: list[str], model_path: Path
) -> None:
    paths = make_reports(tmp_path / "in", seed_list, DOCUMENTS)
    out = tmp_path / "out"
    argv = ["batch", str(tmp_path / "in"), "--out", str(out), "--model", str(model_path)]
    process = subprocess.Popen(
        [sys.executable, "-m", "service.cli", *argv, "--workers", "2"],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # so the kill takes the worker processes down too
    )
    try:
        while _lines(out / "results.jsonl") < 5 and process.poll() is None:
            time.sleep(0.05)
        os.killpg(process.pid, signal.SIGKILL)
    finally:
        process.wait()
    finished = _lines(out / "results.jsonl")
    assert process.returncode == -signal.SIGKILL
    assert 5 <= finished < DOCUMENTS
    # A crash can also tear the line being written: simulate the worst case.
    with (out / "results.jsonl").open("a", encoding="utf-8") as f:
        f.write('{"source": "' + str(paths[-1]) + '", "sha2')

    assert main([*argv, "--workers", "1"]) == 0

    records = [json.loads(x) for x in (out / "results.jsonl").read_text("utf-8").splitlines()]
    sources = [r["source"] for r in records]
    assert sorted(sources) == sorted(str(p) for p in paths)
    assert len(sources) == len(set(sources)) == DOCUMENTS
    assert all(r["status"] == "ok" for r in records)
