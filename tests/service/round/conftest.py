"""A small spring round built from the seeds: files named as offices name them, a roster with
a missing body, a late one, a duplicate and a report from a body not on the roster."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SEEDS = ROOT / "seeds"

ROSTER = """名称,简称/别名,层级,类型,截止日期
武汉市硚口区住房和城市更新局,区住更局,县级,部门,
中共武汉经济技术开发区(汉南区)自然资源和城乡建设局党组,区自然资源和城乡建设局,县级,党组织,
硚口区人民政府,硚口区,县级,政府,2025-03-01
武汉市硚口区司法局,区司法局,县级,部门,
武汉市硚口区财政局,区财政局,县级,部门,
"""

# file in the inbox -> seed it copies
INBOX = {
    "区住更局.txt": "000",
    "区住更局（修订稿）.txt": "000",
    "关于报送2024年度法治政府建设情况的报告（区自然资源和城乡建设局）.txt": "001",
    "硚口区/2024年报告.txt": "003",
    "附件1.txt": "004",
}


def seed(number: str) -> Path:
    return next(SEEDS.glob(f"{number}_*.txt"))


def make_inbox(folder: Path) -> Path:
    for name, number in INBOX.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        text = seed(number).read_text(encoding="utf-8")
        if "修订稿" in name:
            text += "\n（修订稿）"
        target.write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def round_dir(tmp_path_factory: pytest.TempPathFactory, bundle_path: Path) -> Path:
    """The round after `batch --roster` and `archive build`."""
    from service.cli import main

    base = tmp_path_factory.mktemp("round")
    inbox = make_inbox(base / "inbox")
    roster = base / "名单.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    out = base / "out"
    argv = ["batch", str(inbox), "--out", str(out), "--roster", str(roster), "--workers", "1"]
    assert main([*argv, "--model", str(bundle_path)]) == 0
    assert main(["archive", "build", str(out)]) == 0
    return out


@pytest.fixture()
def round_copy(round_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the round, for tests that write corrections."""
    return Path(shutil.copytree(round_dir, tmp_path / "round"))
