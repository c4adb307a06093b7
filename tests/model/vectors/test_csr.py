"""The numpy CSR matrix gives scipy.sparse's numbers to the last bit (model/vectors/csr.py)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from model.text.bags import bigram_vectors, sentence_vectors
from model.text.document import build_document
from model.vectors.csr import CSR, canonical, csr_by_rows, hstack
from tests.conftest import SEED_FILES


def _random(rows: int, columns: int, density: float, seed: int) -> sparse.csr_matrix:
    matrix = sparse.random(rows, columns, density=density, format="csr", random_state=seed)
    matrix.sort_indices()
    return matrix


def _ours(matrix: sparse.csr_matrix) -> CSR:
    return CSR(matrix.data, matrix.indices, matrix.indptr, matrix.shape)


@pytest.mark.parametrize(
    ("rows", "columns", "density"), [(50, 30, 0.2), (40, 300, 0.01), (0, 5, 0.1), (7, 0, 0.0)]
)
def test_products_equal_scipy(rows: int, columns: int, density: float) -> None:
    rng = np.random.default_rng(1)
    theirs = _random(rows, columns, density, seed=2)
    ours = _ours(theirs)
    vector, back = rng.normal(size=columns), rng.normal(size=rows)
    weights = rng.normal(size=(4, columns))
    # Vector products to the bit; the product with dense columns to rounding.
    assert np.array_equal(ours @ vector, theirs @ vector)
    assert np.array_equal(ours.T @ back, theirs.T @ back)
    np.testing.assert_allclose(ours @ weights.T, theirs @ weights.T, rtol=0, atol=1e-13)
    assert (ours @ weights.T).shape == (rows, 4)
    assert np.array_equal(ours.toarray(), theirs.toarray())
    assert ours.nnz == theirs.nnz and ours.T.shape == theirs.T.shape


def test_products_on_a_report_equal_scipy() -> None:
    doc = build_document(SEED_FILES[3].read_text(encoding="utf-8"))
    for ours in (sentence_vectors(doc), bigram_vectors(doc)):
        theirs = ours.to_scipy()
        x = np.linspace(-1, 1, ours.shape[1])
        y = np.linspace(0, 1, ours.shape[0])
        assert np.array_equal(ours @ x, theirs @ x)
        assert np.array_equal(ours.T @ y, theirs.T @ y)
        assert ours.has_sorted_indices
        for i in range(ours.shape[0]):  # what picking by MMR computes for each pick
            assert np.array_equal(ours.times_row(i), theirs @ theirs[i].toarray().ravel())


def test_hstack_equals_scipy() -> None:
    blocks = [_random(20, 9, 0.3, seed=3), _random(20, 4, 0.5, seed=4), _random(20, 1, 0.5, 5)]
    blocks[2].data = np.ones_like(blocks[2].data, dtype=np.int64)
    theirs = sparse.hstack(blocks, format="csr")
    ours = hstack([_ours(b) for b in blocks])
    assert ours.shape == theirs.shape
    assert np.array_equal(ours.indptr, theirs.indptr)
    assert np.array_equal(ours.indices, theirs.indices)
    assert np.array_equal(ours.data, theirs.data) and ours.data.dtype == np.float64


def test_canonical_sorts_and_sums_like_scipy() -> None:
    rng = np.random.default_rng(6)
    rows, columns = rng.integers(0, 8, 200), rng.integers(0, 11, 200)
    data = rng.integers(1, 4, 200)
    theirs = sparse.csr_matrix((data, (rows, columns)), shape=(8, 11))
    theirs.sum_duplicates()
    ours = canonical(rows, columns, data, (8, 11))
    assert np.array_equal(ours.indptr, theirs.indptr)
    assert np.array_equal(ours.indices, theirs.indices)
    assert np.array_equal(ours.data, theirs.data)
    empty = canonical(np.zeros(0, int), np.zeros(0, int), np.zeros(0), (3, 0))
    assert empty.shape == (3, 0) and empty.nnz == 0 and list(empty.indptr) == [0, 0, 0, 0]


def test_rows_keep_their_entries_in_the_given_order() -> None:
    m = csr_by_rows(np.array([1, 0, 1, 0]), np.array([5, 3, 2, 4]), np.arange(4.0), (2, 6))
    assert m.indices.tolist() == [3, 4, 5, 2] and m.data.tolist() == [1.0, 3.0, 0.0, 2.0]
    assert not m.has_sorted_indices


def test_of_copies_dense_scipy_and_csr() -> None:
    dense = np.array([[0, 2.0, 0], [1.0, 0, 3.0]])
    for source in (dense, sparse.csr_matrix(dense), CSR.of(dense)):
        copy = CSR.of(source)
        assert np.array_equal(copy.toarray(), dense)
        copy.data[:] = 0
    assert dense.any() and CSR.of(np.zeros((0, 0))).shape == (0, 0)
