"""Compressed sparse rows in numpy alone: the few operations the summariser and the lean
classifier need.

scipy.sparse costs about 0.2 s and 20 MB to import (it loads most of numpy's submodules), more
than classifying and summarising a short report. Only building rows and multiplying them by a
vector, by their own rows, (transposed) by a vector, or by a few dense columns are used here.
The vector products are `np.bincount`s, which add every row's products in the order the entries
are stored, as scipy's loops do, so the summariser's numbers are scipy's to the last bit. The
product with dense columns (the classifier's X Wᵀ) sums each row with numpy's pairwise
reduction instead, four times faster than a bincount per column: it agrees with scipy to
rounding (about 1e-15), not to the bit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


class CSR:
    """A sparse matrix as (data, indices, indptr, shape), scipy's CSR layout."""

    __slots__ = ("_columns", "_rows", "data", "indices", "indptr", "shape")

    def __init__(
        self,
        data: np.ndarray,
        indices: np.ndarray,
        indptr: np.ndarray,
        shape: tuple[int, int],
        rows: np.ndarray | None = None,
    ) -> None:
        self.data = data
        self.indices = indices
        self.indptr = indptr
        self.shape = (int(shape[0]), int(shape[1]))
        self._rows = rows  # `rows()`, when the caller has it already
        self._columns: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    @classmethod
    def of(cls, matrix: Any) -> CSR:
        """A copy in float64 of a CSR, a scipy sparse matrix or a dense 2-D array."""
        if isinstance(matrix, CSR):
            return cls(matrix.data.astype(float), matrix.indices, matrix.indptr, matrix.shape)
        if hasattr(matrix, "tocsr"):  # scipy.sparse, only when the caller has it already
            m = matrix.tocsr()
            return cls(m.data.astype(float), m.indices, m.indptr, m.shape)
        dense = np.asarray(matrix, dtype=float)
        rows, columns = np.nonzero(dense)
        return cls(dense[rows, columns], columns, _indptr(rows, dense.shape[0]), dense.shape)

    @property
    def nnz(self) -> int:
        return len(self.data)

    @property
    def T(self) -> Transposed:  # noqa: N802 (scipy's name)
        return Transposed(self)

    @property
    def has_sorted_indices(self) -> bool:
        """Every row's column indices in increasing order (as scipy's flag of that name)."""
        if self.nnz < 2:
            return True
        same_row = self.rows()[1:] == self.rows()[:-1]
        return bool(np.all(self.indices[1:][same_row] >= self.indices[:-1][same_row]))

    def rows(self) -> np.ndarray:
        """The row of every stored entry (computed once)."""
        if self._rows is None:
            self._rows = np.repeat(np.arange(self.shape[0]), np.diff(self.indptr))
        return self._rows

    def __matmul__(self, other: np.ndarray) -> np.ndarray:
        """The product with a vector (n,) or a dense matrix (n, k), as a dense array.

        A matrix is read by its columns: pass the transpose of a C-ordered (k, n) array (as
        `X @ coef.T`) and nothing is copied.
        """
        other = np.asarray(other)
        if other.ndim == 1:
            return _sum_by(self.rows(), self.data * other[self.indices], self.shape[0])
        columns = np.ascontiguousarray(other.T)  # no copy for the transpose of a C array
        out = np.zeros((self.shape[0], other.shape[1]))
        filled = np.flatnonzero(np.diff(self.indptr))  # reduceat needs no empty segment
        if len(filled):
            starts = self.indptr[:-1][filled]
            for j, column in enumerate(columns):
                out[filled, j] = np.add.reduceat(self.data * column[self.indices], starts)
        return out

    def times_row(self, i: int) -> np.ndarray:
        """This matrix times its own row i (as a dense vector): each row's dot product with it.

        Only the entries in row i's columns can count, so they are read column by column (a
        column-major copy of the entries, made once). A row's products are still added in
        increasing column order, skipping products with zeros (adding +0.0 changes no sum of
        products of non-negative numbers), so the result is `self @ dense row` to the bit for
        matrices with no negative entries, as TF-IDF rows are.
        """
        if self._columns is None:  # a stable sort keeps rows ascending in each column
            order = np.argsort(_sortable(self.indices, self.shape[1]), kind="stable")
            self._columns = (
                _indptr(self.indices[order], self.shape[1]),
                self.rows()[order],
                self.data[order],
            )
        starts, rows, data = self._columns
        a, b = self.indptr[i], self.indptr[i + 1]
        columns, values = self.indices[a:b], self.data[a:b]
        first, lengths = starts[columns], starts[columns + 1] - starts[columns]
        offsets = np.cumsum(lengths) - lengths
        at = np.arange(int(lengths.sum())) + np.repeat(first - offsets, lengths)
        return _sum_by(rows[at], data[at] * np.repeat(values, lengths), self.shape[0])

    def toarray(self) -> np.ndarray:
        out = np.zeros(self.shape, dtype=self.data.dtype)
        np.add.at(out, (self.rows(), self.indices), self.data)
        return out

    def to_scipy(self) -> Any:
        """The same matrix as scipy's csr_matrix (training code, which has scipy anyway)."""
        from scipy import sparse

        return sparse.csr_matrix((self.data, self.indices, self.indptr), shape=self.shape)


