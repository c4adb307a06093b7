"""The gunicorn side of `fzreport serve`: the application object and JSON logging.

Kept apart from the command so that other sub-commands never import gunicorn or Flask.
The model is loaded once in the gunicorn master (preload) and shared by the forked workers.
SIGTERM stops gracefully (in-flight requests finish); SIGHUP, which POST /v1/admin/reload sends
after verifying a new bundle, makes the master load it once and replace the workers one by one.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import sys
import time
from typing import Any, TextIO

from flask import Flask, g, has_request_context
from gunicorn.app.base import BaseApplication

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
        # The workers fork from here: frozen objects (model, dictionary, modules) are never
        # scanned by their garbage collector, which would also copy the shared pages.
        gc.unfreeze()  # an older app frozen here can be collected again
        gc.collect()
        gc.freeze()
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
