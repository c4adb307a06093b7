"""Start-up: each command timed as a whole, from the interpreter's start, against `python -c pass`.

    python benchmarks/bench_start.py [--repeat 7] [--json out.json] [--no-compile]

In one run: `python -c pass` (the floor every command pays), `fzreport --help`, `fzreport
classify` of a 4,000-character report with the cache bundle built already, `fzreport
summarise` of 31 reports of 20,000 characters in one call, `fzreport batch` of 300 reports of
4,000 characters with `--workers 2` (bench_batch.py's reports and runner), the first 200 from
`/readyz` after starting `fzreport serve --workers 2` (gunicorn; bench_http.py's helpers), and
the peak RSS of `fzreport summarise` on the longest State Council report. Each figure is the
median of several runs and is also given as a multiple of `python -c pass` measured in the
same run; the floor runs alternate with the help and classify runs, the figures most sensitive
to a busy machine.

Commands run as `python -m service.cli` from this checkout, with a temporary cache folder
($XDG_CACHE_HOME). The project's modules are byte-compiled first (as after the first run of
any install where Python may write its cache; `--no-compile` skips it), so that no run pays
for compiling them.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench_batch import build_reports, cpu_headroom, run_batch
from bench_core import peak_rss_mb
from bench_http import free_port, stop_server, wait_ready

REPO = Path(__file__).resolve().parent.parent
FZREPORT = [sys.executable, "-m", "service.cli"]
PASS = [sys.executable, "-c", "pass"]
COUNCIL = REPO / "seeds" / "background" / "statecouncil.jsonl"


def timed(argv: list[str], env: dict[str, str]) -> float:
    """Seconds one command takes, start to exit (its output discarded)."""
    start = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def alternating(commands: dict[str, list[str]], repeat: int, env: dict[str, str]) -> dict:
    """Each command `repeat` times, round robin, so that a busy spell hits them alike."""
    runs: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, argv in commands.items():
            runs[name].append(timed(argv, env))
    return runs


def ready_after(model: Path, env: dict[str, str]) -> float:
    """Seconds from starting `fzreport serve --workers 2` to its first 200 from /readyz."""
    port = free_port()
    argv = [*FZREPORT, "serve", "--port", str(port), "--workers", "2", "--quiet"]
    start = time.perf_counter()
    process = subprocess.Popen(
        [*argv, "--model", str(model)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_ready(port, process, limit=60)
        return time.perf_counter() - start
    finally:
        stop_server(process)


def median(values: list[float]) -> float:
    return statistics.median(values)


def spread(values: list[float], unit: Callable[[float], str]) -> str:
    return f"median of {len(values)}, {unit(min(values))}–{unit(max(values))}"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def longest_report(folder: Path) -> Path:
    texts = [json.loads(line)["text"] for line in COUNCIL.read_text("utf-8").splitlines() if line]
    path = folder / "longest.txt"
    path.write_text(max(texts, key=len), encoding="utf-8")
    return path


def measure(args: argparse.Namespace, root: Path) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FZREPORT_")}
    env["XDG_CACHE_HOME"] = str(root / "cache")
    bundle = root / "cache" / "fzreport" / "model.joblib"

    short = root / "short"
    build_reports(short, 1, 4000, whole=True)
    report = next(short.glob("*.txt"))
    long_reports = root / "long"
    build_reports(long_reports, 31, 20_000, whole=True)
    long_files = sorted(str(p) for p in long_reports.glob("*.txt"))
    batch_reports = root / "batch"
    build_reports(batch_reports, 300, 4000)

    # The first classify builds the cache bundle from the seeds: not timed.
    subprocess.run([*FZREPORT, "classify", str(report)], env=env, capture_output=True, check=True)
    assert bundle.is_file(), "the cache bundle was not built"

    figures: dict[str, Any] = {
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
        "load_average_at_start": round(os.getloadavg()[0], 2),
        "bytecode_compiled": not args.no_compile,
        "cpu_headroom_2_procs": cpu_headroom(),
    }
    runs = alternating(
        {
            "pass": PASS,
            "help": [*FZREPORT, "--help"],
            "classify": [*FZREPORT, "classify", str(report)],
        },
        args.repeat,
        env,
    )
    summarise_one = [timed([*FZREPORT, "summarise", long_files[0]], env) for _ in range(3)]
    summarise_all = [timed([*FZREPORT, "summarise", *long_files], env) for _ in range(3)]
    batches = [
        run_batch(batch_reports, root / f"out{i}", bundle, "--workers", "2") for i in range(3)
    ]
    batches.sort(key=lambda run: run["reports_per_s"])
    ready = [ready_after(bundle, env) for _ in range(5)]
    pass_rss, _ = peak_rss_mb(PASS)
    longest = longest_report(root)
    rss, code = peak_rss_mb([*FZREPORT, "summarise", str(longest), "--model", str(bundle)])

    floor = median(runs["pass"])
    help_s, classify_s = median(runs["help"]), median(runs["classify"])
    one, many = median(summarise_one), median(summarise_all)
    per_report = many / len(long_files)
    marginal = (many - one) / (len(long_files) - 1)
    batch = batches[len(batches) // 2]
    ready_s = median(ready)
    long_chars = [len(Path(f).read_text("utf-8")) for f in long_files]
    figures |= {
        "pass_s": round(floor, 4),
        "pass_runs_s": [round(x, 4) for x in runs["pass"]],
        "help_s": round(help_s, 4),
        "help_runs_s": [round(x, 4) for x in runs["help"]],
        "classify_s": round(classify_s, 4),
        "classify_runs_s": [round(x, 4) for x in runs["classify"]],
        "classify_chars": len(report.read_text("utf-8")),
        "summarise_reports": len(long_files),
        "summarise_mean_chars": round(statistics.fmean(long_chars)),
        "summarise_one_s": round(one, 4),
        "summarise_all_s": round(many, 4),
        "summarise_per_report_ms": round(per_report * 1000, 1),
        "summarise_each_after_the_first_ms": round(marginal * 1000, 1),
        "batch": batch,
        "batch_runs_reports_per_s": [run["reports_per_s"] for run in batches],
        "ready_s": round(ready_s, 3),
        "ready_runs_s": [round(x, 3) for x in ready],
        "pass_peak_rss_mb": round(pass_rss),
        "summarise_peak_rss_mb": round(rss),
        "summarise_peak_rss_chars": len(longest.read_text("utf-8")),
        "summarise_peak_rss_exit": code,
    }
    return figures


def table(f: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    """(measure, value, × python -c pass, target, verdict) rows."""
    floor = f["pass_s"]
    batch = f["batch"]

    def times(seconds: float) -> str:
        return f"{seconds / floor:.1f}×"

    def verdict(met: bool) -> str:
        return "met" if met else "NOT MET"

    help_s, classify_s = f["help_s"], f["classify_s"]
    return [
        ("python -c pass", f"{ms(floor)} ({spread(f['pass_runs_s'], ms)})", "1.0×", "", ""),
        (
            "fzreport --help",
            f"{ms(help_s)} ({spread(f['help_runs_s'], ms)})",
            times(help_s),
            "≤ 250 ms and ≤ pass + 200 ms",
            verdict(help_s <= 0.25 and help_s - floor <= 0.2),
        ),
        (
            f"fzreport classify, {f['classify_chars']:,} characters, cache bundle built",
            f"{ms(classify_s)} ({spread(f['classify_runs_s'], ms)})",
            times(classify_s),
            "≤ 700 ms",
            verdict(classify_s <= 0.7),
        ),
        (
            f"fzreport summarise, {f['summarise_reports']} reports of "
            f"{f['summarise_mean_chars']:,} characters in one call",
            f"{f['summarise_all_s']:.2f} s: {f['summarise_per_report_ms']:.1f} ms per report, "
            f"{f['summarise_each_after_the_first_ms']:.1f} ms for each after the first "
            f"(one alone {ms(f['summarise_one_s'])})",
            times(f["summarise_all_s"]),
            "≤ 20 ms per report",
            verdict(f["summarise_each_after_the_first_ms"] <= 20),
        ),
        (
            f"fzreport batch, {batch['ok'] + batch['errors']} reports of about 4,000 "
            "characters, --workers 2, whole command",
            f"{batch['seconds']:.2f} s: {batch['reports_per_s']:.1f} reports/s (median of "
            f"{len(f['batch_runs_reports_per_s'])}: {f['batch_runs_reports_per_s']}); printed "
            f"start-up {batch['startup_seconds']:.2f} s, then {batch['run_reports_per_s']} "
            f"reports/s; peak RSS {batch['worker_peak_rss_mb']} MB per worker",
            times(batch["seconds"]),
            "≥ 200 reports/s",
            verdict(batch["reports_per_s"] >= 200),
        ),
        (
            "fzreport serve --workers 2: start to the first 200 from /readyz",
            f"{f['ready_s']:.2f} s ({spread(f['ready_runs_s'], lambda s: f'{s:.2f} s')})",
            times(f["ready_s"]),
            "≤ 1 s",
            verdict(f["ready_s"] <= 1.0),
        ),
        (
            f"peak RSS, fzreport summarise, {f['summarise_peak_rss_chars']:,} characters",
            f"{f['summarise_peak_rss_mb']} MB (python -c pass {f['pass_peak_rss_mb']} MB)",
            f"{f['summarise_peak_rss_mb'] / f['pass_peak_rss_mb']:.1f}× (RSS)",
            "≤ 150 MB",
            verdict(f["summarise_peak_rss_mb"] <= 150 and f["summarise_peak_rss_exit"] == 0),
        ),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs of pass, help and classify")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument("--no-compile", action="store_true", help="leave bytecode as it is")
    args = parser.parse_args()
    os.chdir(REPO)  # `python -m service.cli` then runs this checkout's code
    if not args.no_compile:
        for package in ("model", "service", "training"):
            compileall.compile_dir(REPO / package, quiet=1)
    with tempfile.TemporaryDirectory(prefix="fzreport-bench-") as tmp:
        figures = measure(args, Path(tmp))
    print(
        f"python {figures['python']}, {figures['cpus']} CPUs, load average "
        f"{figures['load_average_at_start']} at start, a plain CPU loop on 2 processes "
        f"{figures['cpu_headroom_2_procs']}× one, bytecode "
        f"{'compiled first' if figures['bytecode_compiled'] else 'as found'}"
    )
    rows = table(figures)
    width = max(len(r[0]) for r in rows)
    for name, value, ratio, target, verdict in rows:
        print(f"{name:<{width}}  {ratio:>12}  {target:<30} {verdict:<8} {value}")
    if args.json:
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
