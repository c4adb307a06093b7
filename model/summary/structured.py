"""What a report says by section, its key figures and its keywords."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from model.summary.base import Budget
from model.summary.select import REDUNDANCY, candidates, pick
from model.text.bags import word_counts
from model.text.document import Document
from model.text.problems import problem_items
from model.text.segment import NUMBER_TOKEN, YEAR_TOKEN, unwrap
from model.text.units import FIGURE, sentence_kinds

_CLAUSE = re.compile(r"[^，。；！？：、]+")  # line breaks inside a sentence only wrapped it
_YEAR_LIKE = re.compile(r"^(?:19|20)[0-9]{2}$")
_DIGIT = re.compile(r"[0-9]")


@dataclass(frozen=True, slots=True)
class Figure:
    """A number with its unit and the clause it appears in (办理案件131件)."""

    text: str
    value: float
    unit: str
    start: int
    end: int
    label: str | None

    def as_dict(self) -> dict[str, object]:
        return {
            "text": self.text,
            "value": self.value,
            "unit": self.unit,
            "start": self.start,
            "end": self.end,
            "label": self.label,
        }


def key_figures(doc: Document, limit: int = 20) -> list[Figure]:
    """Numbers with units in the report body, each with its clause as context."""
    figures: list[Figure] = []
    text = doc.normalised()
    chrome = sentence_kinds(doc).chrome
    for i, s in enumerate(doc.sentences):
        norm = text[s.start : s.end]
        if chrome[i] or not _DIGIT.search(norm):
            continue
        label = doc.sentence_label(s)
        for clause in _CLAUSE.finditer(norm):
            # a figure the page width broke ("1\n31件") is read whole
            for m in FIGURE.finditer(clause.group().replace("\n", "")):
                number, unit = m.group(1), m.group(2)
                if _YEAR_LIKE.match(number) and unit not in ("%", "％"):
                    continue
                start, end = s.start + clause.start(), s.start + clause.end()
                text = unwrap(doc.text[start:end]).strip()
                figures.append(
                    Figure(text, float(number), unit.replace("％", "%"), start, end, label)
                )
                break
            if len(figures) >= limit:
                return figures
    return figures


def keywords(doc: Document, limit: int = 10) -> list[dict[str, object]]:
    """The report's most characteristic terms: occurrences × background IDF.

    With the bundle's background corpus (`model.learn.background`) a word every report uses (开展,
    推进, 建设) weighs little and a domain term (行政复议, 法律顾问) much; without one, the IDF is
    the document's own over its sentences. Two words that follow each other at least twice
    ("合法性" "审查") are a term of their own, weighed by the rarer of the two; each occurrence
    counts for the longest term it belongs to, so the parts of a chosen term do not repeat it.
    Chrome sentences do not count.
    """
    counts, vocab = word_counts(doc)
    if not vocab or not doc.sentences:
        return []
    columns, rows = doc.features["word_tokens"]
    chrome = sentence_kinds(doc).chrome
    usable = ~chrome[rows]
    size = len(vocab)
    total = np.bincount(columns[usable], minlength=size).astype(float)
    if doc.background is not None:
        idf = doc.background.idf(vocab)
    else:
        in_body = np.repeat(~chrome, np.diff(counts.indptr))
        df = np.bincount(counts.indices[in_body], minlength=size)
        idf = np.log(1 + int((~chrome).sum()) / np.maximum(df, 1))
    # Words of two characters or more, not the number buckets (found by list.index, in C).
    content = np.fromiter(map(len, vocab), dtype=np.int64, count=size) > 1
    for bucket in (YEAR_TOKEN, NUMBER_TOKEN):
        if bucket in vocab:
            content[vocab.index(bucket)] = False
    pairs, together = _word_pairs(columns, rows, usable & content[columns], size)
    pair_weight = together * np.maximum(idf[pairs // size], idf[pairs % size])
    # Only pairs that could rank are checked against the text (a search of it per pair).
    top_pairs = np.argsort(-pair_weight, kind="stable")[: 2 * limit]
    text = doc.normalised().lower()
    terms = []
    for k in top_pairs.tolist():
        a, b = divmod(int(pairs[k]), size)
        if text.count(vocab[a] + vocab[b]) >= 2:
            terms.append((float(pair_weight[k]), vocab[a] + vocab[b], int(together[k])))
            total[a] -= together[k]
            total[b] -= together[k]
    weight = np.where(content & (total > 0), total * idf, 0.0)
    top = np.flatnonzero(weight)
    if len(top) > limit:
        cut = -np.partition(-weight[top], limit - 1)[limit - 1]
        top = top[weight[top] >= cut]  # every candidate at the cut: ties break by the word
    scored = terms + [(float(weight[j]), vocab[j], int(total[j])) for j in top.tolist()]
    scored.sort(key=lambda t: (-t[0], t[1]))
    return [
        {"word": word, "weight": round(weight, 3), "count": n} for weight, word, n in scored[:limit]
    ]


def _word_pairs(
    columns: np.ndarray, rows: np.ndarray, usable: np.ndarray, size: int
) -> tuple[np.ndarray, np.ndarray]:
    """(pair keys a × size + b, counts) of adjacent usable words in one sentence, seen twice
    or more. Stop-words are removed from the words, so the caller checks the text."""
    pair = usable[:-1] & usable[1:] & (rows[:-1] == rows[1:])
    keys = columns[:-1][pair] * size + columns[1:][pair]
    found, tally = np.unique(keys, return_counts=True)
    return found[tally >= 2], tally[tally >= 2]


def structured_summary(
    doc: Document, scores: np.ndarray, per_section: int = 2, diversity: float = 0.0
) -> dict[str, list[dict[str, object]]]:
    """What each section type says, in document order: its best `per_section` sentences, by
    the same rules as the summary; for shortcomings, every admitted problem as a whole
    statement (`model.text.problems`)."""
    if doc.labels is None:
        return {}
    result: dict[str, list[dict[str, object]]] = {}
    sentence_labels = doc.sentence_labels()
    # Score order and the candidates are the same for every section: compute them once.
    order = np.argsort(-scores, kind="stable")
    order = order[candidates(doc)[0][order]]
    ordered_labels = sentence_labels[order]
    for label in dict.fromkeys(doc.labels):
        if label == "boilerplate":
            continue
        if label == "shortcomings" and (items := problem_items(doc, label)):
            result[label] = [item.as_dict() for item in items]
            continue
        chosen = order[ordered_labels == label]
        picks = pick(doc, scores, chosen, Budget(per_section), REDUNDANCY, diversity)
        if picks:
            result[label] = [p.as_dict() for p in picks]
    return result
