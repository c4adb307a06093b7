"""A document's sentences as count and TF-IDF rows, built once and cached on the Document.

The summarisers, the redundancy check of selection, the keywords and the heading model all
read these rows, so one request never counts the same words or bigrams twice.
"""

from __future__ import annotations

from itertools import chain, count

import numpy as np

from model.text.document import Document
from model.vectors.csr import CSR
from model.vectors.features import bigram_counts, char_bigrams, count_matrix, tfidf


def word_counts(doc: Document) -> tuple[CSR, list[str]]:
    """Sentence × word count matrix and its vocabulary in first-seen order, built once."""
    if "word_counts" not in doc.features:
        # Each word maps to the position of its first occurrence (setdefault mapped in C); those
        # positions rise in first-seen order, so their ranks are the columns.
        vocab: dict[str, int] = {}
        words = list(chain.from_iterable(s.words for s in doc.sentences))
        first_at = np.fromiter(map(vocab.setdefault, words, count()), np.int64, len(words))
        first = np.zeros(len(words), dtype=bool)
        first[first_at] = True
        columns = (np.cumsum(first) - 1)[first_at]
        lengths = np.fromiter((len(s.words) for s in doc.sentences), dtype=np.int64)
        rows = np.repeat(np.arange(len(doc.sentences)), lengths)
        counts = count_matrix(rows, columns, (len(doc.sentences), len(vocab) or 1))
        doc.features["word_counts"] = (counts, list(vocab))
        doc.features["word_tokens"] = (columns, rows)  # every word's column and sentence
    return doc.features["word_counts"]


def sentence_vectors(doc: Document) -> CSR:
    """TF-IDF rows of the sentences' words, IDF taken from the document itself (cached)."""
    if "words" not in doc.features:
        doc.features["words"] = tfidf(word_counts(doc)[0])
    return doc.features["words"]


def bigram_vectors(doc: Document) -> CSR:
    """TF-IDF rows of the sentences' character bigrams (punctuation skipped), cached.

    Built with numpy over code points, so the cost does not grow with a Python loop per
    character; no word segmentation is needed.
    """
    if "bigrams" not in doc.features:
        doc.features["bigrams"] = tfidf(document_bigram_counts(doc)[0])
    return doc.features["bigrams"]


def document_bigram_counts(doc: Document) -> tuple[CSR, np.ndarray]:
    """`bigram_counts` of the document's sentences, cached (the heading model reuses them)."""
    if "bigram_counts" not in doc.features:
        keys, rows = char_bigrams(*doc.content())
        doc.features["bigram_counts"] = bigram_counts(keys, rows, len(doc.sentences))
    return doc.features["bigram_counts"]
