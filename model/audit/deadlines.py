"""When a report is due: publication deadlines as rules in a TOML file, not in code.

The default file (model/data/deadlines.toml) holds the national rule, 1 April of the year after
the year reported on; an office whose province sets earlier dates passes its own file.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from model.audit.metadata import KINDS, LEVELS

DEFAULT_RULES = Path(__file__).resolve().parents[1] / "data" / "deadlines.toml"
_MONTH_DAY = re.compile(r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")
_CONDITIONS = {"level": LEVELS, "issuer_kind": KINDS}


class RulesError(ValueError):
    """A rules file that cannot be used: the message names the file and the line."""


@dataclass(frozen=True, slots=True)
class Rule:
    """A deadline, "MM-DD" of the year after the reported year, and when it applies."""

    deadline: str
    source: str = ""
    levels: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    issuer: re.Pattern[str] | None = None

    def applies(self, level: str | None, kind: str | None, issuer: str | None) -> bool:
        if self.levels and level not in self.levels:
            return False
        if self.kinds and kind not in self.kinds:
            return False
        return self.issuer is None or (issuer is not None and bool(self.issuer.search(issuer)))

    def due(self, year: int) -> date:
        month, day = map(int, self.deadline.split("-"))
        return date(year + 1, month, day)


@dataclass(frozen=True, slots=True)
class Rules:
    """The rules in file order and the default; `deadline` picks the first that applies."""

    rules: tuple[Rule, ...]
    default: Rule
    path: str

    def rule_for(self, level: str | None, kind: str | None, issuer: str | None) -> Rule:
        return next((r for r in self.rules if r.applies(level, kind, issuer)), self.default)


def load_rules(path: str | Path | None = None) -> Rules:
    """Read and check a rules file (the default one when `path` is None)."""
    path = Path(path) if path is not None else DEFAULT_RULES
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesError(f"{path}: cannot read the rules file: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"{path}: not valid TOML: {exc}") from None
    lines = text.splitlines()
    unknown = set(data) - {"default", "rule"}
    if unknown:
        key = sorted(unknown)[0]
        raise RulesError(f"{path}:{_line_of(lines, key)}: unknown table or key {key!r}")
    default = _rule(
        data.get("default", {"deadline": "04-01"}), path, lines, _table_line(lines, "[default]", 0)
    )
    if default.levels or default.kinds or default.issuer:
        raise RulesError(f"{path}:{_line_of(lines, 'default')}: [default] takes no conditions")
    entries = data.get("rule", [])
    if not isinstance(entries, list):
        raise RulesError(f"{path}:{_line_of(lines, 'rule')}: 'rule' must be [[rule]] tables")
    return Rules(
        tuple(
            _rule(e, path, lines, _table_line(lines, "[[rule]]", k)) for k, e in enumerate(entries)
        ),
        default,
        str(path),
    )


def _table_line(lines: list[str], header: str, k: int) -> int:
    """The line of the k-th `header` table (1-based; 1 when absent)."""
    found = [i for i, line in enumerate(lines, start=1) if line.strip().startswith(header)]
    return found[k] if k < len(found) else 1


def _line_of(lines: list[str], *words: str, after: int = 1) -> int:
    """The first line from `after` on that holds all of `words` (1-based), for error messages;
    `after` itself (the table's header) when none does."""
    for i, line in enumerate(lines[after - 1 :], start=after):
        if all(w in line for w in words):
            return i
    return after


def _rule(entry: object, path: Path, lines: list[str], at: int) -> Rule:
    if not isinstance(entry, dict):
        raise RulesError(f"{path}:{at}: a rule must be a table")
    allowed = {"deadline", "source", "level", "issuer_kind", "issuer"}
    for key in entry:
        if key not in allowed:
            raise RulesError(
                f"{path}:{_line_of(lines, key, after=at)}: unknown key {key!r} in a rule"
            )
    deadline = entry.get("deadline")
    if not isinstance(deadline, str) or not _MONTH_DAY.match(deadline):
        raise RulesError(
            f"{path}:{_line_of(lines, 'deadline', after=at)}: deadline must be "
            f'"MM-DD", not {deadline!r}'
        )
    values: dict[str, tuple[str, ...]] = {}
    for key, known in _CONDITIONS.items():
        given = entry.get(key, ())
        given = (given,) if isinstance(given, str) else tuple(given)
        for value in given:
            if value not in known:
                raise RulesError(
                    f"{path}:{_line_of(lines, key, str(value), after=at)}: unknown {key} {value!r} "
                    f"(one of {', '.join(known)})"
                )
        values[key] = given
    pattern = entry.get("issuer")
    try:
        issuer = re.compile(pattern) if pattern else None
    except (re.error, TypeError) as exc:
        raise RulesError(
            f"{path}:{_line_of(lines, 'issuer', after=at)}: bad issuer pattern: {exc}"
        ) from None
    return Rule(
        deadline, str(entry.get("source", "")), values["level"], values["issuer_kind"], issuer
    )
