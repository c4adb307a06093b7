"""`fzreport batch`: summarise folders and archives of reports into JSONL, CSV and an HTML index.

The client (the process running this command) walks the inputs and reads every document,
archive members included, into memory; workers receive bytes, so they need no access to the
client's files. Results are appended to `results.jsonl` one line per document as they arrive,
which is also the journal a re-run resumes from: documents already recorded (same source and
sha256) are skipped, and a line torn by a crash is cut off before appending.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import fcntl
import hashlib
import html
import itertools
import logging
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from model import persist
from model.labels import LABEL_ZH
from model.summary.registry import DEFAULT_METHOD, SUMMARISERS
from service import common
from service.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, CliError, need_dask, progress_bar
from service.journal import RESULTS, Journal, dumps, key, latest, load_journal
from service.round.command import keep_roster, roster_argument

if TYPE_CHECKING:
    from model.ingest.archives import Item, Limits
    from model.summary.base import Budget

log = logging.getLogger(__name__)

CSV_NAME, HTML_NAME, LOCK_NAME = "results.csv", "index.html", ".lock"
FORMATS = ("jsonl", "csv", "html")

# One loaded bundle per process, keyed by path: local workers inherit the client's when forked,
# Dask reuses its workers, so each loads the model at most once however many documents it gets.
_MODELS: dict[str, persist.Bundle] = {}


def _classifier(model_path: str) -> Any:
    bundle = _MODELS.get(model_path)
    if bundle is None:
        bundle = _MODELS[model_path] = persist.load(model_path)
    return bundle.classifier


class BatchBusy(RuntimeError):
    """Another run holds the output folder: nothing was done (a usage error, exit 2)."""


def sha256_hex(data: bytes) -> str:
    """The content hash that, with the source, identifies a finished document on resume."""
    return hashlib.sha256(data).hexdigest()


def error_record(source: str, reason: str, sha256: str = "") -> dict[str, Any]:
    """The record of a document that could not be summarised."""
    return {
        "source": source,
        "sha256": sha256,
        "encoding": None,
        "chars": 0,
        "status": "error",
        "error": " ".join(reason.split()) or "unknown error",
        "sentences": [],
        "sections": {},
        "figures": [],
        "keywords": [],
        "structured": {},
        "audit": None,
        "text": "",
        "paragraphs": [],
    }


def summarise_file(
    source: str, data: bytes, model_path: str, budget: Budget, method: str = DEFAULT_METHOD
) -> dict[str, Any]:
    """Read, classify and summarise one document; any failure becomes an error record.

    Module-level so joblib and Dask can pickle it; the model is loaded once per worker.
    """
    from model.analyse import analyse
    from model.audit.metadata import Context
    from model.ingest.archives import SEPARATOR
    from model.ingest.readers import ReadError, read_document

    digest = sha256_hex(data)
    try:
        decoded = read_document(data, source.rsplit(SEPARATOR, 1)[-1])
        context = Context(page=decoded.meta, filename=source.replace(SEPARATOR, "/"))
        result = analyse(
            decoded.text, _classifier(model_path), budget, method, audit=True, context=context
        )
    except ReadError as exc:
        return error_record(source, str(exc), digest)
    except Exception as exc:  # one bad document must never end a run of thousands
        log.debug("failed on %s", source, exc_info=True)
        return error_record(source, f"{type(exc).__name__}: {exc}", digest)
    return {
        "source": source,
        "sha256": digest,
        "encoding": decoded.encoding,
        "chars": len(decoded.text),
        "status": "ok",
        "notes": [*decoded.notes, *result["repairs"]],
        "sentences": result["sentences"],
        "sections": result["sections"],
        "figures": result["figures"],
        "keywords": result["keywords"],
        "structured": result["structured"],
        "audit": result["audit"],
        # The report as read and the label and offsets of every paragraph in it: the archive
        # (search, report pages) is rebuilt from this journal alone.
        "text": decoded.text,
        "paragraphs": [
            {k: p[k] for k in ("start", "end", "label", "confidence", "heading")}
            for p in result["paragraphs"]
        ],
    }


def warm_up(model_path: str) -> None:
    """Load the model and analyse a probe in a worker before any document is dispatched.

    A model that cannot work then fails the run once, instead of writing an error record for
    every document (which a resumed run would treat as done); it also moves the segmenter's
    start-up cost out of the first documents.
    """
    from model.analyse import analyse

    analyse("一、主要举措和成效。全年办理行政复议案件131件。", _classifier(model_path))


Line = tuple[str, str]  # (status, the record as one JSON line without its newline)


def journal_line(source: str, data: bytes, model_path: str, budget: Budget, method: str) -> Line:
    """`summarise_file` as (status, JSON line): workers serialise their own records.

    The client then only writes lines, instead of unpickling every record and encoding it
    again while the workers wait for their next documents.
    """
    record = summarise_file(source, data, model_path, budget, method)
    return record["status"], dumps(record)


def dask_setup(worker: Any) -> None:
    """Run by `dask worker --preload service.batch` when a worker starts.

    Importing the analysis code and loading the segmenter's dictionary here leaves only the
    model (milliseconds) to the first task of a batch, instead of a second of start-up on every
    worker of every new cluster.
    """
    import model.analyse  # noqa: F401
    from model.text.segment import segmenter

    segmenter()("预热")


def _refused(source: str, reason: str) -> Line:
    """The line of an item the walker refused; mapped like a document to keep order."""
    return "error", dumps(error_record(source, reason))


# -- running -----------------------------------------------------------------------------------


@dataclass
class Tally:
    """Counts for the closing line and the exit status."""

    ok: int = 0
    errors: int = 0
    skipped: int = 0
    skipped_errors: int = 0

    def count(self, status: str) -> None:
        if status == "ok":
            self.ok += 1
        else:
            self.errors += 1


def estimate(inputs: Iterable[Path], exclude: Path | None = None) -> int:
    """Roughly how many documents the inputs hold, for the progress bar's ETA.

    Lists folders and archive directories without reading members; a nested archive counts
    as one.
    """
    import tarfile
    import zipfile

    from model.ingest.archives import is_archive, is_document

    total = 0
    for path in inputs:
        files = (
            [
                Path(folder) / name
                for folder, _, names in os.walk(path)
                if exclude is None or not Path(folder).resolve().is_relative_to(exclude.resolve())
                for name in names
            ]
            if path.is_dir()
            else [path]
        )
        for file in files:
            if not is_archive(file.name):
                total += is_document(file.name) or file == path
                continue
            try:
                if file.name.lower().endswith(".zip"):
                    with zipfile.ZipFile(file) as archive:
                        names = [i.filename for i in archive.infolist() if not i.is_dir()]
                else:
                    with tarfile.open(file, "r:*") as archive:
                        names = [m.name for m in archive if m.isfile()]
            except (OSError, zipfile.BadZipFile, tarfile.TarError, EOFError):
                total += 1
                continue
            total += sum(is_document(n) or is_archive(n) for n in names)
    return total


def _tasks(
    items: Iterator[Item],
    done: dict[tuple[str, str], str],
    tally: Tally,
    progress: Any,
    model_path: str,
    budget: Budget,
    method: str,
) -> Iterator[Any]:
    """joblib tasks for the documents not yet recorded; recorded ones are counted as skipped."""
    from joblib import delayed

    seen: set[tuple[str, str]] = set()
    for item in items:
        ident = (item.source, sha256_hex(item.data) if item.data is not None else "")
        if ident in done or ident in seen:
            tally.skipped += 1
            tally.skipped_errors += done.get(ident, "ok") != "ok"
            progress.update(1)
            continue
        seen.add(ident)
        if item.data is None:
            yield delayed(_refused)(item.source, item.error or "unreadable")
        else:
            yield delayed(journal_line)(item.source, item.data, model_path, budget, method)


# Documents sent to a local worker at a time: fewer hand-offs for the client and the pool.
_DISPATCH = 4

Runner = Callable[[Iterable[Any]], Iterator[Any]]


@contextlib.contextmanager
def _parallel(workers: int, scheduler: str | None, model_path: str) -> Iterator[Runner]:
    """Something that runs joblib tasks and yields their results in order, model ready.

    Local workers are forked after the model has been loaded here, so they start in
    milliseconds sharing it; loky's fresh interpreters would each spend a good part of a
    second importing numpy and loading the model and the dictionary. On Dask each worker loads the
    model once, before any document is sent.
    """
    from joblib import Parallel, delayed, parallel_config

    if scheduler is not None:
        from distributed import Client

        with (
            Client(scheduler, timeout="30s") as client,
            parallel_config(backend="dask", wait_for_workers_timeout=60),
        ):
            parallel = Parallel(
                n_jobs=max(1, sum(client.nthreads().values())), return_as="generator"
            )
            with _model_check(model_path):
                list(parallel(delayed(warm_up)(model_path) for _ in range(parallel.n_jobs)))
            yield parallel
        return
    with _model_check(model_path):
        warm_up(model_path)
    if workers == 1:
        yield Parallel(n_jobs=1, return_as="generator")
        return
    from service.forking import BACKEND

    with Parallel(
        n_jobs=workers, backend=BACKEND, batch_size=_DISPATCH, return_as="generator"
    ) as parallel:
        yield parallel


@contextlib.contextmanager
def _model_check(model_path: str) -> Iterator[None]:
    """A model that fails its warm-up ends the run with one message."""
    try:
        yield
    except Exception as exc:
        raise RuntimeError(f"{model_path}: the model does not work: {exc}") from None


def run_batch(
    inputs: list[Path],
    out_dir: Path,
    model_path: str,
    *,
    workers: int = 1,
    scheduler: str | None = None,
    formats: Iterable[str] = ("jsonl",),
    budget: Budget | None = None,
    method: str = DEFAULT_METHOD,
    force: bool = False,
    limits: Limits | None = None,
    stderr: TextIO | None = None,
) -> Tally:
    """Summarise every document in `inputs` into `out_dir`, resuming an earlier run."""
    from concurrent.futures.process import BrokenProcessPool

    from model.ingest.archives import walk

    stderr = stderr or sys.stderr
    out_dir.mkdir(parents=True, exist_ok=True)
    results = out_dir / RESULTS
    lock = (out_dir / LOCK_NAME).open("w")
    try:
        # A POSIX record lock belongs to this process alone: forked workers do not inherit it,
        # so it goes with the client even if a worker outlives a crash.
        fcntl.lockf(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        lock.close()
        raise BatchBusy(f"another batch is writing to {out_dir}") from None
    with lock:
        if force:
            results.unlink(missing_ok=True)
        done = {key(r): str(r.get("status")) for r in load_journal(results)}
        results.touch()
        tally = Tally()
        start = time.perf_counter()
        progress = progress_bar(estimate(inputs, out_dir), stderr)
        if budget is None:
            from model.summary.base import Budget

            budget = Budget()
        items = walk(inputs, limits, exclude=[out_dir])
        tasks = _tasks(items, done, tally, progress, model_path, budget, method)
        first = next(tasks, None)  # nothing left to do: no workers, no cluster connection
        ready = start
        with contextlib.ExitStack() as stack:
            stack.enter_context(progress)
            if first is not None:
                parallel = stack.enter_context(_parallel(workers, scheduler, model_path))
                ready = time.perf_counter()
                journal = Journal(stack.enter_context(results.open("a", encoding="utf-8")))
                try:
                    for status, line in parallel(itertools.chain([first], tasks)):
                        journal.append(line)
                        tally.count(status)
                        progress.update(1)
                except BrokenProcessPool:
                    raise RuntimeError(
                        f"a worker process died (killed, or out of memory?) after "
                        f"{tally.ok + tally.errors} new records; run the same command again "
                        "to go on from there"
                    ) from None
                finally:
                    journal.sync()
        end = time.perf_counter()
        if "csv" in formats or "html" in formats:
            records = load_journal(results)
            if "csv" in formats:
                write_csv(records, out_dir / CSV_NAME)
            if "html" in formats:
                write_html(records, out_dir / HTML_NAME)
    print(
        f"batch: {tally.ok} ok, {tally.errors} errors, {tally.skipped} skipped (already done) "
        f"in {end - start:.1f} s{_rate(tally.ok + tally.errors, start, ready, end)} -> {results}",
        file=stderr,
    )
    return tally


def _rate(documents: int, start: float, ready: float, end: float) -> str:
    """Throughput once the workers were ready, and what getting them ready cost.

    Start-up (loading the model and the dictionary, connecting to a cluster) is paid once per
    run whatever its size, so it is shown apart from the rate that scales with the archive.
    """
    if not documents:
        return ""
    rate = documents / (end - ready) if end > ready else 0.0
    return f" (start-up {ready - start:.2f} s, then {rate:.1f} docs/s)"


# -- reports for people ------------------------------------------------------------------------


def _sections_text(sections: dict[str, int]) -> str:
    return "; ".join(f"{label} {n}" for label, n in sections.items())


AUDIT_COLUMNS = [
    "is_report",
    "issuer",
    "issuer_kind",
    "level",
    "year",
    "report_date",
    "published",
    "deadline",
    "timeliness",
    *(f"{part}_status" for part in ("achievements", "shortcomings", "leadership", "plans")),
    "problems",
    "problems_with_cause",
    "generic_problems",
    "unanswered_problems",
]


def audit_cells(audit: dict[str, Any] | None) -> list[Any]:
    """The audit's CSV cells, blank for a record without one (an error, an older journal)."""
    if not audit:
        return [""] * len(AUDIT_COLUMNS)
    meta, contents, ind = (
        audit["metadata"],
        audit.get("contents") or {},
        audit.get("indicators") or {},
    )
    return [
        audit["genre"]["is_report"],
        *(meta[k] or "" for k in ("issuer", "issuer_kind", "level", "year", "report_date")),
        meta["published"] or "",
        audit["timeliness"]["deadline"] or "",
        audit["timeliness"]["status"],
        *(
            contents.get(part, {}).get("status", "")
            for part in ("achievements", "shortcomings", "leadership", "plans")
        ),
        *(
            ind.get(k, "")
            for k in ("problems", "problems_with_cause", "generic_problems", "unanswered_problems")
        ),
    ]


