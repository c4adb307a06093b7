"""The core stays pure: importing model/ pulls in no web, CLI or training code (STYLE.md §1)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT

CORE_MODULES = sorted(
    f"model.{p.stem}" if p.stem != "__init__" else "model" for p in (ROOT / "model").glob("*.py")
)

_PROBE = """
import json, sys
import {modules}
print(json.dumps(sorted(sys.modules)))
"""


@pytest.fixture(scope="module")
def imported() -> set[str]:
    """Modules loaded by importing every core module in a fresh interpreter."""
    result = subprocess.run(
        [sys.executable, "-c", _PROBE.format(modules=", ".join(CORE_MODULES))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return set(json.loads(result.stdout))


def test_the_probe_imports_the_core(imported: set[str]) -> None:
    for name in ("model", "model.analyse", "model.summarise", "model.classify"):
        assert name in CORE_MODULES
        assert name in imported
    assert {"model.persist", "model.readers"} <= imported


@pytest.mark.parametrize("forbidden", ["flask", "tqdm", "service", "training", "matplotlib"])
def test_core_does_not_import(imported: set[str], forbidden: str) -> None:
    assert not {m for m in imported if m == forbidden or m.startswith(forbidden + ".")}


@pytest.mark.parametrize("segmenter", ["jieba", "rjieba"])
def test_nothing_is_loaded_at_import_time(imported: set[str], segmenter: str) -> None:
    # The word segmenter and its dictionary load on first use, not on import.
    assert segmenter not in imported


def _imported_names(source: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_source_imports_no_adapter(module: str) -> None:
    # argparse itself reaches sys.modules through numpy (numpy.f2py), so the rule that
    # model/ never uses argparse is checked on our own source instead.
    path = ROOT / (module.replace(".", "/") + ".py")
    if module == "model":
        path = ROOT / "model" / "__init__.py"
    names = _imported_names(path.read_text(encoding="utf-8"))
    assert not names & {"argparse", "flask", "tqdm", "service", "training", "werkzeug"}
