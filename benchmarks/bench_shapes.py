"""The same report in 8 shapes: does every shape give the clean text's audit and labels?

    python benchmarks/bench_shapes.py [--model PATH] [--repeat 5] [--json out.json]

Shapes (SPEC "Reports as they arrive"): .txt, .docx, a saved web page (<title> and a <p> per
paragraph), GB18030, traditional characters (OpenCC s2t), one line (paragraphs run on with a
space between), PDF text hard-wrapped at 28-40 characters a line (varied by report, saved as
.txt), and a real PDF (LibreOffice, 公文 layout: 28-40 characters a line, first lines indented,
running header, page numbers in the footer). Every file is read through
`model.ingest.readers.read_document` and analysed; a shape counts for a report when the audit
essentials (issuer, year, each part's status, number of problems) equal the clean .txt's. The
share of characters whose paragraph label equals the clean text's is shown beside.

Reports: the five seeds (the rules were tuned on them), and apart, every 4th State Council work
report (a different genre, not used for tuning; their audit says "not an annual report", so the
labels column is the telling one there). Then the seeds hard-wrapped at every width from 28 to
40 (`wrap_sweep`), and the read time per format for a 20,000-character report (LibreOffice's
conversion time is quoted apart, as it is not reading).
"""

from __future__ import annotations

import argparse
import html
import io
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
HEADER = "法治政府建设年度报告"
SHAPES = ["txt", "docx", "page", "gb18030", "traditional", "one-line", "pdf-text", "pdf"]


# -- shapes --------------------------------------------------------------------------------------


def paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n") if line.strip()]


def wrap(text: str, width: int) -> str:
    """A PDF's text layer: every paragraph cut every `width` characters."""
    return "\n".join(p[i : i + width] for p in paragraphs(text) for i in range(0, len(p), width))


def docx_bytes(text: str, chars: int | None = None) -> bytes:
    """A Word document, a paragraph a line; with `chars`, in 公文 layout for a PDF (the test's
    document: `chars` characters a line, a running header, "— N —" page numbers)."""
    if chars:
        from tests.model.ingest.test_pdf import make_docx

        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "report.docx"
            make_docx("\n".join(paragraphs(text)), path, chars, ("— ", "PAGE", " —"))
            return path.read_bytes()
    import docx

    document = docx.Document()
    for line in paragraphs(text):
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def page_bytes(text: str) -> bytes:
    lines = paragraphs(text)
    title = lines[0] if lines and len(lines[0]) <= 60 else HEADER
    body = "\n".join(f"<p>{html.escape(line)}</p>" for line in lines)
    page = (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f'</head><body><div class="article">\n{body}\n</div></body></html>'
    )
    return page.encode("utf-8")


def shaped(
    text: str, index: int, to_traditional: Callable[[str], str]
) -> dict[str, tuple[bytes, str]]:
    """(bytes, file name) of the report in every shape but the real PDF."""
    return {
        "txt": (text.encode("utf-8"), "r.txt"),
        "docx": (docx_bytes(text), "r.docx"),
        "page": (page_bytes(text), "r.html"),
        "gb18030": (text.encode("gb18030", errors="replace"), "r.txt"),
        "traditional": (to_traditional(text).encode("utf-8"), "r.txt"),
        "one-line": (" ".join(paragraphs(text)).encode("utf-8"), "r.txt"),
        "pdf-text": (wrap(text, width(index)).encode("utf-8"), "r.txt"),
    }


def width(index: int) -> int:
    """28-40 characters a line, varied by report."""
    return 28 + (index * 5) % 13


