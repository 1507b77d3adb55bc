"""Validating a wheel completely before anything of it is stored.

Order: the file name; the zip structure (:mod:`px.install.ziparchive`, limits
included); member names; the ``.dist-info`` and ``.data`` layout; ``WHEEL``,
``METADATA``, ``RECORD`` and ``entry_points.txt``; then every member is inflated
once, in file order, and checked against its CRC and its ``RECORD`` hash and
size while it streams. A :class:`MemberSink` may receive the bytes as they are
checked (ingest keeps them); it must not treat them as valid before
:func:`validate_wheel` returns.

A large wheel can be validated in parts by several processes at once: each part
makes every check but the last, then inflates and checks only its share of the
members (:func:`share`); the wheel is valid when every part is.
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename
from packaging.version import InvalidVersion, Version

from px.install import distinfo, layout
from px.install.distinfo import EntryPoints, RecordRow
from px.install.limits import DEFAULT_LIMITS, Limits
from px.install.paths import normalise, path_problem, script_problem
from px.install.refusals import corrupt, refused
from px.install.ziparchive import ZipMember, read_archive
from px.install.zipstream import OUT_CHUNK, READ_CHUNK, member_bytes, member_chunks, read_member

DATA_SCHEMES = ("data", "headers", "platlib", "purelib", "scripts")


class MemberSink(Protocol):
    """Receives each file's bytes while it is validated (after :meth:`start`, once): a
    small file whole (:meth:`whole`, once it matched, with its deflate stream when the
    wheel holds one), a large one streamed."""

    def start(self, dist_info: str) -> None: ...
    def whole(self, path: str, data: bytes, deflated: bytes | None = None) -> None: ...
    def begin(self, path: str, size: int) -> None: ...
    def write(self, chunk: bytes) -> None: ...
    def end(self) -> None: ...


@dataclass(frozen=True)
class ValidatedMember:
    path: str  # normalised: no "./", no empty components
    mode: int  # 0o755 when any execute bit was set, else 0o644
    size: int


@dataclass(frozen=True)
class ValidatedWheel:
    filename: str
    name: str  # normalised (PEP 503)
    version: str  # normalised (PEP 440)
    tags: str  # the file name's tag triple, e.g. "py3-none-any"
    wheel_size: int
    dist_info: str  # "{name}-{version}.dist-info"
    root_is_purelib: bool
    data_schemes: tuple[str, ...]  # the ``.data`` subdirectories present, sorted
    entry_points: EntryPoints
    entry_points_text: str | None
    members: tuple[ValidatedMember, ...]  # regular files, in archive order (of its part)

    @property
    def data_dir(self) -> str:
        return self.dist_info.removesuffix(".dist-info") + ".data"

    @property
    def unpacked_size(self) -> int:
        return sum(m.size for m in self.members)


def validate_wheel(
    path: Path,
    filename: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    *,
    sink: MemberSink | None = None,
    part: int = 0,
    parts: int = 1,
) -> ValidatedWheel:
    """Check everything px checks about a wheel file; raise a px error on the first refusal.

    With ``parts`` above 1, only part ``part`` of the members (:func:`share`) is inflated,
    checked, handed to ``sink`` and listed in the result; everything else is checked
    whole by every part."""
    wheel = filename or path.name
    name, version, tags = _parse_filename(wheel)
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        archive = read_archive(f, size, wheel, limits)
        files = _files(archive.members, wheel, limits)
        dist_info = _dist_info(files, wheel, name, version)
        data_schemes = _data_schemes(files, dist_info, wheel)
        _check_destinations(files, dist_info, wheel)
        meta = _read_metadata(f, files, dist_info, wheel, limits)
        info = distinfo.parse_wheel_file(meta["WHEEL"], wheel, f"{dist_info}/WHEEL")
        _check_metadata(meta["METADATA"], wheel, f"{dist_info}/METADATA", name, version)
        record = distinfo.parse_record(meta["RECORD"], wheel, f"{dist_info}/RECORD")
        _check_coverage(files, record, dist_info, wheel)
        points_data = meta.get("entry_points.txt")
        points = (
            EntryPoints()
            if points_data is None
            else distinfo.parse_entry_points(
                points_data, wheel, f"{dist_info}/entry_points.txt", name
            )
        )
        _check_scripts(files, dist_info, points, wheel, name)
        by_path = {f"{dist_info}/{k}": v for k, v in meta.items()}
        if sink is not None:
            sink.start(dist_info)
        ordered = sorted(files.items(), key=lambda item: item[1].header_offset)
        if parts > 1:
            ordered = share(ordered, part, parts)
        members = _verify(f, ordered, record, by_path, wheel, sink)
    return ValidatedWheel(
        filename=wheel,
        name=name,
        version=version,
        tags=tags,
        wheel_size=size,
        dist_info=dist_info,
        root_is_purelib=info.root_is_purelib,
        data_schemes=data_schemes,
        entry_points=points,
        entry_points_text=None if points_data is None else points_data.decode("utf-8"),
        members=members,
    )


def _parse_filename(wheel: str) -> tuple[str, str, str]:
    try:
        name, version, _build, _tags = parse_wheel_filename(wheel)
    except (InvalidWheelFilename, InvalidVersion) as error:
        raise refused(wheel, f"its file name is not a valid wheel name ({error})") from None
    return str(name), str(version), "-".join(wheel[: -len(".whl")].split("-")[-3:])


def _files(members: Iterable[ZipMember], wheel: str, limits: Limits) -> dict[str, ZipMember]:
    """Regular files by normalised path; refuse unsafe names and every kind of collision."""
    files: dict[str, ZipMember] = {}
    folded: dict[str, str] = {}
    directories: set[str] = set()
    problems: list[tuple[str, str]] = []
    for m in members:
        problem = path_problem(m.name)
        if problem is not None:
            problems.append((m.name, problem))
            continue
        path = normalise(m.name)
        if m.is_dir:
            directories.add(path)
            continue
        if path in files:
            problems.append((m.name, f"is in the archive twice (as {files[path].name!r} too)"))
            continue
        key = unicodedata.normalize("NFC", path).casefold()
        if not limits.allow_case_collisions and folded.setdefault(key, path) != path:
            problems.append((m.name, f"differs from {folded[key]!r} only by case or Unicode form"))
        files[path] = m
    for path in sorted(files):
        parts = path.split("/")
        for i in range(1, len(parts)):
            if "/".join(parts[:i]) in files:
                problems.append((path, f"is inside {'/'.join(parts[:i])!r}, which is a file"))
    problems += [(d, "is both a file and a directory") for d in sorted(directories & files.keys())]
    if problems:
        member, why = problems[0]
        raise refused(wheel, why, member=member, details=[f"{m}: {w}" for m, w in problems[:50]])
    return files


def _dist_info(files: dict[str, ZipMember], wheel: str, name: str, version: str) -> str:
    tops = {path.split("/", 1)[0] for path in files if "/" in path}
    found = sorted(t for t in tops if t.endswith(".dist-info"))
    if len(found) != 1:
        why = "no .dist-info directory" if not found else f"{len(found)}: {', '.join(found)}"
        raise refused(wheel, f"it has {why}; a wheel has exactly one .dist-info directory")
    dist_info = found[0]
    dist, _, raw_version = dist_info.removesuffix(".dist-info").rpartition("-")
    if canonicalize_name(dist) != name or not _same_version(raw_version, version):
        raise refused(wheel, f"its {dist_info} directory does not match the file name {wheel}")
    for top in sorted(tops):
        if top.endswith(".data") and top != dist_info.removesuffix(".dist-info") + ".data":
            raise refused(wheel, f"its {top} directory does not belong to {dist_info}")
    return dist_info


def _same_version(raw: str, version: str) -> bool:
    try:
        return Version(raw) == Version(version)
    except InvalidVersion:
        return False


def _data_schemes(files: dict[str, ZipMember], dist_info: str, wheel: str) -> tuple[str, ...]:
    prefix = dist_info.removesuffix(".dist-info") + ".data/"
    schemes: set[str] = set()
    for path in files:
        if path.startswith(prefix):
            scheme, _, rest = path[len(prefix) :].partition("/")
            if scheme not in DATA_SCHEMES or not rest:
                why = f"is not in one of the .data directories {', '.join(DATA_SCHEMES)}"
                raise refused(wheel, why, member=path)
            schemes.add(scheme)
    return tuple(sorted(schemes))


def _check_destinations(files: dict[str, ZipMember], dist_info: str, wheel: str) -> None:
    """Two members installed to one path (``x.py`` and ``.data/purelib/x.py``) are refused:
    which one an installer keeps would depend on the order it writes them in."""
    data_dir = dist_info.removesuffix(".dist-info") + ".data"
    seen: dict[tuple[str, str], str] = {}
    for path in files:
        where = layout.destination(path, data_dir)
        if where is None:  # a bare `.data/<scheme>` entry: installed nowhere
            continue
        other = seen.setdefault(where, path)
        if other != path:
            why = f"installs to the same path as {other} ({where[0]}/{where[1]})"
            raise refused(wheel, why, member=path)


def _read_metadata(
    f: BinaryIO, files: dict[str, ZipMember], dist_info: str, wheel: str, limits: Limits
) -> dict[str, bytes]:
    meta: dict[str, bytes] = {}
    for name in ("WHEEL", "METADATA", "RECORD", "entry_points.txt"):
        member = files.get(f"{dist_info}/{name}")
        if member is None:
            if name == "entry_points.txt":
                continue
            raise refused(wheel, f"it has no {dist_info}/{name}")
        meta[name] = read_member(f, member, wheel, limits.max_metadata_bytes, "metadata files")
    return meta


def _check_metadata(data: bytes, wheel: str, member: str, name: str, version: str) -> None:
    meta_name, meta_version = distinfo.parse_metadata(data, wheel, member)
    if canonicalize_name(meta_name) != name or not _same_version(meta_version, version):
        raise refused(
            wheel,
            f"says it is {meta_name} {meta_version}, the file name says {name} {version}",
            member=member,
        )


def _check_coverage(
    files: dict[str, ZipMember], record: dict[str, RecordRow], dist_info: str, wheel: str
) -> None:
    exempt = {f"{dist_info}/{name}" for name in distinfo.UNHASHED}
    unlisted = sorted(p for p in files if p not in record and p not in exempt)
    if unlisted:
        details = [f"{p}: not listed in RECORD" for p in unlisted[:50]]
        raise refused(wheel, "is not listed in RECORD", member=unlisted[0], details=details)
    absent = sorted(p for p in record if p not in files)
    if absent:
        details = [f"{p}: listed in RECORD but not in the archive" for p in absent[:50]]
        raise refused(
            wheel, f"its RECORD lists {absent[0]}, which it does not contain", details=details
        )
    for path, row in record.items():
        if row.size is not None and row.size != files[path].size:
            raise corrupt(
                wheel, f"is {files[path].size} bytes, RECORD says {row.size}", member=path
            )


def _check_scripts(
    files: dict[str, ZipMember], dist_info: str, points: EntryPoints, wheel: str, name: str
) -> None:
    prefix = dist_info.removesuffix(".dist-info") + ".data/scripts/"
    names = {p.name for p in points.console + points.gui}
    for path in sorted(files):
        if path.startswith(prefix):
            script = path.rsplit("/", 1)[1]
            problem = script_problem(script, name)
            if problem is None and script in names:
                problem = "has the same name as another script or entry point"
            if problem is not None:
                raise refused(wheel, f"is a script that {problem}", member=path)
            names.add(script)


# What a member costs to validate beside its bytes (creating its file, hashing, storing),
# in bytes' worth: botocore's 1,000-odd JSON files weigh on both sides of a split.
_MEMBER_COST = 16 << 10


def share(
    ordered: list[tuple[str, ZipMember]], part: int, parts: int
) -> list[tuple[str, ZipMember]]:
    """Part ``part`` of ``parts`` of the members (in archive order): a run of consecutive
    members, the runs about equal in size and count (each member weighs its compressed
    size plus a fixed cost). Every member is in exactly one part."""
    if not 0 <= part < parts:
        raise ValueError(f"part {part} of {parts}")
    costs = [m.compressed_size + _MEMBER_COST for _, m in ordered]
    total = sum(costs) or 1
    chosen, before = [], 0
    for item, cost in zip(ordered, costs, strict=True):
        if before * parts // total == part:  # (the part the member's first byte falls in)
            chosen.append(item)
        before += cost
    return chosen


def _verify(
    f: BinaryIO,
    ordered: list[tuple[str, ZipMember]],
    record: dict[str, RecordRow],
    already_read: dict[str, bytes],
    wheel: str,
    sink: MemberSink | None,
) -> tuple[ValidatedMember, ...]:
    out: list[ValidatedMember] = []
    for path, m in ordered:
        row = record.get(path)
        mode = 0o755 if m.unix_mode & 0o111 else 0o644
        data, deflated = already_read.get(path), None
        if data is None and m.size <= OUT_CHUNK and m.compressed_size <= READ_CHUNK:
            data, deflated = member_bytes(f, m, wheel)
        if data is not None:  # whole: checked, then handed over
            if row is not None and not row.matches(data):
                raise corrupt(
                    wheel, f"does not match its {row.algorithm} hash in RECORD", member=path
                )
            if sink is not None:
                sink.whole(path, data, deflated)
            out.append(ValidatedMember(path, mode, m.size))
            continue
        hasher = None if row is None or row.algorithm is None else hashlib.new(row.algorithm)
        if sink is not None:
            sink.begin(path, m.size)
        for chunk in member_chunks(f, m, wheel):
            if hasher is not None:
                hasher.update(chunk)
            if sink is not None:
                sink.write(chunk)
        if hasher is not None and row is not None and hasher.digest() != row.digest:
            raise corrupt(wheel, f"does not match its {row.algorithm} hash in RECORD", member=path)
        if sink is not None:
            sink.end()
        out.append(ValidatedMember(path, mode, m.size))
    return tuple(out)
