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
from typing import Any

from px.store.engine import Connection, Store, batches, placeholders


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


# The columns of a StoredWheel, in the order _stored reads them.
_WHEEL_COLUMNS = (
    "id", "filename", "sha256", "name", "version", "tags", "root_is_purelib", "metadata_key",
    "entry_points", "wheel_size", "unpacked_size", "source", "file_count", "ingested_at",
)  # fmt: skip
_SELECT_WHEEL = f"SELECT {', '.join(_WHEEL_COLUMNS)} FROM wheels"
_BY_SHA256 = f"{_SELECT_WHEEL} WHERE sha256 = ?"
_BY_ID = f"{_SELECT_WHEEL} WHERE id = ?"
_NEW_COLUMNS = (*(f.name for f in dataclasses.fields(NewWheel)), "file_count", "ingested_at")
_INSERT_WHEEL = (
    f"INSERT INTO wheels ({', '.join(_NEW_COLUMNS)}) "
    f"VALUES ({', '.join(':' + c for c in _NEW_COLUMNS)})"
)
_INSERT_FILES = (
    "INSERT INTO wheel_files (wheel_id, path, blob_key, mode, size) VALUES (?, ?, ?, ?, ?)"
)
_FILES = "SELECT path, blob_key, mode, size FROM wheel_files WHERE wheel_id = ? ORDER BY path"
_RECORD_BUILT = (
    "INSERT INTO built_wheels (sdist_sha256, target, wheel_id, built_at) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (sdist_sha256, target) DO UPDATE SET "
    "wheel_id = excluded.wheel_id, built_at = excluded.built_at"
)
_BUILT = (
    f"SELECT {', '.join('w.' + c for c in _WHEEL_COLUMNS)} FROM wheels w "
    "JOIN built_wheels b ON b.wheel_id = w.id WHERE b.sdist_sha256 = ? AND b.target = ?"
)


def _stored(row: tuple[Any, ...]) -> StoredWheel:
    (
        id_, filename, sha256, name, version, tags, purelib, metadata_key, entry_points,
        wheel_size, unpacked_size, source, file_count, ingested_at,
    ) = row  # fmt: skip
    return StoredWheel(
        id=int(id_),
        filename=str(filename),
        sha256=str(sha256),
        name=str(name),
        version=str(version),
        tags=str(tags),
        root_is_purelib=bool(purelib),
        metadata_key=str(metadata_key),
        entry_points=None if entry_points is None else str(entry_points),
        wheel_size=int(wheel_size),
        unpacked_size=int(unpacked_size),
        source=str(source),
        file_count=int(file_count),
        ingested_at=str(ingested_at),
    )


def _one(conn: Connection, statement: str, key: object) -> StoredWheel | None:
    row = conn.first(statement, (key,))
    return None if row is None else _stored(row)


def record_wheel(store: Store, wheel: NewWheel, files: Sequence[FileRow]) -> StoredWheel:
    """Record a wheel and its manifest in one transaction; the blobs must be stored already.

    A wheel already recorded under the same sha256 (by another px, say) is returned as is.
    """
    with store.write() as conn:
        existing = _one(conn, _BY_SHA256, wheel.sha256)
        if existing is not None:
            return existing
        values = {f.name: getattr(wheel, f.name) for f in dataclasses.fields(NewWheel)}
        values.update(file_count=len(files), ingested_at=_now())
        wheel_id = conn.execute(_INSERT_WHEEL, values).lastrowid
        assert wheel_id is not None
        if files:
            conn.executemany(
                _INSERT_FILES, [(wheel_id, f.path, f.blob_key, f.mode, f.size) for f in files]
            )
        stored = _one(conn, _BY_ID, wheel_id)
    assert stored is not None
    return stored


def wheel_by_sha256(store: Store, sha256: str) -> StoredWheel | None:
    with store.read() as conn:
        return _one(conn, _BY_SHA256, sha256)


def manifest(store: Store, sha256: str) -> tuple[StoredWheel, tuple[FileRow, ...]] | None:
    """A wheel and its files (sorted by path), read in one transaction."""
    with store.read() as conn:
        wheel = _one(conn, _BY_SHA256, sha256)
        if wheel is None:
            return None
        rows = conn.all(_FILES, (wheel.id,))
    return wheel, tuple(FileRow(path, key, int(mode), int(size)) for path, key, mode, size in rows)


def stored_sha256s(store: Store, sha256s: Sequence[str]) -> set[str]:
    """Which of these wheel sha256s the store holds, in one read transaction."""
    found: set[str] = set()
    with store.read() as conn:
        for batch in batches(sha256s):
            sql = f"SELECT sha256 FROM wheels WHERE sha256 IN ({placeholders(len(batch))})"
            found.update(sha256 for (sha256,) in conn.all(sql, tuple(batch)))
    return found


def find_wheels(store: Store, name: str, version: str | None = None) -> list[StoredWheel]:
    """Wheels of a (normalised) project name, optionally one version, oldest first."""
    with store.read() as conn:
        if version is None:
            rows = conn.all(f"{_SELECT_WHEEL} WHERE name = ? ORDER BY id", (name,))
        else:
            rows = conn.all(
                f"{_SELECT_WHEEL} WHERE name = ? AND version = ? ORDER BY id", (name, version)
            )
    return [_stored(r) for r in rows]


def record_built_wheel(store: Store, sdist_sha256: str, target: str, wheel_id: int) -> None:
    """Remember that this sdist built into this wheel for ``target`` (replacing an older build)."""
    with store.write() as conn:
        conn.execute(_RECORD_BUILT, (sdist_sha256, target, wheel_id, _now()))


def built_wheel(store: Store, sdist_sha256: str, target: str) -> StoredWheel | None:
    """The wheel this sdist built into for ``target``, if it was built before."""
    with store.read() as conn:
        row = conn.first(_BUILT, (sdist_sha256, target))
    return None if row is None else _stored(row)
