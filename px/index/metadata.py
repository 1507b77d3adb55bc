"""Core metadata (PKG-INFO / METADATA): parse it, or find it inside a wheel."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import IO

from packaging.metadata import Metadata
from packaging.utils import canonicalize_name

from px.errors import InputError
from px.index.models import CoreMetadata


def header_block(data: bytes) -> bytes:
    """The header part of an email-style file: everything up to the first empty line.

    What follows is the body (the long description), which px never reads and the
    email parser would spend most of its time on. The end of the headers is the
    first line that is empty, with lines ending in ``\r\n``, ``\n`` or ``\r`` as the
    email parser splits them; the headers it reads are the same either way.
    """
    match = _EMPTY_LINE.search(data)
    return data if match is None else data[: match.start(1)]


# A line end, then an empty line (group 1). ``\r`` followed by ``\n`` is one line end.
_EMPTY_LINE = re.compile(rb"(?:\r\n|\n|\r(?!\n))(\r\n|\n|\r(?!\n))")


def parse_core_metadata(data: bytes, *, source: str) -> CoreMetadata:
    """Parse an email-style core metadata file. ``source`` names it in errors."""
    try:
        meta = Metadata.from_email(header_block(data), validate=False)
        name, version = meta.name, meta.version
        requires_dist = tuple(str(req) for req in (meta.requires_dist or ()))
        requires_python = meta.requires_python
        provides_extra = tuple(str(extra) for extra in (meta.provides_extra or ()))
    except Exception as exc:  # packaging raises several kinds; all mean "bad file"
        raise InputError(f"unreadable core metadata in {source}", why=str(exc)) from None
    if not name or version is None:
        raise InputError(
            f"unreadable core metadata in {source}", why="it has no Name or no Version"
        )
    return CoreMetadata(
        name=str(name),
        version=str(version),
        requires_dist=requires_dist,
        requires_python=str(requires_python) if requires_python is not None else None,
        provides_extra=provides_extra,
    )


MAX_METADATA = 16 << 20  # bytes: no real METADATA comes near; a zip bomb would


def read_wheel_metadata(wheel: Path | IO[bytes], filename: str) -> bytes:
    """The ``METADATA`` file of the wheel at ``wheel`` (``filename`` is its real name).

    ``wheel`` may be a seekable file object (:mod:`px.index.lazy_wheel` reads
    a remote wheel that way, by HTTP ranges).
    """
    try:
        with zipfile.ZipFile(wheel) as archive:
            candidates = [
                name
                for name in archive.namelist()
                if name.count("/") == 1 and name.endswith(".dist-info/METADATA")
            ]
            project = canonicalize_name(filename.split("-", 1)[0])
            chosen = [
                name for name in candidates if canonicalize_name(name.split("-", 1)[0]) == project
            ] or candidates
            if len(chosen) != 1:
                raise InputError(
                    f"wheel {filename} has {len(chosen)} .dist-info/METADATA files",
                    why="a wheel must have exactly one",
                )
            size = archive.getinfo(chosen[0]).file_size
            if size > MAX_METADATA:  # zipfile reads no more than the declared size
                raise InputError(
                    f"wheel {filename} declares a METADATA file of {size} bytes",
                    why=f"px reads at most {MAX_METADATA} bytes of metadata",
                    hint="the file on the index is broken; report it to its maintainers",
                )
            return archive.read(chosen[0])
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(f"wheel {filename} is not a readable zip file", why=str(exc)) from None


def read_sdist_metadata(sdist: Path, filename: str) -> bytes | None:
    """``PKG-INFO`` of an sdist when it is static (PEP 643), else ``None``.

    Static means Metadata-Version 2.2 or later and neither Requires-Dist nor
    Requires-Python marked Dynamic; anything else needs a build.
    """
    import tarfile

    data: bytes | None = None
    try:
        if filename.lower().endswith(".zip"):
            with zipfile.ZipFile(sdist) as archive:
                names = [n for n in archive.namelist() if n.count("/") == 1]
                chosen = [n for n in names if n.endswith("/PKG-INFO")]
                data = archive.read(chosen[0]) if len(chosen) == 1 else None
        else:
            with tarfile.open(sdist, "r:*") as archive:
                members = [
                    m
                    for m in archive.getmembers()
                    if m.isfile() and m.name.count("/") == 1 and m.name.endswith("/PKG-INFO")
                ]
                handle = archive.extractfile(members[0]) if len(members) == 1 else None
                data = handle.read() if handle is not None else None
    except (tarfile.TarError, zipfile.BadZipFile, OSError) as exc:
        raise InputError(f"sdist {filename} is not a readable archive", why=str(exc)) from None
    if data is None:
        return None
    from email.parser import BytesParser

    headers = BytesParser().parsebytes(data, headersonly=True)
    try:
        major, minor = (int(p) for p in str(headers.get("Metadata-Version", "0.0")).split(".")[:2])
    except ValueError:
        return None
    dynamic = {str(v).strip().lower() for v in headers.get_all("Dynamic") or ()}
    if (major, minor) < (2, 2) or dynamic & {"requires-dist", "requires-python"}:
        return None
    return data
