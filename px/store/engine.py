"""Opening the store: connections, pragmas, transactions, damage and busy handling.

The store is one SQLite file reached through the standard library's
``sqlite3`` module: importing SQLAlchemy costs about 0.25 s, more than half of
what a warm ``px install`` or ``px lock`` spends, so it is kept to the cold
paths that need it (alembic upgrades of an old store, the schema snapshot
check). Statements are SQL text with ``?`` or ``:name`` parameters, written
only inside ``px/store/``: that text is the one place a second backend (the
organisation-wide PostgreSQL store) will have to translate.

The rest of px sees a :class:`Store` with ``read()``/``write()`` transactions
yielding a :class:`Connection`.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from px.errors import Busy, StoreDamaged, StoreError
from px.home import BUSY_TIMEOUT_MS, STORE_FILENAME, store_uri
from px.store import header
from px.store.revisions import head_revision

if TYPE_CHECKING:
    from px.store.blobs import BlobStore

BATCH = 500  # keys per ``IN (...)`` list
CACHE_KIB = 512  # page cache per connection (SQLite's default is 2,000 KiB)

_DAMAGE_MARKERS = ("malformed", "not a database", "file is not a database", "disk image")

Params = Sequence[Any] | Mapping[str, Any]


def _damaged(path: Path, error: BaseException) -> StoreDamaged:
    return StoreDamaged(
        f"the store at {path} is damaged",
        why=str(error),
        hint="px left it untouched; move it aside to start a new store, "
        "or restore a backup (store.db.bak-*)",
    )


def translate(path: Path, error: BaseException) -> BaseException:
    """Turn a driver error into the px error a user should see, or return it unchanged."""
    message = str(getattr(error, "orig", error)).lower()
    if "locked" in message or "busy" in message:
        return Busy(
            f"the store at {path} is busy",
            why=f"another px process held it for more than {BUSY_TIMEOUT_MS // 1000} s",
            hint="wait for the other px command to finish and try again",
        )
    if any(marker in message for marker in _DAMAGE_MARKERS):
        return _damaged(path, getattr(error, "orig", error))
    if "readonly" in message or "read-only" in message or "unable to open" in message:
        return StoreError(
            f"cannot open the store at {path} for writing",
            why=str(getattr(error, "orig", error)),
            hint="check the permissions of the store directory, or point PX_HOME elsewhere",
        )
    return error


@contextlib.contextmanager
def translated(path: Path) -> Iterator[None]:
    try:
        yield
    except sqlite3.Error as error:
        translated_error = translate(path, error)
        if translated_error is error:
            raise
        raise translated_error from error


def placeholders(count: int) -> str:
    """``?, ?, ?`` for an ``IN (...)`` list of ``count`` values."""
    return ", ".join("?" * count)


def batches(values: Sequence[Any], size: int = BATCH) -> Iterator[Sequence[Any]]:
    """``values`` in slices small enough for one ``IN (...)`` list each."""
    for i in range(0, len(values), size):
        yield values[i : i + size]


class Connection:
    """One connection inside a px transaction; rows are plain tuples."""

    __slots__ = ("raw",)

    def __init__(self, raw: sqlite3.Connection) -> None:
        self.raw = raw

    def execute(self, sql: str, params: Params = ()) -> sqlite3.Cursor:
        return self.raw.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Params]) -> sqlite3.Cursor:
        return self.raw.executemany(sql, rows)

    def first(self, sql: str, params: Params = ()) -> tuple[Any, ...] | None:
        row: tuple[Any, ...] | None = self.raw.execute(sql, params).fetchone()
        return row

    def scalar(self, sql: str, params: Params = ()) -> Any:
        """The first column of the first row, or None when there is no row."""
        row = self.raw.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def all(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]:
        return self.raw.execute(sql, params).fetchall()


def connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    """A configured connection to the store file (px issues ``BEGIN`` itself)."""
    uri = store_uri(str(path), "ro" if readonly else "rwc")
    raw = sqlite3.connect(
        uri,
        uri=True,
        timeout=BUSY_TIMEOUT_MS / 1000,
        isolation_level=None,
        check_same_thread=False,  # the pool hands a connection to one thread at a time
    )
    raw.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    if readonly:
        raw.execute("PRAGMA query_only = ON")
    else:
        # journal_mode=WAL is persistent: set once when the store is opened.
        raw.execute("PRAGMA synchronous = NORMAL")
    raw.execute("PRAGMA foreign_keys = ON")
    # Blobs are written and read once per use: a small page cache keeps each
    # pooled connection's memory flat however much passes through it.
    raw.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    return raw


class _Pool:
    """Idle connections kept for reuse, so threads do not reconnect per transaction."""

    def __init__(self, path: Path, *, readonly: bool) -> None:
        self._path = path
        self._readonly = readonly
        self._idle: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._closed = False

    def acquire(self) -> sqlite3.Connection:
        with self._lock:
            if self._closed:
                raise StoreError("the store was closed", hint="this is a bug in px")
            if self._idle:
                return self._idle.pop()
        return connect(self._path, readonly=self._readonly)

    def release(self, raw: sqlite3.Connection) -> None:
        with self._lock:
            if not self._closed and not raw.in_transaction:
                self._idle.append(raw)
                return
        raw.close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for raw in idle:
            raw.close()


class Store:
    """An open store. Close it (or use it as a context manager) to checkpoint."""

    def __init__(self, directory: Path, *, readonly: bool) -> None:
        self.directory = directory
        self.path = directory / STORE_FILENAME
        self.readonly = readonly
        self._pool = _Pool(self.path, readonly=readonly)
        self._blobs: BlobStore | None = None
        # Threads of one process queue here, handing over at once, instead of
        # sleeping in SQLite's busy handler; other processes still wait there.
        self._writer = threading.Lock()

    @property
    def blobs(self) -> BlobStore:
        if self._blobs is None:
            from px.store.blobs import BlobStore

            self._blobs = BlobStore(self)
        return self._blobs

    @contextlib.contextmanager
    def _transaction(self, begin: str | None) -> Iterator[Connection]:
        with translated(self.path):
            raw = self._pool.acquire()
            try:
                if begin is not None:
                    raw.execute(begin)
                yield Connection(raw)
                if raw.in_transaction:
                    raw.execute("COMMIT")
            finally:
                if raw.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        raw.execute("ROLLBACK")
                self._pool.release(raw)

    @contextlib.contextmanager
    def read(self) -> Iterator[Connection]:
        """A read transaction (a consistent snapshot under WAL)."""
        with self._transaction("BEGIN") as conn:
            yield conn

    @contextlib.contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction: ``BEGIN IMMEDIATE``, so writers queue instead of failing."""
        if self.readonly:
            raise StoreError("the store was opened read-only", hint="this is a bug in px")
        with self._writer, self._transaction("BEGIN IMMEDIATE") as conn:
            yield conn

    @contextlib.contextmanager
    def autocommit(self) -> Iterator[Connection]:
        """A connection outside any transaction, for VACUUM, checkpoints and ``px query``."""
        with self._transaction(None) as conn:
            yield conn

    def close(self) -> None:
        """Checkpoint the WAL into the main file, so ``store.db`` alone is a complete copy."""
        if not self.readonly:
            with contextlib.suppress(sqlite3.Error, StoreError), self.autocommit() as conn:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self._pool.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def open_store(directory: Path, *, readonly: bool = False) -> Store:
    """Open (creating or upgrading when needed) the store in ``directory``.

    A read-only open never creates or migrates: a missing or outdated store is
    first brought to head through a normal open.
    """
    path = directory / STORE_FILENAME
    header.check(path)
    if readonly:
        if not path.exists() or stored_revision_cheap(path) != head_revision():
            open_store(directory).close()
        return Store(directory, readonly=True)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StoreError(
            f"cannot create the store directory {directory}",
            why=error.strerror,
            hint="set PX_HOME or --store to a writable directory",
        ) from error
    store = Store(directory, readonly=False)
    try:
        _use_wal(store)
        from px.store.migrate import ensure_current

        ensure_current(store)
    except BaseException:
        store._pool.close()
        raise
    return store


