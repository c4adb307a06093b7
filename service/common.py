"""What every command shares: the error type and exit codes, argument types, the progress bar
and the one way to the model bundle.

The sub-commands import this module, never `service.cli`, so the entry point can import them.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from model.persist import Bundle

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class CliError(Exception):
    """A user-facing failure: printed as one line, exit status 1 (or `status`)."""

    def __init__(self, message: str, status: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.status = status


def load_model(path: Path | None = None) -> Bundle:
    """The bundle at `path`, or the default one, built from the seeds on first use.

    The command line, the batch and the HTTP app all reach the model through here.
    """
    from training.train import ensure_model

    return ensure_model(path)


def need_dask(scheduler: str | None) -> None:
    """A usage error, before any work, when `--scheduler` is given without Dask installed."""
    if scheduler is None:
        return
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise CliError("--scheduler needs Dask: pip install 'fzreport[dask]'", EXIT_USAGE) from None


def progress_bar(
    total: int, stream: TextIO, desc: str = "batch", unit: str = "doc", unit_scale: bool = False
) -> Any:
    """A tqdm bar without tqdm's monitor thread.

    Local workers (and the archive's comparison) are forked while the bar is open; a thread
    alive at a fork may be holding a lock (the stream's, tqdm's) that the child would then find
    held forever.
    """
    from tqdm import tqdm

    class Progress(tqdm):
        monitor_interval = 0

    return Progress(
        total=total, unit=unit, unit_scale=unit_scale, file=stream, desc=desc, dynamic_ncols=True
    )


# -- argument types -----------------------------------------------------------------------------

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
