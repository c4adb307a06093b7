"""Shared fixtures: a tiny in-code report builder and one model bundle per test session."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from threadpoolctl import threadpool_limits

from model import persist
from training.train import build_bundle

# No timed assertions: hypothesis's per-example deadline would fail on a busy CI machine.
settings.register_profile("fzreport", deadline=None)
settings.load_profile("fzreport")

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SEED_FILES = sorted(SEEDS.glob("*.txt"))


@pytest.fixture(scope="session", autouse=True)
def _isolated_environment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Never touch the user's cache or follow their model settings.

    The CLI builds a default bundle under $XDG_CACHE_HOME on first use; pointing it at a
    temporary folder keeps a test run from writing into (or reading a stale model from) it.
    """
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
        for name in ("FZREPORT_MODEL", "FZREPORT_SEEDS"):
            mp.delenv(name, raising=False)
        yield


@pytest.fixture(scope="session", autouse=True)
def _one_blas_thread() -> Iterator[None]:
    """Single-threaded BLAS: our matrices are tiny, and on a busy 2-core machine OpenBLAS
    threads fighting over the cores made each fit several times slower."""
    with threadpool_limits(limits=1):
        yield


# -- what a fresh interpreter imports -----------------------------------------------------------

_LISTING = """
import atexit, json, sys
listing = sys.argv.pop(1)
atexit.register(lambda: open(listing, "w").write(json.dumps(sorted(sys.modules))))
"""


def modules_after(tmp_path: Path, code: str, *argv: str | Path) -> set[str]:
    """Top-level packages loaded once `code` has run (with `argv`) in a fresh interpreter."""
    listing = tmp_path / "modules.json"
    command = [sys.executable, "-c", _LISTING + code, str(listing), *map(str, argv)]
    subprocess.run(command, cwd=ROOT, capture_output=True, check=True)
    return {name.split(".")[0] for name in json.loads(listing.read_text(encoding="utf-8"))}


# -- a tiny report, built in code ------------------------------------------------------------


@dataclass
class TinyReport:
    """A report as lines, with the label a careful reader gives each line."""

    lines: list[tuple[str, str]] = field(default_factory=list)

    def add(self, label: str, *texts: str) -> TinyReport:
        self.lines += [(text, label) for text in texts]
        return self

    @property
    def text(self) -> str:
        return "\n".join(text for text, _ in self.lines) + "\n"

    @property
    def labels(self) -> list[str]:
        return [label for _, label in self.lines]

    @property
    def texts(self) -> list[str]:
        return [text for text, _ in self.lines]


def build_report(
    *, unit: str = "某某区司法局", year: int = 2024, chrome: bool = True, headings: bool = True
) -> TinyReport:
    """An annual report in the genre's usual order: preamble, achievements, problems, plans."""
    report = TinyReport()
    if chrome:
        report.add(
            "boilerplate",
            f"{unit}{year}年法治政府建设年度报告",
            f"发布时间：{year + 1}-01-10 来源：{unit}",
        )
    report.add(
        "preamble",
        "中共某某区委：",
        f"{year}年，我局坚持以习近平法治思想为指导，全面推进法治政府建设。现将有关情况报告如下：",
    )
    if headings:
        report.add("achievements", f"一、{year}年法治政府建设主要举措和成效")
    report.add(
        "achievements",
        "（一）深化行政复议体制改革。全年办理行政复议案件131件，行政机关负责人出庭应诉率达100%。",
        "（二）推进严格规范公正文明执法。全面推行“双随机、一公开”监管，开展执法检查56次。",
    )
    if headings:
        report.add("shortcomings", "二、存在的不足和原因")
    report.add(
        "shortcomings",
        "一是部分执法人员法治意识有待加强，执法不够规范；二是基层法治力量较为薄弱，与要求相比仍有差距。",
    )
    if headings:
        report.add("plans", f"三、{year + 1}年工作计划")
    report.add(
        "plans",
        f"{year + 1}年，我局将进一步深化法治政府建设，继续推进行政执法规范化，拟开展专项培训。"
        "一是持续完善重大行政决策程序，严格落实合法性审查；二是继续深化行政复议体制改革，"
        "提升案件办理质量；三是加强执法人员法律知识培训，全面提高依法行政能力和水平，"
        "为经济社会高质量发展提供坚实法治保障。",
    )
    if chrome:
        report.add("boilerplate", unit, f"{year + 1}年1月10日")
    return report


@pytest.fixture()
def tiny_report() -> TinyReport:
    return build_report()


@pytest.fixture(scope="session")
def make_report():
    """The report builder itself, for tests that need variants."""
    return build_report


# -- the trained model ----------------------------------------------------------------------


@pytest.fixture(scope="session")
def bundle_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bundle trained on the seeds once per session, without cross-validation."""
    path = tmp_path_factory.mktemp("model") / "model.joblib"
    build_bundle(SEEDS, path, run_evaluation=False, show=False)
    return path


@pytest.fixture(scope="session")
def bundle(bundle_path: Path) -> persist.Bundle:
    """The session bundle as served: the lean classifier."""
    return persist.load(bundle_path)


@pytest.fixture(scope="session")
def full_bundle(bundle_path: Path) -> persist.Bundle:
    """The session bundle's pickled scikit-learn classifier."""
    return persist.load_full(bundle_path)


@pytest.fixture()
def model_env(bundle_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the CLI at the session bundle through $FZREPORT_MODEL."""
    monkeypatch.setenv("FZREPORT_MODEL", str(bundle_path))
    return bundle_path


@pytest.fixture(scope="session")
def seed_texts() -> dict[str, str]:
    """Every seed report by file name."""
    return {p.name: p.read_text(encoding="utf-8") for p in SEED_FILES}


@pytest.fixture(scope="session")
def model_path(bundle_path: Path) -> Path:
    """The session bundle's path, under the name the batch gives it."""
    return bundle_path


@pytest.fixture(scope="session")
def seed_list() -> list[str]:
    """The seed reports' texts in order, the material every made-up report is cut from."""
    return [p.read_text(encoding="utf-8") for p in SEED_FILES]


def make_reports(folder: Path, texts: list[str], count: int) -> list[Path]:
    """`count` distinct .txt reports in `folder`, cycling through `texts`."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        path = folder / f"report_{i:03d}.txt"
        path.write_text(f"报告编号{i}。\n{texts[i % len(texts)]}", encoding="utf-8")
        paths.append(path)
    return paths


def essentials(result: dict[str, Any]) -> dict[str, Any]:
    """What an inspection office acts on, from an analysis with its audit: who, which year,
    each part's status, how many problems (model/audit/checks.py)."""
    audit = result["audit"]
    return {
        "issuer": audit["metadata"]["issuer"],
        "year": audit["metadata"]["year"],
        "contents": {part: c["status"] for part, c in audit.get("contents", {}).items()},
        "problems": len(audit["problems"]),
    }
