"""One pass over a report: segment, classify, summarise, figures, keywords.

The HTTP API, the CLI and the batch all call these functions, so they cannot drift apart.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from model.audit.deadlines import Rules
from model.audit.metadata import Context
from model.labels import LABEL_ZH
from model.learn.classify import SectionModel
from model.summary.base import Budget
from model.summary.registry import DEFAULT_METHOD, get_summariser
from model.summary.select import candidates, select_for
from model.summary.structured import key_figures, keywords, structured_summary
from model.text.document import Document, build_document, build_document_from_lines
from model.text.segment import unwrap
from model.text.units import sentence_kinds


def prepare(
    text: str | Sequence[str] | Document,
    classifier: SectionModel | None = None,
    isolated: bool = False,
) -> Document:
    """Segment once and, given a classifier, label every paragraph.

    A string is a free-form report; a sequence of strings is one paragraph per item; a
    Document (segmented earlier, e.g. so a server can check its size first) is only labelled.
    Paragraphs are decoded as one document unless `isolated`: unrelated paragraphs (or a single
    one) have no surrounding report whose order could inform their labels.
    """
    if isinstance(text, Document):
        doc = text
    elif isinstance(text, str):
        doc = build_document(text)
    else:
        doc = build_document_from_lines(text)
    if classifier is not None:
        predictions = (
            classifier.classify_isolated([p.text for p in doc.paragraphs])
            if isolated
            else classifier.classify_document(doc.paragraphs, doc.paragraph_words())
        )
        doc.labels = [p.label for p in predictions]
        doc.confidences = [p.confidence for p in predictions]
        doc.scores = [p.scores for p in predictions]
        doc.heading_model = classifier.headings_
        doc.background = classifier.background_
        doc.sentence_scorer = classifier.sentences_
    return doc


def paragraph_records(doc: Document) -> list[dict[str, Any]]:
    """The classify output: one record per paragraph, in order."""
    records = []
    for i, p in enumerate(doc.paragraphs):
        record: dict[str, Any] = {"text": p.text, "start": p.start, "end": p.end}
        if doc.labels is not None:
            label = doc.labels[i]
            record |= {
                "label": label,
                "label_zh": LABEL_ZH[label],
                "confidence": round(doc.confidences[i], 4) if doc.confidences else None,
                "scores": doc.scores[i] if doc.scores else {},
                "heading": p.heading,
            }
        records.append(record)
    return records


def summary_record(
    doc: Document,
    budget: Budget | None = None,
    method: str = DEFAULT_METHOD,
    scores: np.ndarray | None = None,
) -> dict[str, Any]:
    """The summarise output: picked sentences in document order, and their joined text.

    `scores` lets a caller that needs them elsewhere (the structured summary) score once.
    """
    summariser = get_summariser(method)
    if scores is None:
        scores = summariser.score(doc)
    picks = select_for(summariser, doc, scores, budget or Budget())
    return {
        "sentences": [p.as_dict() for p in picks],
        "summary": "".join(p.text for p in picks),
        "from": candidates(doc)[1],
        "outline": outline(doc),
    }


def outline(doc: Document) -> list[dict[str, Any]]:
    """The report's headings, in order: what a reader wants as a table of contents.

    Heading lines of every level, and run-in headings of levels 1-3 ("（一）落实主体责任。"
    opening a paragraph of body text), each with its level, section label and offsets.
    """
    kinds = sentence_kinds(doc)
    first_sentence: dict[int, int] = {}
    for i, s in enumerate(doc.sentences):
        first_sentence.setdefault(s.paragraph, i)
    entries = []
    for j, p in enumerate(doc.paragraphs):
        if p.level is None:
            continue
        start, end = p.start, p.end
        if not p.heading:
            i = first_sentence.get(j)
            if p.level > 3 or i is None or not kinds.topic[i]:
                continue
            start, end = doc.sentences[i].start, doc.sentences[i].end
        entries.append(
            {
                "level": p.level,
                "text": unwrap(doc.text[start:end]),
                "label": None if doc.labels is None else doc.labels[j],
                "start": start,
                "end": end,
            }
        )
    return entries


def analyse(
    text: str | Sequence[str] | Document,
    classifier: SectionModel,
    budget: Budget | None = None,
    method: str = DEFAULT_METHOD,
    per_section: int = 2,
    audit: Rules | bool = False,
    context: Context | None = None,
) -> dict[str, Any]:
    """Classification, summary, structured summary, figures and keywords from one segmentation.

    With `audit` (True for the bundled deadline rules, or the Rules to use) the result also
    holds the inspection audit of the same document, under "audit"; `context` is what the
    file says beside its text (page title and meta tags, file name), for its metadata.
    """
    doc = prepare(text, classifier)
    summariser = get_summariser(method)
    scores = summariser.score(doc)
    extra = {}
    if audit is not False:
        from model.audit.checks import audit as audit_document

        extra["audit"] = audit_document(doc, None if audit is True else audit, context)
    return extra | {
        "paragraphs": paragraph_records(doc),
        **summary_record(doc, budget, method, scores),
        "sections": dict(Counter(doc.labels or [])),
        "structured": structured_summary(doc, scores, per_section, summariser.diversity),
        "figures": [f.as_dict() for f in key_figures(doc)],
        "keywords": keywords(doc),
        "repairs": doc.repairs,
    }
