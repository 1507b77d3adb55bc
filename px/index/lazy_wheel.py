"""A wheel's METADATA read with HTTP range requests instead of downloading the wheel.

An index that offers no PEP 658 metadata file leaves two ways to learn a
wheel's dependencies: download it whole (botocore: 13 MB) or read just the zip's
central directory and the METADATA member, as uv and pip do. The second costs
two small range requests: the last :data:`TAIL` bytes (the end-of-central-
directory record and, nearly always, the whole central directory), then the
METADATA member. :func:`wheel_metadata` answers None whenever that does not
work (no range support, an odd zip, a member too large, a network problem),
and the caller falls back to downloading the wheel, which is checked against
its sha256 as always.

The metadata read this way carries no hash of its own (the index announced
none); the wheel installed later is verified against the lock's sha256 and
validated, METADATA included.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from typing import TYPE_CHECKING

from px.errors import PxError
from px.index.metadata import read_wheel_metadata
from px.index.transport import CappedSink, SinkFull

if TYPE_CHECKING:
    from px.index.transport import Transport

log = logging.getLogger("px.index")

RANGES_FROM = 256 * 1024  # smaller wheels (or of unknown size) are downloaded whole
TAIL = 64 * 1024  # bytes asked for first: end record and central directory
MIN_FETCH = 16 * 1024  # a later range asks for at least this much
MAX_FETCHED = 16 << 20  # give up (and download the wheel) past this many bytes in all
_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+)")


class _Abandon(Exception):
    """The range reading cannot go on: fall back to downloading the wheel."""


class _RemoteFile(io.RawIOBase):
    """A read-only, seekable view of a remote file, filled by range requests."""

    def __init__(self, transport: Transport, url: str, size: int, tail: bytes) -> None:
        self._transport = transport
        self._url = url
        self._size = size
        self._pos = 0
        self._pieces: list[tuple[int, bytes]] = [(size - len(tail), tail)]
        self._fetched = len(tail)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        end = min(self._pos + len(buffer), self._size)
        if end <= self._pos:
            return 0
        data = self._range(self._pos, end)
        buffer[: len(data)] = data
        self._pos += len(data)
        return len(data)

    def _range(self, start: int, end: int) -> bytes:
        for offset, piece in self._pieces:
            if offset <= start and end <= offset + len(piece):
                return piece[start - offset : end - offset]
        stop = min(max(end, start + MIN_FETCH), self._size)
        first, data, _ = _fetch(
            self._transport, self._url, f"bytes={start}-{stop - 1}", stop - start
        )
        if first != start or len(data) != stop - start:
            raise _Abandon("the server answered another range")
        self._fetched += len(data)
        if self._fetched > MAX_FETCHED:
            raise _Abandon("too much fetched for one METADATA")
        self._pieces.append((start, data))
        return data[: end - start]


def _fetch(transport: Transport, url: str, wanted: str, limit: int) -> tuple[int, bytes, int]:
    """GET one range: (first byte's offset, the bytes, the file's total size)."""
    sink = CappedSink(limit)  # a server ignoring Range would send the whole wheel
    try:
        response = transport.get(url, sink, {"Range": wanted, "Accept-Encoding": "identity"})
    except SinkFull:
        raise _Abandon("the server sent more than the range asked for") from None
    match = _CONTENT_RANGE.fullmatch(response.headers.get("content-range", "").strip())
    if response.status != 206 or match is None:
        raise _Abandon(f"no range support (HTTP {response.status})")
    first, last, total = (int(g) for g in match.groups())
    data = sink.getvalue()
    if len(data) != last - first + 1 or last >= total:
        raise _Abandon("the range sent does not match its Content-Range")
    return first, data, total


def wheel_metadata(transport: Transport, url: str, filename: str) -> bytes | None:
    """The METADATA of the wheel at ``url``, read by ranges; None: download it instead."""
    try:
        first, tail, total = _fetch(transport, url, f"bytes=-{TAIL}", TAIL)
        if first + len(tail) != total:
            raise _Abandon("the tail sent is not the end of the file")
        remote = io.BufferedReader(_RemoteFile(transport, url, total, tail), MIN_FETCH)
        data = read_wheel_metadata(remote, filename)
    except (_Abandon, PxError, zipfile.BadZipFile, ValueError, OSError, KeyError) as error:
        log.debug("%s: metadata by range requests failed (%s); downloading it", filename, error)
        return None
    log.debug("%s: metadata read by range requests", filename)
    return data