def real_pdfs(texts: list[str], folder: Path) -> tuple[dict[int, bytes], float]:
    """LibreOffice PDFs of the reports in 公文 layout, and the seconds the conversion took."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        return {}, 0.0
    files = []
    for i, text in enumerate(texts):
        path = folder / f"r{i:03d}.docx"
        path.write_bytes(docx_bytes(text, chars=width(i)))
        files.append(str(path))
    started = time.perf_counter()
    command = [soffice, "--headless", "--convert-to", "pdf", "--outdir", str(folder), *files]
    subprocess.run(command, capture_output=True, timeout=1200, check=False)
    took = time.perf_counter() - started
    made = {i: (folder / f"r{i:03d}.pdf") for i in range(len(texts))}
    return {i: p.read_bytes() for i, p in made.items() if p.exists()}, took


# -- measures ------------------------------------------------------------------------------------


def essentials(result: dict[str, Any]) -> tuple[Any, ...]:
    audit = result["audit"]
    contents = tuple(sorted((k, v["status"]) for k, v in audit.get("contents", {}).items()))
    return (
        audit["metadata"]["issuer"],
        audit["metadata"]["year"],
        contents,
        len(audit["problems"]),
    )


def char_labels(result: dict[str, Any]) -> list[str]:
    return [p["label"] for p in result["paragraphs"] for _ in re.sub(r"\s", "", p["text"])]


def agreement(labels: list[str], expected: list[str]) -> float:
    if not expected:
        return 1.0
    same = sum(a == b for a, b in zip(labels, expected, strict=False))
    return same / max(len(labels), len(expected))


def measure(name: str, texts: list[str], classifier: Any, folder: Path) -> dict[str, Any]:
    """Per shape: how many reports give the clean audit, and the mean label agreement."""
    import opencc

    from model.analyse import analyse
    from model.ingest.readers import ReadError, read_document

    to_traditional = opencc.OpenCC("s2t").convert
    pdfs, conversion = real_pdfs(texts, folder)
    rows: dict[str, dict[str, list[float]]] = {s: {"same": [], "labels": []} for s in SHAPES}
    failures: list[str] = []
    for i, text in enumerate(texts):
        clean = analyse(text, classifier, audit=True)
        files = shaped(text, i, to_traditional)
        if i in pdfs:
            files["pdf"] = (pdfs[i], "r.pdf")
        for shape, (data, file_name) in files.items():
            try:
                result = analyse(read_document(data, file_name).text, classifier, audit=True)
            except ReadError as exc:
                failures.append(f"{name} #{i} {shape}: {exc}")
                rows[shape]["same"].append(0.0)
                rows[shape]["labels"].append(0.0)
                continue
            same = essentials(result) == essentials(clean)
            if not same:
                failures.append(f"{name} #{i} {shape}: {essentials(clean)} -> {essentials(result)}")
            rows[shape]["same"].append(float(same))
            rows[shape]["labels"].append(agreement(char_labels(result), char_labels(clean)))
    return {"rows": rows, "failures": failures, "conversion_s": conversion, "pdfs": len(pdfs)}


WRAP_WIDTHS = range(28, 41)  # characters a line of a PDF's text layer, A4 公文 and wider


def wrap_sweep(texts: list[str], classifier: Any) -> dict[str, Any]:
    """Each text hard-wrapped at every width of WRAP_WIDTHS, read as a .txt: how many give
    the clean text's audit (a wrap can break any phrase a check looks for)."""
    from model.analyse import analyse
    from model.ingest.readers import read_document

    same, misses = 0, []
    for i, text in enumerate(texts):
        clean = essentials(analyse(text, classifier, audit=True))
        for width in WRAP_WIDTHS:
            data = wrap(text, width).encode("utf-8")
            result = analyse(read_document(data, "r.txt").text, classifier, audit=True)
            if essentials(result) == clean:
                same += 1
            else:
                misses.append(f"#{i} at {width}: {clean} -> {essentials(result)}")
    return {"same": same, "of": len(texts) * len(WRAP_WIDTHS), "misses": misses}


def read_times(text: str, repeat: int, folder: Path) -> dict[str, float]:
    """Median milliseconds `read_document` takes for each format of one report."""
    import opencc

    from model.ingest.readers import read_document

    files = shaped(text, 2, opencc.OpenCC("s2t").convert)
    pdfs, _ = real_pdfs([text], folder)
    if pdfs:
        files["pdf"] = (pdfs[0], "r.pdf")
    times = {}
    for shape, (data, file_name) in files.items():
        read_document(data, file_name)  # imports and first-use caches out of the timing
        runs = []
        for _ in range(repeat):
            started = time.perf_counter()
            read_document(data, file_name)
            runs.append((time.perf_counter() - started) * 1000)
        times[shape] = statistics.median(runs)
    return times


