"""`fzreport audit` through `service.cli.main(argv)`: formats, rules, files and stdin."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from service.cli import main
from tests.conftest import SEEDS

SEED_000 = SEEDS / "000_f2d5ba989b7a1d36.txt"
SEED_003 = SEEDS / "003_5c5bdc2152d9c680.txt"
KEYS = {"genre", "metadata", "contents", "timeliness", "problems", "plans", "indicators"}


@pytest.fixture(autouse=True)
def _model(model_env: Path) -> Path:
    """Every test runs on the session bundle, through $FZREPORT_MODEL."""
    return model_env


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    capsys.readouterr()
    out = io.StringIO()
    code = main([str(a) for a in argv], out=out)
    captured = capsys.readouterr()
    return code, out.getvalue() + captured.out, captured.err


class Stdin:
    def __init__(self, data: bytes) -> None:
        self.buffer = io.BytesIO(data)


def test_audit_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "audit", SEED_003, "--format", "json")
    assert code == 0, err
    result = json.loads(out)
    assert set(result) >= KEYS
    assert result["source"] == str(SEED_003)
    assert result["metadata"]["year"] == 2024
    assert result["timeliness"]["deadline"] == "2025-04-01"


def test_audit_jsonl_keeps_file_order(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "audit", SEED_003, SEED_000, "--format", "jsonl")
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) == 2
    records = [json.loads(line) for line in lines]
    assert [r["source"] for r in records] == [str(SEED_003), str(SEED_000)]
    assert all(set(r) >= KEYS for r in records)


def test_audit_json_of_two_files(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "audit", SEED_003, SEED_000, "--format", "json")
    assert code == 0
    documents = json.loads(out)["documents"]
    assert [d["source"] for d in documents] == [str(SEED_003), str(SEED_000)]


def test_audit_text_card(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "audit", SEED_003, "--format", "text")
    assert code == 0, err
    assert "问题清单" in out
    assert "硚口区2024年度法治政府建设情况报告" in out
    assert str(SEED_003) in out


def test_audit_custom_rules(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text('[default]\ndeadline = "03-01"\n', encoding="utf-8")
    code, out, _ = run(capsys, "audit", SEED_003, "--format", "json", "--rules", rules)
    assert code == 0
    timeliness = json.loads(out)["timeliness"]
    assert timeliness["deadline"] == "2025-03-01"
    assert timeliness["status"] == "late"


def test_audit_malformed_rules(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text(
        '[default]\ndeadline = "04-01"\n\n[[rule]]\nlevel = "village"\ndeadline = "03-01"\n',
        encoding="utf-8",
    )
    code, out, err = run(capsys, "audit", SEED_003, "--format", "json", "--rules", rules)
    assert code != 0
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert f"{rules}:5:" in err


def test_audit_rules_not_toml(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text('[default\ndeadline = "04-01"\n', encoding="utf-8")
    code, _, err = run(capsys, "audit", SEED_003, "--rules", rules)
    assert code != 0
    assert len(err.strip().splitlines()) == 1
    assert str(rules) in err and "line 1" in err


def test_audit_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "absent.txt"
    code, out, err = run(capsys, "audit", missing, "--format", "json")
    assert code == 1
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert str(missing) in err


def test_audit_stdin(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", Stdin(SEED_003.read_bytes()))
    code, out, err = run(capsys, "audit", "-", "--format", "json")
    assert code == 0, err
    result = json.loads(out)
    assert result["source"] == "<stdin>"
    assert result["metadata"]["year"] == 2024
