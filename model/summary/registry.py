"""The single registry of summarisers by name, readable without importing them.

CLI choices, API validation and evaluation all read `SUMMARISERS`. Its names are plain
strings, so `fzreport --help` lists them without loading numpy; a class is imported when it is
first looked up.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from model.summary.base import Summariser


class Registry(Mapping[str, "type[Summariser]"]):
    """Names mapped to "module:Class" paths; `registry[name]` imports the class."""

    def __init__(self, paths: Mapping[str, str]) -> None:
        self._paths = dict(paths)

    def __getitem__(self, name: str) -> type[Summariser]:
        module, _, attribute = self._paths[name].partition(":")
        return getattr(import_module(module), attribute)

    def __contains__(self, name: object) -> bool:
        return name in self._paths  # without importing anything

    def __iter__(self) -> Iterator[str]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)


SUMMARISERS: Mapping[str, type[Summariser]] = Registry(
    {
        "lead": "model.summary.scorers:LeadSummariser",
        "textrank": "model.summary.scorers:TextRankSummariser",
        "sectionrank": "model.summary.scorers:SectionRankSummariser",
        "learnt": "model.summary.scorers:LearntSummariser",
    }
)
DEFAULT_METHOD = "learnt"


def get_summariser(method: str = DEFAULT_METHOD) -> Summariser:
    """An instance of the registered summariser, or a ValueError naming the choices."""
    try:
        return SUMMARISERS[method]()
    except KeyError:
        raise ValueError(f"unknown method {method!r}; choose from {sorted(SUMMARISERS)}") from None
