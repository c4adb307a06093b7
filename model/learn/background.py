"""What is common across many reports: stock phrases and everyday words, learnt at training time.

Every 法治政府建设 report repeats the same formulae
("坚持以习近平新时代中国特色社会主义思想为指导", "现将…报告如下", "紧紧围绕…中心工作") and
the same verbs and nouns (开展, 加强, 推进, 工作). A reader wants neither in a summary or a
keyword list. Both are recognised by how common they are across a background corpus of
reports (the training reports plus any other reports given) rather than by a hand list that
would miss next year's slogans:

- a sentence is *formulaic* by the share of its characters covered by character 4-grams found in
  at least `common` of the background reports;
- a word's *background IDF* weighs the keywords, so domain terms (行政复议, 合法性审查) outrank
  words every report uses.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import repeat

import numpy as np

from model.text.document import content_table
from model.text.segment import cut_words, normalise
from model.vectors.features import ngram_keys

# 4-grams of BMP code points pack into 64 bits exactly (characters beyond the BMP share one code).
_GRAM = 4
_BITS = 16
_BITMAP_MASK = np.uint64((1 << 20) - 1)


def _codes(text: str) -> np.ndarray:
    """The content characters of `normalise(text)` as 16-bit codes (uint64 for packing)."""
    codes = np.frombuffer(normalise(text).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    codes = np.minimum(codes, 0xFFFF)
    return codes[content_table()[codes]].astype(np.uint64)


def gram_keys(codes: np.ndarray) -> np.ndarray:
    """The packed 4-gram of content characters starting at each position (len(codes) - 3)."""
    if len(codes) < _GRAM:
        return np.zeros(0, dtype=np.uint64)
    n = len(codes) - _GRAM + 1
    return ngram_keys([codes[k : k + n] for k in range(_GRAM)], _BITS)


class Background:
    """Document frequencies of character 4-grams and of words over a background corpus.

    `min_docs`: 4-grams seen in fewer reports are not kept (they cannot be stock phrases and
    would only make the bundle bigger). `common`: the share of reports from which on a 4-gram
    counts as stock.
    """

    def __init__(self, min_docs: int = 3, common: float = 0.1) -> None:
        self.min_docs = min_docs
        self.common = common

    def fit(self, texts: Iterable[str]) -> Background:
        grams: list[np.ndarray] = []
        words: Counter[str] = Counter()
        n = 0
        for text in texts:
            n += 1
            grams.append(np.unique(gram_keys(_codes(text))))
            words.update(set(cut_words(text)))
        self.documents_ = n
        keys, df = np.unique(np.concatenate(grams or [np.zeros(0, np.uint64)]), return_counts=True)
        kept = df >= self.min_docs
        # Only the stock 4-grams are needed for the formula share: the rest is dropped.
        stock = kept & (df >= self.common * max(n, 1))
        self.stock_grams_ = keys[stock]
        self.word_df_ = {w: c for w, c in words.items() if c >= 2}
        return self

    def stock_share(self, text: str) -> float:
        """Share of the content characters of `text` covered by stock 4-grams (0 if too short)."""
        codes = _codes(text)
        return float(self.span_shares(codes, np.zeros(len(codes), np.int64), 1)[0])

    def span_shares(self, codes: np.ndarray, owner: np.ndarray, n: int) -> np.ndarray:
        """`stock_share` of n spans at once: `codes` are content characters in text order,
        `owner` the span (0 … n-1, non-decreasing) each belongs to; 4-grams never cross spans.

        One pass of numpy over a whole document instead of a call per sentence.
        """
        codes = np.minimum(codes, 0xFFFF).astype(np.uint64)
        keys = gram_keys(codes)
        covered = np.zeros(len(codes), dtype=bool)
        stock = self.stock_grams_
        if len(keys) and len(stock):
            # Most 4-grams are not stock: a bitmap of the stock grams' low bits rules them out
            # with one gather, and only the rest are looked up.
            maybe = np.flatnonzero(self._bitmap()[keys & _BITMAP_MASK])
            hit = np.zeros(len(keys), dtype=bool)
            if len(maybe):
                at = np.minimum(np.searchsorted(stock, keys[maybe]), len(stock) - 1)
                hit[maybe] = stock[at] == keys[maybe]
            hit &= owner[: len(keys)] == owner[_GRAM - 1 :]
            for k in range(_GRAM):
                covered[k : k + len(hit)] |= hit
        size = np.bincount(owner, minlength=n).astype(float)
        # A span too short for one 4-gram has no stock share.
        return np.bincount(owner, weights=covered, minlength=n) / np.maximum(size, 1)

    def _bitmap(self) -> np.ndarray:
        """Which values of a 4-gram key's low 20 bits some stock 4-gram has (made once)."""
        bitmap = self.__dict__.get("_bitmap_")
        if bitmap is None:
            bitmap = np.zeros(int(_BITMAP_MASK) + 1, dtype=bool)
            bitmap[self.stock_grams_ & _BITMAP_MASK] = True
            self.__dict__["_bitmap_"] = bitmap
        return bitmap

    def __getstate__(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if k != "_bitmap_"}

    def idf(self, words: Sequence[str]) -> np.ndarray:
        """Smoothed background IDF of each word: log((1 + N) / (1 + df)) + 1."""
        df = np.fromiter(map(self.word_df_.get, words, repeat(0)), dtype=float, count=len(words))
        return np.log((1 + self.documents_) / (1 + df)) + 1