def write_csv(records: Iterable[dict[str, Any]], path: Path) -> None:
    """One row per document, the summary joined into one cell (UTF-8 with BOM for Excel)."""
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(
            ["source", "status", "error", "encoding", "chars", "sha256", "sections", "summary"]
            + ["figures", "keywords"]
            + AUDIT_COLUMNS
        )
        for r in latest(records):
            writer.writerow(
                [
                    r["source"],
                    r.get("status"),
                    r.get("error", ""),
                    r.get("encoding") or "",
                    r.get("chars", 0),
                    r.get("sha256", ""),
                    _sections_text(r.get("sections") or {}),
                    "".join(s["text"] for s in r.get("sentences") or []),
                    "；".join(f["text"] for f in r.get("figures") or []),
                    " ".join(k["word"] for k in r.get("keywords") or []),
                    *audit_cells(r.get("audit")),
                ]
            )
    os.replace(tmp, path)


_STYLE = """
body{font-family:system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:1.5rem;
color:#222;line-height:1.5}table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid #ddd;padding:.35rem .5rem;vertical-align:top;text-align:left}
th{background:#f4f4f4;position:sticky;top:0}tr.error td{background:#fff0f0}
.report{border-top:2px solid #ccc;margin-top:2rem;padding-top:.5rem}.muted{color:#777}
h3{margin:.8rem 0 .2rem}
"""


