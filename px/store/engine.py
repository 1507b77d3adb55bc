"""Opening the store: engine, pragmas, transactions, damage and busy handling.

SQLite-specific SQL (pragmas, ``BEGIN IMMEDIATE``, checkpoints) stays in this
package; the rest of px sees a :class:`Store` with ``read()``/``write()``
transactions over SQLAlchemy Core connections.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy import event, exc

from px.config import STORE_FILENAME
from px.errors import Busy, StoreDamaged, StoreError
from px.store import header
from px.store.revisions import head_revision

if TYPE_CHECKING:
    from px.store.blobs import BlobStore

BUSY_TIMEOUT_MS = 60_000

_DAMAGE_MARKERS = ("malformed", "not a database", "file is not a database", "disk image")


def _damaged(path: Path, error: BaseException) -> StoreDamaged:
    return StoreDamaged(
        f"the store at {path} is damaged",
        why=str(getattr(error, "orig", error)),
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
        return _damaged(path, error)
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
    except (exc.DBAPIError, sqlite3.Error) as error:
        translated_error = translate(path, error)
        if translated_error is error:
            raise
        raise translated_error from error


def _configure(engine: sa.Engine, *, readonly: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # px issues BEGIN itself (see _on_begin), so the driver must not.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if readonly:
            cursor.execute("PRAGMA query_only = ON")
        else:
            # journal_mode=WAL is persistent: set once when the store is opened.
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        options = connection.get_execution_options()
        if options.get("px_autocommit"):
            return  # VACUUM and checkpoints must run outside a transaction
        connection.exec_driver_sql("BEGIN IMMEDIATE" if options.get("px_immediate") else "BEGIN")


def make_engine(path: Path, *, readonly: bool = False) -> sa.Engine:
    url = f"sqlite:///file:{path}?mode=ro&uri=true" if readonly else f"sqlite:///{path}"
    engine = sa.create_engine(
        url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000}, pool_size=16, max_overflow=16
    )
    _configure(engine, readonly=readonly)
    return engine


class Store:
    """An open store. Close it (or use it as a context manager) to checkpoint."""

    def __init__(self, directory: Path, engine: sa.Engine, *, readonly: bool) -> None:
        self.directory = directory
        self.path = directory / STORE_FILENAME
        self.engine = engine
        self.readonly = readonly
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
    def read(self) -> Iterator[sa.Connection]:
        """A read transaction (a consistent snapshot under WAL)."""
        with translated(self.path), self.engine.connect() as conn, conn.begin():
            yield conn

    @contextlib.contextmanager
    def write(self) -> Iterator[sa.Connection]:
        """A write transaction: ``BEGIN IMMEDIATE``, so writers queue instead of failing."""
        if self.readonly:
            raise StoreError("the store was opened read-only", hint="this is a bug in px")
        with (
            self._writer,
            translated(self.path),
            self.engine.connect().execution_options(px_immediate=True) as conn,
            conn.begin(),
        ):
            yield conn

    @contextlib.contextmanager
    def autocommit(self) -> Iterator[sa.Connection]:
        """A connection outside any transaction, for VACUUM and checkpoints."""
        with translated(self.path), self.engine.connect() as conn:
            yield conn.execution_options(px_autocommit=True)

    def close(self) -> None:
        """Checkpoint the WAL into the main file, so ``store.db`` alone is a complete copy."""
        if not self.readonly:
            with contextlib.suppress(exc.DBAPIError), self.autocommit() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        self.engine.dispose()

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
        engine = make_engine(path, readonly=True)
        return Store(directory, engine, readonly=True)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StoreError(
            f"cannot create the store directory {directory}",
            why=error.strerror,
            hint="set PX_HOME or --store to a writable directory",
        ) from error
    engine = make_engine(path)
    store = Store(directory, engine, readonly=False)
    try:
        with store.autocommit() as conn:
            conn.exec_driver_sql("PRAGMA journal_mode = WAL")
        from px.store.migrate import ensure_current

        ensure_current(store)
    except BaseException:
        engine.dispose()
        raise
    return store


def stored_revision_cheap(path: Path) -> str | None:
    """The store's revision read with the sqlite3 module alone (no SQLAlchemy work)."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
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
