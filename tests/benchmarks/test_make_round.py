"""benchmarks/make_round.py: the tune and test rounds are complete, readable and disjoint."""

from __future__ import annotations

import csv
import importlib.util
import json
import sys
from pathlib import Path

import docx
import openpyxl
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "make_round.py"
CORPUS = ROOT / "seeds" / "openings.jsonl"

pytestmark = pytest.mark.skipif(not CORPUS.is_file(), reason="shared corpus not present")


def load_script():
    """benchmarks/ is not a package: load the script from its path (registered, for dataclasses)."""
    spec = importlib.util.spec_from_file_location("make_round", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def rounds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, dict]]:
    make_round = load_script()
    out = {}
    for half in ("tune", "test"):
        folder = tmp_path_factory.mktemp(half)
        out[half] = (folder, make_round.main([str(folder), "--half", half, "--seed", "0"]))
    return out


def roster_rows(folder: Path) -> list[list[str]]:
    with (folder / "roster.csv").open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


@pytest.mark.parametrize("half", ["tune", "test"])
def test_roster_has_60_bodies_and_xlsx_matches_csv(rounds, half: str) -> None:
    folder, gold = rounds[half]
    rows = roster_rows(folder)
    assert rows[0] == ["名称", "简称/别名", "层级", "类型", "截止日期"]
    assert len(rows) - 1 >= 60
    assert {r[0] for r in rows[1:]} == set(gold["bodies"])
    sheet = openpyxl.load_workbook(folder / "roster.xlsx").active
    xlsx = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    assert xlsx == rows


@pytest.mark.parametrize("half", ["tune", "test"])
def test_gold_files_exist_in_three_formats(rounds, half: str) -> None:
    folder, gold = rounds[half]
    inbox = folder / "inbox"
    on_disk = {p.relative_to(inbox).as_posix() for p in inbox.rglob("*") if p.is_file()}
    assert on_disk == set(gold["files"])
    assert {Path(p).suffix for p in on_disk} == {".html", ".docx", ".txt"}
    for rel, entry in gold["files"].items():
        assert entry["duplicate_of"] is None or entry["duplicate_of"] in gold["files"]
        if entry["body"] is not None:
            assert rel in gold["bodies"][entry["body"]]["files"]
    states = {b["state"] for b in gold["bodies"].values()}
    assert {"on_time", "missing"} <= states


@pytest.mark.parametrize("half", ["tune", "test"])
def test_docx_files_open_with_python_docx(rounds, half: str) -> None:
    folder, gold = rounds[half]
    for rel in gold["files"]:
        if rel.endswith(".docx"):
            paragraphs = [p.text for p in docx.Document(str(folder / "inbox" / rel)).paragraphs]
            assert len(paragraphs) > 3
            assert paragraphs[-1].endswith("日")  # the signature date


def test_halves_share_no_reporting_body(rounds) -> None:
    def reporting(gold: dict) -> tuple[set[str], set[str]]:
        files = gold["files"].values()
        return {f["body"] for f in files if f["body"]}, {f["doc_id"] for f in files}

    tune_bodies, tune_docs = reporting(rounds["tune"][1])
    test_bodies, test_docs = reporting(rounds["test"][1])
    assert not tune_bodies & test_bodies
    assert not tune_docs & test_docs


def test_same_seed_gives_same_gold(rounds, tmp_path: Path) -> None:
    again = load_script().main([str(tmp_path), "--half", "tune", "--seed", "0"])
    assert again == rounds["tune"][1]
    assert json.loads((tmp_path / "gold.json").read_text("utf-8")) == again
