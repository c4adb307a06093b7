"""The core's outputs on every report we hold, compared with golden files.

Labels, probabilities, summaries (every registered method), the structured summary, figures,
keywords and the audit of the five seeds, the 158 report openings and the State Council work
reports must not change unless a change means them to: this is the safety net for refactoring
the core. After a deliberate change of behaviour, rewrite the files with

    FZREPORT_UPDATE_GOLDEN=1 pytest tests/test_golden_core.py

and read the diff before committing it.
"""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path
from typing import Any

import pytest

from model import persist
from model.analyse import analyse
from model.summary.registry import SUMMARISERS

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden" / "core"
UPDATE = os.environ.get("FZREPORT_UPDATE_GOLDEN") == "1"


def _seeds() -> list[tuple[str, str]]:
    return [(p.name, p.read_text(encoding="utf-8")) for p in sorted(ROOT.glob("seeds/*.txt"))]


def _jsonl(path: Path) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8") as f:
        return [(r["doc_id"], r["text"]) for r in map(json.loads, f)]


CORPORA = {
    "seeds": _seeds,
    "openings": lambda: _jsonl(ROOT / "seeds" / "openings.jsonl"),
    "statecouncil": lambda: _jsonl(ROOT / "seeds" / "background" / "statecouncil.jsonl"),
}


def _rounded(value: Any) -> Any:
    """Floats to 6 places, so the files compare numbers, not their last bits."""
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    return value


def _outputs(name: str, text: str, classifier: Any) -> dict[str, Any]:
    result = analyse(text, classifier, audit=True)
    result["paragraphs"] = [
        {k: p.get(k) for k in ("start", "end", "label", "confidence", "scores", "heading")}
        for p in result["paragraphs"]
    ]
    others = {
        method: [
            (s["start"], s["end"]) for s in analyse(text, classifier, method=method)["sentences"]
        ]
        for method in SUMMARISERS
    }
    return _rounded({"doc": name, "analysis": result, "methods": others})


@pytest.mark.slow
@pytest.mark.parametrize("corpus", list(CORPORA))
def test_core_outputs_match_golden(corpus: str, bundle: persist.Bundle) -> None:
    path = GOLDEN / f"{corpus}.jsonl.gz"
    actual = [_outputs(name, text, bundle.classifier) for name, text in CORPORA[corpus]()]
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = "".join(json.dumps(a, ensure_ascii=False, sort_keys=True) + "\n" for a in actual)
        # mtime 0: the same outputs give the same bytes, so an unchanged file stays unchanged
        with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as f:
            f.write(lines.encode("utf-8"))
    if not path.exists():
        pytest.fail(f"no golden file {path}: run FZREPORT_UPDATE_GOLDEN=1 pytest {__file__}")
    with gzip.open(path, "rt", encoding="utf-8") as f:
        expected = [json.loads(line) for line in f]
    assert [a["doc"] for a in actual] == [e["doc"] for e in expected]
    for a, e in zip(actual, expected, strict=True):
        # compare through JSON so tuples and lists (and key order) are alike
        assert json.loads(json.dumps(a, sort_keys=True)) == e, a["doc"]