def write_html(records: Iterable[dict[str, Any]], path: Path) -> None:
    """A self-contained page: a table of every document, linking to its structured summary."""
    e = html.escape
    rows, details = [], []
    rows_data = latest(records)
    for n, r in enumerate(rows_data, start=1):
        ok = r.get("status") == "ok"
        summary = "<br>".join(e(s["text"]) for s in r.get("sentences") or [])
        rows.append(
            f'<tr class="{"ok" if ok else "error"}"><td>{n}</td>'
            f'<td><a href="#r{n}">{e(str(r["source"]))}</a></td>'
            f"<td>{e(str(r.get('status')))}</td><td>{r.get('chars', 0)}</td>"
            f"<td>{e(_sections_text(r.get('sections') or {}))}</td>"
            f"<td>{summary if ok else e(str(r.get('error', '')))}</td></tr>"
        )
        parts = [f'<div class="report" id="r{n}"><h2>{n}. {e(str(r["source"]))}</h2>']
        parts.append(
            f'<p class="muted">sha256 {e(str(r.get("sha256", "")))} · '
            f"encoding {e(str(r.get('encoding')))} · {r.get('chars', 0)} chars</p>"
        )
        if not ok:
            parts.append(f"<p>Error: {e(str(r.get('error', '')))}</p>")
        for label, sentences in (r.get("structured") or {}).items():
            heading = f"{LABEL_ZH.get(label, label)} ({label})"
            items = "".join(f"<li>{e(s['text'])}</li>" for s in sentences)
            parts.append(f"<h3>{e(heading)}</h3><ul>{items}</ul>")
        if r.get("figures"):
            items = "".join(f"<li>{e(f['text'])}</li>" for f in r["figures"])
            parts.append(f"<h3>关键数字 (figures)</h3><ul>{items}</ul>")
        if r.get("keywords"):
            words = "、".join(k["word"] for k in r["keywords"])
            parts.append(f"<h3>关键词 (keywords)</h3><p>{e(words)}</p>")
        parts.append('<p><a href="#top">↑ back to the table</a></p></div>')
        details.append("".join(parts))
    ok_count = sum(r.get("status") == "ok" for r in rows_data)
    page = (
        '<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8">'
        f"<title>fzreport batch: {len(rows_data)} reports</title><style>{_STYLE}</style></head>"
        f'<body><h1 id="top">法治政府建设年度报告 · {len(rows_data)} reports, {ok_count} ok</h1>'
        "<table><thead><tr><th>#</th><th>source</th><th>status</th><th>chars</th>"
        "<th>sections (paragraphs)</th><th>summary / error</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
        + "".join(details)
        + "</body></html>\n"
    )
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, path)


