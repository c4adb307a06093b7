"""How far two archives of one journal agree in their comparisons: clusters, recurring pairs and
shared passages, matched by (source, index) since report ids may differ between builds.

    python benchmarks/compare_stores.py BEFORE/archive.sqlite AFTER/archive.sqlite

For each kind: the entries of each store, how many are identical, and for the groupings
(clusters, shared passages) the share of co-grouped pairs of items that the other store groups
together too. Reads a store of schema version 3 (the whole comparison as one JSON value in
`stats`) or 4 and later (one row per entry in `comparison`, placed by `sort` from 6 on),
read-only.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

Item = tuple[str, Any]


def comparison(path: Path) -> dict[str, list[Any]]:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT value FROM stats WHERE key = 'compare'").fetchone()
        if row is not None:
            return json.loads(row[0])
        columns = {row[1] for row in conn.execute("PRAGMA table_info(comparison)")}
        order = "sort" if "sort" in columns else "idx"  # schema 6 places entries by `sort`
        return {
            kind: [
                json.loads(value)
                for (value,) in conn.execute(
                    f"SELECT value FROM comparison WHERE kind = ? ORDER BY {order}", (kind,)
                )
            ]
            for kind in ("clusters", "recurring", "shared")
        }
    finally:
        conn.close()


def sources(path: Path) -> dict[int, str]:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return dict(conn.execute("SELECT id, source FROM reports"))
    finally:
        conn.close()


def groupings(path: Path) -> dict[str, list[frozenset[Any]]]:
    """Clusters and shared passages as sets of items; recurring pairs as pairs of items."""
    whole, source = comparison(path), sources(path)

    def item(entry: dict[str, Any]) -> Item:
        return (source[entry["report_id"]], entry["index"])

    pairs = whole.get("recurring") or []
    return {
        "clusters": [frozenset(map(item, c["members"])) for c in whole.get("clusters") or []],
        "shared": [frozenset(map(item, g["paragraphs"])) for g in whole.get("shared") or []],
        "recurring": [frozenset([tuple(map(item, p["items"]))]) for p in pairs],
    }


def co_grouped(groups: list[frozenset[Any]]) -> tuple[dict[Any, int], int]:
    label = {member: k for k, group in enumerate(groups) for member in group}
    sizes = Counter(label.values())
    return label, sum(n * (n - 1) // 2 for n in sizes.values())


def agreement(before: list[frozenset[Any]], after: list[frozenset[Any]]) -> dict[str, Any]:
    a, pairs_a = co_grouped(before)
    b, pairs_b = co_grouped(after)
    both = Counter((a[m], b[m]) for m in a.keys() & b.keys())
    common = sum(n * (n - 1) // 2 for n in both.values())
    return {
        "entries": (len(before), len(after)),
        "identical": len(set(before) & set(after)),
        "after_pairs_also_before": round(common / pairs_b, 4) if pairs_b else None,
        "before_pairs_also_after": round(common / pairs_a, 4) if pairs_a else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    first, second = groupings(args.before), groupings(args.after)
    for kind in ("clusters", "recurring", "shared"):
        print(kind, json.dumps(agreement(first[kind], second[kind])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
