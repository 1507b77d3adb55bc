"""A strict reading of a zip archive's structure (APPNOTE 6.3), before any member is inflated.

Every byte of the file must be accounted for, in order: local header, name,
extra field and data (and data descriptor) of each member, then the central
directory, the zip64 end records if any, and one end-of-central-directory record
whose comment reaches the end of the file. So prepended or appended bytes,
gaps, overlapping members (the "better zip bomb" trick), a second end record,
and a local header that disagrees with its central directory entry are all
refused: two zip readers can never see two different archives in one wheel.
Only stored and deflated members are accepted; encryption and multi-disk
archives are refused.
"""

from __future__ import annotations

import stat
import struct
from dataclasses import dataclass
from typing import BinaryIO

from px.errors import InputError
from px.install.limits import Limits
from px.install.refusals import refused

STORED, DEFLATED = 0, 8
_EOCD = struct.Struct("<4sHHHHIIH")
_LOCATOR = struct.Struct("<4sIQI")
_EOCD64 = struct.Struct("<4sQHHIIQQQQ")
_CENTRAL = struct.Struct("<4sBBHHHHHIIIHHHHHII")
_LOCAL = struct.Struct("<4sHHHHHIIIHH")
_EOCD_SIG, _LOCATOR_SIG, _EOCD64_SIG = b"PK\x05\x06", b"PK\x06\x07", b"PK\x06\x06"
_CENTRAL_SIG, _LOCAL_SIG, _DESCRIPTOR_SIG = b"PK\x01\x02", b"PK\x03\x04", b"PK\x07\x08"
_FLAG_ENCRYPTED, _FLAG_DESCRIPTOR, _FLAG_STRONG, _FLAG_UTF8, _FLAG_MASKED = 1, 8, 64, 2048, 8192
_COMPARED_FLAGS = _FLAG_ENCRYPTED | _FLAG_DESCRIPTOR | _FLAG_UTF8
_MAX16, _MAX32 = 0xFFFF, 0xFFFFFFFF
_FILE_TYPES = {
    stat.S_IFLNK: "is a symbolic link",
    stat.S_IFCHR: "is a character device",
    stat.S_IFBLK: "is a block device",
    stat.S_IFIFO: "is a named pipe",
    stat.S_IFSOCK: "is a socket",
    stat.S_IFDIR: "is marked as a directory but its name does not end with '/'",
}


@dataclass(frozen=True)
class ZipMember:
    name: str  # as written in the archive, decoded from UTF-8
    flags: int
    method: int
    crc: int
    compressed_size: int
    size: int
    header_offset: int
    data_offset: int
    unix_mode: int  # high 16 bits of the external attributes (0 when not recorded)

    @property
    def is_dir(self) -> bool:
        return self.name.endswith("/")


@dataclass(frozen=True)
class ZipArchive:
    members: tuple[ZipMember, ...]  # in file order
    size: int


def read_archive(f: BinaryIO, file_size: int, wheel: str, limits: Limits) -> ZipArchive:
    """Parse and cross-check the whole structure; no member data is read."""
    count, cd_size, cd_offset, cd_end = _find_end(f, file_size, wheel)
    if count > limits.max_members:
        raise refused(wheel, f"it has {count} members, more than the limit of {limits.max_members}")
    if cd_size > limits.max_central_directory_bytes:
        raise refused(wheel, f"its central directory is {cd_size} bytes, over the limit")
    if cd_offset + cd_size != cd_end:
        gap = cd_end - (cd_offset + cd_size)
        if gap > 0:
            raise refused(
                wheel, f"{gap} bytes precede the archive or its end record (prepended data)"
            )
        raise refused(wheel, "its central directory runs into its end record")
    f.seek(cd_offset)
    directory = f.read(cd_size)
    members = _central_entries(directory, count, wheel, limits)
    ordered = sorted(members, key=lambda m: m.header_offset)
    _check_sizes(ordered, file_size, wheel, limits)
    return ZipArchive(_tile(f, ordered, cd_offset, wheel), file_size)