# -- command line ------------------------------------------------------------------------------


def _formats(value: str) -> tuple[str, ...]:
    chosen = tuple(f.strip() for f in value.split(",") if f.strip())
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"choose among {','.join(FORMATS)}, got {value!r}")
    return chosen


def cmd_batch(args: argparse.Namespace, out: TextIO) -> int:
    """Validate the arguments, make sure a model exists, and run."""
    from model.summary.base import Budget

    missing = [str(p) for p in args.inputs if not p.exists()]
    if missing:
        raise CliError(f"no such input: {', '.join(missing)}", EXIT_USAGE)
    need_dask(args.scheduler)
    bodies = keep_roster(args.roster, args.out) if args.roster is not None else None
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # damaged PDFs become error records
    try:
        bundle = common.load_model(args.model)
    except persist.ModelError as exc:
        raise CliError(str(exc)) from None
    model_path = str(bundle.path.resolve())
    _MODELS[model_path] = bundle
    try:
        tally = run_batch(
            args.inputs,
            args.out,
            model_path,
            workers=args.workers,
            scheduler=args.scheduler,
            formats=args.format,
            budget=Budget(max_sentences=args.max_sentences, max_chars=args.max_chars),
            method=args.method,
            force=args.force,
        )
    except BatchBusy as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    except RuntimeError as exc:
        raise CliError(str(exc)) from None
    if bodies is not None:
        out.write(
            f"batch: roster of {len(bodies)} bodies kept in {args.out}; "
            f"`fzreport report {args.out} --out 通报.docx` drafts the circular\n"
        )
    return EXIT_FAILED if tally.errors or tally.skipped_errors else EXIT_OK


