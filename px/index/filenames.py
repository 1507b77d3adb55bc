"""Distribution file names (wheel and sdist), parsed by ``packaging.utils``."""

from __future__ import annotations

import dataclasses
from typing import Literal

from packaging.tags import Tag
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    NormalizedName,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from px.errors import InputError

SDIST_SUFFIXES = (".tar.gz", ".zip")


@dataclasses.dataclass(frozen=True)
class ArtifactName:
    """What a distribution's file name says about it."""

    filename: str
    kind: Literal["wheel", "sdist"]
    name: NormalizedName
    version: Version
    build: tuple[int, str] | tuple[()] = ()
    tags: frozenset[Tag] = frozenset()


def parse_filename(filename: str) -> ArtifactName:
    """Parse a wheel or sdist file name; a bad one is an :class:`InputError`."""
    lower = filename.lower()
    try:
        if lower.endswith(".whl"):
            name, version, build, tags = parse_wheel_filename(filename)
            return ArtifactName(filename, "wheel", name, version, build, tags)
        if lower.endswith(SDIST_SUFFIXES):
            name, version = parse_sdist_filename(filename)
            return ArtifactName(filename, "sdist", name, version)
    except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion) as exc:
        raise InputError(
            f"invalid distribution file name {filename!r}",
            why=str(exc),
            hint="wheel names look like name-1.0-py3-none-any.whl, sdists like name-1.0.tar.gz",
        ) from None
    raise InputError(
        f"unsupported distribution file {filename!r}",
        why="px installs wheels (.whl) and source distributions (.tar.gz, .zip) only",
    )


def try_parse_filename(filename: str) -> ArtifactName | None:
    """:func:`parse_filename`, or ``None`` for names an index may list but px skips."""
    try:
        return parse_filename(filename)
    except InputError:
        return None