def _find_end(f: BinaryIO, file_size: int, wheel: str) -> tuple[int, int, int, int]:
    """(entry count, CD size, CD offset, where the CD must end) from the end record(s)."""
    tail_len = min(file_size, _EOCD.size + _MAX16)
    base = file_size - tail_len
    f.seek(base)
    tail = f.read(tail_len)
    found, short = -1, None
    pos = tail.rfind(_EOCD_SIG)
    while pos >= 0:
        if pos + _EOCD.size <= len(tail):
            end = pos + _EOCD.size + _EOCD.unpack_from(tail, pos)[7]
            if end == len(tail):
                found = pos
                break
            if end < len(tail) and short is None:
                short = len(tail) - end
        pos = tail.rfind(_EOCD_SIG, 0, pos)
    if found < 0:
        if short is not None:
            raise refused(wheel, f"{short} bytes follow the end of the archive (appended data)")
        raise refused(wheel, "it is not a zip archive (no end-of-central-directory record)")
    _sig, disk, cd_disk, disk_entries, count, cd_size, cd_offset, _comment = _EOCD.unpack_from(
        tail, found
    )
    comment = tail[found + _EOCD.size :]
    if any(sig in comment for sig in (_EOCD_SIG, _EOCD64_SIG, _LOCATOR_SIG)):
        raise refused(wheel, "it has more than one end-of-central-directory record")
    cd_end = base + found
    locator = found - _LOCATOR.size
    if locator >= 0 and tail[locator : locator + 4] == _LOCATOR_SIG:
        disk, count, cd_size, cd_offset, cd_end = _zip64_end(f, base + locator, wheel)
    elif _MAX16 in (count, disk_entries) or _MAX32 in (cd_size, cd_offset):
        raise refused(wheel, "its end record asks for zip64 records that are not there")
    elif disk or cd_disk or disk_entries != count:
        raise refused(wheel, "it is a multi-disk archive")
    _no_second_end(f, tail, base, found, cd_offset + cd_size, wheel)
    return count, cd_size, cd_offset, cd_end


def _zip64_end(f: BinaryIO, locator_pos: int, wheel: str) -> tuple[int, int, int, int, int]:
    f.seek(locator_pos)
    _sig, eocd64_disk, eocd64_pos, disks = _LOCATOR.unpack(f.read(_LOCATOR.size))
    if eocd64_disk != 0 or disks != 1:
        raise refused(wheel, "it is a multi-disk archive")
    if eocd64_pos + _EOCD64.size > locator_pos:
        raise refused(wheel, "its zip64 end record is out of place")
    f.seek(eocd64_pos)
    record = f.read(_EOCD64.size)
    sig, rest, _made, _need, disk, cd_disk, disk_entries, count, cd_size, cd_offset = (
        _EOCD64.unpack(record)
    )
    if sig != _EOCD64_SIG or eocd64_pos + 12 + rest != locator_pos:
        raise refused(wheel, "its zip64 end record is out of place or malformed")
    if disk or cd_disk or disk_entries != count:
        raise refused(wheel, "it is a multi-disk archive")
    return disk, count, cd_size, cd_offset, eocd64_pos


def _no_second_end(
    f: BinaryIO, tail: bytes, base: int, found: int, cd_end: int, wheel: str
) -> None:
    """Refuse another plausible end record between the central directory and the real one."""
    pos = tail.rfind(_EOCD_SIG, 0, found)
    while pos >= 0 and base + pos >= cd_end:
        if pos + _EOCD.size <= len(tail):
            size, offset = _EOCD.unpack_from(tail, pos)[5:7]
            if offset + size <= base + pos:
                f.seek(offset)
                if f.read(4) in (_CENTRAL_SIG, _EOCD_SIG):
                    raise refused(wheel, "it has more than one end-of-central-directory record")
        pos = tail.rfind(_EOCD_SIG, 0, pos)


