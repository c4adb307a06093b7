"""`fzreport batch` through `main(argv)`: records, outputs, exit codes, resuming."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pytest

from model.summary.base import Budget
from service.cli import main
from service.journal import load_journal
from tests.conftest import make_reports, modules_after

RECORD_KEYS = {"source", "sha256", "encoding", "chars", "status", "sentences", "sections"} | {
    "figures",
    "keywords",
}


def _records(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "results.jsonl").read_text("utf-8").splitlines()]


def _batch(inputs: list[Path], out: Path, model: Path, *extra: str) -> int:
    args = ["batch", *map(str, inputs), "--out", str(out), "--model", str(model), "--workers", "1"]
    return main([*args, *extra])


@pytest.fixture
def mixed(tmp_path: Path, seed_list: list[str]) -> Path:
    """A folder of reports in every supported form, with a few bad files and a hostile zip."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "gbk.txt").write_bytes(seed_list[0].encode("gb18030"))
    body = f"<div id='zoom'><p>{seed_list[1][:800]}</p></div>"
    page = f"<html><body><nav>首页</nav>{body}</body></html>"
    (folder / "page.html").write_bytes(page.encode("utf-8"))
    document = docx.Document()
    for line in seed_list[2].splitlines()[:30]:
        document.add_paragraph(line)
    document.save(folder / "report.docx")
    (folder / "corrupt.docx").write_bytes(b"PK\x03\x04 damaged")
    (folder / "empty.txt").write_bytes(b"")
    with zipfile.ZipFile(folder / "archive.zip", "w") as archive:
        archive.writestr("ok/seed3.txt", seed_list[3])
        archive.writestr("../escape.txt", seed_list[4])
    return folder


