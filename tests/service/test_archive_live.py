"""A real `fzreport serve --archive` process answering while another process writes the store."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import requests

from service.archive import store, write
from service.journal import load_journal
from tests.service.conftest import version_2_store


def test_server_reads_while_the_store_is_written(
    start_server, archive_dir: Path, bundle_path: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "arch"
    shutil.copytree(archive_dir, folder)
    records = [r for r in load_journal(folder / "results.jsonl") if r["status"] == "ok"]
    server = start_server("--workers", "2", "--model", str(bundle_path), "--archive", str(folder))
    before = requests.get(f"{server.url}/v1/archive/reports", timeout=30).json()["total"]
    copies = 40
    reading, done = threading.Event(), threading.Event()

    def land() -> None:
        # Like a batch landing records: one transaction each, while the server reads.
        reading.wait(30)
        with store.open_store(folder) as conn:
            for n in range(copies):
                record = records[n % len(records)]
                write.update(conn, [{**record, "source": f"landed/{n}.txt"}])
                time.sleep(0.02)
        done.set()

    writer = threading.Thread(target=land)
    writer.start()
    seen: list[int] = []
    statuses: set[int] = set()
    while not done.is_set() or not seen:
        for path in ("/v1/archive/reports", "/v1/archive/search?q=复议", "/v1/archive/stats"):
            response = requests.get(f"{server.url}{path}", timeout=30)
            statuses.add(response.status_code)
            if path == "/v1/archive/reports":
                seen.append(response.json()["total"])
            reading.set()
    writer.join()
    after = requests.get(f"{server.url}/v1/archive/reports", timeout=30).json()["total"]
    assert statuses == {200}, server.log()
    assert seen == sorted(seen)  # each read sees a committed state, never one going back
    assert len(set(seen)) > 1  # and the reads did happen while the rows landed
    assert before <= seen[0] and seen[-1] <= after == before + copies
    hits = requests.get(f"{server.url}/v1/archive/search?q=复议&limit=100", timeout=30).json()
    assert any(h["source"].startswith("landed/") for h in hits["hits"])


def test_serve_migrates_an_older_store_before_its_workers_read_it(
    start_server, bundle_path: Path, tmp_path: Path
) -> None:
    version_2_store(tmp_path)
    server = start_server("--workers", "2", "--model", str(bundle_path), "--archive", str(tmp_path))
    for _ in range(4):  # each worker reads the migrated store
        hits = requests.get(f"{server.url}/v1/archive/search?q=复议", timeout=30)
        assert hits.status_code == 200 and hits.json()["total"] == 1
    assert "migrated from schema version 2 to" in server.log()