def _central_entries(directory: bytes, count: int, wheel: str, limits: Limits) -> list[ZipMember]:
    members: list[ZipMember] = []
    pos = 0
    for index in range(count):
        if directory[pos : pos + 4] != _CENTRAL_SIG or pos + _CENTRAL.size > len(directory):
            raise refused(wheel, f"central directory entry {index} is malformed")
        (_sig, _made, _system, _need, flags, method, _time, _date, crc, csize, size,
         name_len, extra_len, comment_len, disk, _iattr, eattr, offset) = _CENTRAL.unpack_from(
            directory, pos
        )  # fmt: skip
        start = pos + _CENTRAL.size
        raw_name = directory[start : start + name_len]
        extra = directory[start + name_len : start + name_len + extra_len]
        pos = start + name_len + extra_len + comment_len
        if pos > len(directory):
            raise refused(wheel, f"central directory entry {index} runs past the directory")
        name = _decode(raw_name, wheel, limits)
        if flags & (_FLAG_ENCRYPTED | _FLAG_STRONG | _FLAG_MASKED):
            raise refused(wheel, "is encrypted", member=name)
        if method not in (STORED, DEFLATED):
            raise refused(
                wheel, f"uses compression method {method} (only stored and deflate)", member=name
            )
        fields = _zip64_fields(extra, (size, csize, offset, disk), name, wheel)
        size, csize, offset, disk = fields
        if disk != 0:
            raise refused(wheel, "is on another disk of a multi-disk archive", member=name)
        _check_unicode_path(extra, name, wheel)
        unix_mode = eattr >> 16
        kind = _FILE_TYPES.get(stat.S_IFMT(unix_mode))
        if name.endswith("/"):
            if kind is not None and stat.S_IFMT(unix_mode) != stat.S_IFDIR:
                raise refused(wheel, kind, member=name)
            if size:
                raise refused(wheel, "is a directory entry with content", member=name)
        elif kind is not None:
            raise refused(wheel, kind + "; only regular files are installed", member=name)
        members.append(ZipMember(name, flags, method, crc, csize, size, offset, -1, unix_mode))
    if pos != len(directory):
        raise refused(
            wheel, f"{len(directory) - pos} unexplained bytes after its central directory"
        )
    return members


def _decode(raw: bytes, wheel: str, limits: Limits) -> str:
    try:
        name = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise refused(wheel, f"member name {raw!r} is not valid UTF-8") from None
    if len(raw) > limits.max_path_bytes:
        raise refused(wheel, f"has a name longer than {limits.max_path_bytes} bytes", member=name)
    return name


def _extra_fields(extra: bytes) -> list[tuple[int, bytes]]:
    fields, pos = [], 0
    while pos + 4 <= len(extra):
        tag, length = struct.unpack_from("<HH", extra, pos)
        fields.append((tag, extra[pos + 4 : pos + 4 + length]))
        pos += 4 + length
    return fields


def _zip64_fields(
    extra: bytes, values: tuple[int, int, int, int], name: str, wheel: str
) -> tuple[int, int, int, int]:
    """Replace the maxed-out 32-bit values (size, compressed size, offset, disk) from zip64."""
    wanted = [i for i, v in enumerate(values) if v == (_MAX16 if i == 3 else _MAX32)]
    if not wanted:
        return values
    data = next((d for tag, d in _extra_fields(extra) if tag == 1), None)
    out, pos = list(values), 0
    for i in wanted:
        width = 4 if i == 3 else 8
        if data is None or pos + width > len(data):
            raise refused(wheel, "has a truncated zip64 extra field", member=name)
        out[i] = int.from_bytes(data[pos : pos + width], "little")
        pos += width
    return out[0], out[1], out[2], out[3]


def _check_unicode_path(extra: bytes, name: str, wheel: str) -> None:
    for tag, data in _extra_fields(extra):
        if tag == 0x7075 and len(data) >= 5 and data[5:].decode("utf-8", "replace") != name:
            raise refused(
                wheel, "carries a second, different name (unicode path field)", member=name
            )


