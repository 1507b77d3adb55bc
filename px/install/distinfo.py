"""The ``.dist-info`` files px reads: ``WHEEL``, ``METADATA``, ``RECORD``, ``entry_points.txt``.

``WHEEL`` and ``METADATA`` are RFC 822 headers (``email.parser``); ``RECORD`` is
CSV rows ``path,algorithm=urlsafe-base64-digest,size``; ``entry_points.txt`` is
INI with case-sensitive keys and no interpolation (the entry points
specification). Parsers take bytes and raise px errors naming the wheel and file.
"""

from __future__ import annotations

import base64
import binascii
import configparser
import csv
import email.message
import email.parser
import hashlib
import io
from dataclasses import dataclass
from typing import NamedTuple

from px.install.paths import normalise, path_problem, script_problem
from px.install.refusals import refused

HASHES = ("sha256", "sha384", "sha512")  # PEP 427: sha256 or stronger
# By name: hashlib.new() looks the name up on every call (thousands per wheel).
_HASHERS = {name: getattr(hashlib, name) for name in HASHES}
_DIGEST_SIZES = {name: _HASHERS[name]().digest_size for name in HASHES}
UNHASHED = ("RECORD", "RECORD.jws", "RECORD.p7s")  # files RECORD cannot hash (PEP 376/427)


@dataclass(frozen=True)
class WheelInfo:
    wheel_version: tuple[int, ...]
    root_is_purelib: bool


class EntryPoint(NamedTuple):
    """A script: ``name`` runs ``module:attr``."""

    name: str
    module: str
    attr: str


@dataclass(frozen=True)
class EntryPoints:
    console: tuple[EntryPoint, ...] = ()
    gui: tuple[EntryPoint, ...] = ()


@dataclass(frozen=True)
class RecordRow:
    path: str  # normalised
    algorithm: str | None  # None: no hash (RECORD itself, signatures)
    digest: bytes | None
    size: int | None

    def matches(self, data: bytes) -> bool:
        """Whether ``data`` has this row's hash (true when the row has none)."""
        return self.algorithm is None or _HASHERS[self.algorithm](data).digest() == self.digest


