"""Group commit of the index client's writes to the store.

Many threads finish their requests at nearly the same moment. When each
opened its own write transaction, SQLite made every writer that found the
lock taken sleep (1, 2, 5, 10... ms) before it tried again, and a cold fetch
of 46 projects spent seconds of thread time asleep. Here the writers of one
process queue on a lock instead: whoever holds it commits everything queued
so far, the blobs with one ``put_many`` and then every row in one write
transaction, and the others find their work already done.

A failure of the rows of one write does not fail the others: the batch is
retried one write at a time, so each caller sees its own error.
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from px.store import Connection, Store


# Writes the rows of one request; gets the blob keys of its bodies, in order.
Rows = Callable[["Connection", Sequence[str]], None]


@dataclasses.dataclass(eq=False)
class _Write:
    bodies: Sequence[bytes]
    rows: Rows
    keys: list[str] = dataclasses.field(default_factory=list)
    error: BaseException | None = None
    done: bool = False

    def fail(self, error: BaseException) -> None:
        self.error, self.done = error, True


class StoreWriter:
    """Thread-safe: ``write`` from any thread; writes of waiting threads commit together."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._queue: list[_Write] = []
        self._queue_lock = threading.Lock()
        self._commit_lock = threading.Lock()

    def write(self, bodies: Sequence[bytes], rows: Rows) -> list[str]:
        """Store ``bodies`` as blobs, then run ``rows(conn, keys)`` in a write transaction.

        Returns the blob keys of ``bodies`` once both are committed.
        """
        job = _Write(bodies, rows)
        with self._queue_lock:
            self._queue.append(job)
        with self._commit_lock:
            if not job.done:  # else a writer before us committed it
                with self._queue_lock:
                    batch, self._queue = self._queue, []
                self._commit(batch)
        if job.error is not None:
            raise job.error
        return job.keys

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold off the other writers of this process (around a write done elsewhere)."""
        with self._commit_lock:
            yield

    def _commit(self, batch: list[_Write]) -> None:
        try:
            bodies = [body for job in batch for body in job.bodies]
            keys = self._store.blobs.put_many(bodies) if bodies else []
            start = 0
            for job in batch:
                job.keys = keys[start : start + len(job.bodies)]
                start += len(job.bodies)
            try:
                self._rows(batch)
            except Exception:
                if len(batch) == 1:
                    raise
                for job in batch:  # one at a time: only the failing writes fail
                    try:
                        self._rows([job])
                    except Exception as error:
                        job.fail(error)
            for job in batch:
                job.done = True
        except BaseException as error:
            for job in batch:
                if not job.done:
                    job.fail(error)
            if not isinstance(error, Exception):
                raise

    def _rows(self, batch: list[_Write]) -> None:
        with self._store.write() as conn:
            for job in batch:
                job.rows(conn, job.keys)
