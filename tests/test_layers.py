"""The layers hold: model/ imports only down its staircase, nothing imports in a circle, and the
core stays pure (STYLE.md §1, ARCHITECTURE.md).

Every module of model/, service/ and training/ is walked recursively, and every import counts:
at the top, inside functions, under `TYPE_CHECKING`, and the "module:Class" paths of a registry.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from collections import defaultdict
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("model", "service", "training")

# model/'s rows, bottom to top: a module imports its own unit or a lower row, never a sibling
# unit on its row or a higher one. The package itself (its __version__) is row 0.
ROWS = {
    "model": 0,
    "labels": 1,
    "vectors": 1,
    "ingest": 1,
    "text": 2,
    "learn": 3,
    "summary": 3,
    "audit": 3,
    "round": 4,
    "analyse": 4,
    "compare": 4,
    "persist": 4,
}
ADAPTERS = {"argparse", "flask", "werkzeug", "tqdm", "service", "training"}
_REGISTERED = re.compile(r"^((?:model|service|training)(?:\.\w+)+):\w+$")


def _name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    return {_name(p): p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))}


def _targets(name: str, path: Path) -> set[str]:
    """Every module name `path` imports, resolved (relative imports, `from x import module`)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            # `from package import module` names the module; `from module import name` the module
            submodules = {f"{base}.{alias.name}" for alias in node.names} & modules().keys()
            found |= submodules or {base}
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            found |= set(_REGISTERED.findall(node.value))
    return found


@cache
def graph() -> dict[str, set[str]]:
    """Our modules and the modules of ours each one imports."""
    known = modules()
    edges: dict[str, set[str]] = defaultdict(set)
    for name, path in known.items():
        for target in _targets(name, path):
            # `import model.text.segment` also runs model/ and model/text/: only the module
            # named counts, since package __init__ files are empty.
            if target in known and target != name:
                edges[name].add(target)
    return edges


def _circles(names: list[str]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    edges = graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in edges.get(v, ()):
            if w not in names:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for v in names:
        if v not in index:
            visit(v)
    return circles


def _unit(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "model"


def test_every_module_is_walked() -> None:
    names = modules()
    assert {"model.text.segment", "model.summary.select", "service.cli"} <= names.keys()
    assert all(_unit(n) in ROWS for n in names if n.startswith("model")), sorted(names)


@pytest.mark.parametrize("package", ["model", "service", "training"])
def test_no_import_circles(package: str) -> None:
    names = [n for n in modules() if n.split(".")[0] == package]
    assert _circles(names) == []


def test_model_imports_only_down_its_staircase() -> None:
    wrong = []
    for name, targets in graph().items():
        if not name.startswith("model"):
            continue
        for target in targets:
            if not target.startswith("model"):
                wrong.append(f"{name} → {target} (the core imports an adapter)")
                continue
            unit, other = _unit(name), _unit(target)
            if unit != other and other != "model" and ROWS[other] >= ROWS[unit]:
                kind = "a sibling" if ROWS[other] == ROWS[unit] else "a higher row"
                wrong.append(f"{name} → {target} ({kind})")
    assert wrong == []


def test_blueprints_and_commands_import_no_entry_point() -> None:
    # Blueprints take errors and the model holder from service.http, commands their error
    # type and progress bar from service.common: none reaches back to the factory or the CLI.
    entry_points = {"service", "service.cli", "service.app", "service.serve"}
    entry_points.add("service.gunicorn_app")
    wrong = [
        f"{name} → {target}"
        for name, targets in graph().items()
        if name.startswith("service") and name not in entry_points
        for target in targets & {"service.app", "service.cli"}
    ]
    assert wrong == []


def _imported_names(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("module", [n for n in modules() if n.startswith("model")])
def test_core_source_imports_no_adapter(module: str) -> None:
    # argparse itself reaches sys.modules through numpy (numpy.f2py), so the rule that
    # model/ never uses argparse is checked on our own source.
    assert not _imported_names(modules()[module]) & ADAPTERS


def test_subpackage_inits_are_empty() -> None:
    # Nothing runs on import, and `fzreport --help` loads no numpy through a package.
    for name, path in modules().items():
        if name.startswith("model.") and path.name == "__init__.py":
            assert path.read_text(encoding="utf-8").strip() == "", name


_PROBE = """
import json, sys
import {modules}
print(json.dumps(sorted(sys.modules)))
"""


@pytest.fixture(scope="module")
def imported() -> set[str]:
    """Modules loaded by importing every core module in a fresh interpreter."""
    core = [n for n in modules() if n.startswith("model")]
    result = subprocess.run(
        [sys.executable, "-c", _PROBE.format(modules=", ".join(core))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return set(json.loads(result.stdout))


def test_the_probe_imports_the_core(imported: set[str]) -> None:
    assert {"model.analyse", "model.summary.select", "model.learn.classify"} <= imported


@pytest.mark.parametrize("forbidden", ["flask", "tqdm", "service", "training", "matplotlib"])
def test_core_does_not_import(imported: set[str], forbidden: str) -> None:
    assert not {m for m in imported if m == forbidden or m.startswith(forbidden + ".")}


@pytest.mark.parametrize("segmenter", ["jieba", "rjieba"])
def test_nothing_is_loaded_at_import_time(imported: set[str], segmenter: str) -> None:
    # The word segmenter and its dictionary load on first use, not on import.
    assert segmenter not in imported
