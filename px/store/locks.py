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

import sqlalchemy as sa

from px.store.engine import Store
from px.store.tables import metadata

lock_history = sa.Table(
    "lock_history",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("project", sa.Text, nullable=False, index=True),
    sa.Column("created_at", sa.Text, nullable=False),
    sa.Column("body_key", sa.Text, sa.ForeignKey("blobs.key"), nullable=False),
    sa.Column("lock_sha256", sa.Text, nullable=False),
    sa.Column("input_digest", sa.Text, nullable=False),
    sa.Column("lock_version", sa.Integer, nullable=False),
    sa.Column("package_count", sa.Integer, nullable=False),
    sa.Column("command", sa.Text, nullable=True),
)

lock_packages = sa.Table(
    "lock_packages",
    metadata,
    sa.Column(
        "lock_id",
        sa.Integer,
        sa.ForeignKey("lock_history.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("name", sa.Text, primary_key=True, index=True),
    sa.Column("version", sa.Text, primary_key=True),
    sa.Column("major", sa.Integer),
    sa.Column("minor", sa.Integer),
    sa.Column("micro", sa.Integer),
    sa.Column("source_kind", sa.Text, nullable=False),
    sa.Column("source", sa.Text, nullable=False),
)

lock_edges = sa.Table(
    "lock_edges",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "lock_id",
        sa.Integer,
        sa.ForeignKey("lock_history.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("parent", sa.Text, nullable=False),  # a package name, or "<root>", "<group:dev>"...
    sa.Column("child", sa.Text, nullable=False),
    sa.Column("specifier", sa.Text, nullable=False),
    sa.Column("marker", sa.Text),
    sa.Column("extras", sa.Text, nullable=False),  # comma-separated
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
        latest = conn.execute(
            sa.select(lock_history.c.id, lock_history.c.lock_sha256)
            .where(lock_history.c.project == project)
            .order_by(lock_history.c.id.desc())
            .limit(1)
        ).first()
        if latest is not None and latest.lock_sha256 == sha:
            return int(latest.id)
        lock_id = conn.execute(
            lock_history.insert()
            .values(
                project=project,
                created_at=dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                body_key=key,
                lock_sha256=sha,
                input_digest=input_digest,
                lock_version=lock_version,
                package_count=len(packages),
                command=command,
            )
            .returning(lock_history.c.id)
        ).scalar_one()
        if packages:
            conn.execute(
                lock_packages.insert(),
                [
                    {
                        "lock_id": lock_id,
                        "name": p.name,
                        "version": p.version,
                        **dict(
                            zip(
                                ("major", "minor", "micro"),
                                (*p.release, None, None, None),
                                strict=False,
                            )
                        ),
                        "source_kind": p.source_kind,
                        "source": p.source,
                    }
                    for p in packages
                ],
            )
        if edges:
            conn.execute(
                lock_edges.insert(),
                [
                    {
                        "lock_id": lock_id,
                        "parent": e.parent,
                        "child": e.child,
                        "specifier": e.specifier,
                        "marker": e.marker,
                        "extras": ",".join(e.extras),
                    }
                    for e in edges
                ],
            )
    return int(lock_id)


def history(store: Store, project: str | None = None) -> list[LockEntry]:
    """Entries oldest first, for one project or all."""
    query = sa.select(lock_history).order_by(lock_history.c.id)
    if project is not None:
        query = query.where(lock_history.c.project == project)
    with store.read() as conn:
        return [_entry(r) for r in conn.execute(query)]


def entry(store: Store, lock_id: int) -> LockEntry | None:
    """The history entry ``lock_id`` (of any project), or None."""
    with store.read() as conn:
        row = conn.execute(sa.select(lock_history).where(lock_history.c.id == lock_id)).first()
    return None if row is None else _entry(row)


def _entry(r: sa.Row[Any]) -> LockEntry:
    return LockEntry(
        id=r.id,
        project=r.project,
        created_at=r.created_at,
        lock_sha256=r.lock_sha256,
        input_digest=r.input_digest,
        package_count=r.package_count,
        command=r.command,
        body_key=r.body_key,
    )


def body(store: Store, entry: LockEntry) -> bytes:
    return store.blobs.get(entry.body_key)
