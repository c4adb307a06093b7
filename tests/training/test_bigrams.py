"""The fixed bigram table's command (`python -m training.bigrams`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from training.bigrams import main


def test_the_table_is_written_checked_and_refused_a_bad_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "bigrams.npz"
    assert main(["--check", "--out", str(out)]) == 1  # none there yet
    assert main(["--out", str(out)]) == 0
    with np.load(out) as table:
        assert int(table["n"]) > 10_000 and np.all(np.diff(table["keys"].astype(np.int64)) > 0)
    assert main(["--check", "--out", str(out)]) == 0
    capsys.readouterr()
    assert main(["--out", str(tmp_path / "missing" / "bigrams.npz")]) == 2
    assert "cannot write" in capsys.readouterr().err
