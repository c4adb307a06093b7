"""`fzreport serve` for real: gunicorn on a loopback port, spoken to over HTTP."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
import requests

from tests.service.conftest import ADMIN_TOKEN, ROOT, SEED_REPORT, copy_bundle, free_port

pytestmark = pytest.mark.slow


def test_serve_answers_and_stops_cleanly_on_sigterm(start_server, bundle_path: Path) -> None:
    server = start_server("--workers", "2", "--model", str(bundle_path))
    text = SEED_REPORT.read_text(encoding="utf-8")
    with requests.Session() as session:  # keep-alive, as real clients do
        for _ in range(3):
            response = session.post(
                f"{server.url}/v1/analyse",
                json={"text": text, "max_chars": 200},
                headers={"X-Request-ID": "serve-test"},
                timeout=30,
            )
            assert response.status_code == 200
            assert response.headers["X-Request-ID"] == "serve-test"
            body = response.json()
            assert sum(len(s["text"]) for s in body["sentences"]) <= 200
            assert {"achievements", "plans"} <= set(body["sections"])
        bad = session.post(f"{server.url}/v1/analyse", data="x", timeout=30)
        assert bad.status_code == 415
        assert bad.json()["error"]["code"] == "unsupported_media_type"
        page = session.get(f"{server.url}/", timeout=30)
        assert "法治政府建设年度报告分析" in page.text

    server.process.send_signal(signal.SIGTERM)
    assert server.process.wait(timeout=60) == 0
    log = server.log()
    access = [json.loads(line) for line in log.splitlines() if '"request_id": "serve-test"' in line]
    assert len(access) == 3
    assert all(a["status"] == 200 and a["path"] == "/v1/analyse" for a in access)
    assert "Traceback" not in log


@pytest.mark.parametrize("mode", [[], ["--dev"]])
def test_serve_refuses_a_bad_bundle(tmp_path: Path, mode: list[str]) -> None:
    missing = tmp_path / "missing.joblib"
    command = [sys.executable, "-m", "service.cli", "serve", "--model", str(missing), *mode]
    done = subprocess.run(
        [*command, "--port", str(free_port())], cwd=ROOT, capture_output=True, timeout=120
    )
    assert done.returncode == 1
    assert b"no model bundle" in done.stderr
    assert b"Traceback" not in done.stderr


def _shas(url: str, tries: int = 8) -> set[str]:
    """Model sha256 seen over fresh connections, so more than one worker answers."""
    return {
        requests.get(f"{url}/v1/model", timeout=30, headers={"Connection": "close"}).json()[
            "model"
        ]["sha256"]
        for _ in range(tries)
    }


def _wait_for(condition, limit: float = 60.0) -> bool:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_reload_reaches_every_worker(
    start_server, tmp_path: Path, bundle_path: Path, other_bundle_path: Path
) -> None:
    served = copy_bundle(bundle_path, tmp_path / "served" / "model.joblib")
    server = start_server(
        "--workers",
        "2",
        "--quiet",
        env={"FZREPORT_MODEL_PATH": str(served), "FZREPORT_ADMIN_TOKEN": ADMIN_TOKEN},
    )
    auth = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    old = requests.get(f"{server.url}/v1/model", timeout=30).json()["model"]["sha256"]

    # A corrupt file is refused and every worker keeps the old model.
    served.write_bytes(b"not a bundle")
    refused = requests.post(f"{server.url}/v1/admin/reload", headers=auth, timeout=60)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "model_invalid"
    assert _shas(server.url) == {old}

    # A good new bundle replaces the model in every worker (gunicorn SIGHUP). Old workers
    # finish gracefully, so until they have exited a request may still meet the old model.
    old_workers = psutil.Process(server.process.pid).children()
    copy_bundle(other_bundle_path, served)
    response = requests.post(f"{server.url}/v1/admin/reload", headers=auth, timeout=60)
    assert response.status_code == 200
    new = response.json()["model"]["sha256"]
    assert new != old
    assert response.json()["workers"] == "restarting"
    assert _wait_for(lambda: not any(w.is_running() for w in old_workers))
    assert _shas(server.url) == {new}
    text = SEED_REPORT.read_text(encoding="utf-8")
    analysed = requests.post(f"{server.url}/v1/analyse", json={"text": text}, timeout=30)
    assert analysed.json()["model"]["sha256"] == new

    server.process.send_signal(signal.SIGTERM)
    assert server.process.wait(timeout=60) == 0


def test_a_stalled_body_times_out_and_frees_the_server(start_server, bundle_path: Path) -> None:
    server = start_server(
        "--workers",
        "1",
        "--threads",
        "2",
        "--quiet",
        "--model",
        str(bundle_path),
        env={"FZREPORT_BODY_TIMEOUT": "1"},
    )
    port = int(server.url.rsplit(":", 1)[1])
    stalled = []
    for _ in range(4):  # more stalled clients than the worker has threads
        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(
            b"POST /v1/analyse HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b'Content-Length: 100\r\n\r\n{"te'
        )
        stalled.append(sock)
    for sock in stalled:
        sock.settimeout(60)
        assert sock.recv(4096).startswith(b"HTTP/1.1 408")
        sock.close()
    assert requests.get(f"{server.url}/healthz", timeout=30).status_code == 200
