"""`fzreport archive build` and `export` (service/archive/command.py, export.py)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from model.compare import Changes, Compared, Comparison
from service.archive import comparing, export, query, store
from service.archive.store import open_store
from service.archive.write import build
from service.cli import main
from tests.service.archive.conftest import SEED_FILES, has_compare

# -- export and CLI ----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_export_round_trip(own_dir: Path, fmt: str) -> None:
    counts = build(own_dir)
    paths = export.export(own_dir, fmt)
    names = [f"{t}.{fmt}" for t in export.EXPORT_TABLES]
    assert [p.name for p in paths] == names + ["comparison.json"] * has_compare()
    if has_compare():
        with open_store(own_dir, readonly=True) as conn:
            stored = {kind: list(comparing.entries(conn, kind)) for kind in comparing.COMPARE_KINDS}
            stored["rates"] = query.stats(conn)["rates"]
        assert json.loads(paths[-1].read_text("utf-8")) == stored
        assert stored["rates"]["all"]["reports"] == len(SEED_FILES)
    for table, path in zip(export.EXPORT_TABLES, paths, strict=False):
        assert path.parent == own_dir / "export"
        if fmt == "parquet":
            data = pq.read_table(path)
            columns, rows = data.column_names, data.num_rows
        else:
            with path.open(encoding="utf-8", newline="") as stream:
                columns, *body = list(csv.reader(stream))
            rows = len(body)
        assert rows == counts[table]
        assert not set(columns) & {"record", *store.FTS_COLUMNS}
        if table == "reports":
            assert {"source", "issuer", "year", "leadership", "problems"} <= set(columns)


def test_export_rejects_an_unknown_format(own_dir: Path) -> None:
    build(own_dir)
    with pytest.raises(ValueError, match="unknown export format"):
        export.export(own_dir, "xlsx")


def test_cli_archive_build(own_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["archive", "build", str(own_dir)]) == 0
    out, err = capsys.readouterr()
    assert f"{len(SEED_FILES)} ok, 1 errors" in out and " s -> " in out
    assert "archive: indexing, comparing: 100%" in err  # the progress bar, over the journal
    assert (own_dir / "archive.sqlite").exists()


def test_cli_archive_build_without_journal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["archive", "build", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("fzreport: ") and "no results.jsonl" in err
    assert err.count("\n") == 1


def test_cli_export_builds_first(own_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert not (own_dir / "archive.sqlite").exists()
    assert main(["export", str(own_dir), "--format", "csv"]) == 0
    listed = capsys.readouterr().out.split()
    names = [f"{t}.csv" for t in export.EXPORT_TABLES] + ["comparison.json"] * has_compare()
    assert listed == [str(own_dir / "export" / name) for name in names]
    assert (own_dir / "archive.sqlite").exists()
    assert main(["export", str(own_dir)]) == 0
    assert capsys.readouterr().out.split()[0].endswith("reports.parquet")
    assert main(["export", str(own_dir), "--format", "xml"]) == 2


def test_stats_cuts_long_lists_and_gives_totals(
    own_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    n = comparing.STATS_TOP + 25

    def finish(self: Comparison, live: object = None, text_of: object = None) -> Compared:
        self.passages.finish()  # for its state
        pairs = [
            {
                "issuer": "某局",
                "similarity": 0.5,
                "items": [
                    {"report_id": k, "year": 2020, "index": 0, "title": "甲"},
                    {"report_id": k + 1, "year": 2021, "index": 0, "title": "甲"},
                ],
            }
            for k in range(n)
        ]
        members = [{"report_id": k, "index": 0} for k in range(n)]
        cluster = {"name": "问题", "count": n, "members": members}
        changes = Changes(
            [("0", "a", cluster)],
            set(),
            [("某局", f"{k:04d}", p) for k, p in enumerate(pairs)],
            {"某局"},
        )
        return Compared(changes, [], {})

    monkeypatch.setattr(Comparison, "finish", finish)  # the comparison process is forked
    build(own_dir)
    with open_store(own_dir, readonly=True) as conn:
        result = query.stats(conn)
        full = {kind: list(comparing.entries(conn, kind)) for kind in ("clusters", "recurring")}
    assert len(result["recurring"]) == comparing.STATS_TOP
    assert result["recurring"][0]["items"][0]["report_id"] == 0  # the first entries, in order
    assert result["totals"] == {"clusters": 1, "recurring": n, "recurring_issuers": 1, "shared": 0}
    assert len(full["recurring"]) == n  # the whole list stays in the store
    (cluster,) = result["clusters"]  # its members cut too, with how many there are
    assert cluster["members"] == full["clusters"][0]["members"][: comparing.MEMBERS_TOP]
    assert (cluster["count"], cluster["members_total"]) == (n, n)
