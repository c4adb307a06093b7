"""Careful human extracts (seeds/extracts/): loading them, checking them, and how far two
readers agree, the ceiling a summariser can be held to.

    python -m training.extracts        # the readers' agreement, ROUGE-1/2 by budget

`training.extracts_eval` scores the summarisers against them (`fzreport evaluate --extracts`).

Each extract is a list of whole sentences copied from its report, in report order, within a
budget of 150, 300 or 600 characters (seeds/extracts/README.md says how they were made).
"""

from __future__ import annotations

import json
import re
import statistics
import sys
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    import numpy as np

    from model.learn.scorer import LinearScorer

from training.corpus import seeds_dir
from training.evaluate import content_chars, rouge_n

BUDGETS = (150, 300, 600)
READERS = ("a", "b")
_SENTENCE_END = "。！？"


@dataclass(frozen=True)
class Extract:
    """One reader's extracts of one report, by budget."""

    doc_id: str
    reader: str
    items: dict[int, list[str]]


def extracts_dir() -> Path:
    return seeds_dir() / "extracts"


def load_extracts(folder: Path | None = None) -> Iterator[Extract]:
    """Every reader's extract files, by reader then report."""
    folder = folder or extracts_dir()
    for reader in READERS:
        for path in sorted((folder / reader).glob("*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            items = {budget: list(data.get(str(budget), [])) for budget in BUDGETS}
            yield Extract(data["doc_id"], reader, items)


def report_texts(corpus: Path | None = None) -> dict[str, str]:
    """The reports extracts are made of, by doc_id: a corpus folder's reports (`seed_000` for
    `000_….txt`) and the JSONL reports of its background/ folder."""
    corpus = corpus or seeds_dir()
    texts = {
        f"seed_{path.name[:3]}": path.read_text(encoding="utf-8")
        for path in sorted(corpus.glob("*.txt"))
    }
    for path in sorted((corpus / "background").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            texts[row["doc_id"]] = row["text"]
    return texts


def problems(extract: Extract, text: str) -> list[str]:
    """What is wrong with an extract: an item not a whole sentence of the report, out of
    report order, or a budget exceeded or empty."""
    found = []
    for budget, items in extract.items.items():
        if not items:
            found.append(f"{budget}: empty")
        if sum(map(len, items)) > budget:
            found.append(f"{budget}: {sum(map(len, items))} characters")
        at = 0
        for item in items:
            start = text.find(item, at)
            if start < 0:
                found.append(f"{budget}: not in the report after the previous item: {item[:20]}")
                continue
            end = start + len(item)
            before = text[:start].rstrip(" \t\u3000")
            after = re.match(r"[ \t\u3000]*(?:\r?\n|$)", text[end:])
            if before and before[-1] not in _SENTENCE_END + "\n":
                found.append(f"{budget}: starts inside a sentence: {item[:20]}")
            if item[-1] not in _SENTENCE_END and after is None:
                found.append(f"{budget}: ends inside a sentence: {item[-20:]}")
            at = end
    return found


def agreement(extracts: list[Extract]) -> dict[int, dict[str, float | int]]:
    """Mean ROUGE-1/2 F1 (characters) between the two readers' extracts of the same reports."""
    by_report: dict[str, dict[str, Extract]] = {}
    for extract in extracts:
        by_report.setdefault(extract.doc_id, {})[extract.reader] = extract
    pairs = [(r["a"], r["b"]) for r in by_report.values() if set(r) >= set(READERS)]
    result: dict[int, dict[str, float | int]] = {}
    for budget in BUDGETS:
        scores = [
            [
                rouge_n(
                    content_chars("".join(a.items[budget])),
                    content_chars("".join(b.items[budget])),
                    n,
                )
                for n in (1, 2)
            ]
            for a, b in pairs
        ]
        result[budget] = {
            "reports": len(scores),
            "rouge1": round(statistics.mean(s[0] for s in scores), 3) if scores else 0.0,
            "rouge2": round(statistics.mean(s[1] for s in scores), 3) if scores else 0.0,
        }
    return result


def main(out: TextIO | None = None) -> int:
    out = out or sys.stdout
    extracts = list(load_extracts())
    print(f"{len(extracts)} extract files in {extracts_dir()}", file=out)
    print("budget  reports  ROUGE-1  ROUGE-2   (reader a against reader b)", file=out)
    for budget, row in agreement(extracts).items():
        print(
            f"{budget:>6}  {row['reports']:>7}  {row['rouge1']:>7.3f}  {row['rouge2']:>7.3f}",
            file=out,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


# -- the learnt sentence scorer ---------------------------------------


def picked(doc: Any, extract: Extract, budget: int) -> np.ndarray:
    """Which of the document's sentences the reader's extract holds (an item within it, or
    it within an item: the readers cut at 。！？ and line ends, the segmenter also at ；)."""
    import numpy as np

    items = [item.strip() for item in extract.items[budget]]
    chosen = np.zeros(len(doc.sentences), dtype=bool)
    for i, s in enumerate(doc.sentences):
        text = s.text.strip()
        chosen[i] = bool(text) and any(text in item or item in text for item in items)
    return chosen


def extract_id(report_name: str) -> str:
    """The extracts' id of a training report: `seed_000` for `000_….txt`, else its name."""
    return f"seed_{report_name[:3]}" if report_name.endswith(".txt") else report_name


def fit_sentence_scorer(
    classifier: Any, corpus: Path | None = None, exclude: Collection[str] = ()
) -> LinearScorer | None:
    """The sentence scorer learnt from a corpus's extracts (CORPUS/extracts/): the features of
    every report both readers extracted, as `classifier` labels it, against the sentences
    either reader picked at 300 characters; reports in `exclude` (extract ids) are left out,
    as a cross-validation fold's held-out reports are. None when no extracts are left."""
    import numpy as np

    from model.analyse import prepare
    from model.learn.scorer import LinearScorer
    from model.summary.scorers import sentence_features

    corpus = corpus or seeds_dir()
    by_doc: dict[str, dict[str, Extract]] = {}
    for extract in load_extracts(corpus / "extracts"):
        by_doc.setdefault(extract.doc_id, {})[extract.reader] = extract
    texts = report_texts(corpus)
    rows, targets = [], []
    for doc_id, readers in sorted(by_doc.items()):
        if doc_id not in texts or doc_id in exclude or not set(readers) >= set(READERS):
            continue
        doc = prepare(texts[doc_id], classifier)
        rows.append(sentence_features(doc))
        targets.append(picked(doc, readers["a"], 300) | picked(doc, readers["b"], 300))
    if not rows or not np.concatenate(targets).any():
        return None
    return LinearScorer().fit(np.vstack(rows), np.concatenate(targets))
