"""Turning a blob's stored frames back into its bytes, checked: blake3 and zstd only.

Kept apart from :mod:`px.store.blobs` so the start-up fast path of ``px lock``
(:mod:`px.store.lock_replay`) can read one verified blob without importing the
rest of the store. A mismatch raises :class:`FrameError` with what was wrong;
:mod:`px.store.blobs` turns it into the user-facing integrity error.
"""

from __future__ import annotations

import threading

import blake3
import zstandard

CHUNK_SIZE = 1 << 20  # 1 MiB of raw bytes per zstd frame
_local = threading.local()


class FrameError(ValueError):
    """A stored object does not read back as its key says; the message says how."""


def decompressor() -> zstandard.ZstdDecompressor:
    d = getattr(_local, "decompressor", None)
    if d is None:
        d = _local.decompressor = zstandard.ZstdDecompressor()
    return d


def decompress(frame: bytes) -> bytes:
    try:
        return decompressor().decompress(frame, max_output_size=CHUNK_SIZE)
    except zstandard.ZstdError as error:
        raise FrameError(f"a chunk does not decompress ({error})") from error


def join_frames(key: str, size: int, chunks: int, frames: list[tuple[int, bytes]]) -> bytes:
    """A blob's raw bytes from its ``(seq, frame)`` rows: sequence, size and blake3 checked."""
    hasher, total = blake3.blake3(), 0
    parts: list[bytes] = []
    for expected_seq, (seq, frame) in enumerate(frames):
        if seq != expected_seq:
            raise FrameError(f"chunk {expected_seq} is missing")
        raw = decompress(frame)
        hasher.update(raw)
        total += len(raw)
        parts.append(raw)
    if len(frames) != chunks or total != size:
        raise FrameError(f"expected {size} bytes, found {total}")
    if hasher.hexdigest() != key:
        raise FrameError(f"content hashes to {hasher.hexdigest()}")
    return b"".join(parts)