def report_of(chars: int, texts: list[str]) -> str:
    """A report of about `chars` characters cut at a paragraph end, from the longest text."""
    lines, total = [], 0
    for line in paragraphs(max(texts, key=len)):
        if total >= chars:
            break
        lines.append(line)
        total += len(line)
    return "\n".join(lines)


# -- the table -----------------------------------------------------------------------------------


def table(title: str, found: dict[str, Any], count: int) -> str:
    out = [f"{title} ({count} reports)", f"{'shape':<12} {'audit same':>11} {'labels':>8}"]
    overall = []
    for shape in SHAPES:
        same, labels = found["rows"][shape]["same"], found["rows"][shape]["labels"]
        if not same:
            out.append(f"{shape:<12} {'-':>11} {'-':>8}")
            continue
        overall += same
        share = f"{int(sum(same))}/{len(same)}"
        out.append(
            f"{shape:<12} {share:>6} {100 * sum(same) / len(same):3.0f}% "
            f"{100 * statistics.mean(labels):7.1f}%"
        )
    out.append(f"{'overall':<12} {100 * sum(overall) / max(len(overall), 1):10.1f}%")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="a bundle; default: trained on seeds/ now")
    parser.add_argument("--repeat", type=int, default=5, help="runs per format for read times")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from model import persist
    from training.train import build_bundle

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = args.model
        if path is None:
            path = folder / "model.joblib"
            build_bundle(ROOT / "seeds", path, run_evaluation=False, show=False)
        classifier = persist.load(path).classifier
        seeds = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
        with (ROOT / "seeds" / "background" / "statecouncil.jsonl").open(encoding="utf-8") as f:
            council = [json.loads(line)["text"] for line in f if line.strip()][::4]
        (folder / "seeds").mkdir()
        (folder / "council").mkdir()
        (folder / "timing").mkdir()
        found = {
            "seeds": measure("seeds", seeds, classifier, folder / "seeds"),
            "statecouncil": measure("statecouncil", council, classifier, folder / "council"),
        }
        found["wrapped"] = wrap_sweep(seeds, classifier)
        report = report_of(20_000, council)
        started = time.perf_counter()
        times = read_times(report, args.repeat, folder / "timing")
        timed = time.perf_counter() - started
    print(table("Seeds (tuned on)", found["seeds"], len(seeds)))
    print()
    print(
        table(
            "State Council work reports, every 4th (not tuned on)",
            found["statecouncil"],
            len(council),
        )
    )
    print()
    wrapped = found["wrapped"]
    print(
        f"Seeds wrapped at every width {WRAP_WIDTHS.start}-{WRAP_WIDTHS.stop - 1}: "
        f"{wrapped['same']} of {wrapped['of']} give the clean audit"
    )
    for line in wrapped["misses"]:
        print("  " + line)
    print()
    print(f"read_document for one {len(report):,}-character report, median of {args.repeat} (ms)")
    for shape, ms in times.items():
        flag = "" if ms <= 50 else "  over the 50 ms target"
        print(f"  {shape:<12} {ms:7.1f}{flag}")
    conversions = [found[k]["conversion_s"] for k in ("seeds", "statecouncil")]
    pdfs = sum(found[k]["pdfs"] for k in ("seeds", "statecouncil"))
    if pdfs:
        print(f"LibreOffice conversion (not reading): {sum(conversions):.1f} s for {pdfs} PDFs")
    else:
        print("LibreOffice (soffice) not found: no real PDFs (make office installs it)")
    failures = found["seeds"]["failures"] + found["statecouncil"]["failures"]
    if failures:
        print("\nshapes that differ:")
        for line in failures:
            print("  " + line)
    if args.json:
        figures = {"found": found, "read_ms": times, "timing_s": timed}
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
