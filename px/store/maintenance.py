"""Store-wide maintenance: statistics, pruning unreferenced objects, emptying.

What references a blob is read from the schema itself: every column with a
foreign key to ``blobs.key`` (other than the chunks) counts. A new table that
points at blobs is therefore protected from pruning by declaring its foreign
key, with nothing to register here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import sqlalchemy as sa

from px.store.migrate import current_revision

if TYPE_CHECKING:
    from px.store.engine import Store

_KEEP_ON_EMPTY = {"alembic_version", "meta"}


@dataclass(frozen=True)
class Stats:
    revision: str
    file_bytes: int
    objects: int
    raw_bytes: int
    stored_bytes: int


@dataclass(frozen=True)
class Removed:
    objects: int
    raw_bytes: int
    stored_bytes: int
    keys: tuple[str, ...] = ()


def stats(store: Store) -> Stats:
    if not store.readonly:
        with store.autocommit() as conn:  # so the size on disk is the main file's
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    with store.read() as conn:
        objects, raw, stored = conn.exec_driver_sql(
            "SELECT count(*), coalesce(sum(size), 0), coalesce(sum(stored_size), 0) FROM blobs"
        ).one()
        revision = current_revision(conn) or ""
    file_bytes = sum(
        p.stat().st_size
        for p in (store.path, store.path.with_name(store.path.name + "-wal"))
        if p.exists()
    )
    return Stats(revision, file_bytes, int(objects), int(raw), int(stored))


def blob_references(conn: sa.Connection) -> list[tuple[str, str]]:
    """(table, column) pairs that hold blob keys, found from the foreign keys."""
    tables = [
        name
        for (name,) in conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    refs = []
    for table in tables:
        if table == "blob_chunks":
            continue
        for fk in conn.exec_driver_sql(f'PRAGMA foreign_key_list("{table}")').mappings():
            if fk["table"] == "blobs":
                refs.append((table, str(fk["from"])))
    return sorted(refs)


def prune(store: Store, *, dry_run: bool, min_age_seconds: int) -> Removed:
    """Delete objects nothing references and that are older than ``min_age_seconds``.

    The age guard protects objects another px process has just stored and is
    about to reference in its next transaction.
    """
    cutoff = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=min_age_seconds)).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    with store.write() as conn:
        conditions = " AND ".join(
            f'NOT EXISTS (SELECT 1 FROM "{t}" WHERE "{t}"."{c}" = blobs.key)'
            for t, c in blob_references(conn)
        )
        where = f"created_at <= ? {'AND ' + conditions if conditions else ''}"
        rows = conn.exec_driver_sql(
            f"SELECT key, size, stored_size FROM blobs WHERE {where} ORDER BY key", (cutoff,)
        ).all()
        keys = tuple(r[0] for r in rows)
        if not dry_run and keys:
            for i in range(0, len(keys), 500):
                batch = keys[i : i + 500]
                marks = ",".join("?" * len(batch))
                conn.exec_driver_sql(f"DELETE FROM blobs WHERE key IN ({marks})", tuple(batch))
    return Removed(len(keys), sum(r[1] for r in rows), sum(r[2] for r in rows), keys)


def empty(store: Store) -> Removed:
    """Remove every row of every table but the schema revision and store identity."""
    before = stats(store)
    with store.write() as conn:
        conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        tables = [
            name
            for (name,) in conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
            if name not in _KEEP_ON_EMPTY
        ]
        for table in tables:
            conn.exec_driver_sql(f'DELETE FROM "{table}"')
    with store.autocommit() as conn:
        conn.exec_driver_sql("VACUUM")
    return Removed(before.objects, before.raw_bytes, before.stored_bytes)
