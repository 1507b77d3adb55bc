"""Turning a blob's stored frames back into its bytes, checked: blake3, zstd and zlib only.

Kept apart from :mod:`px.store.blobs` so the start-up fast path of ``px lock``
(:mod:`px.store.lock_replay`) can read one verified blob without importing the
rest of the store. A mismatch raises :class:`FrameError` with what was wrong;
:mod:`px.store.blobs` turns it into the user-facing integrity error.

A frame is one of two kinds, told apart by its first bytes:

- a zstd frame (it starts with zstd's magic number, ``28 b5 2f fd``): what px
  compresses itself;
- :data:`DEFLATE_TAG` and then a raw deflate stream (RFC 1951): a wheel member's
  compressed bytes as the wheel holds them, kept as they are instead of being
  inflated and compressed again. A cold install inflates each member once anyway
  (to check it and write its tree); compressing it again with zstd was the largest
  single cost left in validating a wheel (0.2-0.25 s of CPU for the medium
  workload's 4,100 files, see ``docs/store.md``).
"""

from __future__ import annotations

import threading
import zlib

import blake3
import zstandard

CHUNK_SIZE = 1 << 20  # 1 MiB of raw bytes per frame
# Not a zstd frame's magic (28 b5 2f fd), nor a skippable frame's (5? 2a 4d 18).
DEFLATE_TAG = b"DFL\x01"
_local = threading.local()


class FrameError(ValueError):
    """A stored object does not read back as its key says; the message says how."""


def decompressor() -> zstandard.ZstdDecompressor:
    d = getattr(_local, "decompressor", None)
    if d is None:
        d = _local.decompressor = zstandard.ZstdDecompressor()
    return d


def deflate_frame(stream: bytes) -> bytes:
    """The frame that stores a raw deflate ``stream`` (of at most :data:`CHUNK_SIZE`
    raw bytes, ending exactly where ``stream`` ends) as it is."""
    return DEFLATE_TAG + stream


def decompress(frame: bytes) -> bytes:
    if frame[:4] == DEFLATE_TAG:
        return _inflate(memoryview(frame)[4:])
    try:
        return decompressor().decompress(frame, max_output_size=CHUNK_SIZE)
    except zstandard.ZstdError as error:
        raise FrameError(f"a chunk does not decompress ({error})") from error


def _inflate(stream: memoryview) -> bytes:
    """A deflate frame's bytes: at most a chunk, from one whole stream and nothing after."""
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    try:
        raw = inflater.decompress(stream, CHUNK_SIZE + 1)
    except zlib.error as error:
        raise FrameError(f"a chunk does not inflate ({error})") from error
    if len(raw) > CHUNK_SIZE:
        raise FrameError("a chunk inflates past the size of a chunk")
    if not inflater.eof or inflater.unused_data:
        raise FrameError("a chunk's deflate stream is cut short or has data after its end")
    return raw


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
