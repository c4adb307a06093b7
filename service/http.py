"""What the app factory and every blueprint share: the error shape and the model holder.

Blueprints import this module, never `service.app`, so the factory can import them.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import NoReturn

from flask import Response, current_app

from model import persist


class ModelHolder:
    """The bundle a process serves; swapped whole under a lock so a request sees one model."""

    def __init__(self, bundle: persist.Bundle) -> None:
        self._lock = threading.Lock()
        self.bundle = bundle
        self.loaded_at = time.time()

    def replace(self, path: Path) -> persist.Bundle:
        """Load and verify `path`; on ModelError the current bundle stays in place."""
        bundle = persist.load(path)
        with self._lock:
            self.bundle = bundle
            self.loaded_at = time.time()
        return bundle


def holder() -> ModelHolder:
    """The model holder of the current app."""
    return current_app.extensions["fzreport.model"]


def error_response(status: int, code: str, message: str) -> Response:
    """The one error shape of the API: {"error": {"code", "message"}}."""
    body = json.dumps({"error": {"code": code, "message": message}}, ensure_ascii=False)
    return Response(body, status=status, mimetype="application/json")


class ApiError(Exception):
    """A client error that becomes {"error": {"code", "message"}} with `status`."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def api_error(exc: ApiError) -> Response:
    return error_response(exc.status, exc.code, exc.message)


def fail(status: int, code: str, message: str) -> NoReturn:
    raise ApiError(status, code, message)
