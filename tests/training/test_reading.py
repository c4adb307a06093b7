"""The reader checks count each summary sentence once, as the sentence it quotes."""

from __future__ import annotations

from model.analyse import prepare
from model.summary.base import Budget
from model.summary.select import summarise
from training.corpus import seeds_dir
from training.reading import reader_rows
from training.train import load_reports


def test_a_pick_quoted_from_after_its_list_marker_counts_as_its_sentence(bundle) -> None:
    # Seed 000's summary quotes its problem from after "首先,": the checks still find the
    # sentence, its label (shortcomings) and its length.
    report = next(r for r in load_reports(seeds_dir(), None) if r.name.startswith("000_"))
    budget = Budget(max_chars=300)
    doc = prepare(report.text, bundle.classifier)
    picks = summarise(doc, budget, "learnt")
    starts = {s.start for s in doc.sentences}
    assert any(p.start not in starts for p in picks)  # one pick starts after a marker
    rows = reader_rows([report], bundle.classifier, budget, methods=("learnt",))["learnt"]
    assert len(rows) == 1 and rows[0].sentences == len(picks)
    assert rows[0].admits and rows[0].has_admission
    assert rows[0].chars >= sum(len(p.text) for p in picks)
