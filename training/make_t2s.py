"""Write model/data/t2s.txt: each traditional character with its simplified form, from OpenCC.

python -m training.make_t2s

Features are computed on simplified text so that traditional-character pages (several real
reports are published or mirrored that way) classify like the others. Offsets must not move,
so only one-character-to-one-character mappings are kept: OpenCC's t2s converter is asked for
each CJK character on its own (its phrase tables would sometimes change a word's length).
"""

from __future__ import annotations

from pathlib import Path

TABLE = Path(__file__).resolve().parent.parent / "model" / "data" / "t2s.txt"
# CJK Unified Ideographs, Extension A, Compatibility Ideographs.
RANGES = ((0x4E00, 0xA000), (0x3400, 0x4DC0), (0xF900, 0xFB00))


def pairs() -> list[tuple[str, str]]:
    import opencc

    converter = opencc.OpenCC("t2s")
    chars = [chr(c) for low, high in RANGES for c in range(low, high)]
    converted = converter.convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):
        raise RuntimeError("OpenCC joined or split characters: cannot pair them")
    return [(a, b) for a, b in zip(chars, converted, strict=True) if a != b and len(b) == 1]


def main() -> int:
    found = pairs()
    TABLE.write_text("".join(f"{a}\t{b}\n" for a, b in found), encoding="utf-8")
    print(f"wrote {TABLE} ({len(found)} characters)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
