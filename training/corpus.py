"""Labelled reports for training: weak labels from structure, overridden by manual labels."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from model.ingest.readers import DOCUMENT_SUFFIXES, ReadError, read_document
from model.labels import LABELS
from model.text.segment import Paragraph, heading_level, is_heading, normalise, split_paragraphs
from model.text.structure import structural_labels

REPO_SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def seeds_dir() -> Path:
    """The bundled seed corpus ($FZREPORT_SEEDS overrides)."""
    return Path(os.environ.get("FZREPORT_SEEDS") or REPO_SEEDS)


@dataclass(slots=True)
class Report:
    """One training report: its paragraphs and one label per paragraph."""

    name: str
    text: str
    paragraphs: list[Paragraph]
    labels: list[str | None]
    manual: int = 0  # how many labels come from the manual file


def weak_labels(paragraphs: Sequence[Paragraph]) -> list[str | None]:
    """Labels from headings and position alone (shared with the classifier's decoding).

    None marks a paragraph structure says nothing about (a report without headings); such a
    report needs manual labels before it can be trained on.
    """
    return structural_labels(paragraphs)


def fully_labelled(reports: Iterable[Report]) -> tuple[list[Report], list[str]]:
    """(reports whose every paragraph has a label, names of the others)."""
    kept: list[Report] = []
    skipped: list[str] = []
    for r in reports:
        if None in r.labels:
            skipped.append(r.name)
        else:
            kept.append(r)
    return kept, skipped


def data_hash(reports: Iterable[Report]) -> str:
    """sha256 over every report's text and labels: which data a bundle was trained on."""
    digest = hashlib.sha256()
    for r in reports:
        digest.update(r.name.encode())
        digest.update(r.text.encode())
        digest.update("\x1f".join(r.labels).encode())
    return digest.hexdigest()


# -- loading -----------------------------------------------------------------------------------


def _report(name: str, text: str) -> Report:
    paragraphs = split_paragraphs(text)
    return Report(name, text, paragraphs, weak_labels(paragraphs))


def _read(path: Path) -> str:
    """A report's text; an unreadable file is a ValueError that names it."""
    try:
        return read_document(path.read_bytes(), path.name).text
    except OSError as exc:
        raise ReadError(f"{path}: {exc.strerror or exc}") from None
    except ReadError as exc:
        message = str(exc)
        if not message.startswith(f"{path}:"):
            message = f"{path}: {message}"
        raise ReadError(message) from None


LABELS_SUFFIX = "labels.jsonl"  # labels.jsonl for a folder's files, X.labels.jsonl for X.jsonl
BACKGROUND_DIR = "background"  # reports read only for background statistics, never labels


def _is_corpus_file(path: Path) -> bool:
    return path.suffix.lower() in (".jsonl", ".json") and not path.name.endswith(LABELS_SUFFIX)


def load_corpus(path: str | Path, min_year: int | None = None) -> list[Report]:
    """Reports from a folder (.txt, .html, .docx, .pdf — the readers' formats — and JSONL
    corpora beside them) or from one JSONL corpus ({"doc_id"|"title", "text"}) or file."""
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in DOCUMENT_SUFFIXES)
        reports = [_report(f.name, _read(f)) for f in files]
        for corpus in sorted(p for p in path.iterdir() if p.is_file() and _is_corpus_file(p)):
            reports += load_corpus(corpus, min_year)
        return reports
    if path.suffix.lower() in (".jsonl", ".json"):
        reports = []
        # Split on line feeds only: a JSON string may hold U+2028, which splitlines() breaks at.
        for n, line in enumerate(path.read_text(encoding="utf-8-sig").split("\n"), start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                name, text = str(row.get("doc_id") or row.get("title") or n), row["text"]
                year = int(row.get("year") or row.get("report_year") or 0)
                if not isinstance(text, str):
                    raise TypeError(f"text is {type(text).__name__}")
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                raise ValueError(f"{path}:{n}: not a report row with a text: {exc!r}") from None
            if min_year is not None and year < min_year:
                continue
            reports.append(_report(name, text))
        return reports
    if path.is_file():
        return [_report(path.name, _read(path))]
    raise FileNotFoundError(f"no corpus at {path}")


def label_files(path: Path) -> list[Path]:
    """The manual labels files that go with a corpus path, when they exist.

    A folder: its labels.jsonl (for its report files) and X.labels.jsonl for each corpus X.jsonl
    in it; a corpus X.jsonl: X.labels.jsonl; a report file: its folder's labels.jsonl.
    """
    if path.is_dir():
        candidates = [path / LABELS_SUFFIX] + [
            p.with_name(p.stem + "." + LABELS_SUFFIX)
            for p in sorted(path.iterdir())
            if p.is_file() and _is_corpus_file(p)
        ]
    elif _is_corpus_file(path):
        candidates = [path.with_name(path.stem + "." + LABELS_SUFFIX)]
    else:
        candidates = [path.parent / LABELS_SUFFIX]
    return [c for c in candidates if c.is_file()]


def background_reports(corpora: Iterable[Path]) -> list[Report]:
    """Every report under the `background/` folder of each corpus folder."""
    reports: list[Report] = []
    for corpus in corpora:
        folder = corpus / BACKGROUND_DIR
        if corpus.is_dir() and folder.is_dir():
            reports += load_corpus(folder)
    return reports


def background_texts(corpora: Iterable[Path]) -> list[str]:
    """Texts of every report under the `background/` folder of each corpus folder."""
    return [r.text for r in background_reports(corpora)]


@dataclass(frozen=True, slots=True)
class ManualLabel:
    report: str
    label: str
    unit: int | None = None
    text: str | None = None


def _label_rows(path: Path, raw: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number in the file, row) of a CSV or JSONL labels file."""
    if path.suffix.lower() == ".csv":
        reader = csv.DictReader(io.StringIO(raw, newline=""))
        for row in reader:
            yield reader.line_num, row
        return
    for n, line in enumerate(raw.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as exc:
            raise ValueError(f"{path}:{n}: not a JSON object: {exc}") from None
        if not isinstance(row, dict):
            raise ValueError(f"{path}:{n}: not a JSON object")
        yield n, row


def load_manual_labels(path: str | Path) -> list[ManualLabel]:
    """Manual labels from CSV or JSONL with columns report, label and unit and/or text.

    Every error names the file and line, so a person can fix the labels file.
    """
    path = Path(path)
    raw = path.read_text(encoding="utf-8-sig")
    labels = []
    for n, row in _label_rows(path, raw):
        label = str(row.get("label") or "").strip()
        if label not in LABELS:
            raise ValueError(f"{path}:{n}: unknown label {label!r}; choose from {list(LABELS)}")
        report = str(row.get("report") or "").strip()
        if not report:
            raise ValueError(f"{path}:{n}: needs a report (file name)")
        unit = row.get("unit", row.get("paragraph"))
        text = row.get("text") or None
        if unit in (None, "") and text is None:
            raise ValueError(f"{path}:{n}: needs a unit (paragraph index) or a text")
        try:
            index = None if unit in (None, "") else int(unit)
        except (TypeError, ValueError):
            raise ValueError(f"{path}:{n}: unit must be a whole number, got {unit!r}") from None
        labels.append(ManualLabel(report, label, index, text))
    return labels


def _make_paragraph(text: str, start: int, end: int) -> Paragraph:
    seg = normalise(text[start:end])
    return Paragraph(start, end, text[start:end], heading_level(seg), is_heading(seg))


def apply_manual_labels(report: Report, manual: Sequence[ManualLabel]) -> Report:
    """Override weak labels; manual units given by text also fix the paragraph boundaries.

    Boundaries are the union of ours and the manual units', so a manual file that splits a
    paragraph differently (a heading glued to body text) is honoured rather than ignored.
    """
    by_text = [m for m in manual if m.text]
    spans: list[tuple[int, int, str]] = []
    cursor = 0
    for m in by_text:
        start = report.text.find(m.text, cursor)
        if start < 0:
            start = report.text.find(m.text)
        if start < 0:
            raise ValueError(f"{report.name}: manual unit not found in report: {m.text[:30]!r}")
        spans.append((start, start + len(m.text), m.label))
        cursor = start + len(m.text)
    cuts = {0, len(report.text)}
    for p in report.paragraphs:
        cuts |= {p.start, p.end}
    for start, end, _ in spans:
        cuts |= {start, end}
    points = sorted(cuts)
    paragraphs, labels = [], []
    for a, b in zip(points, points[1:], strict=False):
        while a < b and report.text[a].isspace():
            a += 1
        while b > a and report.text[b - 1].isspace():
            b -= 1
        if a >= b:
            continue
        label = next((lab for s, e, lab in spans if s <= a and b <= e), None)
        if label is None:
            label = next(
                (
                    lab
                    for p, lab in zip(report.paragraphs, report.labels, strict=True)
                    if p.start <= a and b <= p.end
                ),
                "boilerplate",
            )
        paragraphs.append(_make_paragraph(report.text, a, b))
        labels.append(label)
    for m in manual:
        if m.text is None and m.unit is not None and 0 <= m.unit < len(labels):
            labels[m.unit] = m.label
    return Report(report.name, report.text, paragraphs, labels, manual=len(manual))


def with_manual_labels(reports: list[Report], manual: Sequence[ManualLabel]) -> list[Report]:
    """Apply manual labels to the reports they name (matched by file name)."""
    by_report: dict[str, list[ManualLabel]] = {}
    for m in manual:
        by_report.setdefault(m.report, []).append(m)
    return [
        apply_manual_labels(r, by_report[r.name]) if r.name in by_report else r for r in reports
    ]
