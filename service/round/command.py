"""`fzreport report` (the draft circular and each body's feedback, as Word documents), the
workbook of `fzreport export --format xlsx`, and the `--roster` option of batch and build.

A roster given to `batch` or `archive build` is checked at once (one line naming the file,
row and column when it is wrong) and kept in the batch folder as DIR/roster.csv or .xlsx,
so that `serve --archive`, `export` and `report` find it without being told again.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from service.common import CliError

if TYPE_CHECKING:
    from model.round.roster import Body

# The parser is built without the model (`fzreport --help` loads no numpy): the roster's
# reader, which reads names through the audit's place rules, is imported when used.

WORKBOOK_NAME = "报送情况.xlsx"
DEFAULT_OFFICE = "（发文机关）"


def keep_roster(path: Path, folder: Path) -> list[Body]:
    """Check the roster at `path` and keep a copy in `folder` (replacing an older one of
    either kind); CliError with the roster's own message when it is wrong."""
    from model.round.roster import RosterError
    from service.round.roster_file import ROSTER_NAMES, read_roster

    try:
        bodies = read_roster(path)
    except RosterError as exc:
        raise CliError(str(exc)) from None
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"roster{path.suffix.lower()}"
    if path.resolve() != target.resolve():
        for name in ROSTER_NAMES:
            with contextlib.suppress(FileNotFoundError):
                (folder / name).unlink()
        shutil.copyfile(path, target)
    return bodies


def load_round(args: argparse.Namespace) -> dict[str, Any]:
    """The round view of DIR for a command: the roster given (kept in DIR) or the one kept
    there, the rules given or the default; the archive built first when missing."""
    from model.audit.deadlines import RulesError, load_rules
    from model.round.roster import RosterError
    from service.archive.store import StoreError, store_path
    from service.archive.write import build
    from service.round.roster_file import find_roster, read_roster
    from service.round.view import round_view

    folder: Path = args.dir
    roster = getattr(args, "roster", None)
    try:
        bodies = keep_roster(roster, folder) if roster else None
        if bodies is None and (kept := find_roster(folder)) is not None:
            bodies = read_roster(kept)
            roster = kept
        rules = load_rules(args.rules) if getattr(args, "rules", None) else None
        if not store_path(folder).exists():
            build(folder)
        return round_view(
            folder,
            bodies,
            year=getattr(args, "year", None),
            rules=rules,
            roster_file=Path(roster).name if roster else "",
            base_url=getattr(args, "base_url", None) or "",
        )
    except (RosterError, RulesError, StoreError) as exc:
        raise CliError(str(exc)) from None


def write_workbook(args: argparse.Namespace) -> Path:
    """DIR/export/报送情况.xlsx, the round's workbook."""
    from service.archive.store import EXPORT_DIR
    from service.office.xlsx import write_workbook as write

    view = load_round(args)
    out = args.dir / EXPORT_DIR
    out.mkdir(parents=True, exist_ok=True)
    return write(view, out / WORKBOOK_NAME)


def cmd_report(args: argparse.Namespace, out: TextIO) -> int:
    from model.round.circular import circular, feedback
    from service.office.docx import write_circular, write_feedback
    from service.round.roster_file import find_roster

    if args.roster is None and find_roster(args.dir) is None:
        raise CliError(
            f"report needs a roster: --roster FILE, or a roster kept in {args.dir} by "
            "`fzreport batch --roster`"
        )
    view = load_round(args)
    day = args.date or date.today()
    path = write_circular(circular(view, args.office, day), args.out)
    out.write(f"{path}\n")
    if args.per_body is not None:
        for written in write_feedback(feedback(view, args.office, day), args.per_body):
            out.write(f"{written}\n")
    c = view.get("counts") or {}
    out.write(
        f"report: {c.get('bodies', 0)} bodies, {c.get('reported', 0)} reported "
        f"({c.get('late', 0)} late), {c.get('missing', 0)} missing, "
        f"{c.get('pending', 0)} to confirm; {len(view['feedback'])} with feedback\n"
    )
    return 0


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (YYYY-MM-DD)") from None


def roster_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--roster",
        type=Path,
        metavar="FILE",
        default=None,
        help="the bodies that must report (.csv or .xlsx; columns 名称, 简称/别名, 层级, 类型, "
        "截止日期), kept in the output folder for serve, export and report",
    )


def register(sub: Any) -> None:
    """Add `report` to the `fzreport` parser."""
    p = sub.add_parser(
        "report",
        help="draft the round's circular (通报) and each body's feedback as Word documents",
        description="Draft the circular of a round from a batch folder and its roster: the "
        "numbers, compliance by required part, the common problems, the bodies named under "
        "each finding, and each body's feedback with the quotation behind it. A draft for a "
        "person to edit; a reviewer's corrections are in it and marked.",
    )
    p.add_argument("dir", type=Path, metavar="DIR", help="a batch output folder")
    roster_argument(p)
    p.add_argument("--out", type=Path, required=True, metavar="FILE", help="the .docx to write")
    p.add_argument(
        "--per-body",
        type=Path,
        metavar="DIR",
        default=None,
        help="also write one 反馈意见 .docx per body into DIR",
    )
    p.add_argument(
        "--year",
        type=int,
        default=None,
        help="the year reported on (default: the year most reports give)",
    )
    p.add_argument(
        "--rules",
        type=Path,
        default=None,
        metavar="FILE",
        help="deadline rules (TOML) for bodies the roster gives no date",
    )
    p.add_argument("--office", default=DEFAULT_OFFICE, help="the office that signs the circular")
    p.add_argument("--date", type=_date, default=None, help="the circular's date (YYYY-MM-DD)")
    p.set_defaults(func=cmd_report)
