"""OCR of scans: character accuracy and seconds per page on an image-only PDF.

    python benchmarks/bench_ocr.py [--chars 1500] [--repeat 1] [--audit]

Prints seed report 003 (first --chars characters) onto A4 pages with a CJK font (Debian's
fonts-noto-cjk), saves them as an image-only PDF and reads it back with `read_scanned_pdf`.
Target (the OCR task): character accuracy >= 0.97. Needs the `ocr` extra.

With --audit, every seed is printed whole, read back through `read_document` as a scan, and
its audit essentials (issuer, year, each part's status, the number of problems) compared with
the clean text's, as benchmarks/bench_shapes.py compares its shapes.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
import unicodedata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def nfkc(text: str) -> str:
    """Full-width punctuation and digits as their ASCII forms."""
    return unicodedata.normalize("NFKC", text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=1500, help="characters of the seed printed")
    parser.add_argument("--repeat", type=int, default=1, help="timed reads after a warm-up")
    parser.add_argument("--audit", action="store_true", help="also whole seeds, audit compared")
    args = parser.parse_args(argv)
    extra = ("rapidocr", "onnxruntime", "pypdfium2")
    missing = [name for name in extra if importlib.util.find_spec(name) is None]
    if missing:
        print(f"the ocr extra is not installed (missing {', '.join(missing)})", file=sys.stderr)
        return 2
    sys.path.insert(0, str(ROOT))
    from model.ingest.ocr import read_scanned_pdf
    from tests.model.ingest.test_ocr import (
        char_accuracy,
        find_cjk_font,
        image_only_pdf,
        load_font,
        print_pages,
        seed_text,
    )

    path = find_cjk_font()
    if path is None:
        print("no CJK font: apt-get install fonts-noto-cjk", file=sys.stderr)
        return 2
    reference = seed_text(args.chars)
    pages = print_pages(reference, load_font(path))
    data = image_only_pdf(pages)

    start = time.perf_counter()
    read_scanned_pdf(image_only_pdf(pages[:1]))  # the first read also loads the three models
    cold = time.perf_counter() - start

    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        decoded = read_scanned_pdf(data)
        times.append(time.perf_counter() - start)
    best = min(times)
    result = {
        "font": path.name,
        "pages": len(pages),
        "characters": len(reference),
        "accuracy": round(char_accuracy(reference, decoded.text), 4),
        # Full- and half-width forms as one (，and , ：and :): segment unifies widths too.
        "accuracy_nfkc": round(char_accuracy(nfkc(reference), nfkc(decoded.text)), 4),
        "seconds_per_page": round(best / len(pages), 2),
        "first_page_cold_seconds": round(cold, 2),
        "notes": list(decoded.notes),
    }
    if args.audit:
        result["audit_same"] = audits_kept(pages_of=lambda text: print_pages(text, load_font(path)))
    print(json.dumps(result, ensure_ascii=False))
    return 0 if result["accuracy"] >= 0.97 else 1


def audits_kept(pages_of: Any) -> str:
    """How many seeds, printed whole and read back by OCR, keep the clean text's audit."""
    import tempfile

    from bench_shapes import essentials

    from model import persist
    from model.analyse import analyse
    from model.ingest.readers import read_document
    from tests.model.ingest.test_ocr import image_only_pdf
    from training.train import build_bundle

    with tempfile.TemporaryDirectory() as tmp:
        bundle = Path(tmp) / "model.joblib"
        build_bundle(ROOT / "seeds", bundle, run_evaluation=False, show=False)
        classifier = persist.load(bundle).classifier
    same = []
    for seed in sorted((ROOT / "seeds").glob("*.txt")):
        text = seed.read_text(encoding="utf-8")
        clean = essentials(analyse(text, classifier, audit=True))
        scanned = read_document(image_only_pdf(pages_of(text)), seed.stem + ".pdf").text
        kept = essentials(analyse(scanned, classifier, audit=True)) == clean
        same.append(kept)
        if not kept:
            print(f"{seed.name}: {clean} -> {essentials(analyse(scanned, classifier, audit=True))}")
    return f"{sum(same)} of {len(same)}"


if __name__ == "__main__":
    sys.exit(main())
