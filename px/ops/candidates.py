"""The resolver's CandidateSource over the index client, for one target interpreter.

A version is offered when at least one of its files is usable on the target:
a wheel whose tags the interpreter supports and whose own requires-python
admits it, or an sdist. Each file is judged by its own requires-python (as pip
does), so a project that ships a newer-Python wheel beside an older-Python one
stays installable on the older Python.
"""

from __future__ import annotations

import concurrent.futures
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from px.errors import InputError
from px.resolve import Metadata, ProjectNotFound, VersionInfo

if TYPE_CHECKING:
    from px.index.client import IndexClient
    from px.index.filenames import ArtifactName
    from px.index.models import FileInfo
    from px.index.tags import Target as TagTarget


@dataclass(frozen=True)
class _Usable:
    """The usable files of one version, best first."""

    files: tuple[FileInfo, ...]


class IndexCandidates:
    """Implements :class:`px.resolve.CandidateSource` with an :class:`IndexClient`."""

    def __init__(self, client: IndexClient, target: TagTarget) -> None:
        self.client = client
        self.target = target
        self._lock = threading.Lock()
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=16)
        self._projects: dict[str, concurrent.futures.Future[dict[Version, _Usable]]] = {}
        self._prefetched: set[tuple[str, Version]] = set()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    # -- CandidateSource -------------------------------------------------------------

    def versions(self, name: NormalizedName) -> Sequence[VersionInfo]:
        usable = self._usable(name)
        infos = []
        for version, files in usable.items():
            live = [f for f in files.files if not f.yanked]
            reason = next((f.yanked_reason for f in files.files if f.yanked_reason), None)
            infos.append(VersionInfo(version, yanked=not live, yanked_reason=reason))
        return infos

    def dependencies(self, name: NormalizedName, version: Version) -> Metadata:
        meta = self.client.metadata(self.metadata_file(name, version))
        try:
            requires = tuple(Requirement(r) for r in meta.requires_dist)
            python = SpecifierSet(meta.requires_python) if meta.requires_python else None
        except (InvalidRequirement, InvalidSpecifier) as error:
            raise InputError(
                f"{name} {version} has metadata px cannot read",
                why=str(error),
                hint=f"pin another version of {name}",
            ) from error
        extras = frozenset(canonicalize_name(e) for e in meta.provides_extra)
        return Metadata(requires_dist=requires, requires_python=python, provides_extras=extras)

    def prefetch(self, items: Sequence[tuple[NormalizedName, Version | None]]) -> None:
        for name, version in items:
            if version is None:
                self._project(name)
                continue
            with self._lock:
                if (name, version) in self._prefetched:
                    continue
                self._prefetched.add((name, version))
            self._pool.submit(self._prefetch_metadata, name, version)

    # -- what the lock records -------------------------------------------------------

    def artifacts(self, name: str, version: Version) -> tuple[FileInfo, ...]:
        """The files of ``name`` ``version`` usable on the target, best first."""
        return self._usable(canonicalize_name(name))[version].files

    def metadata_file(self, name: str, version: Version) -> FileInfo:
        """The file whose metadata stands for the version: the best wheel, else the sdist."""
        files = self.artifacts(name, version)
        live = [f for f in files if not f.yanked]
        return (live or list(files))[0]

    # -- internals -------------------------------------------------------------------

    def _prefetch_metadata(self, name: NormalizedName, version: Version) -> None:
        with self._lock:
            project = self._projects.get(name)
        if project is None or not project.done() or project.exception() is not None:
            return  # never block a pool thread on another pool task
        files = project.result().get(version)
        if files is None:
            return
        live = [f for f in files.files if not f.yanked]
        try:
            self.client.metadata((live or list(files.files))[0])
        except Exception:  # noqa: BLE001 - a hint only; the real request reports it
            return

    def _project(self, name: str) -> concurrent.futures.Future[dict[Version, _Usable]]:
        """The (shared) fetch of a project's usable files, started once."""
        with self._lock:
            future = self._projects.get(name)
            if future is None:
                future = self._projects[name] = self._pool.submit(self._load, name)
        return future

    def _usable(self, name: str) -> dict[Version, _Usable]:
        return self._project(name).result()

    def _load(self, name: str) -> dict[Version, _Usable]:
        files = self.client.project_files(name)
        if not files:
            raise ProjectNotFound(canonicalize_name(name))
        from px.index.select import usable_files

        grouped: dict[Version, list[tuple[FileInfo, ArtifactName]]] = {}
        for info, parsed in usable_files(files, self.target, include_yanked=True):
            grouped.setdefault(parsed.version, []).append((info, parsed))
        return {
            version: _Usable(tuple(f for f, _ in sorted(items, key=self._rank)))
            for version, items in grouped.items()
        }

    def _rank(self, item: tuple[FileInfo, ArtifactName]) -> tuple[int, int, str]:
        info, parsed = item
        if parsed.kind == "wheel":
            return (0, self.target.rank(parsed.tags) or 0, info.filename)
        return (1, 0, info.filename)
