"""`fzreport serve` pieces that need no running server: options, reload fallback, log format."""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

import pytest
from flask import Flask, g

from service import gunicorn_app as serve
from service.cli import build_parser


def _args(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(["serve", *argv])


def test_serve_flags_and_gunicorn_options() -> None:
    args = _args("--port", "9000", "--workers", "3", "--threads", "2", "--timeout", "15")
    options = serve.gunicorn_options(args)
    assert options["bind"] == "127.0.0.1:9000"
    assert options["workers"] == 3
    assert options["threads"] == 2
    assert options["worker_class"] == "gthread"
    assert options["preload_app"] is True
    assert options["timeout"] == 15
    assert options["graceful_timeout"] > 0
    assert options["accesslog"] is None  # the app writes its own JSON access lines


def test_serve_is_a_fzreport_sub_command(capsys: pytest.CaptureFixture[str]) -> None:
    from service.cli import main

    assert main(["serve", "--help"]) == 0
    help_text = capsys.readouterr().out
    for flag in ("--host", "--port", "--workers", "--dev"):
        assert flag in help_text


@pytest.mark.parametrize("flags", [["--workers", "0"], ["--port", "x"], ["--threads", "-1"]])
def test_serve_rejects_bad_flags(flags: list[str]) -> None:
    with pytest.raises(SystemExit):
        _args(*flags)


def test_master_keeps_the_old_app_when_reload_fails(bundle_path: Path, tmp_path: Path) -> None:
    options = serve.gunicorn_options(_args())
    application = serve.ServeApplication(options, {"MODEL_PATH": str(bundle_path)})
    first = application.wsgi()
    assert isinstance(first, Flask)
    assert first.config["SERVER_PID"]

    application.reload()  # as on SIGHUP: the next wsgi() builds the app again
    second = application.wsgi()
    assert second is not first

    application.overrides = {"MODEL_PATH": str(tmp_path / "gone.joblib")}
    application.reload()
    assert application.wsgi() is second  # the broken bundle never replaces a working app


def test_json_log_lines_carry_the_request_id(app: Flask) -> None:
    formatter = serve.JsonFormatter()
    record = logging.LogRecord(
        "service.api", logging.WARNING, __file__, 1, "reload %s", ("x",), None
    )
    with app.test_request_context("/"):
        g.request_id = "rid-1"
        line = json.loads(formatter.format(record))
    assert line["request_id"] == "rid-1"
    assert line["message"] == "reload x"
    assert line["level"] == "warning"
    access = logging.LogRecord("fzreport.access", logging.INFO, __file__, 1, '{"a": 1}', (), None)
    assert formatter.format(access) == '{"a": 1}'


def test_create_app_is_reachable_from_the_package(bundle_path) -> None:
    import service
    from service.app import create_app

    assert service.create_app is create_app
    app = service.create_app({"TESTING": True, "MODEL_PATH": str(bundle_path)})
    assert app.test_client().get("/healthz").status_code == 200


def test_other_sub_commands_never_import_the_web_stack() -> None:
    """`fzreport summarise` stays small: Flask and gunicorn load only for `serve`."""
    import subprocess
    import sys

    code = (
        "import sys; from service.cli import build_parser; build_parser(); "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'flask', 'gunicorn', 'werkzeug'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
