"""Wheels as manifests: one row per wheel file, one row per file inside it, pointing at blobs.

The wheel's own bytes are not kept here: each file inside it is a blob (so a
file shared by two wheels is stored once) and the wheel is the list of
(path, blob, mode, size). ``built_wheels`` remembers which wheel an sdist
built into for a given target, so it is built once. This module stores rows;
it knows nothing of the wheel format (that is ``px.install``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from px.store.engine import Store
from px.store.tables import metadata

wheels = sa.Table(
    "wheels",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("filename", sa.Text, nullable=False),
    sa.Column("sha256", sa.Text, nullable=False, unique=True),  # of the wheel file
    sa.Column("name", sa.Text, nullable=False, index=True),  # normalised
    sa.Column("version", sa.Text, nullable=False),
    sa.Column("tags", sa.Text, nullable=False),  # as in the file name, e.g. py3-none-any
    sa.Column("root_is_purelib", sa.Integer, nullable=False),  # 0 or 1
    sa.Column("metadata_key", sa.Text, sa.ForeignKey("blobs.key"), nullable=False),
    sa.Column("entry_points", sa.Text, nullable=True),  # entry_points.txt, when present
    sa.Column("wheel_size", sa.Integer, nullable=False),
    sa.Column("file_count", sa.Integer, nullable=False),
    sa.Column("unpacked_size", sa.Integer, nullable=False),
    sa.Column("ingested_at", sa.Text, nullable=False),
    sa.Column("source", sa.Text, nullable=False),  # "index", "built", "path", ...
)

wheel_files = sa.Table(
    "wheel_files",
    metadata,
    sa.Column(
        "wheel_id", sa.Integer, sa.ForeignKey("wheels.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("path", sa.Text, primary_key=True),
    sa.Column("blob_key", sa.Text, sa.ForeignKey("blobs.key"), nullable=False, index=True),
    sa.Column("mode", sa.Integer, nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
)

built_wheels = sa.Table(
    "built_wheels",
    metadata,
    sa.Column("sdist_sha256", sa.Text, primary_key=True),
    sa.Column("target", sa.Text, primary_key=True),  # interpreter/platform the build was for
    sa.Column(
        "wheel_id",
        sa.Integer,
        sa.ForeignKey("wheels.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("built_at", sa.Text, nullable=False),
)


@dataclass(frozen=True)
class NewWheel:
    filename: str
    sha256: str
    name: str
    version: str
    tags: str
    root_is_purelib: bool
    metadata_key: str
    entry_points: str | None
    wheel_size: int
    unpacked_size: int
    source: str


@dataclass(frozen=True)
class StoredWheel(NewWheel):
    id: int
    file_count: int
    ingested_at: str


@dataclass(frozen=True)
class FileRow:
    path: str
    blob_key: str
    mode: int
    size: int


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _stored(row: sa.Row[tuple[object, ...]]) -> StoredWheel:
    m = row._mapping
    return StoredWheel(
        id=int(m["id"]),
        filename=str(m["filename"]),
        sha256=str(m["sha256"]),
        name=str(m["name"]),
        version=str(m["version"]),
        tags=str(m["tags"]),
        root_is_purelib=bool(m["root_is_purelib"]),
        metadata_key=str(m["metadata_key"]),
        entry_points=None if m["entry_points"] is None else str(m["entry_points"]),
        wheel_size=int(m["wheel_size"]),
        unpacked_size=int(m["unpacked_size"]),
        source=str(m["source"]),
        file_count=int(m["file_count"]),
        ingested_at=str(m["ingested_at"]),
    )


def _one(conn: sa.Connection, condition: sa.ColumnElement[bool]) -> StoredWheel | None:
    row = conn.execute(sa.select(wheels).where(condition)).first()
    return None if row is None else _stored(row)


def record_wheel(store: Store, wheel: NewWheel, files: Sequence[FileRow]) -> StoredWheel:
    """Record a wheel and its manifest in one transaction; the blobs must be stored already.

    A wheel already recorded under the same sha256 (by another px, say) is returned as is.
    """
    with store.write() as conn:
        existing = _one(conn, wheels.c.sha256 == wheel.sha256)
        if existing is not None:
            return existing
        values = {f.name: getattr(wheel, f.name) for f in dataclasses.fields(NewWheel)}
        values.update(file_count=len(files), ingested_at=_now())
        inserted = conn.execute(wheels.insert().values(values)).inserted_primary_key
        assert inserted is not None
        wheel_id = int(inserted[0])
        if files:
            conn.execute(
                wheel_files.insert(),
                [
                    {
                        "wheel_id": wheel_id,
                        "path": f.path,
                        "blob_key": f.blob_key,
                        "mode": f.mode,
                        "size": f.size,
                    }
                    for f in files
                ],
            )
        stored = _one(conn, wheels.c.id == wheel_id)
    assert stored is not None
    return stored


def wheel_by_sha256(store: Store, sha256: str) -> StoredWheel | None:
    with store.read() as conn:
        return _one(conn, wheels.c.sha256 == sha256)


def manifest(store: Store, sha256: str) -> tuple[StoredWheel, tuple[FileRow, ...]] | None:
    """A wheel and its files (sorted by path), read in one transaction."""
    with store.read() as conn:
        wheel = _one(conn, wheels.c.sha256 == sha256)
        if wheel is None:
            return None
        rows = conn.execute(
            sa.select(wheel_files.c.path, wheel_files.c.blob_key, wheel_files.c.mode,
                      wheel_files.c.size)
            .where(wheel_files.c.wheel_id == wheel.id)
            .order_by(wheel_files.c.path)
        ).all()  # fmt: skip
    return wheel, tuple(FileRow(r.path, r.blob_key, int(r.mode), int(r.size)) for r in rows)


def find_wheels(store: Store, name: str, version: str | None = None) -> list[StoredWheel]:
    """Wheels of a (normalised) project name, optionally one version, oldest first."""
    query = sa.select(wheels).where(wheels.c.name == name)
    if version is not None:
        query = query.where(wheels.c.version == version)
    with store.read() as conn:
        return [_stored(r) for r in conn.execute(query.order_by(wheels.c.id))]


def record_built_wheel(store: Store, sdist_sha256: str, target: str, wheel_id: int) -> None:
    """Remember that this sdist built into this wheel for ``target`` (replacing an older build)."""
    statement = sqlite_insert(built_wheels).values(
        sdist_sha256=sdist_sha256, target=target, wheel_id=wheel_id, built_at=_now()
    )
    statement = statement.on_conflict_do_update(
        index_elements=["sdist_sha256", "target"],
        set_={"wheel_id": statement.excluded.wheel_id, "built_at": statement.excluded.built_at},
    )
    with store.write() as conn:
        conn.execute(statement)


def built_wheel(store: Store, sdist_sha256: str, target: str) -> StoredWheel | None:
    """The wheel this sdist built into for ``target``, if it was built before."""
    query = (
        sa.select(wheels)
        .join(built_wheels, built_wheels.c.wheel_id == wheels.c.id)
        .where(built_wheels.c.sdist_sha256 == sdist_sha256, built_wheels.c.target == target)
    )
    with store.read() as conn:
        row = conn.execute(query).first()
    return None if row is None else _stored(row)