def test_mixed_folder_gives_one_record_per_document(
    mixed: Path, tmp_path: Path, model_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert _batch([mixed], out, model_path) == 1
    assert len(_records(out)) == 7
    by_name = {r["source"].rsplit("/", 1)[-1]: r for r in _records(out)}
    for name in ("gbk.txt", "page.html", "report.docx", "seed3.txt"):
        record = by_name[name]
        assert record["status"] == "ok", record.get("error")
        assert record.keys() >= RECORD_KEYS
        assert record["sentences"] and record["sections"] and record["chars"] > 0
        assert len(record["sha256"]) == 64
    assert by_name["gbk.txt"]["encoding"] == "gb18030"
    assert by_name["report.docx"]["encoding"] == "docx"
    for name, reason in (
        ("corrupt.docx", "docx"),
        ("empty.txt", "empty"),
        ("escape.txt", "escapes"),
    ):
        record = by_name[name]
        assert record["status"] == "error"
        assert reason in record["error"] and "\n" not in record["error"]
    err = capsys.readouterr().err
    assert "4 ok, 3 errors, 0 skipped" in err


def test_all_ok_exits_zero_and_writes_csv_and_html(
    tmp_path: Path, seed_list: list[str], model_path: Path
) -> None:
    folder = tmp_path / "in"
    make_reports(folder, seed_list, 3)
    (folder / "xss.txt").write_text("<script>alert(1)</script>全年办理案件131件。", "utf-8")
    out = tmp_path / "out"
    assert _batch([folder], out, model_path, "--format", "jsonl,csv,html", "--max-chars", "80") == 0
    records = _records(out)
    assert len(records) == 4
    assert all(sum(len(s["text"]) for s in r["sentences"]) <= 80 for r in records)
    with (out / "results.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [row["source"] for row in rows] == [r["source"] for r in records]
    assert rows[0]["summary"] == "".join(s["text"] for s in records[0]["sentences"])
    page = (out / "index.html").read_text("utf-8")
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)" in page
    assert 'href="#r1"' in page and 'id="r4"' in page


def test_rerun_skips_finished_documents_and_redoes_changed_ones(
    tmp_path: Path, seed_list: list[str], model_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = make_reports(tmp_path / "in", seed_list, 4)
    out = tmp_path / "out"
    assert _batch([tmp_path / "in"], out, model_path) == 0
    first = _records(out)
    capsys.readouterr()
    assert _batch([tmp_path / "in"], out, model_path) == 0
    assert _records(out) == first
    assert "0 ok, 0 errors, 4 skipped" in capsys.readouterr().err
    paths[0].write_text(seed_list[4], encoding="utf-8")
    assert _batch([tmp_path / "in"], out, model_path) == 0
    assert len(_records(out)) == 5
    assert "1 ok, 0 errors, 3 skipped" in capsys.readouterr().err


def test_torn_last_line_is_repaired_before_resuming(
    tmp_path: Path, seed_list: list[str], model_path: Path
) -> None:
    make_reports(tmp_path / "in", seed_list, 3)
    out = tmp_path / "out"
    assert _batch([tmp_path / "in"], out, model_path) == 0
    lines = (out / "results.jsonl").read_text("utf-8").splitlines(keepends=True)
    torn = lines[0] + lines[1] + lines[2][: len(lines[2]) // 2]
    (out / "results.jsonl").write_text(torn, encoding="utf-8")
    assert _batch([tmp_path / "in"], out, model_path) == 0
    records = _records(out)
    assert sorted(r["source"] for r in records) == sorted(
        json.loads(line)["source"] for line in lines
    )
    assert load_journal(out / "results.jsonl") == records


def test_force_starts_over(tmp_path: Path, seed_list: list[str], model_path: Path) -> None:
    make_reports(tmp_path / "in", seed_list, 2)
    out = tmp_path / "out"
    assert _batch([tmp_path / "in"], out, model_path) == 0
    assert _batch([tmp_path / "in"], out, model_path, "--force") == 0
    assert len(_records(out)) == 2


def test_previous_errors_still_fail_a_resumed_run(tmp_path: Path, model_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "bad.docx").write_bytes(b"junk")
    out = tmp_path / "out"
    assert _batch([tmp_path / "in"], out, model_path) == 1
    assert _batch([tmp_path / "in"], out, model_path) == 1
    assert len(_records(out)) == 1


def test_archives_inside_a_tar_gz(tmp_path: Path, seed_list: list[str], model_path: Path) -> None:
    import tarfile

    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        archive.writestr("b.txt", seed_list[1])
    path = tmp_path / "reports.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        for name, data in (("a.txt", seed_list[0].encode()), ("inner.zip", inner.getvalue())):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    out = tmp_path / "out"
    assert _batch([path], out, model_path) == 0
    assert [r["source"] for r in _records(out)] == [f"{path}::a.txt", f"{path}::inner.zip::b.txt"]


@pytest.mark.parametrize(
    "extra",
    [
        ["--max-chars", "10", "--max-sentences", "2"],
        ["--format", "pdf"],
        ["--workers", "0"],
        ["--max-chars", "-1"],
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, model_path: Path, extra: list[str]) -> None:
    (tmp_path / "a.txt").write_text("全年办理案件131件。", encoding="utf-8")
    assert _batch([tmp_path / "a.txt"], tmp_path / "out", model_path, *extra) == 2


def test_missing_input_exits_2(tmp_path: Path, model_path: Path) -> None:
    assert _batch([tmp_path / "nowhere"], tmp_path / "out", model_path) == 2
    assert not (tmp_path / "out").exists()


def test_missing_out_flag_exits_2(tmp_path: Path) -> None:
    assert main(["batch", str(tmp_path)]) == 2


def test_unusable_model_fails_once_without_records(
    tmp_path: Path, seed_list: list[str], model_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:

    def broken(*args: object, **kwargs: object) -> None:
        raise AttributeError("'SectionClassifier' object has no attribute 'weights_'")

    monkeypatch.setattr("model.analyse.analyse", broken)
    make_reports(tmp_path / "in", seed_list, 2)
    out = tmp_path / "out"
    assert _batch([tmp_path / "in"], out, model_path) == 1
    assert load_journal(out / "results.jsonl") == []


def test_a_worker_loads_the_model_once(
    model_path: Path, seed_list: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import service.batch
    from model import persist

    loads: list[str] = []
    load = persist.load

    def counting_load(path: str) -> persist.Bundle:
        loads.append(path)
        return load(path)

    monkeypatch.setattr(service.batch, "_MODELS", {})
    monkeypatch.setattr(service.batch.persist, "load", counting_load)
    budget = Budget(max_sentences=2)
    for i, text in enumerate(seed_list[:3]):
        record = service.batch.summarise_file(f"r{i}.txt", text.encode(), str(model_path), budget)
        assert record["status"] == "ok", record.get("error")
        assert len(record["sentences"]) <= 2
    assert loads == [str(model_path)]


def test_an_output_folder_inside_the_input_is_not_read_back(
    tmp_path: Path, seed_list: list[str], model_path: Path
) -> None:
    make_reports(tmp_path, seed_list, 2)
    out = tmp_path / "out"
    assert _batch([tmp_path], out, model_path, "--format", "jsonl,html") == 0
    assert _batch([tmp_path], out, model_path, "--format", "jsonl,html") == 0
    assert [Path(r["source"]).name for r in _records(out)] == ["report_000.txt", "report_001.txt"]


def test_two_forked_workers_give_the_records_of_one(
    mixed: Path, tmp_path: Path, model_path: Path
) -> None:
    assert _batch([mixed], tmp_path / "one", model_path) == 1
    assert _batch([mixed], tmp_path / "two", model_path, "--workers", "2") == 1
    assert _records(tmp_path / "two") == _records(tmp_path / "one")


def test_forked_workers_inherit_the_loaded_model(
    tmp_path: Path, seed_list: list[str], model_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    import service.batch

    client, load = os.getpid(), service.batch.persist.load

    def load_in_client_only(path: str) -> object:
        if os.getpid() != client:
            raise AssertionError(f"worker {os.getpid()} loaded {path} again")
        return load(path)

    monkeypatch.setattr(service.batch, "_MODELS", {})
    monkeypatch.setattr(service.batch.persist, "load", load_in_client_only)
    make_reports(tmp_path / "in", seed_list, 5)
    out = tmp_path / "out"
    assert _batch([tmp_path / "in"], out, model_path, "--workers", "2") == 0
    assert [r["status"] for r in _records(out)] == ["ok"] * 5


def test_a_second_batch_on_the_same_output_is_refused(
    tmp_path: Path, seed_list: list[str], model_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_reports(tmp_path / "in", seed_list, 1)
    out = tmp_path / "out"
    out.mkdir()
    holder = subprocess.Popen(  # another process holds the output folder's lock
        [
            sys.executable,
            "-c",
            "import fcntl, sys; f = open(sys.argv[1], 'w'); fcntl.lockf(f, fcntl.LOCK_EX); "
            "print('locked', flush=True); sys.stdin.read()",
            str(out / ".lock"),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        assert _batch([tmp_path / "in"], out, model_path) == 2
        assert "another batch is writing" in capsys.readouterr().err
    finally:
        holder.communicate("")
    assert _batch([tmp_path / "in"], out, model_path) == 0


def _python(code: str, *argv: str) -> subprocess.CompletedProcess[str]:
    """`python -c code argv…` in a fresh interpreter; a hang fails the test after two minutes."""
    return subprocess.run(
        [sys.executable, "-c", code, *argv], capture_output=True, text=True, timeout=120
    )


def test_workers_fork_from_a_single_threaded_client(
    tmp_path: Path, seed_list: list[str], model_path: Path
) -> None:
    """No thread of the client (a progress monitor …) is copied, holding a lock, into a worker."""
    make_reports(tmp_path / "in", seed_list, 3)
    code = (
        "import os, sys, threading\n"
        "seen = []\n"
        "os.register_at_fork(before=lambda: seen.append(threading.active_count()))\n"
        "from service.cli import main\n"
        "status = main(sys.argv[1:])\n"
        "print(status, seen)\n"
    )
    argv = ["batch", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--workers", "2"]
    out = _python(code, *argv, "--model", str(model_path))
    assert out.returncode == 0, out.stderr
    status, forks = out.stdout.split(" ", 1)
    assert status == "0"
    assert forks.strip() == "[1, 1]"  # two workers, each forked with only the main thread alive


def test_a_run_stopped_by_the_client_ends_its_workers(
    tmp_path: Path, seed_list: list[str], model_path: Path
) -> None:
    """Results stream from the pool; a failure in the client closes it, hanging on nothing."""
    make_reports(tmp_path / "in", seed_list, 12)
    code = (
        "import multiprocessing, sys\n"
        "import service.batch as batch\n"
        "written = []\n"
        "def append(self, line):\n"
        "    written.append(line)\n"
        "    if len(written) == 3:\n"
        "        raise OSError('disk full')\n"
        "batch.Journal.append = append\n"
        "from pathlib import Path\n"
        "try:\n"
        "    batch.run_batch([Path(sys.argv[1])], Path(sys.argv[2]), sys.argv[3], workers=2)\n"
        "except OSError as exc:\n"
        "    print(exc, len(written), multiprocessing.active_children())\n"
    )
    out = _python(code, str(tmp_path / "in"), str(tmp_path / "out"), str(model_path))
    assert out.stdout.strip() == "disk full 3 []", out.stderr


def test_the_closing_line_separates_start_up_from_throughput(
    tmp_path: Path, seed_list: list[str], model_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import re

    make_reports(tmp_path / "in", seed_list, 3)
    assert _batch([tmp_path / "in"], tmp_path / "out", model_path) == 0
    line = capsys.readouterr().err.strip().splitlines()[-1]
    assert re.fullmatch(
        r"batch: 3 ok, 0 errors, 0 skipped \(already done\) in [0-9.]+ s "
        r"\(start-up [0-9.]+ s, then [0-9.]+ docs/s\) -> .*results\.jsonl",
        line,
    ), line
    assert _batch([tmp_path / "in"], tmp_path / "out", model_path) == 0
    line = capsys.readouterr().err.strip().splitlines()[-1]
    assert re.fullmatch(
        r"batch: 0 ok, 0 errors, 3 skipped \(already done\) in [0-9.]+ s -> .*", line
    ), line


def test_a_worker_killed_by_the_system_ends_the_run_and_resume_finishes(
    tmp_path: Path,
    seed_list: list[str],
    model_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """An OOM-killed worker must not hang the run: it stops with a message, resume completes."""
    import os
    import signal

    import service.batch

    summarise_file = service.batch.summarise_file

    def killed_on_the_fifth(source: str, *args: object) -> dict[str, object]:
        if source.endswith("report_005.txt"):
            os.kill(os.getpid(), signal.SIGKILL)
        return summarise_file(source, *args)  # type: ignore[arg-type]

    make_reports(tmp_path / "in", seed_list, 12)
    out = tmp_path / "out"
    monkeypatch.setattr(service.batch, "summarise_file", killed_on_the_fifth)
    assert _batch([tmp_path / "in"], out, model_path, "--workers", "2") == 1
    assert "a worker process died" in capsys.readouterr().err
    kept = [Path(r["source"]).name for r in _records(out)]
    assert "report_005.txt" not in kept and len(kept) < 12
    monkeypatch.setattr(service.batch, "summarise_file", summarise_file)
    assert _batch([tmp_path / "in"], out, model_path, "--workers", "2") == 0
    names = sorted(Path(r["source"]).name for r in _records(out))
    assert names == [f"report_{i:03d}.txt" for i in range(12)]


def test_a_batch_runs_without_scikit_learn(
    tmp_path: Path, seed_list: list[str], model_path: Path
) -> None:
    # One worker: the client analyses the documents itself, as forked workers would.
    make_reports(tmp_path / "in", seed_list, 3)
    code = "import sys\nfrom service.cli import main\nassert main(sys.argv[1:]) == 0"
    argv = ["batch", tmp_path / "in", "--out", tmp_path / "out", "--workers", "1"]
    loaded = modules_after(tmp_path, code, *argv, "--model", model_path)
    assert {"numpy", "rjieba", "joblib"} <= loaded
    assert not loaded & {"sklearn", "scipy", "jieba", "matplotlib"}
    assert [r["status"] for r in _records(tmp_path / "out")] == ["ok"] * 3
