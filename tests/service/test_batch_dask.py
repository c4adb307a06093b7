"""The same batch on a Dask distributed cluster of worker processes on loopback."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from service.cli import main
from tests.conftest import make_reports

distributed = pytest.importorskip("distributed")
from distributed.diagnostics.task_stream import TaskStreamPlugin  # noqa: E402


@pytest.fixture(scope="module")
def cluster():
    """Two worker processes, as on a two-node cluster; started and stopped by the test.

    Started as docs/batch.md recommends, with `--preload service.batch`.
    """
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        preload=["service.batch"],
    ) as local:
        yield local


@pytest.mark.slow
def test_batch_on_a_dask_cluster_matches_the_local_run(
    cluster, tmp_path: Path, seed_list: list[str], model_path: Path
) -> None:
    folder = tmp_path / "in"
    make_reports(folder, seed_list, 6)
    with zipfile.ZipFile(folder / "archive.zip", "w") as archive:
        archive.writestr("member.txt", seed_list[2])
        archive.writestr("../evil.txt", seed_list[2])
    common = ["batch", str(folder), "--model", str(model_path), "--max-sentences", "3"]
    stream = TaskStreamPlugin(cluster.scheduler)
    cluster.scheduler.add_plugin(stream)

    assert (
        main([*common, "--out", str(tmp_path / "dask"), "--scheduler", cluster.scheduler_address])
        == 1
    )
    assert main([*common, "--out", str(tmp_path / "local"), "--workers", "1"]) == 1

    def records(out: str) -> list[dict]:
        text = (tmp_path / out / "results.jsonl").read_text("utf-8")
        return [json.loads(line) for line in text.splitlines()]

    remote, local = records("dask"), records("local")
    assert len(remote) == 8
    assert remote == local
    # One cluster task per batch of documents: scikit-learn's own joblib calls stay local.
    names = {str(task["key"]).split("-")[0] for task in stream.buffer}
    assert names and all("batch_of_" in name for name in names)
    assert not [name for name in names if "transform" in name or "predict" in name]
    workers = cluster.scheduler_info["workers"]
    assert len(workers) == 2
    # Resuming on the cluster redoes nothing.
    assert (
        main([*common, "--out", str(tmp_path / "dask"), "--scheduler", cluster.scheduler_address])
        == 1
    )
    assert records("dask") == remote


def test_preloaded_workers_have_the_segmenter_ready(cluster) -> None:
    def loaded() -> bool:
        from model.text.segment import _load_segmenter

        return _load_segmenter.cache_info().currsize > 0

    with distributed.Client(cluster) as client:
        assert list(client.run(loaded).values()) == [True, True]
