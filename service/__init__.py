"""fzreport adapters: command line, HTTP service and archive batch over the `model` core."""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    """`service.create_app` without importing Flask for the command-line tools."""
    if name == "create_app":
        from service.app import create_app

        return create_app
    raise AttributeError(f"module 'service' has no attribute {name!r}")