def _text(data: bytes, wheel: str, member: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise refused(wheel, "is not valid UTF-8", member=member) from None


def _headers(data: bytes, wheel: str, member: str) -> email.message.Message:
    return email.parser.HeaderParser().parsestr(_text(data, wheel, member))


def _one(headers: email.message.Message, field: str, wheel: str, member: str) -> str:
    values = headers.get_all(field) or []
    if len(values) != 1:
        problem = "has no" if not values else f"has {len(values)}"
        raise refused(wheel, f"{problem} {field} field", member=member)
    return str(values[0]).strip()


def parse_wheel_file(data: bytes, wheel: str, member: str) -> WheelInfo:
    """``WHEEL``: Wheel-Version 1.x only, and Root-Is-Purelib."""
    headers = _headers(data, wheel, member)
    raw = _one(headers, "Wheel-Version", wheel, member)
    try:
        version = tuple(int(part) for part in raw.split("."))
    except ValueError:
        raise refused(wheel, f"has an unreadable Wheel-Version {raw!r}", member=member) from None
    if version[0] != 1:
        raise refused(
            wheel,
            f"declares Wheel-Version {raw}; px reads version 1 wheels only",
            member=member,
        )
    purelib = _one(headers, "Root-Is-Purelib", wheel, member).lower()
    if purelib not in ("true", "false"):
        raise refused(wheel, f"has Root-Is-Purelib {purelib!r}, not true or false", member=member)
    return WheelInfo(version, purelib == "true")


def parse_metadata(data: bytes, wheel: str, member: str) -> tuple[str, str]:
    """(Name, Version) from core metadata."""
    headers = _headers(data, wheel, member)
    return _one(headers, "Name", wheel, member), _one(headers, "Version", wheel, member)


def parse_record(data: bytes, wheel: str, member: str) -> dict[str, RecordRow]:
    """RECORD rows by normalised path; every file but RECORD and its signatures has a hash."""
    rows: dict[str, RecordRow] = {}
    problems: list[str] = []
    record_dir = member.rsplit("/", 1)[0]
    unhashed = {f"{record_dir}/{name}" for name in UNHASHED}
    try:
        for number, fields in enumerate(csv.reader(io.StringIO(_text(data, wheel, member))), 1):
            if not fields:
                continue
            row = _record_row(fields, unhashed, problems, number)
            if row is None:
                continue
            if row.path in rows:
                problems.append(f"line {number}: {row.path} is listed twice")
            rows[row.path] = row
    except csv.Error as error:
        problems.append(f"not valid CSV ({error})")
    if problems:
        raise refused(wheel, problems[0], member=member, details=problems)
    return rows


def _record_row(
    fields: list[str], unhashed: set[str], problems: list[str], number: int
) -> RecordRow | None:
    if len(fields) != 3:
        problems.append(f"line {number}: {len(fields)} fields, not 3")
        return None
    raw_path, hash_field, size_field = fields
    problem = path_problem(raw_path)
    if problem is not None:
        problems.append(f"line {number}: {raw_path!r} {problem}")
        return None
    path = normalise(raw_path)
    if path in unhashed:
        return RecordRow(path, None, None, None)  # whatever it says about itself is ignored
    if not hash_field:
        problems.append(f"line {number}: {path} has no hash")
        return None
    algorithm, _, encoded = hash_field.partition("=")
    if algorithm not in HASHES:
        problems.append(f"line {number}: {path} has a {algorithm!r} hash; px accepts {HASHES}")
        return None
    digest = _digest(algorithm, encoded)
    if digest is None:
        problems.append(f"line {number}: {path} has an unreadable {algorithm} hash")
        return None
    if not size_field.isdigit():
        problems.append(f"line {number}: {path} has no valid size")
        return None
    return RecordRow(path, algorithm, digest, int(size_field))


def _digest(algorithm: str, encoded: str) -> bytes | None:
    """The digest bytes: urlsafe base64 without padding (PEP 376), or hex as some tools write."""
    size = _DIGEST_SIZES[algorithm]
    if len(encoded) == 2 * size:
        try:
            return bytes.fromhex(encoded)
        except ValueError:
            pass
    try:
        digest = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    except (binascii.Error, ValueError):
        return None
    return digest if len(digest) == size else None


def parse_entry_points(data: bytes, wheel: str, member: str, distribution: str) -> EntryPoints:
    """Console and GUI scripts of ``distribution``; names must be safe (:func:`script_problem`)."""
    parser = configparser.ConfigParser(delimiters=("=",), interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    try:
        parser.read_string(_text(data, wheel, member))
    except configparser.Error as error:
        first_line = str(error).splitlines()[0]
        raise refused(wheel, f"is not valid ({first_line})", member=member) from None
    groups = {}
    for group in ("console_scripts", "gui_scripts"):
        points = []
        section = parser[group] if parser.has_section(group) else {}
        for name, value in section.items():
            problem = script_problem(name, distribution)
            if problem is not None:
                raise refused(wheel, f"declares a script {name!r} that {problem}", member=member)
            points.append(_entry_point(name, value, wheel, member))
        groups[group] = tuple(sorted(points))
    seen = [p.name for p in groups["console_scripts"] + groups["gui_scripts"]]
    twice = sorted({n for n in seen if seen.count(n) > 1})
    if twice:
        raise refused(wheel, f"declares the script {twice[0]!r} twice", member=member)
    return EntryPoints(groups["console_scripts"], groups["gui_scripts"])


def _entry_point(name: str, value: str, wheel: str, member: str) -> EntryPoint:
    reference = value.split("[", 1)[0].strip()  # "[extras]" is deprecated and ignored
    module, _, attr = reference.partition(":")
    module, attr = module.strip(), attr.strip()
    if not _dotted(module) or not _dotted(attr):
        raise refused(
            wheel, f"script {name!r} points at {value!r}, not module:attribute", member=member
        )
    return EntryPoint(name, module, attr)


def _dotted(text: str) -> bool:
    return bool(text) and all(part.isidentifier() for part in text.split("."))
