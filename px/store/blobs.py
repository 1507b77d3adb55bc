"""Content-addressed blobs: blake3 keys, zstd frames, chunked large objects.

A blob's key is the blake3 hex digest of its raw bytes. Its value is stored as
one or more zstd frames of at most :data:`CHUNK_SIZE` raw bytes each, so no row
comes near SQLite's blob limit and reading or writing a large object keeps
memory flat. Every read re-hashes what it returns and raises
:class:`~px.errors.IntegrityError` on any mismatch.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

import blake3
import zstandard

from px.errors import IntegrityError, PxError
from px.store.engine import batches, placeholders
from px.store.frames import CHUNK_SIZE, FrameError, decompress, join_frames

if TYPE_CHECKING:
    from px.store.engine import Connection, Store

# zstd level 1, not 3: on the medium workload's 4,145 wheel files (75.7 MB) it compresses
# in 188 ms instead of 244 ms for 3.6% more stored bytes, and its 46 project pages
# (19 MB of JSON, in 1 MiB frames) in 28 ms instead of 49 ms, 9% smaller. Both are
# written on the critical path of a cold install or lock; reading is as fast either way.
LEVEL = 1
_local = threading.local()


_INSERT_BLOB = (
    "INSERT INTO blobs (key, size, stored_size, chunks, created_at) VALUES (?, ?, ?, ?, ?)"
)
_INSERT_CHUNK = "INSERT INTO blob_chunks (key, seq, data) VALUES (?, ?, ?)"


def _compressor() -> zstandard.ZstdCompressor:
    c = getattr(_local, "compressor", None)
    if c is None:
        c = _local.compressor = zstandard.ZstdCompressor(level=LEVEL, write_content_size=True)
    return c


def compress_frame(raw: bytes) -> bytes:
    """One stored frame: at most :data:`CHUNK_SIZE` raw bytes, compressed."""
    return _compressor().compress(raw)


def frames_of(data: bytes) -> list[bytes]:
    """The frames ``data`` is stored as (an empty object is one empty frame)."""
    compress = _compressor().compress
    return [compress(data[i : i + CHUNK_SIZE]) for i in range(0, max(len(data), 1), CHUNK_SIZE)]


def key_hasher() -> blake3.blake3:
    """A hasher whose ``hexdigest()`` is the key of the bytes given to it."""
    return blake3.blake3()


def key_of(data: bytes) -> str:
    """The key a blob with these raw bytes is stored under."""
    return blake3.blake3(data).hexdigest()


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class BlobDamage:
    key: str
    problem: str


class BlobStore:
    """Blob operations on an open :class:`~px.store.engine.Store`."""

    def __init__(self, store: Store) -> None:
        self._store = store

    # -- writing -----------------------------------------------------------------

    def put(self, data: bytes) -> str:
        return self.put_many([data])[0]

    def put_many(self, items: Sequence[bytes]) -> list[str]:
        """Store several small objects in one transaction; return their keys in order."""
        keys = [key_of(d) for d in items]
        with self._store.write() as conn:
            present = _present(conn, keys)
            new = {k: d for k, d in zip(keys, items, strict=True) if k not in present}
            _insert(conn, [(k, len(d), frames_of(d)) for k, d in new.items()])
        return keys

    def put_compressed(self, items: Sequence[tuple[str, int, Sequence[bytes]]]) -> None:
        """Store objects already hashed and compressed, in one transaction.

        Each item is ``(key, raw size, frames)``, as :func:`key_of` and
        :func:`frames_of` make them (the caller vouches for the key: every read
        re-hashes, so a wrong one is found as damage, never served).
        """
        with self._store.write() as conn:
            present = _present(conn, [key for key, _, _ in items])
            new = {item[0]: item for item in items if item[0] not in present}
            _insert(conn, list(new.values()))

    def put_frames(self, key: str, size: int, frames: Iterable[bytes]) -> None:
        """Store one large object already compressed, reading ``frames`` one at a time
        (not at all when the store has it)."""
        with self._store.write() as conn:
            if _present(conn, [key]):
                return
            conn.execute(_INSERT_BLOB, (key, size, 0, 0, _now()))
            stored = chunks = 0
            for frame in frames:
                conn.execute(_INSERT_CHUNK, (key, chunks, frame))
                stored, chunks = stored + len(frame), chunks + 1
            conn.execute(
                "UPDATE blobs SET stored_size = ?, chunks = ? WHERE key = ?", (stored, chunks, key)
            )

    def put_file(self, path: Path) -> str:
        """Store a file's content, streaming: memory stays flat for any size."""
        hasher, size = blake3.blake3(), 0
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(CHUNK_SIZE), b""):
                hasher.update(block)
                size += len(block)
        key = hasher.hexdigest()
        self.put_frames(key, size, _checked_frames(path, key))
        return key

    # -- reading -----------------------------------------------------------------

    def has(self, key: str) -> bool:
        return key in self.has_many([key])

    def has_many(self, keys: Iterable[str]) -> set[str]:
        with self._store.read() as conn:
            return _present(conn, list(keys))

    def get(self, key: str) -> bytes:
        return b"".join(self.iter_chunks(key))

    def get_many(self, keys: Iterable[str]) -> dict[str, bytes]:
        """``{key: raw bytes}`` of several blobs, all read in one transaction.

        Each blob is verified exactly like :meth:`get` (chunk sequence, size,
        blake3). Meant for many small objects: every result is held in memory.
        """
        wanted = list(dict.fromkeys(keys))
        frames: dict[str, list[tuple[int, bytes]]] = {key: [] for key in wanted}
        rows: dict[str, tuple[int, int]] = {}
        with self._store.read() as conn:
            for batch in batches(wanted):
                marks = placeholders(len(batch))
                rows.update(
                    (k, (size, n))
                    for k, size, n in conn.execute(
                        f"SELECT key, size, chunks FROM blobs WHERE key IN ({marks})", batch
                    )
                )
                for key, seq, frame in conn.execute(
                    f"SELECT key, seq, data FROM blob_chunks WHERE key IN ({marks}) "
                    "ORDER BY key, seq",
                    batch,
                ):
                    frames[key].append((seq, frame))
        found: dict[str, bytes] = {}
        for key in wanted:
            if key not in rows:
                raise PxError(f"object {key} is not in the store", hint="this is a bug in px")
            size, chunks = rows[key]
            found[key] = assemble(key, size, chunks, frames[key])
        return found

    def write_to(self, key: str, path: Path) -> None:
        """Write a blob to ``path`` atomically (temporary file, then rename)."""
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in self.iter_chunks(key):
                    out.write(chunk)
            Path(tmp).replace(path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def iter_chunks(self, key: str) -> Iterator[bytes]:
        """Yield the raw bytes chunk by chunk; verified before the last chunk is yielded."""
        with self._store.read() as conn:
            row = conn.first("SELECT size, chunks FROM blobs WHERE key = ?", (key,))
            if row is None:
                raise PxError(f"object {key} is not in the store", hint="this is a bug in px")
            expected_size, expected_chunks = row
            hasher, size, pending = blake3.blake3(), 0, None
            result = conn.execute(
                "SELECT seq, data FROM blob_chunks WHERE key = ? ORDER BY seq", (key,)
            )
            expected_seq = 0
            for seq, frame in result:
                if seq != expected_seq:
                    raise _damaged(key, f"chunk {expected_seq} is missing")
                expected_seq += 1
                raw = _decompress(key, frame)
                hasher.update(raw)
                size += len(raw)
                if pending is not None:
                    yield pending
                pending = raw
            if expected_seq != expected_chunks or size != expected_size:
                raise _damaged(key, f"expected {expected_size} bytes, found {size}")
            if hasher.hexdigest() != key:
                raise _damaged(key, f"content hashes to {hasher.hexdigest()}")
            if pending is not None:
                yield pending

    def verify(self, keys: Iterable[str] | None = None) -> Iterator[tuple[str, BlobDamage | None]]:
        """Re-hash blobs (all when ``keys`` is None): yield each key with its damage or None."""
        if keys is None:
            with self._store.read() as conn:
                keys = [k for (k,) in conn.execute("SELECT key FROM blobs ORDER BY key")]
        for key in keys:
            try:
                for _ in self.iter_chunks(key):
                    pass
            except IntegrityError as error:
                yield key, BlobDamage(key, error.why or error.what)
            else:
                yield key, None


def assemble(key: str, size: int, chunks: int, frames: list[tuple[int, bytes]]) -> bytes:
    """A blob's raw bytes from its ``(seq, frame)`` rows, checked as :meth:`iter_chunks` does.

    Raises :class:`~px.errors.IntegrityError` on any mismatch.
    """
    try:
        return join_frames(key, size, chunks, frames)
    except FrameError as error:
        raise _damaged(key, str(error)) from error


def _checked_frames(path: Path, key: str) -> Iterator[bytes]:
    """The frames of the file at ``path``; raises at the end if its bytes no longer have
    ``key`` (the file changed since it was hashed: the transaction storing them rolls back)."""
    check = blake3.blake3()
    with open(path, "rb") as f:
        for block in _blocks(f):
            check.update(block)
            yield compress_frame(block)
    if check.hexdigest() != key:
        raise PxError(f"{path} changed while px was storing it", hint="try again")


def _blocks(f: IO[bytes]) -> Iterator[bytes]:
    first = f.read(CHUNK_SIZE)
    yield first  # an empty file is one empty frame
    yield from iter(lambda: f.read(CHUNK_SIZE), b"")


def _row(key: str, size: int, frames: Sequence[bytes], now: str) -> tuple[str, int, int, int, str]:
    return (key, size, sum(len(f) for f in frames), len(frames), now)


def _insert(conn: Connection, items: Sequence[tuple[str, int, Sequence[bytes]]]) -> None:
    """Insert new objects (not in the store) given as ``(key, raw size, frames)``."""
    if not items:
        return
    now = _now()
    conn.executemany(_INSERT_BLOB, [_row(key, size, frames, now) for key, size, frames in items])
    conn.executemany(
        _INSERT_CHUNK,
        [(key, seq, frame) for key, _, frames in items for seq, frame in enumerate(frames)],
    )


def _present(conn: Connection, keys: list[str]) -> set[str]:
    found: set[str] = set()
    for batch in batches(keys):
        found.update(
            k
            for (k,) in conn.execute(
                f"SELECT key FROM blobs WHERE key IN ({placeholders(len(batch))})", batch
            )
        )
    return found


def _decompress(key: str, frame: bytes) -> bytes:
    try:
        return decompress(frame)
    except FrameError as error:
        raise _damaged(key, str(error)) from error


def _damaged(key: str, problem: str) -> IntegrityError:
    return IntegrityError(
        f"stored object {key} is corrupt",
        why=problem,
        hint="run `px cache verify`; remove damaged objects with `px cache clean` and re-run",
    )
