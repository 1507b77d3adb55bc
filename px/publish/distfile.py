"""A built distribution file (wheel or sdist): its identity, hashes and core metadata.

The metadata is the wheel's ``<name>-<version>.dist-info/METADATA`` or the sdist's
``<name>-<version>/PKG-INFO``: RFC 822 headers, with the long description in the
body (or, in old files, in a ``Description`` header). It is read without
unpacking the archive and must be UTF-8.
"""

from __future__ import annotations

import hashlib
import re
import tarfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from email.parser import Parser
from pathlib import Path
from typing import Literal

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    parse_sdist_filename,
    parse_wheel_filename,
)

from px.errors import InputError

MAX_METADATA_BYTES = 16 * 1024 * 1024
SDIST_SUFFIXES = (".tar.gz", ".zip")
_WHEEL_METADATA = re.compile(r"^[^/]+\.dist-info/METADATA\Z")
_SDIST_METADATA = re.compile(r"^[^/]+/PKG-INFO\Z")


@dataclass(frozen=True)
class DistMetadata:
    """Core metadata headers in file order (names as written) and the message body."""

    headers: tuple[tuple[str, str], ...]
    body: str

    def get(self, field: str) -> str | None:
        wanted = field.lower()
        return next((v for k, v in self.headers if k.lower() == wanted), None)

    def get_all(self, field: str) -> tuple[str, ...]:
        wanted = field.lower()
        return tuple(v for k, v in self.headers if k.lower() == wanted)

    @property
    def description(self) -> str:
        """The long description: the body, else the (old) ``Description`` header."""
        if self.body.strip():
            return self.body
        return self.get("Description") or ""


@dataclass(frozen=True)
class DistFile:
    path: Path
    kind: Literal["wheel", "sdist"]
    name: str  # normalised, from the file name
    version: str  # from the file name
    python_tag: str  # the wheel's python tag ("py3", "cp311"), "source" for an sdist
    sha256: str
    blake2_256: str
    size: int
    metadata: DistMetadata

    @property
    def filename(self) -> str:
        return self.path.name


def is_distribution(path: Path) -> bool:
    return path.is_file() and (path.name.endswith(".whl") or path.name.endswith(SDIST_SUFFIXES))


def read_distribution(path: Path) -> DistFile:
    """Read ``path``; an InputError says why it is not a usable distribution."""
    kind, name, version, python_tag = identify(path.name)
    if not path.is_file():
        raise InputError(f"{path} does not exist", hint="build it first with `px build`")
    sha256, blake2_256, size = file_digests(path)
    data = _metadata_bytes(path, kind)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _bad(path, f"its core metadata is not valid UTF-8 ({error.reason})") from None
    return DistFile(
        path=path,
        kind=kind,
        name=name,
        version=version,
        python_tag=python_tag,
        sha256=sha256,
        blake2_256=blake2_256,
        size=size,
        metadata=parse_metadata(text),
    )


def identify(filename: str) -> tuple[Literal["wheel", "sdist"], str, str, str]:
    """(kind, normalised name, version, python tag) from a distribution's file name."""
    try:
        if filename.endswith(".whl"):
            name, version, _build, tags = parse_wheel_filename(filename)
            python = ".".join(sorted({t.interpreter for t in tags}))
            return "wheel", str(name), str(version), python
        if filename.endswith(SDIST_SUFFIXES):
            name, version = parse_sdist_filename(filename)
            return "sdist", str(name), str(version), "source"
    except (InvalidWheelFilename, InvalidSdistFilename) as error:
        raise InputError(
            f"{filename} is not a valid distribution file name",
            why=str(error),
            hint="publish the files `px build` writes, unrenamed",
        ) from None
    raise InputError(
        f"{filename} is not a distribution",
        why="only wheels (.whl) and sdists (.tar.gz, .zip) can be published",
        hint="pass the files `px build` writes into dist/",
    )


def parse_metadata(text: str) -> DistMetadata:
    message = Parser().parsestr(text)
    headers = tuple((str(k), str(v)) for k, v in message.items())
    payload = message.get_payload()
    return DistMetadata(headers, payload if isinstance(payload, str) else "")


def file_digests(path: Path) -> tuple[str, str, int]:
    """(sha256, blake2b-256, size) of the file, read once."""
    sha256 = hashlib.sha256()
    blake2 = hashlib.blake2b(digest_size=32)
    size = 0
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            sha256.update(block)
            blake2.update(block)
            size += len(block)
    return sha256.hexdigest(), blake2.hexdigest(), size


def _metadata_bytes(path: Path, kind: str) -> bytes:
    stem = path.name.removesuffix(".whl").removesuffix(".tar.gz").removesuffix(".zip")
    try:
        if kind == "wheel" or path.name.endswith(".zip"):
            with zipfile.ZipFile(path) as archive:
                pattern = _WHEEL_METADATA if kind == "wheel" else _SDIST_METADATA
                member = _pick(archive.namelist(), pattern, stem, path)
                info = archive.getinfo(member)
                _check_size(info.file_size, path)
                return archive.read(info)
        with tarfile.open(path, "r:*") as tar:
            members = {m.name: m for m in tar.getmembers() if m.isfile()}
            chosen = members[_pick(members, _SDIST_METADATA, stem, path)]
            _check_size(chosen.size, path)
            handle = tar.extractfile(chosen)
            assert handle is not None  # a regular file
            return handle.read()
    except (OSError, zipfile.BadZipFile, tarfile.TarError, EOFError) as error:
        raise _bad(path, f"it cannot be read as an archive ({error})") from None


def _pick(names: Iterable[str], pattern: re.Pattern[str], stem: str, path: Path) -> str:
    found = sorted(n for n in names if pattern.match(n))
    if not found:
        where = (
            "*.dist-info/METADATA" if pattern is _WHEEL_METADATA else "<name>-<version>/PKG-INFO"
        )
        raise _bad(path, f"it holds no {where}")
    if len(found) == 1:
        return found[0]
    # several: the one named like the file (<name>-<version>)
    prefix = "-".join(stem.split("-")[:2]).lower()
    matching = [n for n in found if n.split("/", 1)[0].lower().startswith(prefix)]
    if len(matching) != 1:
        raise _bad(path, f"it holds {len(found)} metadata files: {', '.join(found)}")
    return matching[0]


def _check_size(size: int, path: Path) -> None:
    if size > MAX_METADATA_BYTES:
        raise _bad(path, f"its metadata file is {size} bytes, over the limit")


def _bad(path: Path, why: str) -> InputError:
    return InputError(
        f"{path.name} is not a valid distribution",
        why=why,
        hint="rebuild it with `px build`",
    )