class Transposed:
    """The transpose of a CSR matrix, for its product with a vector (no copy is made)."""

    __slots__ = ("matrix",)

    def __init__(self, matrix: CSR) -> None:
        self.matrix = matrix

    @property
    def shape(self) -> tuple[int, int]:
        return self.matrix.shape[1], self.matrix.shape[0]

    def __matmul__(self, vector: np.ndarray) -> np.ndarray:
        m = self.matrix
        return _sum_by(m.indices, m.data * np.asarray(vector)[m.rows()], m.shape[1])


def _sum_by(bins: np.ndarray, weights: np.ndarray, size: int) -> np.ndarray:
    """Σ of the weights falling in each bin, added in their order."""
    return np.bincount(bins, weights=weights, minlength=size)


def _sortable(keys: np.ndarray, bound: int) -> np.ndarray:
    """`keys` (all below `bound`) as 16-bit integers when they fit: a stable sort of those is
    a radix sort, several times faster than int64's."""
    return keys.astype(np.uint16) if bound <= 0xFFFF else keys


def _indptr(rows: np.ndarray, n: int) -> np.ndarray:
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    return indptr


def csr_by_rows(
    rows: np.ndarray, columns: np.ndarray, data: np.ndarray, shape: tuple[int, int]
) -> CSR:
    """CSR matrix of entries, each row keeping its entries in their given order.

    A stable sort by row does it (`_sortable`).
    """
    n = shape[0]
    order = np.argsort(_sortable(rows, n), kind="stable")
    return CSR(data[order], columns[order], _indptr(rows, n), shape)


def canonical(
    rows: np.ndarray, columns: np.ndarray, data: np.ndarray, shape: tuple[int, int]
) -> CSR:
    """CSR matrix of entries with each row's columns sorted and repeated ones summed.

    The layout scipy's `sum_duplicates` gives; the sums run in the order the entries come.
    """
    keys = rows.astype(np.int64) * shape[1] + columns
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    if len(keys):
        first = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
        data = np.add.reduceat(data[order], first)
        keys = keys[first]
    else:
        data = data[order]
    return CSR(data, keys % max(shape[1], 1), _indptr(keys // max(shape[1], 1), shape[0]), shape)


def hstack(blocks: Sequence[CSR]) -> CSR:
    """The blocks side by side; each row holds the first block's entries, then the next's."""
    n = blocks[0].shape[0]
    offsets = np.cumsum([0, *(b.shape[1] for b in blocks)])
    rows = np.concatenate([b.rows() for b in blocks])
    columns = np.concatenate(
        [b.indices + offset for b, offset in zip(blocks, offsets[:-1], strict=True)]
    )
    data = np.concatenate([b.data.astype(float) for b in blocks])
    return csr_by_rows(rows, columns, data, (n, int(offsets[-1])))
