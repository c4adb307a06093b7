"""`fzreport archive build` and `fzreport archive export`."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any, TextIO

from service.archive.export import EXPORT_FORMATS, EXPORT_TABLES, export
from service.archive.store import StoreError, store_path
from service.archive.write import build
from service.common import EXIT_FAILED, CliError, need_dask, progress_bar
from service.round.command import WORKBOOK_NAME, keep_roster, roster_argument, write_workbook

log = logging.getLogger(__name__)


def cmd_build(args: argparse.Namespace, out: TextIO) -> int:

    bars: list[Any] = []

    def progress(done: int, total: int) -> None:
        if not bars:
            bars.append(progress_bar(total, sys.stderr, desc="archive", unit="B", unit_scale=True))
        bars[0].update(done - bars[0].n)
        if done == total:  # what follows the rows: the index, then the comparisons
            bars[0].set_description("archive: indexing, comparing")

    need_dask(args.scheduler)
    if args.roster is not None:
        keep_roster(args.roster, args.dir)
    try:
        counts = build(args.dir, progress=progress, scheduler=args.scheduler, full=args.full)
    except StoreError as exc:
        raise CliError(str(exc)) from None
    finally:
        for bar in bars:
            bar.close()
    tables = ", ".join(f"{counts[t]} {t}" for t in EXPORT_TABLES)
    skipped = f", {counts['skipped']} journal lines skipped" if counts["skipped"] else ""
    added = f"{counts['added']} reports added; " if counts["mode"] == "extend" else ""
    out.write(
        f"archive: {added}{counts['ok']} ok, {counts['error']} errors{skipped}; {tables} "
        f"in {counts['seconds']:.2f} s -> {store_path(args.dir)}\n"
    )
    state = counts["compare_status"]
    if state["state"] != "ok":
        out.write(
            f"archive: comparisons {state['state']}: {state['reason']}; the store is written "
            "without them (search, reports and rates work)\n"
        )
        return EXIT_FAILED
    return 0


def cmd_export(args: argparse.Namespace, out: TextIO) -> int:

    if args.format == "xlsx":
        out.write(f"{write_workbook(args)}\n")
        return 0
    try:
        if not store_path(args.dir).exists():
            build(args.dir)
        paths = export(args.dir, args.format)
    except StoreError as exc:
        raise CliError(str(exc)) from None
    for path in paths:
        out.write(f"{path}\n")
    return 0


def register(sub: Any) -> None:
    """Add `archive build` and `export` to the `fzreport` parser."""
    p = sub.add_parser(
        "archive",
        help="the searchable store of a batch's results (DIR/archive.sqlite)",
        description="Manage DIR/archive.sqlite, built from a batch's DIR/results.jsonl.",
    )
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    b = actions.add_parser(
        "build",
        help="bring DIR/archive.sqlite up to DIR/results.jsonl",
        description="Store the batch's results for search and comparison. When the journal has "
        "only grown since the last build, only the new records are stored and compared; "
        "otherwise (or with --full) the store is built anew. Exit status 1 when the "
        "comparisons failed: the store is still written, and says why.",
    )
    b.add_argument("dir", type=Path, metavar="DIR", help="a batch output folder")
    b.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        default=None,
        help="compare on the Dask cluster at ADDRESS (tcp://host:8786): the signatures, "
        "banding and checks of candidate pairs run on its workers",
    )
    b.add_argument(
        "--full",
        action="store_true",
        help="build the store anew from the whole journal, even when it could take in only "
        "the records added since",
    )
    roster_argument(b)
    b.set_defaults(func=cmd_build)

    e = sub.add_parser(
        "export",
        help="write a batch archive's tables (Parquet, CSV) or the round's workbook (xlsx)",
        description="Write the archive's tables (reports, paragraphs, sentences, problems, "
        "plans, figures) into DIR/export/, and its comparison (clusters, recurring problems, "
        "shared passages) as comparison.json, building the archive first if it is missing. "
        f"--format xlsx writes the round's workbook instead, DIR/export/{WORKBOOK_NAME}: the "
        "roster ledger, the reports, problems, plans, common problems and a sheet explaining "
        "every column.",
    )
    e.add_argument("dir", type=Path, metavar="DIR", help="a batch output folder")
    e.add_argument("--format", choices=(*EXPORT_FORMATS, "xlsx"), default="parquet")
    roster_argument(e)
    e.add_argument("--year", type=int, default=None, help="the round's year (xlsx)")
    e.add_argument(
        "--base-url",
        default=None,
        metavar="URL",
        help="where `serve --archive DIR` runs (http://host:8000): the workbook links each "
        "report to its page there (xlsx)",
    )
    e.add_argument("--rules", type=Path, default=None, metavar="FILE", help="deadline rules (xlsx)")
    e.set_defaults(func=cmd_export)
