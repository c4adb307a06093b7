"""`fzreport serve`: the app under gunicorn (or Flask's dev server with --dev).

The server itself lives in `service.gunicorn_app`, imported only when this command runs.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any, TextIO

from model.persist import ModelError
from service import common


def cmd_serve(args: argparse.Namespace, out: TextIO) -> int:
    from service.gunicorn_app import ServeApplication, configure_logging, gunicorn_options

    configure_logging(logging.WARNING if args.quiet else logging.INFO)
    overrides: dict[str, Any] = {}
    if args.model is not None:
        overrides["MODEL_PATH"] = str(args.model)
    if args.archive is not None:
        import sqlite3

        from service.archive.store import SCHEMA_VERSION, StoreError, upgrade

        try:  # a store left by an older version is migrated once, before any worker reads it
            version = upgrade(args.archive)
        except (StoreError, sqlite3.Error) as exc:
            print(f"fzreport serve: {exc}", file=sys.stderr)
            return 1
        if version < SCHEMA_VERSION:
            print(
                f"fzreport serve: {args.archive}: archive migrated from schema version "
                f"{version} to {SCHEMA_VERSION}",
                file=sys.stderr,
            )
        overrides["ARCHIVE_DIR"] = str(args.archive)
    if args.review_token:
        overrides["REVIEW_TOKEN"] = args.review_token
    if args.rules is not None:
        from model.audit.deadlines import RulesError, load_rules

        try:  # checked here too, so a bad file is one line before any worker starts
            load_rules(args.rules)
        except RulesError as exc:
            print(f"fzreport serve: {exc}", file=sys.stderr)
            return 1
        overrides["AUDIT_RULES"] = args.rules
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
        type=common.count,
        default=2,
        help="worker processes (default 2; one per core)",
    )
    # One thread: the work is CPU-bound under the GIL, and a second thread in the same worker
    # costs CPU per request (measured 9.3 ms with one thread, 11-17 ms with two to four).
    p.add_argument("--threads", type=common.count, default=1, help="threads per worker (default 1)")
    p.add_argument(
        "--timeout", type=common.count, default=30, help="seconds before a stuck worker dies"
    )
    p.add_argument(
        "--rules", default=None, metavar="FILE", help="audit deadline rules (TOML; default bundled)"
    )
    p.add_argument(
        "--archive",
        type=Path,
        default=None,
        metavar="DIR",
        help="also serve the archive of a batch folder (see `fzreport archive build`)",
    )
    p.add_argument(
        "--review-token",
        default=None,
        metavar="TOKEN",
        help="let reviewers who send this token correct the archive's findings (or set "
        "FZREPORT_REVIEW_TOKEN); without it the archive is read-only",
    )
    p.add_argument("--dev", action="store_true", help="Flask's development server instead")
    p.add_argument("--quiet", action="store_true", help="no access log lines")
    common.add_model_flag(p, "$FZREPORT_MODEL_PATH, $FZREPORT_MODEL or the cache bundle")
    p.set_defaults(func=cmd_serve)
