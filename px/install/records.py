"""Ingested wheels as the store knows them: :class:`WheelRecord`, read with :func:`load_wheel`.

Apart from :mod:`px.install.wheel`, which validates and ingests, so that finding
what the store holds does not import what ingests (45 ms)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from px.install.distinfo import EntryPoints, parse_entry_points

if TYPE_CHECKING:
    from px.store import Store
    from px.store.wheels import FileRow, StoredWheel


@dataclass(frozen=True)
class ManifestEntry:
    path: str  # inside the wheel, normalised
    blob_key: str
    mode: int  # 0o755 or 0o644
    size: int


@dataclass(frozen=True)
class WheelRecord:
    """An ingested wheel, as the store knows it."""

    id: int
    filename: str
    sha256: str
    name: str  # normalised
    version: str
    tags: str
    files: tuple[ManifestEntry, ...]  # sorted by path
    entry_points: EntryPoints
    data_dirs: tuple[str, ...]  # ``.data`` schemes present: data, headers, platlib, ...
    root_is_purelib: bool
    dist_info: str  # "{name}-{version}.dist-info"
    source: str
    wheel_size: int
    unpacked_size: int

    @property
    def data_dir(self) -> str:
        return self.dist_info.removesuffix(".dist-info") + ".data"


def load_wheel(store: Store, sha256: str) -> WheelRecord | None:
    """The ingested wheel with this sha256 (of the wheel file), or None."""
    from px.store.wheels import manifest

    found = manifest(store, sha256)
    if found is None:
        return None
    return record_of(*found)


def record_of(row: StoredWheel, files: Sequence[FileRow]) -> WheelRecord:
    entries = tuple(ManifestEntry(f.path, f.blob_key, f.mode, f.size) for f in files)
    dist_info = next(
        (top for top in (e.path.split("/", 1)[0] for e in entries) if top.endswith(".dist-info")),
        f"{row.name}-{row.version}.dist-info",
    )
    data_prefix = dist_info.removesuffix(".dist-info") + ".data/"
    schemes = {
        e.path[len(data_prefix) :].split("/", 1)[0]
        for e in entries
        if e.path.startswith(data_prefix)
    }
    points = (
        EntryPoints()
        if row.entry_points is None
        else parse_entry_points(
            row.entry_points.encode("utf-8"),
            row.filename,
            f"{dist_info}/entry_points.txt",
            row.name,
        )
    )
    return WheelRecord(
        id=row.id,
        filename=row.filename,
        sha256=row.sha256,
        name=row.name,
        version=row.version,
        tags=row.tags,
        files=tuple(sorted(entries, key=lambda e: e.path)),
        entry_points=points,
        data_dirs=tuple(sorted(schemes)),
        root_is_purelib=row.root_is_purelib,
        dist_info=dist_info,
        source=row.source,
        wheel_size=row.wheel_size,
        unpacked_size=row.unpacked_size,
    )
