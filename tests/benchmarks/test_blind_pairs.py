"""benchmarks/blind_pairs.py: a wrong reader or an unreadable earlier run is refused at once,
with a one-line reason, before any summary is made."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "blind_pairs.py"


def main(argv: list[str]) -> int:
    spec = importlib.util.spec_from_file_location("blind_pairs", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main(argv)


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["--against-reader", "z"], "--against-reader: one of a, b"),
        (["--against", "{missing}"], "No such file"),
        (["--against", "{malformed}"], "Expecting property name"),
        (["--changed-only"], "--changed-only needs --against"),
    ],
)
def test_bad_arguments_are_refused_before_any_work(tmp_path, capsys, args, reason) -> None:
    malformed = tmp_path / "bad.json"
    malformed.write_text("{", encoding="utf-8")
    args = [a.format(missing=tmp_path / "none.json", malformed=malformed) for a in args]
    with pytest.raises(SystemExit) as exit_:
        main([str(tmp_path / "out"), *args])
    assert exit_.value.code == 2
    assert reason in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
