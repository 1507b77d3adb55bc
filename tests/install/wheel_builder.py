"""Build wheels in tests, good or deliberately broken, with zipfile and struct (no binaries).

``members(...)`` gives the members of a valid wheel (RECORD computed last);
``zip_bytes`` writes them; the ``patch_*`` helpers then edit the raw archive the
way an attacker or a broken tool would.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import os
import struct
import warnings
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

NAME, VERSION = "demo", "1.0"
FILENAME = f"{NAME}-{VERSION}-py3-none-any.whl"
DIST_INFO = f"{NAME}-{VERSION}.dist-info"
DATA_DIR = f"{NAME}-{VERSION}.data"

_CENTRAL = struct.Struct("<4sBBHHHHHIIIHHHHHII")
_LOCAL = struct.Struct("<4sHHHHHIIIHH")
_EOCD = struct.Struct("<4sHHHHIIH")


@dataclass(frozen=True)
class Member:
    name: str
    data: bytes
    mode: int = 0o100644  # full st_mode: file type and permission bits
    method: int = zipfile.ZIP_DEFLATED


def record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def members(
    files: Mapping[str, bytes] | None = None,
    *,
    name: str = NAME,
    version: str = VERSION,
    dist_info: str | None = None,
    wheel_text: str | None = None,
    metadata: str | None = None,
    entry_points: str | None = None,
    modes: Mapping[str, int] | None = None,
    unlisted: Iterable[str] = (),
    record_rows: Iterable[tuple[str, str, str]] = (),
    record_overrides: Mapping[str, tuple[str, str]] | None = None,
) -> list[Member]:
    """A valid wheel's members; keyword arguments break it in one chosen way."""
    dist_info = dist_info or f"{name}-{version}.dist-info"
    files = dict(
        {f"{name}/__init__.py": b"VALUE = 1\n", f"{name}/core.py": b"def main():\n    return 0\n"}
        if files is None
        else files
    )
    files[f"{dist_info}/METADATA"] = (
        metadata or f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    ).encode()
    files[f"{dist_info}/WHEEL"] = (
        wheel_text
        or "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    ).encode()
    if entry_points is not None:
        files[f"{dist_info}/entry_points.txt"] = entry_points.encode()
    modes = modes or {}
    out = [Member(path, data, modes.get(path, 0o100644)) for path, data in files.items()]
    overrides = record_overrides or {}
    skip = set(unlisted)
    rows = [
        [m.name, *overrides.get(m.name, (record_hash(m.data), str(len(m.data))))]
        for m in out
        if m.name not in skip
    ]
    rows += [list(row) for row in record_rows]
    rows.append([f"{dist_info}/RECORD", "", ""])
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(rows)
    out.append(Member(f"{dist_info}/RECORD", text.getvalue().encode()))
    return out


def zip_bytes(items: Iterable[Member], comment: bytes = b"") -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names are on purpose in some tests
        with zipfile.ZipFile(buffer, "w") as archive:
            for m in items:
                info = zipfile.ZipInfo(m.name, date_time=(2024, 1, 1, 0, 0, 0))
                info.compress_type = m.method
                info.create_system = 3
                info.external_attr = m.mode << 16
                archive.writestr(info, m.data)
            archive.comment = comment
    return buffer.getvalue()


def wheel_bytes(**kwargs: object) -> bytes:
    return zip_bytes(members(**kwargs))  # type: ignore[arg-type]


def write(directory: Path, data: bytes, filename: str = FILENAME) -> Path:
    path = directory / filename
    path.write_bytes(data)
    return path


# -- raw edits ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    name: bytes
    central_pos: int  # where the entry's central directory header starts
    local_pos: int  # where its local header starts


def entries(data: bytes) -> list[Entry]:
    eocd = data.rfind(b"PK\x05\x06")
    _sig, _d, _cd, _n, count, _size, offset, _c = _EOCD.unpack_from(data, eocd)
    out, pos = [], offset
    for _ in range(count):
        fields = _CENTRAL.unpack_from(data, pos)
        name_len, extra_len, comment_len, local = fields[11], fields[12], fields[13], fields[17]
        name = data[pos + 46 : pos + 46 + name_len]
        out.append(Entry(name, pos, local))
        pos += 46 + name_len + extra_len + comment_len
    return out


def entry(data: bytes, name: str) -> Entry:
    for e in entries(data):
        if e.name == name.encode():
            return e
    raise KeyError(name)


def patch(data: bytes, at: int, fmt: str, value: int) -> bytes:
    out = bytearray(data)
    struct.pack_into(fmt, out, at, value)
    return bytes(out)


# offsets of fields inside the headers
LOCAL_FLAGS, LOCAL_METHOD, LOCAL_CRC, LOCAL_CSIZE, LOCAL_SIZE = 6, 8, 14, 18, 22
CENTRAL_FLAGS, CENTRAL_METHOD, CENTRAL_CRC, CENTRAL_CSIZE, CENTRAL_SIZE = 8, 10, 16, 20, 24
CENTRAL_OFFSET = 42


def patch_both(
    data: bytes, name: str, local_at: int, central_at: int, fmt: str, value: int
) -> bytes:
    """Change one field the same way in a member's local header and central entry."""
    e = entry(data, name)
    data = patch(data, e.local_pos + local_at, fmt, value)
    return patch(data, e.central_pos + central_at, fmt, value)


def rename(data: bytes, old: str, new: bytes) -> bytes:
    """Give a member another name of the same length, in both headers (bytes, so any byte)."""
    old_bytes = old.encode()
    assert len(new) == len(old_bytes)
    e = entry(data, old)
    out = bytearray(data)
    out[e.local_pos + 30 : e.local_pos + 30 + len(new)] = new
    out[e.central_pos + 46 : e.central_pos + 46 + len(new)] = new
    return bytes(out)


def shift_offsets(data: bytes, by: int) -> bytes:
    """Add ``by`` to every stored offset, as `zip -A` does after prepending ``by`` bytes."""
    out = data
    for e in entries(data):
        value = struct.unpack_from("<I", data, e.central_pos + CENTRAL_OFFSET)[0]
        out = patch(out, e.central_pos + CENTRAL_OFFSET, "<I", value + by)
    eocd = data.rfind(b"PK\x05\x06")
    value = struct.unpack_from("<I", data, eocd + 16)[0]
    return patch(out, eocd + 16, "<I", value + by)


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under ``root`` (an unpacked tree): its bytes and permission bits."""
    found = {}
    for directory, _dirs, names in os.walk(root):
        for name in names:
            path = Path(directory) / name
            found[path.relative_to(root).as_posix()] = (
                path.read_bytes(), path.stat().st_mode & 0o7777
            )  # fmt: skip
    return found
