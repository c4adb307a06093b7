"""Section classifier: word + character TF-IDF and context features → logistic regression,
then an HMM over the paragraphs of a document (Viterbi path, forward-backward confidences).

The linear model sees each paragraph twice in training, once with its document context and
once with only its own features, so the same model also labels an isolated paragraph. The same
fit learns from the training reports' headings what a heading reads like (`HeadingModel`), which
the default summariser uses.

scikit-learn is imported only to fit (and by a pickled pipeline): `SectionModel` holds the
decoding shared with the lean classifier that serves the fitted arrays (`model.learn.lean`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from model.labels import LABELS
from model.learn.background import Background
from model.learn.calibrate import scale
from model.learn.headings import HeadingModel, examples
from model.learn.scorer import LinearScorer
from model.learn.tense import TenseModel
from model.learn.tense import examples as tense_examples
from model.text.segment import Paragraph, cut_words, normalise
from model.text.structure import (
    Context,
    contexts,
    document_cues,
    paragraph_tokens,
    structural_labels,
)

if TYPE_CHECKING:
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

# The two ways a paragraph is labelled, each calibrated on its own.
DOCUMENT, ISOLATED = "document", "isolated"


@dataclass(frozen=True, slots=True)
class Unit:
    """One paragraph as the classifier sees it."""

    text: str
    context: tuple[str, ...] = ()  # feature tokens from the paragraph and its document
    words: tuple[str, ...] | None = field(default=None, compare=False)  # pre-cut, if any


def probabilities(clf: LogisticRegression, X: sparse.csr_matrix) -> np.ndarray:
    """`clf.predict_proba(X)` of a multinomial model, without re-validating our own features.

    sklearn's input checks cost more than the product itself on one report; the arithmetic
    (X Wᵀ + b, then sklearn's softmax) is the same. Binary models take sklearn's own path.
    """
    if len(clf.classes_) <= 2 or X.shape[1] != clf.coef_.shape[1]:
        return clf.predict_proba(X)
    return softmax(X @ clf.coef_.T + clf.intercept_)


def linear_probabilities(X: Any, coef: np.ndarray, intercept: np.ndarray) -> np.ndarray:
    """`LogisticRegression.predict_proba` from its coefficients: softmax(X Wᵀ + b), or for two
    classes the logistic of the one decision function."""
    scores = X @ coef.T + intercept
    if coef.shape[0] > 1:
        return softmax(scores)
    positive = 1.0 / (1.0 + np.exp(-scores[:, 0]))
    return np.stack([1 - positive, positive], axis=1)


def softmax(scores: np.ndarray) -> np.ndarray:
    """Each row's softmax, in place, with the operations of sklearn's `extmath.softmax`."""
    scores -= scores.max(axis=1).reshape(-1, 1)
    np.exp(scores, out=scores)
    scores /= scores.sum(axis=1).reshape(-1, 1)
    return scores


def unit_words(unit: Unit) -> Sequence[str]:
    """Word tokens (jieba), reusing a cut made upstream."""
    return unit.words if unit.words is not None else cut_words(unit.text)


def unit_text(unit: Unit) -> str:
    """Normalised text for the character n-grams."""
    return normalise(unit.text)


def unit_context(unit: Unit) -> Sequence[str]:
    """Context tokens (heading cue of the section, position, heading level)."""
    return unit.context


# Character 1-2-grams of the normalised paragraph: robust to segmentation errors and cheap.
CHAR_NGRAMS: dict[str, Any] = {
    "analyzer": "char",
    "preprocessor": unit_text,
    "ngram_range": (1, 2),
    "sublinear_tf": True,
    "min_df": 2,
    "lowercase": False,
}


def build_pipeline(C: float = 1.0) -> Pipeline:
    """The paragraph model: three feature blocks → multinomial logistic regression."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline

    from model.learn.vectorisers import CharNgramTfidf, TokenCounts, TokenTfidf

    features = FeatureUnion(
        [
            ("words", TokenTfidf(analyzer=unit_words, sublinear_tf=True, min_df=1)),
            ("chars", CharNgramTfidf(**CHAR_NGRAMS)),
            ("context", TokenCounts(analyzer=unit_context, binary=True)),
        ]
    )
    clf = LogisticRegression(C=C, max_iter=3000, class_weight="balanced")
    return Pipeline([("features", features), ("clf", clf)])


def document_units(
    paragraphs: Sequence[Paragraph], words: Sequence[Sequence[str]] | None = None
) -> list[Unit]:
    """Units of a whole document, each with its context tokens."""
    return _units(paragraphs, contexts(paragraphs), words)


def _units(
    paragraphs: Sequence[Paragraph],
    ctx: Sequence[Context],
    words: Sequence[Sequence[str]] | None,
) -> list[Unit]:
    return [
        Unit(p.text, _context_tokens(c), None if words is None else tuple(words[i]))
        for i, (p, c) in enumerate(zip(paragraphs, ctx, strict=True))
    ]


@lru_cache(maxsize=4096)
def _context_tokens(context: Context) -> tuple[str, ...]:
    """`Context.tokens`, cached: a document's paragraphs share a few dozen distinct contexts."""
    return tuple(context.tokens())


def isolated_unit(text: str) -> Unit:
    """A paragraph with no document around it: only its own features."""
    return Unit(text, tuple(paragraph_tokens(text)))


@dataclass(frozen=True, slots=True)
class Prediction:
    """Label of one paragraph with its confidence and the per-label probabilities."""

    label: str
    confidence: float
    scores: dict[str, float]


class SectionModel:
    """Labels paragraphs from per-label probabilities and decodes documents (the HMM).

    A subclass computes the probabilities (`predict_units`) and sets the fitted tables:
    `labels_`, `log_start_`, `log_trans_`, `log_prior_`, `log_cue_`, `prior_power`,
    `cue_weight`, `calibration_` (temperatures by mode), `headings_`, `background_` and
    `tense_` (which way a work report's section faces, or None); and `sentences_`, the
    sentence scorer training learns from the human extracts, when there are any (None
    otherwise: the `learnt` summariser then scores as the default).
    """

    labels_: tuple[str, ...]
    log_start_: np.ndarray
    log_trans_: np.ndarray
    log_prior_: np.ndarray
    log_cue_: dict[str, np.ndarray]
    prior_power: float
    cue_weight: float
    headings_: HeadingModel
    background_: Background
    tense_: TenseModel | None = None
    sentences_: LinearScorer | None = None

    def predict_units(self, units: Sequence[Unit]) -> np.ndarray:
        """Per-label probabilities of each unit on its own (no sequence decoding)."""
        raise NotImplementedError

    def classify_isolated(self, texts: Sequence[str]) -> list[Prediction]:
        """Paragraphs with no document around them, with calibrated confidences."""
        probs = self.predict_units([isolated_unit(t) for t in texts])
        return self._predictions(scale(probs, self._temperature(ISOLATED)), None)

    def classify_document(
        self, paragraphs: Sequence[Paragraph], words: Sequence[Sequence[str]] | None = None
    ) -> list[Prediction]:
        """Paragraphs of one document: context features, then HMM decoding; calibrated."""
        mode, path, probs = self.document_probabilities(paragraphs, words)
        return self._predictions(scale(probs, self._temperature(mode)), path)

    def document_probabilities(
        self, paragraphs: Sequence[Paragraph], words: Sequence[Sequence[str]] | None = None
    ) -> tuple[str, np.ndarray | None, np.ndarray]:
        """(mode, Viterbi path or None, uncalibrated per-label probabilities) of a document.

        A single paragraph has no document around it: decoding it as a whole report would
        make it the report's opening (preamble), so it is labelled as an isolated paragraph.
        """
        if len(paragraphs) == 1:
            return ISOLATED, None, self.predict_units([isolated_unit(paragraphs[0].text)])
        ctx, cues = document_cues(paragraphs, self.tense_)
        probs = self.predict_units(_units(paragraphs, ctx, words))
        if not len(probs):
            return DOCUMENT, None, probs
        path, marginals = self.decode(probs, cues)
        return DOCUMENT, path, marginals

    def _temperature(self, mode: str) -> float:
        """The calibration temperature of a mode (1 for a model never calibrated)."""
        return getattr(self, "calibration_", {}).get(mode, 1.0)

    def decode(
        self, probs: np.ndarray, cues: Sequence[str | None] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Viterbi path and forward-backward marginals.

        Emissions are p(y|x) / p(y)^power times P(y | structural label)^cue_weight: what the
        headings and position say is evidence, weighed against the paragraph's own words.
        """
        emit = np.log(np.clip(probs, 1e-9, 1.0)) - self.prior_power * self.log_prior_
        if cues is not None and self.cue_weight:
            emit += self._cue_emissions(cues)
        return self._viterbi(emit), self._marginals(emit)

    def _viterbi(self, emit: np.ndarray) -> np.ndarray:
        """The most likely label sequence, in log space; ties go to the lower label index."""
        n, k = emit.shape
        score = self.log_start_ + emit[0]
        back = np.zeros((n, k), dtype=np.intp)
        cand, columns = np.empty((k, k)), np.arange(k)
        for t in range(1, n):
            np.add(score[:, None], self.log_trans_, out=cand)
            back[t] = best = cand.argmax(axis=0)
            score = cand[best, columns] + emit[t]  # the column maxima, without a second pass
        # Backtracking reads Python ints: a numpy scalar index per paragraph costs more.
        steps = back.tolist()
        label = int(score.argmax())
        path = [label]
        for t in range(n - 1, 0, -1):
            label = steps[t][label]
            path.append(label)
        return np.array(path[::-1])

    def _marginals(self, emit: np.ndarray) -> np.ndarray:
        """Forward-backward marginals P(label_t | all paragraphs).

        alpha_t is alpha_0 times the products M_1 … M_t and beta_t the row sums of
        M_{t+1} … M_{n-1}, with M_t[i, j] = P(j | i) lik_t(j); both runs of products come from
        one scan of log2(n) batched steps instead of a loop of numpy calls per paragraph. Each
        row of `lik` peaks at 1 and every product is rescaled, so nothing underflows; a row's
        scale cancels when the marginals are normalised.
        """
        n, k = emit.shape
        lik = np.exp(emit - emit.max(axis=1, keepdims=True))
        steps = np.exp(self.log_trans_) * lik[1:, None, :]
        forward, backward = _prefix_products(np.stack([steps, steps[::-1].transpose(0, 2, 1)]))
        alpha = np.empty((n, k))
        alpha[0] = np.exp(self.log_start_) * lik[0]
        alpha[1:] = alpha[0] @ forward
        beta = np.ones((n, k))
        beta[:-1] = backward.sum(axis=1)[::-1]  # (M_{t+1} … M_{n-1})ᵀ summed over its rows
        post = alpha * beta
        return post / post.sum(axis=1, keepdims=True)

    def _cue_emissions(self, cues: Sequence[str | None]) -> np.ndarray:
        """The weighted cue term of each paragraph's emissions, zero where no cue is known.

        One gather instead of a numpy call per paragraph; adding the zero rows changes nothing.
        """
        rows = [np.zeros(len(self.labels_))]
        index: dict[str | None, int] = {}
        for cue, log_cue in self.log_cue_.items():
            index[cue] = len(rows)
            rows.append(self.cue_weight * log_cue)
        return np.stack(rows)[[index.get(cue, 0) for cue in cues]]

    def _predictions(self, probs: np.ndarray, path: np.ndarray | None) -> list[Prediction]:
        best = probs.argmax(axis=1) if path is None else path
        labels = self.labels_
        # Python floats from `tolist` are the values float(row[j]) gives, converted in one call.
        return [
            Prediction(labels[b], row[b], dict(zip(labels, scores, strict=True)))
            for b, row, scores in zip(
                best.tolist(), probs.tolist(), round_like_python(probs, 4), strict=True
            )
        ]


class SectionClassifier(SectionModel):
    """Paragraph classifier plus document-level decoding (scikit-learn conventions)."""

    def __init__(
        self,
        C: float = 1.0,
        smoothing: float = 0.5,
        prior_power: float = 1.0,
        cue_weight: float = 1.0,
        cue_pseudo: float = 20.0,
    ) -> None:
        self.C = C
        self.smoothing = smoothing
        self.prior_power = prior_power
        self.cue_weight = cue_weight
        self.cue_pseudo = cue_pseudo

    def fit(
        self,
        documents: Sequence[Sequence[Paragraph]],
        labels: Sequence[Sequence[str]],
        background: Background | None = None,
        tense: TenseModel | None = None,
    ) -> SectionClassifier:
        """Fit the paragraph model on every paragraph, with and without context, and the HMM.

        `background`: statistics of a wider corpus of reports (stock phrases, word rarity),
        kept with the model for the summaries; by default fitted on the training documents.
        `tense`: which way a work report's section faces (`model.learn.tense`), learnt from
        the speeches to a congress of such a corpus; by default from the training documents
        that are speeches, and None when none is.
        """
        from threadpoolctl import threadpool_limits

        X: list[Unit] = []
        y: list[str] = []
        for paragraphs, doc_labels in zip(documents, labels, strict=True):
            units = document_units(paragraphs)
            X += units + [isolated_unit(u.text) for u in units]
            y += list(doc_labels) * 2
        # One BLAS thread: the solver's dense products are small, and competing BLAS threads
        # on a busy machine made the fit several times slower.
        with threadpool_limits(1):
            self.pipeline_ = build_pipeline(self.C).fit(X, y)
        self.labels_ = tuple(str(label) for label in self.pipeline_.classes_)
        index = {label: i for i, label in enumerate(self.labels_)}
        k = len(self.labels_)
        start = np.full(k, self.smoothing)
        trans = np.full((k, k), self.smoothing)
        for doc_labels in labels:
            if doc_labels:
                start[index[doc_labels[0]]] += 1
            for a, b in zip(doc_labels, doc_labels[1:], strict=False):
                trans[index[a], index[b]] += 1
        counts = np.array([y.count(label) for label in self.labels_], dtype=float)
        self.log_cue_ = self._cue_table(documents, labels, index)
        self.log_start_ = np.log(start / start.sum())
        self.log_trans_ = np.log(trans / trans.sum(axis=1, keepdims=True))
        self.log_prior_ = np.log(counts / counts.sum())
        self.headings_ = HeadingModel().fit(*examples(documents))
        forward, back = tense_examples(documents)
        self.tense_ = tense or (TenseModel().fit(forward, back) if forward and back else None)
        self.background_ = background or Background().fit(
            "\n".join(p.text for p in paragraphs) for paragraphs in documents
        )
        return self

    def _cue_table(
        self,
        documents: Sequence[Sequence[Paragraph]],
        labels: Sequence[Sequence[str]],
        index: dict[str, int],
    ) -> dict[str, np.ndarray]:
        """log P(label | structural label), pseudo-counts on agreement and on chrome.

        The pseudo-counts make the structure useful even for a section kind that few
        training reports have; observed counts teach where structure misleads.
        """
        k = len(index)
        table: dict[str, np.ndarray] = {}
        for cue in index:
            row = np.full(k, self.smoothing)
            row[index[cue]] += self.cue_pseudo
            if "boilerplate" in index:
                row[index["boilerplate"]] += self.cue_pseudo / 4
            table[cue] = row
        for paragraphs, doc_labels in zip(documents, labels, strict=True):
            for cue, label in zip(structural_labels(paragraphs), doc_labels, strict=True):
                if cue in table:
                    table[cue][index[label]] += 1
        return {cue: np.log(row / row.sum()) for cue, row in table.items()}

    def predict_units(self, units: Sequence[Unit]) -> np.ndarray:
        """Per-label probabilities of each unit on its own (no sequence decoding)."""
        if not units:
            return np.zeros((0, len(self.labels_)))
        from scipy import sparse

        # The union's blocks are applied directly: FeatureUnion.transform goes through a
        # joblib dispatch per block, a fixed cost that is a tenth of a short report's time.
        features, clf = self.pipeline_.steps[0][1], self.pipeline_.steps[-1][1]
        blocks = [t.transform(units) for _, t in features.transformer_list]
        return probabilities(clf, sparse.hstack(blocks, format="csr"))


def round_like_python(values: np.ndarray, digits: int) -> list[list[float]]:
    """`round(v, digits)` of every entry of a 2-D array of values in [-1, 1], as Python floats.

    Python's round is correctly rounded from the exact binary value and costs a decimal
    conversion per call. v * 10**digits is within 10**digits * 2**-53 of its exact value, so
    numpy's rounding of it agrees except next to a half; those entries take Python's round.
    The integer over 10**digits is then the float nearest the decimal, as round returns.
    """
    scale = 10.0**digits
    scaled = values * scale
    rounded = (np.rint(scaled) / scale).tolist()
    for i, j in zip(*np.nonzero(np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6), strict=True):
        rounded[i][j] = round(float(values[i, j]), digits)
    return rounded


def _prefix_products(mats: np.ndarray) -> np.ndarray:
    """Running products m_0, m_0 m_1, m_0 m_1 m_2, … along axis 1 of (batch, n, k, k) matrices.

    A Hillis-Steele scan: log2(n) batched products instead of n sequential ones. Every product
    is divided by its largest entry, which keeps long runs of probabilities in range.
    """
    n = mats.shape[1]
    out = mats / mats.max(axis=(2, 3), keepdims=True)
    new = np.empty_like(out)
    shift = 1
    while shift < n:
        new[:, :shift] = out[:, :shift]
        tail = np.matmul(out[:, :-shift], out[:, shift:], out=new[:, shift:])
        tail /= tail.max(axis=(2, 3), keepdims=True)
        out, new = new, out
        shift *= 2
    return out


__all__ = [
    "LABELS",
    "Prediction",
    "SectionClassifier",
    "SectionModel",
    "Unit",
    "build_pipeline",
    "document_units",
]
