"""HTTP benchmark: `fzreport serve` on loopback under keep-alive clients posting to /v1/analyse.

    python benchmarks/bench_http.py                 # 60 s, 16 clients, 2 workers
    python benchmarks/bench_http.py --seconds 20 --json out/bench_http.json

Prints requests/s, latency percentiles, errors, per-worker RSS and the time from start to the
first 200 from /readyz. Loopback only and bounded in time; the server is always stopped.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_REPORT = ROOT / "seeds" / "003_5c5bdc2152d9c680.txt"


@dataclass
class ClientStats:
    """What one client thread saw during the measured window."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)

    def error(self, kind: str) -> None:
        self.errors += 1
        self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(port: int, process: subprocess.Popen[bytes], limit: float) -> float:
    """Seconds until /readyz answers 200 (polled every 20 ms)."""
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with status {process.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/readyz")
            if conn.getresponse().status == 200:
                conn.close()
                return time.perf_counter() - started
            conn.close()
        except OSError:
            pass
        time.sleep(0.02)
    raise RuntimeError(f"server not ready after {limit:.0f}s")


def client(port: int, body: bytes, start_at: float, stop_at: float, stats: ClientStats) -> None:
    """One keep-alive connection posting back to back; only requests sent after start_at count."""
    headers = {"Content-Type": "application/json", "Connection": "keep-alive"}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    while (now := time.perf_counter()) < stop_at:
        try:
            conn.request("POST", "/v1/analyse", body=body, headers=headers)
            response = conn.getresponse()
            payload = response.read()
            elapsed = time.perf_counter() - now
            if now >= start_at:
                if response.status == 200 and payload.startswith(b"{"):
                    stats.latencies.append(elapsed)
                else:
                    stats.error(f"HTTP {response.status}")
            if response.will_close:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        except (OSError, http.client.HTTPException) as exc:
            if now >= start_at:
                stats.error(type(exc).__name__)
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.close()


def sample_memory(pid: int, stop: threading.Event, peaks: dict[int, float]) -> None:
    """Peak RSS (MB) of the gunicorn master and each worker, sampled every 0.5 s."""
    master = psutil.Process(pid)
    while not stop.is_set():
        try:
            for proc in [master, *master.children(recursive=True)]:
                rss = proc.memory_info().rss / 2**20
                peaks[proc.pid] = max(peaks.get(proc.pid, 0.0), rss)
        except psutil.Error:
            pass
        stop.wait(0.5)


def server_cpu_seconds(pid: int) -> float:
    """User + system CPU of the master and its workers so far."""
    total = 0.0
    master = psutil.Process(pid)
    for proc in [master, *master.children(recursive=True)]:
        try:
            times = proc.cpu_times()
            total += times.user + times.system
        except psutil.Error:
            pass
    return total


def serve_argv(port: int, *options: str) -> list[str]:
    """`fzreport serve` on a loopback port, run by this interpreter, with more `options`."""
    return [sys.executable, "-m", "service.cli", "serve", "--host", "127.0.0.1", "--port"] + [
        str(port),
        *options,
    ]


def stop_server(process: subprocess.Popen[bytes]) -> int:
    """Stop a server as an operator would (SIGTERM), killing it after a minute; its status."""
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def build_model(directory: Path) -> Path:
    """A bundle trained on the seeds (no cross-validation), outside the timed part."""
    sys.path.insert(0, str(ROOT))
    from training.train import build_bundle

    path = directory / "model.joblib"
    build_bundle(ROOT / "seeds", path, run_evaluation=False, show=False)
    return path


def run(args: argparse.Namespace) -> dict[str, Any]:
    text = args.report.read_text(encoding="utf-8")[: args.chars]
    body = json.dumps({"text": text}, ensure_ascii=False).encode("utf-8")
    with tempfile.TemporaryDirectory(prefix="fzreport-bench-") as tmp:
        model = args.model or build_model(Path(tmp))
        port = free_port()
        log_path = Path(tmp) / "server.log"
        command = serve_argv(
            port,
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
            "--model",
            str(model),
        )
        if args.quiet:
            command.append("--quiet")
        env = os.environ | {"PYTHONPATH": str(ROOT)}
        with log_path.open("wb") as log:
            process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=log, env=env)
        try:
            ready = wait_ready(port, process, limit=120)
            peaks: dict[int, float] = {}
            stop = threading.Event()
            sampler = threading.Thread(target=sample_memory, args=(process.pid, stop, peaks))
            sampler.start()
            start_at = time.perf_counter() + args.warmup
            stop_at = start_at + args.seconds
            stats = [ClientStats() for _ in range(args.clients)]
            threads = [
                threading.Thread(target=client, args=(port, body, start_at, stop_at, s))
                for s in stats
            ]
            load_before = os.getloadavg()[0]
            for t in threads:
                t.start()
            time.sleep(max(0.0, start_at - time.perf_counter()))
            cpu_start = server_cpu_seconds(process.pid)
            for t in threads:
                t.join()
            cpu_used = server_cpu_seconds(process.pid) - cpu_start
            load_after = os.getloadavg()[0]
            stop.set()
            sampler.join()
            workers = {p.pid for p in psutil.Process(process.pid).children(recursive=True)}
        finally:
            exit_status = stop_server(process)
        latencies = [x for s in stats for x in s.latencies]
        kinds: dict[str, int] = {}
        for s in stats:
            for kind, n in s.error_kinds.items():
                kinds[kind] = kinds.get(kind, 0) + n
        return {
            "seconds": args.seconds,
            "clients": args.clients,
            "workers": args.workers,
            "threads": args.threads,
            "report_chars": len(text),
            "requests": len(latencies),
            "requests_per_s": round(len(latencies) / args.seconds, 1),
            "latency_ms": {
                "p50": round(percentile(latencies, 50) * 1000, 1),
                "p95": round(percentile(latencies, 95) * 1000, 1),
                "p99": round(percentile(latencies, 99) * 1000, 1),
                "mean": round(statistics.fmean(latencies) * 1000, 1) if latencies else None,
                "max": round(max(latencies) * 1000, 1) if latencies else None,
            },
            # Server CPU per request does not depend on what else runs on the machine: with
            # `cores` idle cores the server cannot exceed cores / cpu_ms_per_request requests/s.
            "cpu_ms_per_request": round(cpu_used / len(latencies) * 1000, 1) if latencies else None,
            "cpu_bound_requests_per_s": (
                round(psutil.cpu_count() * len(latencies) / cpu_used, 1) if cpu_used else None
            ),
            "cores": psutil.cpu_count(),
            "load_average": {"before": round(load_before, 2), "after": round(load_after, 2)},
            "errors": sum(s.errors for s in stats),
            "error_kinds": kinds,
            "ready_s": round(ready, 2),
            "rss_mb": {
                "master": round(peaks.get(process.pid, 0.0), 1),
                "workers": [round(peaks[pid], 1) for pid in sorted(workers) if pid in peaks],
            },
            "server_exit_status": exit_status,
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="measured duration")
    parser.add_argument("--warmup", type=float, default=3.0, help="unmeasured lead-in seconds")
    parser.add_argument("--clients", type=int, default=16, help="keep-alive client connections")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="threads per worker")
    parser.add_argument("--report", type=Path, default=DEFAULT_REPORT)
    parser.add_argument("--chars", type=int, default=4000, help="characters of the report sent")
    parser.add_argument("--model", type=Path, default=None, help="bundle (default: train one)")
    parser.add_argument("--quiet", action="store_true", help="server without access log lines")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)

    result = run(args)
    lat = result["latency_ms"]
    print(
        f"fzreport serve --workers {result['workers']} (threads {result['threads']}), "
        f"{result['clients']} keep-alive clients, POST /v1/analyse, "
        f"{result['report_chars']}-char report, {result['seconds']:.0f} s"
    )
    print(f"  requests/s      {result['requests_per_s']:.1f}  ({result['requests']} requests)")
    print(
        f"  latency ms      p50 {lat['p50']}  p95 {lat['p95']}  p99 {lat['p99']}  max {lat['max']}"
    )
    print(f"  errors          {result['errors']} {result['error_kinds'] or ''}")
    print(
        f"  server CPU      {result['cpu_ms_per_request']} ms per request; "
        f"{result['cores']} idle cores would cap it at {result['cpu_bound_requests_per_s']} req/s"
    )
    load = result["load_average"]
    print(f"  load average    {load['before']} before, {load['after']} after (1 min)")
    rss = result["rss_mb"]
    workers = ", ".join(f"{x:.0f}" for x in rss["workers"])
    print(f"  peak RSS MB     master {rss['master']:.0f}; workers {workers}")
    print(f"  ready after     {result['ready_s']:.2f} s")
    print(f"  server exit     {result['server_exit_status']} after SIGTERM")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0 if result["errors"] == 0 and result["server_exit_status"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
