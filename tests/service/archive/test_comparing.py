"""The comparisons in their own process (service/archive/comparing.py): a failure or a kill of
the comparison never loses the store, a kill of the build leaves the previous store intact,
and a Dask cluster compares as one machine does."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import psutil
import pytest

from model.compare import Comparison
from service.app import create_app
from service.archive import comparing, query
from service.archive.store import open_store
from service.archive.write import build
from service.cli import main

ROOT = Path(__file__).resolve().parents[3]


def _killed(self: Comparison, live: object = None, text_of: object = None) -> dict:
    os.kill(os.getpid(), signal.SIGKILL)  # as the kernel's out-of-memory killer would
    raise AssertionError("unreachable")


def test_a_killed_comparison_still_writes_the_store(
    own_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(Comparison, "finish", _killed)  # the comparison process is forked
    assert main(["archive", "build", str(own_dir)]) == 1
    out = capsys.readouterr().out
    assert " ok, " in out  # the rows are stored and said so
    assert "comparisons failed: the comparison process ended with exit code -9" in out
    with open_store(own_dir, readonly=True) as conn:
        state = comparing.status(conn)
        assert state is not None and state["state"] == "failed" and "-9" in state["reason"]
        assert query.search(conn, "法治")["total"] > 0  # served: search works
        assert query.stats(conn)["compare_status"]["state"] == "failed"


def test_the_dashboard_says_why_the_comparison_failed(
    own_dir: Path, bundle_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Comparison, "finish", _killed)
    build(own_dir)
    monkeypatch.undo()
    config = {"TESTING": True, "MODEL_PATH": str(bundle_path), "ARCHIVE_DIR": str(own_dir)}
    app = create_app(config)
    page = app.test_client().get("/archive/dashboard")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'id="compare-status"' in text and "比较未完成" in text and "exit code -9" in text
    stats = app.test_client().get("/v1/archive/stats").get_json()
    assert stats["compare"] is False and stats["compare_status"]["state"] == "failed"


def _big_journal(folder: Path, source: Path, copies: int) -> None:
    """FOLDER/results.jsonl: the records of `source` repeated under new names."""
    lines = [json.loads(line) for line in source.read_text("utf-8").splitlines() if line]
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "results.jsonl").open("w", encoding="utf-8") as out:
        for k in range(copies):
            for record in lines:
                out.write(json.dumps({**record, "source": f"{k}/{record['source']}"}) + "\n")


def test_a_build_killed_at_any_moment_leaves_the_previous_store(own_dir: Path) -> None:
    build(own_dir)
    with open_store(own_dir, readonly=True) as conn:
        before = conn.execute("SELECT count(*), max(id) FROM reports").fetchone()
    journal = own_dir / "results.jsonl"
    original = journal.read_text("utf-8")
    _big_journal(own_dir, journal, 400)
    for wait in (0.3, 2.0, 5.0):  # while writing rows, indexing or comparing
        build_process = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "archive", "build", str(own_dir)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while not list(own_dir.glob("archive.sqlite.*.tmp")) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(wait)
        children = psutil.Process(build_process.pid).children(recursive=True)
        if build_process.poll() is not None:
            pytest.fail(f"the build ended before it was killed ({wait} s)")
        build_process.kill()
        build_process.wait()
        with open_store(own_dir, readonly=True) as conn:
            assert conn.execute("SELECT count(*), max(id) FROM reports").fetchone() == before
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        _, alive = psutil.wait_procs(children, timeout=10)  # the comparison follows its build
        assert not alive
    journal.write_text(original, encoding="utf-8")
    assert build(own_dir)["reports"] == before[0]  # and the next build clears the leftovers
    assert not list(own_dir.glob("archive.sqlite.*.tmp*"))


def _many(folder: Path, source: Path, copies: int, bodies: int = 4) -> list[str]:
    """Journal lines: the records of `source` under new names, `copies` times: `bodies`
    issuers each, in as many years as it takes, a character of each long paragraph changed
    per copy."""
    records = [json.loads(line) for line in source.read_text("utf-8").splitlines() if line]
    lines = []
    for k in range(copies):
        for record in records:
            record = json.loads(json.dumps(record))
            meta = ((record.get("audit") or {}).get("metadata")) or {}
            if meta.get("issuer"):
                meta["issuer"] = f"{meta['issuer']}第{k % bodies}分局"
            if meta.get("year"):
                meta["year"] += k // bodies
            text = list(record.get("text") or "")  # one character changed: near, not equal
            for p in record.get("paragraphs") or []:
                if p["end"] - p["start"] > 70:
                    text[p["start"] + 30] = "甲乙丙丁戊己庚辛壬癸子丑"[k % 12]
            record["text"] = "".join(text)
            lines.append(json.dumps({**record, "source": f"{k}/{record['source']}"}) + "\n")
    return lines


def _grow(journal: Path, lines: list[str]) -> None:
    """Append journal lines, as a batch run adds its records."""
    with journal.open("a", encoding="utf-8") as out:
        out.write("".join(lines))


def _plain(value: Any) -> Any:
    """An array as a list that compares equal to an equal one (NaN as None)."""
    if not hasattr(value, "tolist"):
        return value
    return (
        [None if x != x else x for x in value.tolist()]
        if value.dtype.kind == "f"
        else value.tolist()
    )


def _snapshot(folder: Path) -> dict[str, list[tuple]]:
    """Every table a reader sees, and the comparison's state, as rows."""
    with open_store(folder, readonly=True) as conn:
        tables = ["reports", "paragraphs", "sentences", "problems", "plans", "figures"]
        tables += ["comparison"]
        out = {
            t: [tuple(r) for r in conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2")] for t in tables
        }
        stats = dict(conn.execute("SELECT key, value FROM stats").fetchall())
        # The state as what it holds: a build that went on appended its arrays' new rows in
        # pieces of their own.
        loaded = comparing.load_state(conn)
        assert loaded is not None
        state, through = loaded
        out["compare_state"] = [(through,)] + [
            (part, name, _plain(value))
            for part, values in sorted(state.items())
            for name, value in sorted(values.items())
        ]
    status = json.loads(stats.pop("compare_status"))
    out["stats"] = sorted(stats.items()) + [("state", status["state"])]
    return out


def test_a_build_that_takes_in_added_records_gives_the_store_of_a_full_build(
    own_dir: Path,
) -> None:
    journal = own_dir / "results.jsonl"
    lines = _many(own_dir, journal, 12)
    journal.write_text("".join(lines[:40]), encoding="utf-8")
    assert build(own_dir)["mode"] == "rebuild"
    _grow(journal, lines[40:])
    counts = build(own_dir)
    assert (counts["mode"], counts["added"], counts["compare"]) == ("extend", len(lines) - 40, True)
    extended = _snapshot(own_dir)
    assert build(own_dir, full=True)["mode"] == "rebuild"
    rebuilt = _snapshot(own_dir)
    for table in rebuilt:
        assert extended[table] == rebuilt[table], table
    kinds = Counter(row[0] for row in rebuilt["comparison"])
    assert kinds["shared"]  # the copies' paragraphs are found shared between their bodies
    assert kinds["clusters"] and kinds["recurring"] and kinds["recurring_issuers"]
    assert build(own_dir)["added"] == 0  # nothing new: nothing stored, nothing compared


def test_a_comparison_killed_while_going_on_keeps_the_new_reports(
    own_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = own_dir / "results.jsonl"
    lines = _many(own_dir, journal, 4)
    journal.write_text("".join(lines[:10]), encoding="utf-8")
    build(own_dir)
    _grow(journal, lines[10:])
    monkeypatch.setattr(Comparison, "finish", _killed)  # the comparison process is forked
    counts = build(own_dir)
    assert (counts["mode"], counts["added"], counts["compare"]) == (
        "extend",
        len(lines) - 10,
        False,
    )
    assert "-9" in counts["compare_status"]["reason"]
    with open_store(own_dir, readonly=True) as conn:
        assert query.list_reports(conn)["total"] == len(lines)  # the rows are in, and served
        assert query.stats(conn)["compare_status"]["state"] == "failed"
    monkeypatch.undo()
    assert build(own_dir)["mode"] == "rebuild"  # a failed comparison is not gone on from
    with open_store(own_dir, readonly=True) as conn:
        assert query.stats(conn)["compare_status"]["state"] == "ok"


def test_a_replaced_report_makes_the_build_start_anew(own_dir: Path) -> None:
    journal = own_dir / "results.jsonl"
    build(own_dir)
    first = journal.read_text("utf-8").splitlines(keepends=True)[0]
    with journal.open("a", encoding="utf-8") as out:
        out.write(first)
    assert build(own_dir)["mode"] == "rebuild"


@pytest.mark.slow
def test_a_dask_cluster_compares_as_one_machine_does(own_dir: Path) -> None:
    distributed = pytest.importorskip("distributed")
    journal = own_dir / "results.jsonl"
    lines = _many(own_dir, journal, 8)
    journal.write_text("".join(lines[:30]), encoding="utf-8")
    build(own_dir)
    _grow(journal, lines[30:])
    build(own_dir)  # a build, then one that takes in the rest
    alone = _snapshot(own_dir)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        from distributed.diagnostics.task_stream import TaskStreamPlugin

        stream = TaskStreamPlugin(cluster.scheduler)
        cluster.scheduler.add_plugin(stream)
        address = cluster.scheduler_address
        journal.write_text("".join(lines[:30]), encoding="utf-8")
        assert build(own_dir, scheduler=address, full=True)["compare"] is True
        _grow(journal, lines[30:])
        counts = build(own_dir, scheduler=address)
        assert (counts["mode"], counts["compare"]) == ("extend", True)
    names = {str(task["key"]).split("-")[0] for task in stream.buffer}
    assert names >= {"passage_keys", "pair_jaccards"}  # the heavy work went to the cluster
    on_dask = _snapshot(own_dir)
    for table in alone:
        assert on_dask[table] == alone[table], table


def test_a_state_that_goes_on_appends_only_the_new_rows_of_its_growing_arrays() -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE compare_state (name TEXT PRIMARY KEY, value BLOB NOT NULL)")

    def state(n: int, root: int) -> dict[str, Any]:
        return {
            "passages": {"keys": np.arange(n * 2).reshape(n, 2), "root": np.full(3, root)},
            "problems": {"items": np.arange(n), "issuers": ["甲局"]},
        }

    comparing.save_state(conn, state(4, 0), 10)
    growing = {"passages": frozenset({"keys"}), "problems": frozenset({"items"})}
    comparing.save_state(conn, state(7, 1), 20, growing)
    names = [name for (name,) in conn.execute("SELECT name FROM compare_state ORDER BY name")]
    assert names.count("passages.keys#000000") == 1 and "passages.keys#000001" in names
    assert "passages.root#000001" not in names  # rewritten whole, in one piece
    loaded, through = comparing.load_state(conn)
    assert through == 20 and loaded["problems"]["issuers"] == ["甲局"]
    for part, values in state(7, 1).items():
        for name, value in values.items():
            assert np.array_equal(loaded[part][name], value), name
    with pytest.raises(ValueError, match="fewer than"):
        comparing.save_state(conn, state(2, 1), 30, growing)
