"""The fixed bigram weights of the archive comparisons (`model/data/bigrams.npz`).

The problem clusters and recurring problems weigh character bigrams by IDF. Over the archive
itself, every report added would change every item's vector, and an update would have to
compare the whole archive again. So the document frequencies come from text the project
ships: each sentence of the seed reports, of the report openings (`seeds/openings.jsonl`)
and of the State Council work reports (`seeds/background/`) is a document. Stock words of
government writing ("工作", "进一步", "不够") are in many of them and weigh little.

    python -m training.bigrams          # write the table
    python -m training.bigrams --check  # exit 1 when the shipped table is not this one
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import numpy as np

from model.compare import BIGRAMS_FILE, bigram_table
from training.corpus import background_texts, load_corpus, seeds_dir

_SENTENCE_END = re.compile(r"[。！？；!?;\n]+")


def sentences() -> list[str]:
    """Every sentence of the shipped reports, in a fixed order."""
    seeds = seeds_dir()
    texts = [r.text for r in load_corpus(seeds)] + background_texts([seeds])
    return [s for text in texts for s in _SENTENCE_END.split(text) if s.strip()]


def same_table(path: Path, table: dict[str, np.ndarray]) -> bool:
    """Whether the file at `path` holds `table` (the arrays, not the zip's bytes: those carry
    the time they were written)."""
    if not path.is_file():
        return False
    with np.load(path) as shipped:
        return set(shipped.files) == set(table) and all(
            np.array_equal(shipped[name], values) for name, values in table.items()
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.bigrams", description=__doc__)
    parser.add_argument("--out", type=Path, default=BIGRAMS_FILE)
    parser.add_argument("--check", action="store_true", help="compare with the file, write nothing")
    args = parser.parse_args(argv)
    table = bigram_table(sentences())
    if args.check:
        same = same_table(args.out, table)
        print(f"{args.out}: {'up to date' if same else 'differs from the shipped reports'}")
        return 0 if same else 1
    try:
        np.savez_compressed(args.out, **table)
    except OSError as exc:
        print(
            f"python -m training.bigrams: cannot write {args.out}: {exc.strerror}", file=sys.stderr
        )
        return 2
    with np.load(args.out) as table:
        print(f"{args.out}: {len(table['keys']):,} bigrams over {int(table['n']):,} sentences")
    return 0


if __name__ == "__main__":
    sys.exit(main())
