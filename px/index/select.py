"""Pick the files a target can use, and the best one per version."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from packaging.version import Version

from px.index.filenames import ArtifactName, try_parse_filename, version_of
from px.index.models import FileInfo, PageFile
from px.index.tags import Target

log = logging.getLogger("px.index")


def usable_files(
    files: Iterable[FileInfo], target: Target, *, include_yanked: bool = False
) -> list[tuple[FileInfo, ArtifactName]]:
    """Files ``target`` could install: known formats, compatible tags and Python."""
    usable: list[tuple[FileInfo, ArtifactName]] = []
    for info in files:
        if not target.may_install(info.filename):
            continue
        parsed = try_parse_filename(info.filename)
        if parsed is None:
            log.debug("skipping %s: not a wheel or sdist name px understands", info.filename)
            continue
        if info.yanked and not include_yanked:
            continue
        if not target.allows_python(info.requires_python):
            continue
        if parsed.kind == "wheel" and target.rank(parsed.tags) is None:
            continue
        usable.append((info, parsed))
    return usable


def usable_releases(files: Iterable[PageFile], target: Target) -> dict[Version, list[PageFile]]:
    """``usable_files(include_yanked=True)`` grouped by version, from the file names alone.

    A page's files are not built into :class:`FileInfo` here, nor their names
    fully parsed: :func:`version_of` gives the version a parse would, and for a
    name that parses, :meth:`Target.may_install` says what :meth:`Target.rank`
    would (both read the same tag triples). Order within a version: the page's.
    """
    grouped: dict[Version, list[PageFile]] = {}
    allowed: dict[str | None, bool] = {}  # per requires-python string: a page repeats a few
    for file in files:
        version = version_of(file.filename, target.supports)
        if version is None:
            if target.may_install(file.filename):  # (else: a wheel for another target)
                log.debug("skipping %s: not a wheel or sdist name px understands", file.filename)
            continue
        python = file.requires_python
        ok = allowed.get(python)
        if ok is None:
            ok = allowed[python] = target.allows_python(python)
        if ok:
            grouped.setdefault(version, []).append(file)
    return grouped


def _preference(item: tuple[FileInfo, ArtifactName], target: Target) -> tuple[object, ...]:
    info, parsed = item
    if parsed.kind == "wheel":
        rank = target.rank(parsed.tags)
        assert rank is not None
        # Lower tag rank first, then the higher build number.
        build = parsed.build[0] if parsed.build else -1
        return (0, rank, -build, info.filename)
    return (1, 0 if info.filename.endswith(".tar.gz") else 1, 0, info.filename)


def best_per_version(
    files: Iterable[FileInfo], target: Target, *, include_yanked: bool = False
) -> dict[Version, FileInfo]:
    """For each version, the best file: the best-ranked wheel, else an sdist."""
    by_version: dict[Version, list[tuple[FileInfo, ArtifactName]]] = {}
    for item in usable_files(files, target, include_yanked=include_yanked):
        by_version.setdefault(item[1].version, []).append(item)
    return {
        version: min(items, key=lambda item: _preference(item, target))[0]
        for version, items in sorted(by_version.items(), reverse=True)
    }