def register(sub: Any) -> None:
    """Add the `batch` sub-command to the `fzreport` parser."""
    p = sub.add_parser(
        "batch",
        help="summarise folders and .zip/.tar(.gz) archives of reports, resumably",
        description="Summarise every .txt/.html/.docx/.pdf report in the inputs (folders, "
        ".zip, .tar, .tar.gz) into DIR/results.jsonl. Re-running the same command resumes.",
    )
    p.add_argument("inputs", nargs="+", type=Path, metavar="INPUT", help="files, folders, archives")
    p.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder")
    p.add_argument(
        "--workers",
        type=common.count,
        default=os.cpu_count() or 1,
        metavar="N",
        help="local worker processes (default: the number of CPUs)",
    )
    p.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="run on a Dask cluster, e.g. tcp://host:8786 (needs fzreport[dask])",
    )
    p.add_argument(
        "--format",
        type=_formats,
        default=("jsonl",),
        metavar="LIST",
        help="comma-separated outputs among jsonl,csv,html (results.jsonl is always written)",
    )
    size = p.add_mutually_exclusive_group()
    size.add_argument("--max-sentences", type=common.size, default=None, metavar="K")
    size.add_argument("--max-chars", type=common.size, default=None, metavar="N")
    p.add_argument("--method", choices=sorted(SUMMARISERS), default=DEFAULT_METHOD)
    p.add_argument("--force", action="store_true", help="start over instead of resuming")
    roster_argument(p)
    common.add_model_flag(p)
    p.set_defaults(func=cmd_batch)
