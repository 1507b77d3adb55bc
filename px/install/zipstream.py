"""Reading one member's bytes in bounded chunks, holding it to what the directory declared.

A member may not inflate past its declared size (checked on every chunk, so a
size lie is caught after at most one chunk past it), must inflate to exactly
that size, must end its deflate stream exactly where its compressed data ends,
and must match its CRC-32.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import BinaryIO

from px.errors import InputError
from px.install.refusals import corrupt, refused
from px.install.ziparchive import STORED, ZipMember

READ_CHUNK = 1 << 20  # compressed bytes read at a time
OUT_CHUNK = 1 << 20  # most bytes one inflate step may produce

# What both ways of reading a member say when they refuse it (tests compare the two).
CUT_SHORT = "is cut short: the file ends inside it"
TRAILING = "has data after the end of its deflate stream"
TRUNCATED = "has a truncated deflate stream"


def member_chunks(f: BinaryIO, m: ZipMember, wheel: str) -> Iterator[bytes]:
    """Yield the member's raw bytes, at most :data:`OUT_CHUNK` at a time."""
    crc = produced = 0
    inflater = None if m.method == STORED else zlib.decompressobj(-zlib.MAX_WBITS)
    pos, remaining = m.data_offset, m.compressed_size
    while remaining:
        f.seek(pos)
        block = f.read(min(READ_CHUNK, remaining))
        if not block:
            raise refused(wheel, CUT_SHORT, member=m.name)
        pos += len(block)
        remaining -= len(block)
        for out in [block] if inflater is None else _inflate(inflater, block, m, wheel):
            produced += len(out)
            if produced > m.size:
                raise _past(wheel, m)
            crc = zlib.crc32(out, crc)
            yield out
        if inflater is not None and inflater.eof and (remaining or inflater.unused_data):
            raise refused(wheel, TRAILING, member=m.name)
    if inflater is not None:
        tail = inflater.flush()
        produced += len(tail)
        if produced > m.size:
            raise _past(wheel, m)
        if tail:
            crc = zlib.crc32(tail, crc)
            yield tail
        if not inflater.eof:
            raise refused(wheel, TRUNCATED, member=m.name)
    _check_whole(wheel, m, produced, crc)


def _past(wheel: str, m: ZipMember) -> InputError:
    return refused(wheel, f"inflates past its declared size of {m.size} bytes", member=m.name)


def _broken(wheel: str, m: ZipMember, error: zlib.error) -> InputError:
    return refused(wheel, f"has a broken deflate stream ({error})", member=m.name)


def _check_whole(wheel: str, m: ZipMember, produced: int, crc: int) -> None:
    """Once every byte is out: exactly the declared size, and the declared CRC."""
    if produced != m.size:
        raise refused(
            wheel,
            f"inflates to {produced} bytes, not the {m.size} its directory declares",
            member=m.name,
        )
    if crc != m.crc:
        raise corrupt(wheel, "does not match its CRC-32", member=m.name)


def _inflate(inflater: zlib._Decompress, block: bytes, m: ZipMember, wheel: str) -> Iterator[bytes]:
    while block and not inflater.eof:
        try:
            out = inflater.decompress(block, OUT_CHUNK)
        except zlib.error as error:
            raise _broken(wheel, m, error) from None
        block = inflater.unconsumed_tail
        if out:
            yield out


def member_bytes(f: BinaryIO, m: ZipMember, wheel: str) -> tuple[bytes, bytes | None]:
    """A member at most :data:`OUT_CHUNK` bytes, raw and compressed, read and checked in one
    step, as :func:`member_chunks` checks it (the same refusals): most wheel members
    are this small, and the generators around each one cost more than its inflating.

    Returns its raw bytes and, for a deflated member, its deflate stream (checked: it
    inflates to exactly those bytes and ends where the member's data ends), which the
    store can keep as it is; None for a stored one."""
    assert m.size <= OUT_CHUNK and m.compressed_size <= READ_CHUNK, "a large member streams"
    f.seek(m.data_offset)
    block = f.read(m.compressed_size)
    if len(block) < m.compressed_size:
        raise refused(wheel, CUT_SHORT, member=m.name)
    if m.method == STORED:
        out, stream = block, None
    else:
        stream = block
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        try:
            out = inflater.decompress(block, m.size + 1)  # one byte past it tells a lie
        except zlib.error as error:
            raise _broken(wheel, m, error) from None
        if len(out) <= m.size and not inflater.eof:
            out += inflater.flush()
        if len(out) <= m.size and inflater.eof and inflater.unused_data:
            raise refused(wheel, TRAILING, member=m.name)
        if len(out) <= m.size and not inflater.eof:
            raise refused(wheel, TRUNCATED, member=m.name)
    if len(out) > m.size:
        raise _past(wheel, m)
    _check_whole(wheel, m, len(out), zlib.crc32(out))
    return out, stream


def read_member(f: BinaryIO, m: ZipMember, wheel: str, limit: int, what: str) -> bytes:
    """A small member read whole, refused beyond ``limit`` bytes."""
    if m.size > limit:
        raise refused(
            wheel, f"is {m.size} bytes, over the {limit}-byte limit for {what}", member=m.name
        )
    return b"".join(member_chunks(f, m, wheel))
