"""1,000 random corrections, then `archive build --full` from the journal: none lost."""

from __future__ import annotations

import contextlib
import importlib.util
import random
import sys
from pathlib import Path

from service.archive import corrections
from service.archive.store import open_store
from service.cli import main

ROOT = Path(__file__).resolve().parents[3]


def bench():
    spec = importlib.util.spec_from_file_location(
        "bench_corrections", ROOT / "benchmarks" / "bench_corrections.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_a_thousand_corrections_survive_a_rebuild(round_copy: Path) -> None:
    b = bench()
    rng = random.Random(7)
    view = b.view_of(round_copy)
    with contextlib.closing(open_store(round_copy)) as conn:
        for _ in range(1000):
            corrections.add(round_copy, conn, b.random_correction(view, rng))
    fixes = corrections.effective(corrections.read(round_copy))
    kinds = {field.split(".")[0] for fields in fixes.values() for field in fields}
    assert kinds >= {"issuer", "year", "body", "parts", "problems", "findings"}
    # The check sees a loss: the view without the corrections shows none of them.
    (round_copy / corrections.CORRECTIONS_FILE).rename(round_copy / "aside.jsonl")
    assert len(b.lost(b.view_of(round_copy), fixes)) == sum(len(f) for f in fixes.values())
    (round_copy / "aside.jsonl").rename(round_copy / corrections.CORRECTIONS_FILE)
    (round_copy / "archive.sqlite").unlink()
    assert main(["archive", "build", str(round_copy), "--full"]) == 0
    assert b.lost(b.view_of(round_copy), fixes) == []
