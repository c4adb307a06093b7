"""`fzreport serve`: the app under gunicorn (or Flask's dev server with --dev).

The model is loaded once in the gunicorn master (preload) and shared by the forked workers.
SIGTERM stops gracefully (in-flight requests finish); SIGHUP, which POST /v1/admin/reload sends
after verifying a new bundle, makes the master load it once and replace the workers one by one.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from typing import Any, TextIO

from flask import Flask, g, has_request_context
from gunicorn.app.base import BaseApplication

from model.persist import ModelError
from service import args as argtypes

log = logging.getLogger(__name__)


def worker_class(threads: int) -> str:
    """gunicorn worker class: `sync` for one thread per worker, `gthread` for more.

    A sync worker takes a connection only when it is idle, so requests spread evenly over the
    workers; gthread workers accept keep-alive connections eagerly and one worker could end
    up with every client while the other core idles (measured: about half the throughput in
    some runs). With several threads, gthread keeps idle connections in a poller.
    """
    return "sync" if threads == 1 else "gthread"


class JsonFormatter(logging.Formatter):
    """One JSON object per line; access records already carry their JSON as the message."""

    def format(self, record: logging.LogRecord) -> str:
        if record.name == "fzreport.access":
            return record.getMessage()
        entry: dict[str, Any] = {
            "ts": round(record.created, 3),
            "level": record.levelname.lower(),
            "logger": record.name,
            "pid": record.process,
            "message": record.getMessage(),
        }
        if has_request_context():  # ties app log lines to the access line of their request
            entry["request_id"] = g.get("request_id")
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: int = logging.INFO, stream: TextIO | None = None) -> None:
    """JSON lines on stderr for the app's loggers (gunicorn keeps its own error log)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    for name in ("service", "model", "training", "fzreport.access"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(level)
        logger.propagate = False


class ServeApplication(BaseApplication):
    """gunicorn driven from Python, so `fzreport serve` needs no config file or app string."""

    def __init__(self, options: dict[str, Any], overrides: dict[str, Any]) -> None:
        self.options = options
        self.overrides = overrides
        self.previous: Flask | None = None
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        from service.app import create_app

        started = time.perf_counter()
        try:
            app = create_app(self.overrides | {"SERVER_PID": os.getpid()})
        except Exception:
            if self.previous is None:
                raise
            # A bundle that broke after the worker verified it: keep serving the old one.
            log.exception("reload failed; the workers keep the previous model")
            return self.previous
        log.info("app loaded in %.2fs", time.perf_counter() - started)
        self.previous = None  # the old app (and its model) can now be freed
        return app

    def reload(self) -> None:
        """On SIGHUP build the app again (preload would otherwise reuse the old one)."""
        super().reload()
        self.previous = self.callable
        self.callable = None


def gunicorn_options(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "bind": f"{args.host}:{args.port}",
        "workers": args.workers,
        "worker_class": worker_class(args.threads),
        "threads": args.threads,
        "preload_app": True,
        "timeout": args.timeout,
        "graceful_timeout": 20,
        "keepalive": 5,
        "accesslog": None,  # the app writes JSON access lines with request ids instead
        "errorlog": "-",
        "loglevel": "info",
        "proc_name": "fzreport",
    }


def cmd_serve(args: argparse.Namespace, out: TextIO) -> int:
    configure_logging(logging.WARNING if args.quiet else logging.INFO)
    overrides: dict[str, Any] = {}
    if args.model is not None:
        overrides["MODEL_PATH"] = str(args.model)
    if args.dev:
        from service.app import create_app

        try:
            app = create_app(overrides)
        except ModelError as exc:
            print(f"fzreport serve: {exc}", file=sys.stderr)
            return 1
        app.run(host=args.host, port=args.port, threaded=True, use_reloader=False)
        return 0
    ServeApplication(gunicorn_options(args), overrides).run()
    return 0


def register(subparsers: Any) -> None:
    """Add `serve` to the `fzreport` command (service/cli.py calls this)."""
    p = subparsers.add_parser("serve", help="run the HTTP API and web page")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument(
        "--workers",
        type=argtypes.count,
        default=2,
        help="worker processes (default 2; one per core)",
    )
    # One thread: the work is CPU-bound under the GIL, and a second thread in the same worker
    # costs CPU per request (measured 9.3 ms with one thread, 11-17 ms with two to four).
    p.add_argument(
        "--threads", type=argtypes.count, default=1, help="threads per worker (default 1)"
    )
    p.add_argument(
        "--timeout", type=argtypes.count, default=30, help="seconds before a stuck worker dies"
    )
    p.add_argument("--dev", action="store_true", help="Flask's development server instead")
    p.add_argument("--quiet", action="store_true", help="no access log lines")
    argtypes.add_model_flag(p, "$FZREPORT_MODEL_PATH, $FZREPORT_MODEL or the cache bundle")
    p.set_defaults(func=cmd_serve)
