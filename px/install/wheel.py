"""Wheels into the store: validate completely, then store each file as a blob and the wheel as
a manifest of (path, blob key, mode, size).

Nothing is written before the whole wheel has been validated: member bytes are
held in memory (or spooled to temporary files beside the store for large
wheels) while :func:`~px.install.validate.validate_wheel` checks them, then
stored in a few batched transactions, then the manifest is recorded in one
transaction. Ingest is idempotent by the wheel file's sha256.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import threading
from collections.abc import Collection, Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from packaging.utils import InvalidWheelFilename, parse_wheel_filename
from packaging.version import InvalidVersion

from px.errors import IntegrityError
from px.install.distinfo import EntryPoint, EntryPoints
from px.install.limits import DEFAULT_LIMITS, Limits
from px.install.records import ManifestEntry, WheelRecord, load_wheel, record_of
from px.install.refusals import refused
from px.install.spool import Spool
from px.install.tree import load_tree
from px.install.validate import ValidatedWheel, validate_wheel

if TYPE_CHECKING:
    import queue

    from px.install.workers import Workers
    from px.store import Store
    from px.store.wheels import NewWheel

__all__ = [
    "EntryPoint",
    "EntryPoints",
    "Limits",
    "ManifestEntry",
    "WheelFile",
    "WheelRecord",
    "ingest_wheel",
    "ingest_wheels",
    "load_wheel",
    "validate_wheel",
]

_HASH_BLOCK = 1 << 20
# Wheels validated ahead of the one being stored. With one ahead, both threads of a
# cold install sat idle a third of the time: the largest wheel's validation
# (botocore, 0.24-0.35 s) and its storing (0.29 s) ran one after the other, each
# beside a small wheel's few milliseconds. Each wheel ahead holds at most its
# spool's memory budget of compressed bytes while it waits (px.install.spool,
# MEMORY_BUDGET). More threads validating only slowed the one storing (2 cores): 1.49 s
# instead of 1.31 s.
AHEAD = 16


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(_HASH_BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class WheelFile:
    """One wheel to ingest, for :func:`ingest_wheels`."""

    path: Path
    filename: str | None = None  # the real name when ``path`` is a temporary copy
    expected_sha256: str | None = None
    source: str = "index"
    tree: Path | None = None  # build this wheel's tree here while it is validated
    # The file was checked against expected_sha256 as it was written (a download): not
    # hashed again (32 MB of wheels, 65 ms of CPU).
    verified: bool = False


def ingest_wheel(
    store: Store,
    path: Path,
    *,
    filename: str | None = None,
    expected_sha256: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    source: str = "index",
) -> WheelRecord:
    """Validate ``path`` and put it into the store; return the stored record.

    ``filename`` is the wheel's real name when ``path`` is a temporary copy. A
    wheel whose sha256 is already in the store is returned without being read
    again. Refusals raise :class:`~px.errors.InputError` (structure) or
    :class:`~px.errors.IntegrityError` (hashes), and leave the store untouched.
    """
    prepared = _prepare(store, WheelFile(path, filename, expected_sha256, source), limits)
    return prepared if isinstance(prepared, WheelRecord) else _commit(store, prepared)


def ingest_wheels(
    store: Store,
    wheels: Iterable[WheelFile],
    *,
    limits: Limits = DEFAULT_LIMITS,
    workers: int | Workers = 0,
) -> list[WheelRecord]:
    """:func:`ingest_wheel` for several wheels, faster; their records in order.

    ``wheels`` may be a generator that waits for each download: the first wheels
    are validated while the last are still arriving.

    Without ``workers``, a second thread validates up to :data:`AHEAD` wheels ahead
    of the one this thread stores (inflating, hashing, compressing, writing files
    and SQLite all release the GIL), and the wheels are stored in order: a
    refusal, or a download that fails, stops it with the wheels before it stored
    and nothing of it or after it.

    With ``workers`` (a count, or a :class:`~px.install.workers.Workers` the caller
    started and stops), worker processes validate and each wheel is stored as soon
    as its validation ends, so a small wheel never waits for a large one validated
    before it. A refusal or a failed download stops handing wheels over; those
    handed over before it are still stored if they pass, then the error is raised.
    Nothing of a refused wheel is stored.
    """
    upcoming = iter(wheels)
    if not isinstance(workers, int):
        if workers.count:
            return _ingest_in_workers(store, upcoming, limits, workers)
    elif workers:
        from px.install.workers import Workers

        with Workers(workers) as started:
            if started.count:  # else they could not start
                return _ingest_in_workers(store, upcoming, limits, started)
    return _ingest_on_a_thread(store, upcoming, limits)


def _ingest_on_a_thread(
    store: Store, upcoming: Iterator[WheelFile], limits: Limits
) -> list[WheelRecord]:
    from collections import deque
    from concurrent.futures import ThreadPoolExecutor

    stopped = threading.Event()

    def prepare_next() -> WheelRecord | _Prepared | None:  # one thread: in order
        if stopped.is_set():
            return None
        wheel = next(upcoming, None)  # may wait for (and fail with) a download
        if wheel is None or stopped.is_set():
            return None
        return _prepare(store, wheel, limits)

    records: list[WheelRecord] = []
    with ThreadPoolExecutor(1, thread_name_prefix="px-ingest") as pool:
        pending = deque(pool.submit(prepare_next) for _ in range(AHEAD))
        try:
            while (prepared := pending.popleft().result()) is not None:
                pending.append(pool.submit(prepare_next))
                if isinstance(prepared, _Prepared):
                    prepared = _commit(store, prepared)
                records.append(prepared)
        finally:
            stopped.set()  # refused, failed or interrupted: validate nothing more
            for future in pending:  # and drop what was read ahead
                _drop(future)
    return records


def _ingest_in_workers(
    store: Store, upcoming: Iterator[WheelFile], limits: Limits, workers: Workers
) -> list[WheelRecord]:
    """A thread hands each wheel to the workers as it arrives; this one stores each as its
    validation ends.

    Only one wheel per worker is handed over and not validated yet, so which wheel
    comes next is chosen late: ``upcoming`` can then give the largest download landed
    by then. With 16 handed over, botocore (the largest, landing last) waited behind 16
    small wheels in the workers' queue and its validation started 0.3 s later; with
    two per worker, up to 150 ms later. A wheel frees its place when its validation
    ends, not once it is stored: while this thread
    stored botocore (0.25 s), both workers sat idle with their places taken by wheels
    validated and waiting. At most :data:`AHEAD` wheels wait validated (each holds its
    spool's memory budget). A large wheel is handed over as one part per worker
    (:mod:`px.install.parts`), each part as a place frees.
    """
    import queue

    from px.install import parts

    ended: queue.SimpleQueue[tuple[int, Future[_Prepared]] | _Fed] = queue.SimpleQueue()
    assert workers.count, "no workers: validate on a thread"
    room = threading.Semaphore(workers.count)  # handed over, not validated yet
    waiting = threading.Semaphore(AHEAD)  # handed over, not stored yet
    stopped = threading.Event()
    submitted: list[Future[_Prepared]] = []

    def feed() -> None:
        count, failure = 0, None
        try:
            for wheel in upcoming:  # may wait for (and fail with) a download
                waiting.acquire()
                room.acquire()
                if stopped.is_set():
                    break
                tree = _tree_to_build(wheel)
                task = replace(wheel, path=wheel.path.absolute())  # not our cwd there
                directory = store.directory.absolute()
                future: Future[_Prepared]
                if tree is not None and workers.count > 1 and parts.worth_splitting(wheel):
                    future = parts.in_parts(
                        workers, (task, limits, tree.absolute(), directory), room, stopped
                    )
                    future.add_done_callback(functools.partial(_ended, ended, None, count))
                else:
                    target = None if tree is None else tree.absolute()
                    future = workers.submit(_validate_and_store, task, limits, target, directory)
                    future.add_done_callback(functools.partial(_ended, ended, room, count))
                submitted.append(future)
                count += 1
        except BaseException as error:  # raised by the thread that stores
            failure = error
        ended.put(_Fed(count, failure))

    feeder = threading.Thread(target=feed, name="px-ingest", daemon=True)
    feeder.start()
    records: dict[int, WheelRecord] = {}
    fed: _Fed | None = None
    failure: BaseException | None = None  # the first: raised once what was handed over is done
    handled = 0
    try:
        while fed is None or handled < fed.count:
            item = ended.get()
            if isinstance(item, _Fed):
                fed = item
                failure = failure or fed.failure
                continue
            index, future = item
            handled += 1
            waiting.release()
            try:
                prepared = _unless_stored(store, future.result())
            except Exception as error:  # a refusal: the others still finish
                failure = failure or error
                stopped.set()
                continue
            if isinstance(prepared, _Prepared):
                prepared = _commit(store, prepared)
            records[index] = prepared
        if failure is not None:
            raise failure
    finally:
        stopped.set()  # refused, failed or interrupted: validate nothing more
        waiting.release()  # (the feeder may be waiting for either)
        room.release()
        feeder.join()
        stored = {r.sha256 for r in records.values()}
        for future in submitted:  # and drop what was validated, not stored
            _drop(future, kept=stored)
    return [records[i] for i in range(len(records))]


def _ended(
    ended: queue.SimpleQueue[Any],
    room: threading.Semaphore | None,
    index: int,
    future: Future[_Prepared],
) -> None:
    if room is not None:
        room.release()
    ended.put((index, future))


@dataclass(frozen=True)
class _Fed:
    """What the feeding thread handed the workers: how many wheels, and how it ended."""

    count: int
    failure: BaseException | None


def _drop(future: Future[Any], kept: Collection[str] = ()) -> None:
    """Cancel work read ahead, or throw away what it prepared (its spool's files), unless
    its wheel (by sha256) is in ``kept``: stored."""
    for part in getattr(future, "parts", ()):  # a wheel handed over in parts
        part.cancel()
    if future.cancel():
        return
    with contextlib.suppress(BaseException):
        leftover = future.result()
        if isinstance(leftover, _Prepared) and leftover.sha256 not in kept:
            leftover.spool.close()


def _unless_stored(store: Store, prepared: _Prepared) -> WheelRecord | _Prepared:
    """A wheel validated in a worker (which has no store): the store's record if it has the
    wheel by now, its spool thrown away."""
    existing = load_wheel(store, prepared.sha256)
    if existing is None:
        return prepared
    prepared.spool.close()
    _same_project(existing, prepared.validated.filename)
    return existing


@dataclass(frozen=True)
class _Prepared:
    """A validated wheel whose files wait in a spool to be stored."""

    validated: ValidatedWheel
    sha256: str
    source: str
    spool: Spool
    tree: Path | None  # where the spool's staged tree goes once the wheel is stored


def _prepare(store: Store, wheel: WheelFile, limits: Limits) -> WheelRecord | _Prepared:
    """Everything before the first write: hash, look up, validate (files kept in a spool)."""
    sha256 = _checked_sha256(wheel)
    existing = load_wheel(store, sha256)
    if existing is not None:
        _same_project(existing, wheel.filename or wheel.path.name)
        return existing
    return _validate(wheel, limits, _tree_to_build(wheel), store.directory, sha256)


def _checked_sha256(wheel: WheelFile) -> str:
    expected = wheel.expected_sha256
    if wheel.verified and expected is not None:
        return expected.lower()
    sha256 = file_sha256(wheel.path)
    if expected is not None and sha256 != expected.lower():
        raise IntegrityError(
            f"refusing wheel {wheel.filename or wheel.path.name}: its sha256 is not the one "
            "expected",
            why=f"expected {expected.lower()}, the file has {sha256}",
            hint="px stored nothing from it; download it again",
        )
    return sha256


def _tree_to_build(wheel: WheelFile) -> Path | None:
    """Where to stage the wheel's tree while it is validated; None when it exists already
    (a wheel the store lost) or was not asked for."""
    tree = wheel.tree
    if tree is None or load_tree(tree) is not None:
        return None
    tree.parent.mkdir(parents=True, exist_ok=True)
    return tree


Part = tuple[int, int, Path]  # part k of n of a wheel's members, staged in this directory


def _validate(
    wheel: WheelFile,
    limits: Limits,
    tree: Path | None,
    spool_in: Path,
    sha256: str | None = None,
    part: Part | None = None,
) -> _Prepared:
    """Validate ``wheel`` into a spool (under ``spool_in``, or beside ``tree`` while staging
    it; a ``part`` of it into that part's staging directory). Runs in a worker process
    too: then it hashes the file itself (no store here)."""
    if sha256 is None:
        sha256 = _checked_sha256(wheel)
    if tree is None:
        spool = Spool(spool_in)
    else:
        spool = Spool(tree.parent, tree=True, shared=None if part is None else part[2])
    k, n = (0, 1) if part is None else part[:2]
    try:
        validated = validate_wheel(
            wheel.path, wheel.filename or wheel.path.name, limits, sink=spool, part=k, parts=n
        )
    except BaseException:
        spool.close()
        raise
    return _Prepared(validated, sha256, wheel.source, spool, tree)


def _validate_and_store(
    wheel: WheelFile, limits: Limits, tree: Path | None, directory: Path, part: Part | None = None
) -> _Prepared:
    """In a worker process: :func:`_validate`, then put the files into the store in
    ``directory`` from here, so that the process recording the wheels only writes
    their manifests. Storing the files took that single thread 0.45 s of a cold
    install (storing botocore's alone, 0.2-0.3 s at the end, after its validation),
    while the workers had cores to spare. The files are stored only once the whole
    wheel passed, as on a thread; files of a wheel whose manifest is then never
    written (px stopped) are unreferenced objects, which ``px cache prune`` drops.

    A ``part`` of a wheel is only validated: its files are stored once every part
    passed (a refused wheel leaves the store as it was), and the tree the parts staged
    together is sealed then, both by the process recording the wheel."""
    prepared = _validate(wheel, limits, tree, directory, part=part)
    if part is not None:
        return prepared
    try:
        prepared.spool.store(_attached(directory))
        if tree is not None:
            prepared.spool.seal_tree(_executable(prepared.validated))
    except BaseException:
        prepared.spool.close()
        raise
    return prepared


_ATTACHED: dict[Path, Store] = {}


def _attached(directory: Path) -> Store:
    if directory not in _ATTACHED:
        from px.store.engine import attach_store

        _ATTACHED[directory] = attach_store(directory)
    return _ATTACHED[directory]


def _commit(store: Store, prepared: _Prepared) -> WheelRecord:
    """Store the spooled files (unless a worker did), then the manifest in one
    transaction."""
    from px.store import wheels as stored

    validated = prepared.validated
    with prepared.spool as spool:
        keys = spool.store(store)
        files = [
            stored.FileRow(m.path, keys[m.path], m.mode, m.size)
            for m in sorted(validated.members, key=lambda m: m.path)
        ]
        new = _new_wheel(validated, prepared.sha256, keys, prepared.source)
        record = record_of(stored.record_wheel(store, new, files), files)
        if prepared.tree is not None:  # only now: a tree that exists is whole and stored
            spool.finish_tree(prepared.tree, _executable(validated))
    return record


def _executable(validated: ValidatedWheel) -> Iterator[str]:
    return (m.path for m in validated.members if m.mode & 0o111)


def _new_wheel(
    validated: ValidatedWheel, sha256: str, keys: dict[str, str], source: str
) -> NewWheel:
    from px.store.wheels import NewWheel

    return NewWheel(
        filename=validated.filename,
        sha256=sha256,
        name=validated.name,
        version=validated.version,
        tags=validated.tags,
        root_is_purelib=validated.root_is_purelib,
        metadata_key=keys[f"{validated.dist_info}/METADATA"],
        entry_points=validated.entry_points_text,
        wheel_size=validated.wheel_size,
        unpacked_size=validated.unpacked_size,
        source=source,
    )


def _same_project(existing: WheelRecord, wheel: str) -> None:
    """The same bytes under another file name must still name the same project and version."""
    if wheel == existing.filename:
        return
    try:
        name, version, _build, _tags = parse_wheel_filename(wheel)
    except (InvalidWheelFilename, InvalidVersion) as error:
        raise refused(wheel, f"its file name is not a valid wheel name ({error})") from None
    if str(name) != existing.name or str(version) != existing.version:
        raise refused(
            wheel,
            f"it has the same bytes as {existing.filename}, which is "
            f"{existing.name} {existing.version}",
        )
