"""Distribution file names (wheel and sdist), parsed by ``packaging.utils``."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
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


def version_of(filename: str, supports: Callable[[str], bool] | None = None) -> Version | None:
    """``try_parse_filename(filename).version``, or ``None`` where that gives ``None``.

    ``supports``: also ``None`` for a wheel whose tag part it refuses (a
    target's :meth:`~px.index.tags.Target.supports`), from the same split.

    For choosing among a page's thousands of files, most of which are never
    looked at again: each part of a name (project, version, build, tags) is
    checked by ``packaging`` once per distinct string, where a full parse
    builds a version and a set of tags for every file.
    """
    if filename.lower().endswith(".whl"):
        if not filename.endswith(".whl"):
            return None
        stem = filename[:-4]
        dashes = stem.count("-")
        if dashes not in (4, 5):
            return None
        parts = stem.split("-", dashes - 2)  # as parse_wheel_filename splits
        if supports is not None and not supports(parts[-1]):
            return None
        build = f"-{parts[2]}" if dashes == 5 else ""
        if not _wheel_parts_valid(f"{parts[0]}-0{build}-{parts[-1]}.whl"):
            return None
        return _version(parts[1])
    for suffix in SDIST_SUFFIXES:
        if filename.lower().endswith(suffix):
            if not filename.endswith(suffix):
                return None
            name, sep, version = filename[: -len(suffix)].rpartition("-")
            if not sep or not _sdist_name_valid(name):
                return None
            return _version(version)
    return None


@functools.lru_cache(maxsize=1024)
def _wheel_parts_valid(name_build_tags: str) -> bool:
    """Does ``packaging`` accept this name with version ``0``? (It checks each part alone.)"""
    try:
        parse_wheel_filename(name_build_tags)
    except (InvalidWheelFilename, InvalidVersion):
        return False
    return True


@functools.lru_cache(maxsize=256)
def _sdist_name_valid(name: str) -> bool:
    try:
        parse_sdist_filename(f"{name}-0.tar.gz")
    except (InvalidSdistFilename, InvalidVersion):
        return False
    return True


@functools.lru_cache(maxsize=8192)
def _version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None
