"""The fitted classifier as plain arrays, served without scikit-learn.

`export` reads out of a fitted `SectionClassifier` what inference uses: the vocabularies, IDF
and n-gram keys of the three feature blocks of `build_pipeline`, the logistic regression's
coefficients, the HMM tables, the calibration temperatures, the heading model's weights and the
background statistics, all as numpy arrays (strings as one UTF-8 text, a line each).
`model.persist` writes them beside the pickle as an .npz covered by the manifest's sha256.
`LeanClassifier` is built from those arrays (no pickle: nothing runs on load and scikit-learn
is never imported) and computes the features with the same `model.vectors.features`
functions, the product X Wᵀ to rounding (`model.vectors.csr`, about 1e-15), the softmax with
the same operations, and decodes with the same `SectionModel` code: its labels are the
scikit-learn pipeline's and its probabilities agree within 1e-9 (tests/model/test_lean.py checks
both, and the summaries).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from model.learn.background import Background
from model.learn.classify import (
    SectionModel,
    Unit,
    linear_probabilities,
    unit_context,
    unit_text,
    unit_words,
)
from model.learn.headings import HeadingModel
from model.learn.scorer import LinearScorer
from model.learn.tense import TenseModel
from model.vectors.csr import CSR, hstack
from model.vectors.features import char_ngram_counts, squeeze_spaces, token_counts, weigh

if TYPE_CHECKING:
    from model.learn.classify import SectionClassifier

Arrays = Mapping[str, np.ndarray]
_Bigram = TypeVar("_Bigram", bound=HeadingModel)

# Units featurised at a time: n-gram keys pack the unit's number in 21 bits.
_CHUNK = 1 << 20


def text_array(strings: Sequence[str]) -> np.ndarray:
    """Strings as the bytes of one UTF-8 text, a line each (an .npz holds no str objects
    unless pickled)."""
    for s in strings:
        if not s or "\n" in s:
            raise ValueError(f"cannot store {s!r} as a line of text")
    return np.frombuffer("\n".join(strings).encode("utf-8"), dtype=np.uint8)


def strings(array: np.ndarray) -> list[str]:
    """The strings of `text_array`."""
    text = array.tobytes().decode("utf-8")
    return text.split("\n") if text else []


def _in_column_order(vocabulary: Mapping[str, int]) -> list[str]:
    words = sorted(vocabulary, key=vocabulary.__getitem__)
    if [vocabulary[w] for w in words] != list(range(len(words))):
        raise ValueError("a vocabulary whose columns are not 0 … n-1")
    return words


def _require(condition: bool, what: str) -> None:
    if not condition:
        raise ValueError(f"the lean arrays cannot express this model: {what}")


def _token_block(name: str, vectoriser: Any, analyzer: Callable[..., Any], tfidf: bool) -> Arrays:
    _require(vectoriser.analyzer is analyzer, f"{name} analyzer {vectoriser.analyzer!r}")
    arrays = {
        f"{name}.vocabulary": text_array(_in_column_order(vectoriser.vocabulary_)),
        f"{name}.binary": np.array(bool(vectoriser.binary)),
    }
    if tfidf:
        _require(vectoriser.norm == "l2" and vectoriser.use_idf, f"{name} weighting")
        arrays[f"{name}.idf"] = np.asarray(vectoriser.idf_, dtype=float)
        arrays[f"{name}.sublinear"] = np.array(bool(vectoriser.sublinear_tf))
    return arrays


def export(classifier: SectionClassifier) -> dict[str, np.ndarray]:
    """Everything inference needs from a fitted classifier, as named numpy arrays.

    Raises ValueError for a pipeline other than `build_pipeline`'s (the lean path computes
    exactly that one).
    """
    features, lr = classifier.pipeline_.steps[0][1], classifier.pipeline_.steps[-1][1]
    blocks = dict(features.transformer_list)
    _require(list(blocks) == ["words", "chars", "context"], f"feature blocks {list(blocks)}")
    _require(not features.transformer_weights, "weighted feature blocks")
    _require([str(c) for c in lr.classes_] == list(classifier.labels_), "label order")
    chars = blocks["chars"]
    _require(chars.fast() and chars.preprocessor is unit_text, "character n-grams")
    _require(chars.norm == "l2" and chars.use_idf, "character n-gram weighting")
    cues = list(classifier.log_cue_)
    k = len(classifier.labels_)
    calibration = getattr(classifier, "calibration_", {})
    headings, background = classifier.headings_, classifier.background_
    words = sorted(background.word_df_)
    return {
        "labels": text_array(list(classifier.labels_)),
        **_token_block("words", blocks["words"], unit_words, tfidf=True),
        "chars.keys": chars.ngram_keys_,
        "chars.columns": chars.ngram_columns_,
        "chars.idf": np.asarray(chars.idf_, dtype=float),
        "chars.sublinear": np.array(bool(chars.sublinear_tf)),
        "chars.binary": np.array(bool(chars.binary)),
        "chars.bigrams": np.array(chars.ngram_range[1] == 2),
        **_token_block("context", blocks["context"], unit_context, tfidf=False),
        "coef": np.ascontiguousarray(lr.coef_, dtype=float),  # rows: what `CSR @` reads
        "intercept": np.asarray(lr.intercept_, dtype=float),
        "log_start": classifier.log_start_,
        "log_trans": classifier.log_trans_,
        "log_prior": classifier.log_prior_,
        "cues": text_array(cues),
        "log_cue": np.array([classifier.log_cue_[c] for c in cues]).reshape(len(cues), k),
        "prior_power": np.array(float(classifier.prior_power)),
        "cue_weight": np.array(float(classifier.cue_weight)),
        "calibration.modes": text_array(list(calibration)),
        "calibration.temperatures": np.array([float(t) for t in calibration.values()]),
        **_bigram_arrays("headings", headings),
        **_bigram_arrays("tense", getattr(classifier, "tense_", None)),
        "background.stock_grams": background.stock_grams_,
        "background.words": text_array(words),
        "background.word_df": np.array([background.word_df_[w] for w in words], dtype=np.int64),
        "background.documents": np.array(int(background.documents_)),
        "background.min_docs": np.array(int(background.min_docs)),
        "background.common": np.array(float(background.common)),
        **_scorer_arrays(getattr(classifier, "sentences_", None)),
    }


@dataclass(frozen=True, slots=True)
class _Tokens:
    """A block of token features: counts, or L2-normalised (sublinear) TF-IDF."""

    analyzer: Callable[[Unit], Sequence[str]]
    vocabulary: dict[str, int]
    binary: bool
    idf: np.ndarray | None = None
    sublinear: bool = False

    def transform(self, units: Sequence[Unit]) -> CSR:
        docs = [self.analyzer(u) for u in units]
        if self.idf is None:
            return token_counts(docs, self.vocabulary, self.binary)
        counts = token_counts(docs, self.vocabulary, self.binary, np.float64)
        return weigh(counts, self.idf, self.sublinear)


@dataclass(frozen=True, slots=True)
class _Chars:
    """Character 1-2-grams of the normalised text, L2-normalised (sublinear) TF-IDF."""

    keys: np.ndarray
    columns: np.ndarray
    idf: np.ndarray
    sublinear: bool
    binary: bool
    bigrams: bool

    def transform(self, units: Sequence[Unit]) -> CSR:
        texts = [squeeze_spaces(unit_text(u)) for u in units]
        counts = char_ngram_counts(
            texts, self.keys, self.columns, len(self.idf), self.bigrams, np.float64
        )
        if self.binary:
            counts.data.fill(1)
        return weigh(counts, self.idf, self.sublinear)


def _tokens(arrays: Arrays, name: str, analyzer: Callable[[Unit], Sequence[str]]) -> _Tokens:
    words = strings(arrays[f"{name}.vocabulary"])
    vocabulary = dict(zip(words, range(len(words)), strict=True))
    binary = bool(arrays[f"{name}.binary"])
    if f"{name}.idf" not in arrays:
        return _Tokens(analyzer, vocabulary, binary)
    idf, sublinear = arrays[f"{name}.idf"], bool(arrays[f"{name}.sublinear"])
    return _Tokens(analyzer, vocabulary, binary, idf, sublinear)


def _scorer_arrays(scorer: LinearScorer | None) -> Arrays:
    """The sentence scorer's four arrays; none when the classifier has no scorer."""
    if scorer is None:
        return {}
    return {
        "sentences.mean": np.asarray(scorer.mean_, dtype=float),
        "sentences.scale": np.asarray(scorer.scale_, dtype=float),
        "sentences.coef": np.asarray(scorer.coef_, dtype=float),
        "sentences.intercept": np.array(float(scorer.intercept_)),
    }


