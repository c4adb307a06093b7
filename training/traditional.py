"""Traditional characters: the table the features use, and traditional copies for evaluation.

python -m training.traditional      # (re)write model/data/t2s.txt from OpenCC

`model/data/t2s.txt` pairs each traditional character with its simplified form.
Features are computed on simplified text so that traditional-character pages (several real
reports are published or mirrored that way) classify like the others. Offsets must not move,
so only one-character-to-one-character mappings are kept: OpenCC's t2s converter is asked for
each CJK character on its own (its phrase tables would sometimes change a word's length).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from training.corpus import Report

TABLE = Path(__file__).resolve().parent.parent / "model" / "data" / "t2s.txt"
# CJK Unified Ideographs, Extension A, Compatibility Ideographs.
RANGES = ((0x4E00, 0xA000), (0x3400, 0x4DC0), (0xF900, 0xFB00))


def pairs(config: str = "t2s") -> list[tuple[str, str]]:
    """(character, converted character) for every CJK character OpenCC's `config` changes
    into exactly one other character."""
    import opencc

    converter = opencc.OpenCC(config)
    chars = [chr(c) for low, high in RANGES for c in range(low, high)]
    converted = converter.convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):
        raise RuntimeError("OpenCC joined or split characters: cannot pair them")
    return [(a, b) for a, b in zip(chars, converted, strict=True) if a != b and len(b) == 1]


def traditional_copies(reports: Sequence[Report]) -> list[Report]:
    """Each report in traditional characters (OpenCC s2t, character by character), with the
    same paragraphs and labels: offsets do not move, so the labels still fit."""
    table = str.maketrans(dict(pairs("s2t")))
    copies = []
    for r in reports:
        text = r.text.translate(table)
        paragraphs = [p._replace(text=text[p.start : p.end]) for p in r.paragraphs]
        copies.append(Report(r.name, text, paragraphs, list(r.labels), r.manual))
    return copies


def main() -> int:
    found = pairs()
    TABLE.write_text("".join(f"{a}\t{b}\n" for a, b in found), encoding="utf-8")
    print(f"wrote {TABLE} ({len(found)} characters)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
