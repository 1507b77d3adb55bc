"""Replaying a lock memo offline in one transaction, for :mod:`px.cli.fastlock`.

``px --offline lock`` with px.lock deleted is answered by a lock memo when
every index page the remembered resolution read is still what the store's
HTTP cache holds (:mod:`px.ops.lock_memo` does the same through the index
client). Offline that check needs no page body: the cache rows' blob keys
are compared with the memo's. This module does it, writes the remembered
px.lock and records it in the lock history and the audit log, all in one
``BEGIN IMMEDIATE`` transaction on a stdlib ``sqlite3`` connection. Any
mismatch or problem answers None and leaves everything as it was: the
normal path then takes over.
"""

from __future__ import annotations

import collections
import datetime as dt
import hashlib
import json
import sqlite3

from px import __version__
from px.home import BUSY_TIMEOUT_MS, store_uri

ABSENT = (404, 410)


TYPE_CHECKING = False  # not `typing`: this module is on the start-up fast path
if TYPE_CHECKING:
    from collections.abc import Callable

# packages: [(name, version)] sorted by name; warnings: [str]
Replayed = collections.namedtuple("Replayed", ["packages", "warnings"])


def replay_offline(
    store_file: str, memo_key: str, project: str, write_lock: Callable[[bytes], None]
) -> Replayed | None:
    """Write px.lock from memo ``memo_key`` through ``write_lock`` if the cache still agrees."""
    try:
        conn = sqlite3.connect(
            store_uri(store_file, "rw"),
            uri=True,
            timeout=BUSY_TIMEOUT_MS / 1000,
            isolation_level=None,
        )
    except sqlite3.Error:
        return None
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("BEGIN IMMEDIATE")
        replayed = _replay(conn, memo_key, project, write_lock)
        conn.execute("COMMIT" if replayed is not None else "ROLLBACK")
        if replayed is not None:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # store.db alone stays complete
        return replayed
    except (sqlite3.Error, OSError, ValueError, KeyError, TypeError):  # FrameError: a ValueError
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        return None
    finally:
        conn.close()


def _replay(
    conn: sqlite3.Connection, memo_key: str, project: str, write_lock: Callable[[bytes], None]
) -> Replayed | None:
    from px.store.frames import join_frames

    row = conn.execute(
        "SELECT m.lock_id, m.reads, h.body_key, h.lock_sha256 FROM lock_memos AS m "
        "JOIN lock_history AS h ON h.id = m.lock_id WHERE m.key = ?",
        (memo_key,),
    ).fetchone()
    if row is None:
        return None
    lock_id, reads, body_key, lock_sha256 = row
    data = json.loads(reads)
    pages = data["pages"]
    if not pages or any(len(page) < 4 or page[3] is None for page in pages):
        return None
    cached = {
        url: (status, key)
        for url, status, key in conn.execute(
            "SELECT url, status, body_key FROM http_cache WHERE url IN "
            f"({', '.join('?' * len(pages))})",
            [page[3] for page in pages],
        )
    }
    for _index, _name, expected, url in pages:
        status, key = cached.get(url, (None, None))
        if not (status in ABSENT if expected is None else status == 200 and key == expected):
            return None
    size, chunks = conn.execute(
        "SELECT size, chunks FROM blobs WHERE key = ?", (body_key,)
    ).fetchone()
    frames = conn.execute(
        "SELECT seq, data FROM blob_chunks WHERE key = ? ORDER BY seq", (body_key,)
    ).fetchall()
    body = join_frames(body_key, size, chunks, frames)
    if hashlib.sha256(body).hexdigest() != lock_sha256:
        return None
    write_lock(body)
    now = dt.datetime.now(dt.timezone.utc)
    history_id = _record(conn, project, lock_id, lock_sha256, now)
    stamp = now.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    conn.execute(
        "INSERT INTO audit_log (command, started_at, finished_at, outcome, exit_code, "
        "px_version, detail) VALUES ('lock', ?, ?, 'ok', 0, ?, NULL)",
        (stamp, stamp, __version__),
    )
    packages = conn.execute(
        "SELECT name, version FROM lock_packages WHERE lock_id = ? ORDER BY name", (history_id,)
    ).fetchall()
    return Replayed(packages, list(data.get("warnings", [])))


def _record(
    conn: sqlite3.Connection, project: str, lock_id: int, lock_sha256: str, now: dt.datetime
) -> int:
    """The lock's history row for ``project``, copied from ``lock_id`` (as px.store.locks.record:
    a lock identical to the project's latest entry is not recorded again)."""
    latest = conn.execute(
        "SELECT id, lock_sha256 FROM lock_history WHERE project = ? ORDER BY id DESC LIMIT 1",
        (project,),
    ).fetchone()
    if latest is not None and latest[1] == lock_sha256:
        return int(latest[0])
    new_id = conn.execute(
        "INSERT INTO lock_history (project, created_at, body_key, lock_sha256, input_digest, "
        "lock_version, package_count, command) SELECT ?, ?, body_key, lock_sha256, "
        "input_digest, lock_version, package_count, 'lock' FROM lock_history WHERE id = ?",
        (project, now.strftime("%Y-%m-%dT%H:%M:%SZ"), lock_id),
    ).lastrowid
    conn.execute(
        "INSERT INTO lock_packages (lock_id, name, version, major, minor, micro, source_kind, "
        "source) SELECT ?, name, version, major, minor, micro, source_kind, source "
        "FROM lock_packages WHERE lock_id = ?",
        (new_id, lock_id),
    )
    conn.execute(
        "INSERT INTO lock_edges (lock_id, parent, child, specifier, marker, extras) "
        "SELECT ?, parent, child, specifier, marker, extras FROM lock_edges WHERE lock_id = ?",
        (new_id, lock_id),
    )
    assert new_id is not None
    return new_id