def attach_store(directory: Path) -> Store:
    """The store in ``directory`` for a helper process of the px that opened it: no
    header check, no migration (that px brought it current), never created, and not
    checkpointed by this process (close nothing: the opening px does)."""
    if not (directory / STORE_FILENAME).is_file():
        raise StoreError(f"the store in {directory} is gone", hint="run the command again")
    return Store(directory, readonly=False)


def _use_wal(store: Store) -> None:
    """Put the store in WAL mode (a setting kept in the file, so usually a no-op).

    Leaving rollback mode needs the file to itself. When several processes
    open a new store at once, SQLite answers some of them "locked" at once,
    without waiting in the busy handler (waiting could deadlock), so the
    switch is retried here until the busy timeout runs out.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    delay = 0.005
    while True:
        try:
            with store.autocommit() as conn:
                conn.execute("PRAGMA journal_mode = WAL")
            return
        except Busy:
            if time.monotonic() + delay > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.1)


def stored_revision_cheap(path: Path) -> str | None:
    """The store's revision, read through one short read-only connection."""
    try:
        conn = connect(path, readonly=True)
    except sqlite3.Error as error:
        raise translate(path, error) from error
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError as error:
        if "no such table" in str(error):
            return None
        raise translate(path, error) from error
    except sqlite3.DatabaseError as error:
        raise _damaged(path, error) from error
    finally:
        conn.close()
    return None if row is None else str(row[0])
