"""Argument types shared by the sub-commands, so every flag reports bad numbers the same way."""

from __future__ import annotations

import argparse
from pathlib import Path

_WORDS = {0: "zero", 1: "1"}


def _whole(value: str, minimum: int) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if number < minimum:
        raise argparse.ArgumentTypeError(f"must be {_WORDS[minimum]} or more: {value!r}")
    return number


def count(value: str) -> int:
    """A whole number of at least 1 (workers, threads, seconds)."""
    return _whole(value, 1)


def size(value: str) -> int:
    """A whole number of at least 0 (summary budgets)."""
    return _whole(value, 0)


def add_model_flag(
    parser: argparse.ArgumentParser, default: str = "$FZREPORT_MODEL or cache"
) -> None:
    """The `--model PATH` flag every model-using sub-command takes."""
    parser.add_argument(
        "--model", type=Path, default=None, metavar="PATH", help=f"bundle path (default: {default})"
    )