def _bigram_arrays(name: str, model: HeadingModel | None) -> dict[str, np.ndarray]:
    """The arrays of a model over character bigrams (none for a missing model)."""
    if model is None:
        return {}
    return {
        f"{name}.bigrams": model.bigrams_,
        f"{name}.idf": model.idf_,
        f"{name}.coef": np.asarray(model.coef_, dtype=float),
        f"{name}.intercept": np.array(float(model.intercept_)),
    }


def _bigram_model(a: Arrays, name: str, kind: type[_Bigram]) -> _Bigram:
    model = kind()
    model.bigrams_, model.idf_ = a[f"{name}.bigrams"], a[f"{name}.idf"]
    model.coef_, model.intercept_ = a[f"{name}.coef"], float(a[f"{name}.intercept"])
    return model


def _scorer(a: Arrays) -> LinearScorer | None:
    if "sentences.coef" not in a:
        return None
    scorer = LinearScorer()
    scorer.mean_, scorer.scale_ = a["sentences.mean"], a["sentences.scale"]
    scorer.coef_, scorer.intercept_ = a["sentences.coef"], float(a["sentences.intercept"])
    return scorer


class LeanClassifier(SectionModel):
    """The section classifier computed from `export`'s arrays with numpy alone."""

    def __init__(self, arrays: Arrays) -> None:
        a = {name: arrays[name] for name in arrays}  # an .npz reads each array once
        self.labels_ = tuple(strings(a["labels"]))
        self._blocks = (
            _tokens(a, "words", unit_words),
            _Chars(
                a["chars.keys"],
                a["chars.columns"],
                a["chars.idf"],
                bool(a["chars.sublinear"]),
                bool(a["chars.binary"]),
                bool(a["chars.bigrams"]),
            ),
            _tokens(a, "context", unit_context),
        )
        self.coef_, self.intercept_ = np.ascontiguousarray(a["coef"]), a["intercept"]
        self.log_start_, self.log_trans_ = a["log_start"], a["log_trans"]
        self.log_prior_ = a["log_prior"]
        self.log_cue_ = dict(zip(strings(a["cues"]), a["log_cue"], strict=True))
        self.prior_power = float(a["prior_power"])
        self.cue_weight = float(a["cue_weight"])
        temperatures = a["calibration.temperatures"].tolist()
        self.calibration_ = dict(zip(strings(a["calibration.modes"]), temperatures, strict=True))
        self.headings_ = _bigram_model(a, "headings", HeadingModel)
        self.tense_ = _bigram_model(a, "tense", TenseModel) if "tense.coef" in a else None
        background = Background(int(a["background.min_docs"]), float(a["background.common"]))
        background.documents_ = int(a["background.documents"])
        background.stock_grams_ = a["background.stock_grams"]
        words = strings(a["background.words"])
        background.word_df_ = dict(zip(words, a["background.word_df"].tolist(), strict=True))
        self.background_ = background
        self.sentences_ = _scorer(a)
        k, size = len(self.labels_), sum(_width(b) for b in self._blocks)
        if self.coef_.shape != (1 if k == 2 else k, size) or self.log_trans_.shape != (k, k):
            raise ValueError("arrays of inconsistent shapes")

    def predict_units(self, units: Sequence[Unit]) -> np.ndarray:
        """Per-label probabilities of each unit on its own (no sequence decoding)."""
        if not units:
            return np.zeros((0, len(self.labels_)))
        if len(units) > _CHUNK:  # each unit's row is its own: cut the batch
            chunks = [units[i : i + _CHUNK] for i in range(0, len(units), _CHUNK)]
            return np.concatenate([self.predict_units(c) for c in chunks])
        X = hstack([block.transform(units) for block in self._blocks])
        return linear_probabilities(X, self.coef_, self.intercept_)


def _width(block: _Tokens | _Chars) -> int:
    return len(block.idf) if isinstance(block, _Chars) else len(block.vocabulary)
