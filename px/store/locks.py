"""Lock history: every px.lock written is kept, with its packages and edges as rows.

The body is a blob (so `px lock diff @3` needs no git); packages and edges are
rows so `px query` can answer "which locks contain urllib3 < 2" in one SELECT.
This module takes plain rows: it does not know the lock model.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from px.store.engine import Store

_ENTRY_COLUMNS = (
    "id, project, created_at, lock_sha256, input_digest, package_count, command, body_key"
)
_LATEST = "SELECT id, lock_sha256 FROM lock_history WHERE project = ? ORDER BY id DESC LIMIT 1"
_INSERT_LOCK = (
    "INSERT INTO lock_history (project, created_at, body_key, lock_sha256, input_digest,"
    " lock_version, package_count, command)"
    " VALUES (:project, :created_at, :body_key, :lock_sha256, :input_digest,"
    " :lock_version, :package_count, :command)"
)
_INSERT_PACKAGE = (
    "INSERT INTO lock_packages (lock_id, name, version, major, minor, micro, source_kind, source)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_EDGE = (
    "INSERT INTO lock_edges (lock_id, parent, child, specifier, marker, extras)"
    " VALUES (?, ?, ?, ?, ?, ?)"
)


@dataclass(frozen=True)
class PackageRow:
    name: str
    version: str
    release: tuple[int, ...]
    source_kind: str
    source: str


@dataclass(frozen=True)
class EdgeRow:
    parent: str
    child: str
    specifier: str
    marker: str | None
    extras: tuple[str, ...]


@dataclass(frozen=True)
class LockEntry:
    id: int
    project: str
    created_at: str
    lock_sha256: str
    input_digest: str
    package_count: int
    command: str | None
    body_key: str


def record(
    store: Store,
    *,
    project: str,
    body: bytes,
    input_digest: str,
    lock_version: int,
    packages: Sequence[PackageRow],
    edges: Sequence[EdgeRow],
    command: str | None,
) -> int:
    """Add a lock to the history; a body identical to the project's latest is not repeated."""
    sha = hashlib.sha256(body).hexdigest()
    key = store.blobs.put(body)
    with store.write() as conn:
        latest = conn.first(_LATEST, (project,))
        if latest is not None and latest[1] == sha:
            return int(latest[0])
        lock_id = conn.execute(
            _INSERT_LOCK,
            {
                "project": project,
                "created_at": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "body_key": key,
                "lock_sha256": sha,
                "input_digest": input_digest,
                "lock_version": lock_version,
                "package_count": len(packages),
                "command": command,
            },
        ).lastrowid
        assert lock_id is not None  # set by every INSERT
        if packages:
            conn.executemany(_INSERT_PACKAGE, [_package_values(lock_id, p) for p in packages])
        if edges:
            conn.executemany(
                _INSERT_EDGE,
                [
                    (lock_id, e.parent, e.child, e.specifier, e.marker, ",".join(e.extras))
                    for e in edges
                ],
            )
    return lock_id


def _package_values(lock_id: int, p: PackageRow) -> tuple[object, ...]:
    major, minor, micro = (*p.release, None, None, None)[:3]
    return (lock_id, p.name, p.version, major, minor, micro, p.source_kind, p.source)


def history(store: Store, project: str | None = None) -> list[LockEntry]:
    """Entries oldest first, for one project or all."""
    with store.read() as conn:
        if project is None:
            rows = conn.all(f"SELECT {_ENTRY_COLUMNS} FROM lock_history ORDER BY id")
        else:
            rows = conn.all(
                f"SELECT {_ENTRY_COLUMNS} FROM lock_history WHERE project = ? ORDER BY id",
                (project,),
            )
    return [_entry(r) for r in rows]


def entry(store: Store, lock_id: int) -> LockEntry | None:
    """The history entry ``lock_id`` (of any project), or None."""
    with store.read() as conn:
        row = conn.first(f"SELECT {_ENTRY_COLUMNS} FROM lock_history WHERE id = ?", (lock_id,))
    return None if row is None else _entry(row)


def _entry(row: tuple[Any, ...]) -> LockEntry:
    id_, project, created_at, sha, input_digest, package_count, command, body_key = row
    return LockEntry(
        id=int(id_),
        project=project,
        created_at=created_at,
        lock_sha256=sha,
        input_digest=input_digest,
        package_count=int(package_count),
        command=command,
        body_key=body_key,
    )


def body(store: Store, entry: LockEntry) -> bytes:
    return store.blobs.get(entry.body_key)
