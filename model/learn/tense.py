"""Which way a top-level section faces, learnt from the sections whose headings say so.

A government work report reviews its year, then sets the coming year's tasks; the headings of
its task sections often name no year ("二、保持国民经济发展的良好势头"), so the structure reads
them as the review (`model.text.structure.top_sections`). What such a section does shows in its
body: the review counts what was done (增长, 达到, 完成), the tasks say what must be (要, 必须,
继续, 加快). Every work report in the corpus supplies examples for free: the sections whose
headings say which way they face ("一、过去五年工作回顾", "二、2004年主要任务", "三、“十五五”时期
主要目标任务"), read only from the start of their bodies. A logistic regression on character
bigrams, as the heading model's (`model.learn.headings`), learns that framing; it is asked only
about sections of a speech to a congress whose heading says nothing.

Only speeches to a congress teach it and only they are asked: the rule-of-law reports describe
their year's work in the same imperative words, and a model asked of them called 3 of 81 review
sections plans (README).

`python -m training.sections_eval` measures it against a reader's labels of the State Council
reports' sections. The bundle learns it from the speeches in its corpus's `background/` reports
(`training.train.fit_tense`) and the classifier asks it through `document_cues`.
"""

from __future__ import annotations

from collections.abc import Sequence

from model.learn.headings import HeadingModel
from model.text.segment import Paragraph
from model.text.structure import addresses_congress, said_sections

# The start of a section's body is what the model reads: enough for its framing, and the
# same length however long the section runs.
BODY_CHARS = 800


def body(paragraphs: Sequence[Paragraph], start: int, end: int) -> str:
    """The text a `TenseModel` reads of the section whose body is paragraphs[start:end]."""
    return "".join(p.text for p in paragraphs[start:end])[:BODY_CHARS]


def examples(documents: Sequence[Sequence[Paragraph]]) -> tuple[list[str], list[str]]:
    """(bodies of sections facing forward, bodies of sections looking back): the sections of
    speeches to a congress whose headings say which way they face."""
    forward: list[str] = []
    back: list[str] = []
    for paragraphs in documents:
        if not addresses_congress(paragraphs):
            continue
        for heading, end, label in said_sections(paragraphs):
            text = body(paragraphs, heading + 1, end)
            if text and label in ("plans", "achievements"):
                (forward if label == "plans" else back).append(text)
    return forward, back


class TenseModel(HeadingModel):
    """P(a section faces forward | the start of its body), over character bigrams."""

    def faces_forward(self, text: str) -> bool:
        return bool(self.predict([text[:BODY_CHARS]])[0] > 0.5)