def _check_sizes(members: list[ZipMember], file_size: int, wheel: str, limits: Limits) -> None:
    total = 0
    for m in members:
        if m.size > limits.max_member_bytes:
            raise refused(wheel, f"unpacks to {m.size} bytes, over the limit", member=m.name)
        if m.method == STORED and m.compressed_size != m.size:
            raise refused(wheel, "is stored with two different sizes", member=m.name)
        if m.size >= limits.ratio_floor_bytes and m.size > limits.max_ratio * max(
            m.compressed_size, 1
        ):
            ratio = m.size // max(m.compressed_size, 1)
            raise refused(
                wheel,
                f"expands {ratio}:1, over the limit of {limits.max_ratio:g}:1 (a zip bomb?)",
                member=m.name,
            )
        total += m.size
    if total > limits.max_unpacked_bytes:
        raise refused(wheel, f"it unpacks to {total} bytes, over the limit")
    if total >= limits.ratio_floor_bytes and total > limits.max_ratio * max(file_size, 1):
        raise refused(wheel, f"it expands {total // max(file_size, 1)}:1 overall (a zip bomb?)")


def _tile(
    f: BinaryIO, ordered: list[ZipMember], cd_offset: int, wheel: str
) -> tuple[ZipMember, ...]:
    """Check each local header against its central entry, with no gap or overlap."""
    out: list[ZipMember] = []
    pos = 0
    for m in ordered:
        if m.header_offset != pos:
            raise _misplaced(wheel, m, pos)
        f.seek(pos)
        header = f.read(_LOCAL.size)
        if len(header) < _LOCAL.size or header[:4] != _LOCAL_SIG:
            raise refused(wheel, "has no local header where the directory says", member=m.name)
        (_sig, _need, flags, method, _t, _d, crc, csize, size, name_len, extra_len) = _LOCAL.unpack(
            header
        )
        raw_name = f.read(name_len)
        extra = f.read(extra_len)
        if raw_name != m.name.encode("utf-8"):
            raise refused(wheel, "has a different name in its local header", member=m.name)
        if method != m.method or (flags ^ m.flags) & _COMPARED_FLAGS:
            raise refused(
                wheel, "has a different method or flags in its local header", member=m.name
            )
        data_offset = pos + _LOCAL.size + name_len + extra_len
        end = data_offset + m.compressed_size
        local = (crc, *_zip64_fields(extra, (size, csize, 0, 0), m.name, wheel)[:2])
        if flags & _FLAG_DESCRIPTOR:
            end += _descriptor(f, end, m, extra, wheel)
            if local != (0, 0, 0) and local != (m.crc, m.size, m.compressed_size):
                raise refused(
                    wheel, "has different sizes or CRC in its local header", member=m.name
                )
        elif local != (m.crc, m.size, m.compressed_size):
            raise refused(wheel, "has different sizes or CRC in its local header", member=m.name)
        out.append(
            ZipMember(m.name, m.flags, m.method, m.crc, m.compressed_size, m.size,
                      m.header_offset, data_offset, m.unix_mode)
        )  # fmt: skip
        pos = end
    if pos != cd_offset:
        if pos < cd_offset:
            raise refused(
                wheel, f"{cd_offset - pos} unexplained bytes before its central directory"
            )
        raise refused(wheel, "its last member overlaps its central directory")
    return tuple(out)


def _misplaced(wheel: str, m: ZipMember, expected: int) -> InputError:
    if expected == 0:
        return refused(wheel, f"{m.header_offset} bytes precede its first member (prepended data)")
    if m.header_offset < expected:
        return refused(wheel, "overlaps the member before it", member=m.name)
    return refused(
        wheel, f"is preceded by {m.header_offset - expected} unexplained bytes", member=m.name
    )


def _descriptor(f: BinaryIO, at: int, m: ZipMember, local_extra: bytes, wheel: str) -> int:
    """Check the data descriptor after a member's data; return its length.

    Its sizes are 8 bytes wide when the local header has a zip64 extra field (APPNOTE 4.3.9.2).
    """
    f.seek(at)
    raw = f.read(24)
    skip = 4 if raw[:4] == _DESCRIPTOR_SIG else 0
    wide = any(tag == 1 for tag, _ in _extra_fields(local_extra))
    fmt = "<IQQ" if wide else "<III"
    length = skip + struct.calcsize(fmt)
    if len(raw) < length:
        raise refused(wheel, "has a truncated data descriptor", member=m.name)
    crc, csize, size = struct.unpack_from(fmt, raw, skip)
    if (crc, size, csize) != (m.crc, m.size, m.compressed_size):
        raise refused(
            wheel, "has a data descriptor that disagrees with the directory", member=m.name
        )
    return length
