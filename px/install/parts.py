"""A large wheel validated in parts, one per worker process, then stored as one.

Each part makes every check of the wheel but the last, then inflates and checks
only its share of the members (:func:`px.install.validate.share`) and writes
them into one staging directory the parts share. The wheel is what the parts
make together once every part passed: only then are its files stored (by the
process recording it), so a wheel refused in any part leaves the store as it
was, and its staged files are removed with the staging directory.
"""

from __future__ import annotations

import contextlib
import threading
from concurrent.futures import Future
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from px.install.spool import Spool
from px.install.wheel import WheelFile, _Prepared, _validate_and_store

if TYPE_CHECKING:
    from px.install.limits import Limits
    from px.install.workers import Workers

# A wheel at least this large is validated in parts. Whole, botocore (17 MB, the medium
# workload's largest) took one worker 0.6 s while the other, done with the small wheels,
# sat idle for the last 0.25 s of a cold install. Each part reads the archive's directory
# and metadata again: a few milliseconds.
SPLIT_BYTES = 4 << 20


def worth_splitting(wheel: WheelFile) -> bool:
    """Whether ``wheel`` (a file on disk) is large enough to validate in parts."""
    return _size(wheel) >= SPLIT_BYTES


def _size(wheel: WheelFile) -> int:
    try:
        return wheel.path.stat().st_size
    except OSError:
        return 0  # (validating it says what is wrong)


def in_parts(
    workers: Workers,
    task: tuple[WheelFile, Limits, Path, Path],
    room: threading.Semaphore,
    stopped: threading.Event,
) -> Joined:
    """Hand a wheel over as one part per worker (the caller took the first part's place;
    each further part waits for a place): a future of the wheel whose parts all passed."""
    import tempfile

    wheel, limits, tree, directory = task
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=tree.parent))
    joined = Joined(staging, workers.count)
    for part in range(workers.count):
        if part:
            room.acquire()
        if stopped.is_set():
            if part:
                room.release()
            joined.stop_adding()
            break
        future = workers.submit(
            _validate_and_store, wheel, limits, tree, directory, (part, workers.count, staging)
        )
        future.add_done_callback(lambda _: room.release())
        joined.add(future)
    return joined


class Joined(Future[_Prepared]):
    """A wheel validated in parts: done when every part is, with the wheel they make
    together, or the first part's refusal (in part order), once none is still writing
    into the staging directory they share (then removed with what they staged)."""

    def __init__(self, staging: Path, parts: int) -> None:
        super().__init__()
        self.set_running_or_notify_cancel()  # not cancelled whole: cancel its parts
        self.staging = staging
        self.parts: list[Future[_Prepared]] = []
        self._total = parts
        self._stopped = False
        self._done = 0
        self._count = threading.Lock()

    def add(self, future: Future[_Prepared]) -> None:
        with self._count:
            self.parts.append(future)
        future.add_done_callback(self._part_done)

    def stop_adding(self) -> None:
        """No more parts will be added (stopped): done, as a failure, once those added are."""
        with self._count:
            self._stopped = True
            complete = self._done == len(self.parts)
        if complete:
            self._finish()

    def _part_done(self, _future: Future[_Prepared]) -> None:
        with self._count:
            self._done += 1
            added = len(self.parts)
            complete = self._done == added and (self._stopped or added == self._total)
        if complete:
            self._finish()

    def _finish(self) -> None:
        from concurrent.futures import CancelledError

        from px.install.tree import remove_tree

        passed: list[_Prepared] = []
        failure: BaseException | None = None
        for future in self.parts:
            error = CancelledError() if future.cancelled() else future.exception()
            if error is None:
                passed.append(future.result())
            else:
                failure = failure or error
        if failure is None and len(passed) < self._total:  # some part was never handed over
            failure = CancelledError()
        if failure is None:
            try:
                self.set_result(_join(passed, self.staging))
                return
            except BaseException as error:  # handed to the thread waiting for it
                failure = error
        # What the parts staged goes, as far as it can (staging left over goes once an
        # hour old: tree.remove_abandoned_staging); the thread waiting learns why.
        try:
            with contextlib.suppress(OSError):
                for prepared in passed:
                    prepared.spool.close()
                remove_tree(self.staging)
        finally:
            self.set_exception(failure)


def _join(parts: list[_Prepared], staging: Path) -> _Prepared:
    first = parts[0]
    members = tuple(m for part in parts for m in part.validated.members)
    return _Prepared(
        replace(first.validated, members=members),
        first.sha256,
        first.source,
        Spool.joined([part.spool for part in parts], staging),
        first.tree,
    )
