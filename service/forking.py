"""The joblib backend of local `fzreport batch` workers: a fork ProcessPoolExecutor.

Imported (and registered with joblib as `BACKEND`) when a batch starts its workers, so that
the command's flags and help need no joblib.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from joblib import register_parallel_backend
from joblib.parallel import FallbackToBackend, ParallelBackendBase, SequentialBackend

BACKEND = "fzreport-fork"


class ForkBackend(ParallelBackendBase):
    """A joblib backend on a fork ProcessPoolExecutor: results stream, a dead worker is seen.

    Workers are forked from the client after it has loaded the model and the dictionary, so
    they share them and start in milliseconds. joblib's multiprocessing backend forks too, but
    its pool left each worker idle about 15% of the time here (2 workers, 300 reports: about
    275 reports/s against 320 on this one), hands results back only per call, and waits forever
    for the task of a worker killed by the system; the executor reports that as
    BrokenProcessPool. The pool starts at the first task, from the main thread, before any
    thread of its own, and results are consumed by the main thread, which alone shuts it down.
    """

    supports_retrieve_callback = True
    supports_return_generator = True

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._n_jobs = 1
        self._executor: ProcessPoolExecutor | None = None

    def effective_n_jobs(self, n_jobs: int) -> int:
        return max(1, n_jobs)

    def configure(self, n_jobs: int = 1, parallel: Any = None, **_: Any) -> int:
        self._n_jobs = self.effective_n_jobs(n_jobs)
        if self._n_jobs == 1:
            raise FallbackToBackend(SequentialBackend(nesting_level=self.nesting_level))
        self.parallel = parallel
        return self._n_jobs

    def submit(self, func: Callable[[], Any], callback: Any = None) -> Future[Any]:
        if self._executor is None:
            fork = multiprocessing.get_context("fork")
            self._executor = ProcessPoolExecutor(self._n_jobs, mp_context=fork)
        future = self._executor.submit(func)
        if callback is not None:
            future.add_done_callback(callback)
        return future

    def retrieve_result_callback(self, future: Future[Any]) -> Any:
        return future.result()

    def terminate(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def abort_everything(self, ensure_ready: bool = True) -> None:
        self.terminate()  # a later task starts a new pool


register_parallel_backend(BACKEND, ForkBackend)
