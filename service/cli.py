"""The `fzreport` command: classify, summarise, audit, train, evaluate, batch, serve.

Each sub-command parses flags, calls `model/` (or `training/`) and reports; errors go to
stderr as one line with a non-zero exit status, never a traceback. Each imports what it needs
when it runs, so help and usage errors load no model code.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from collections.abc import Callable, Sequence
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import model
from model.persist import Bundle, ModelError
from model.summary.registry import DEFAULT_METHOD, SUMMARISERS
from service import common
from service.common import EXIT_FAILED, EXIT_OK, CliError

if TYPE_CHECKING:
    from model.ingest.decode import Decoded
    from model.summary.base import Budget


def _bundle(args: argparse.Namespace) -> Bundle:
    try:
        return common.load_model(args.model)
    except ModelError as exc:
        raise CliError(str(exc)) from None


def _read_input(name: str) -> tuple[str, Decoded]:
    """(display name, what the reader made of it) of a file argument, '-' being standard input.

    A file is read by its format, as the batch and the upload read it (a saved page, a .docx,
    a PDF …); standard input is plain text.
    """
    from model.ingest.readers import ReadError, decode_bytes, read_document

    try:
        if name == "-":
            if sys.stdin is None:  # started with standard input closed
                raise CliError("no standard input to read: give a FILE")
            return "<stdin>", decode_bytes(sys.stdin.buffer.read())
        try:
            data = Path(name).read_bytes()
        except OSError as exc:
            raise ReadError(f"{name}: {exc.strerror or exc}") from None
        return name, read_document(data, name)
    except ReadError as exc:
        message = str(exc)  # file-system errors already name the file
        if not message.startswith(f"{name}:"):
            message = f"{name}: {message}"
        raise CliError(message) from None


def _budget(args: argparse.Namespace) -> Budget:
    from model.summary.base import Budget

    return Budget(max_sentences=args.max_sentences, max_chars=args.max_chars)


def _emit_json(obj: Any, out: TextIO, indent: int | None = 2) -> None:
    out.write(json.dumps(obj, ensure_ascii=False, indent=indent) + "\n")


# -- classify ----------------------------------------------------------------------------------


# Universal newlines only: str.splitlines() would also break lines at form feeds and U+2028,
# giving more paragraphs than the input has lines.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def cmd_classify(args: argparse.Namespace, out: TextIO) -> int:
    from model.analyse import paragraph_records, prepare

    name, decoded = _read_input(args.file)
    bundle = _bundle(args)
    doc = prepare(_LINE_BREAK.split(decoded.text), bundle.classifier)
    records = [
        {k: r[k] for k in ("text", "label", "confidence", "scores")} for r in paragraph_records(doc)
    ]
    if args.format == "json":
        _emit_json({"paragraphs": records}, out)
    else:
        for r in records:
            out.write(f"{r['label']:<13} {r['confidence']:.2f}  {r['text']}\n")
    return EXIT_OK


# -- summarise ---------------------------------------------------------------------------------


def _each_report(
    args: argparse.Namespace,
    out: TextIO,
    result_of: Callable[[Decoded, str | None], dict[str, Any]],
    as_text: Callable[[str, dict[str, Any]], str],
) -> int:
    """`result_of` each input file (stdin without any) in order, printed as `--format` says:
    one JSON object (a "documents" list for several), one line per file, or text.

    `result_of` gets what the reader made of the file and the file's name (None for stdin).
    """
    results = []
    for name in args.files or ["-"]:
        source, decoded = _read_input(name)
        result = {"source": source, **result_of(decoded, None if name == "-" else name)}
        if args.format == "jsonl":
            _emit_json(result, out, indent=None)
        elif args.format == "text":
            out.write(as_text(source, result))
        else:
            results.append(result)
    if args.format == "json":
        _emit_json(results[0] if len(results) == 1 else {"documents": results}, out)
    return EXIT_OK


def cmd_summarise(args: argparse.Namespace, out: TextIO) -> int:
    from model.analyse import prepare, summary_record

    bundle = _bundle(args)
    budget = _budget(args)

    def as_text(source: str, result: dict[str, Any]) -> str:
        head = f"== {source}\n" if len(args.files) > 1 else ""
        return head + "\n".join(s["text"] for s in result["sentences"]) + "\n"

    return _each_report(
        args,
        out,
        lambda decoded, _: summary_record(
            prepare(decoded.text, bundle.classifier), budget, args.method
        ),
        as_text,
    )


# -- audit -------------------------------------------------------------------------------------


def cmd_audit(args: argparse.Namespace, out: TextIO) -> int:
    from model.analyse import prepare
    from model.audit.checks import audit, card
    from model.audit.deadlines import RulesError, load_rules
    from model.audit.metadata import Context

    try:
        rules = load_rules(args.rules)
    except RulesError as exc:
        raise CliError(str(exc)) from None
    bundle = _bundle(args)
    return _each_report(
        args,
        out,
        lambda decoded, name: audit(
            prepare(decoded.text, bundle.classifier),
            rules,
            Context(page=decoded.meta, filename=name),
        ),
        lambda source, result: card(result, source),
    )


# -- train / evaluate --------------------------------------------------------------------------


def cmd_train(args: argparse.Namespace, out: TextIO) -> int:
    from training.train import run

    return run(args)


def cmd_evaluate(args: argparse.Namespace, out: TextIO) -> int:
    from training.evaluate_cli import run

    return run(args)


# -- parser ------------------------------------------------------------------------------------


Command = Callable[[argparse.Namespace, TextIO], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fzreport", description="Classify and summarise 法治政府建设 annual reports."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    parser.add_argument("--version", action="version", version=f"fzreport {model.__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("classify", help="label every paragraph (one per line) with its section")
    p.add_argument("file", nargs="?", default="-", help="report file, or - for stdin")
    p.add_argument("--format", choices=("text", "json"), default="text")
    common.add_model_flag(p)
    p.set_defaults(func=cmd_classify)

    p = sub.add_parser("summarise", aliases=["summarize"], help="pick a report's key sentences")
    p.add_argument("files", nargs="*", help="report files, or - for stdin (default)")
    size = p.add_mutually_exclusive_group()
    size.add_argument("--max-chars", type=common.size, default=None)
    size.add_argument("--max-sentences", type=common.size, default=None)
    p.add_argument("--method", choices=sorted(SUMMARISERS), default=DEFAULT_METHOD)
    p.add_argument("--format", choices=("text", "json", "jsonl"), default="text")
    common.add_model_flag(p)
    p.set_defaults(func=cmd_summarise)

    p = sub.add_parser(
        "audit", help="check reports against the 督察工作规定: metadata, parts, problems, plans"
    )
    p.add_argument("files", nargs="*", help="report files, or - for stdin (default)")
    p.add_argument("--format", choices=("text", "json", "jsonl"), default="text")
    p.add_argument(
        "--rules", default=None, metavar="FILE", help="deadline rules (TOML; default: bundled)"
    )
    common.add_model_flag(p)
    p.set_defaults(func=cmd_audit)

    from training.evaluate_cli import add_arguments as evaluate_arguments
    from training.train import add_arguments as train_arguments

    p = sub.add_parser("train", help="retrain the classifier from a corpus and evaluate it")
    train_arguments(p)
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("evaluate", help="measure classification and summaries on a corpus")
    evaluate_arguments(p)
    p.set_defaults(func=cmd_evaluate)

    for register in _extensions():
        register(sub)
    return parser


def _extensions() -> list[Callable[[Any], None]]:
    """Sub-commands that live in their own modules (batch, serve, archive, report)."""
    modules = ("service.batch", "service.serve", "service.archive.command", "service.round.command")
    return [import_module(module).register for module in modules]


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Entry point of the `fzreport` console script."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        return args.func(args, out or sys.stdout)
    except CliError as exc:
        print(f"fzreport: {exc}", file=sys.stderr)
        return exc.status
    except KeyboardInterrupt:
        print("fzreport: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_FAILED
    except (OSError, ValueError) as exc:
        print(f"fzreport: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except Exception as exc:  # the promise is one line on stderr, never a traceback
        logging.getLogger(__name__).info("internal error", exc_info=True)  # shown with -v
        print(f"fzreport: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    raise SystemExit(main())
