"""The resolver's CandidateSource over the index client, for one target interpreter.

A version is offered when at least one of its files is usable on the target:
a wheel whose tags the interpreter supports and whose own requires-python
admits it, or an sdist. Each file is judged by its own requires-python (as pip
does), so a project that ships a newer-Python wheel beside an older-Python one
stays installable on the older Python.

Speed comes from running ahead of the resolver: when a project page arrives,
the metadata of its likely version (the locked one, else the newest final
release that the first requirement crawled to it allows) is fetched, by the
same worker, at once: queued behind the pool's other work, it waited there
0.1-0.3 s on each level of a deep graph. When metadata arrives, the pages of
the dependencies that hold on the target are fetched. Every page and metadata
file is fetched once (one shared future each), so the resolver usually finds
what it asks for already there.
"""

from __future__ import annotations

import concurrent.futures
import functools
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from px.errors import InputError, MetadataNeedsBuild
from px.resolve import Metadata, ProjectNotFound, VersionInfo

if TYPE_CHECKING:
    from px.index.client import IndexClient
    from px.index.filenames import ArtifactName
    from px.index.models import CoreMetadata, FileInfo, PageFile
    from px.index.tags import Target as TagTarget

Future = concurrent.futures.Future


class _Usable:
    """The usable files of one version; built and ranked (best first) when first asked.

    A page offers hundreds of versions and the resolver looks at a few: the
    others stay :class:`PageFile` entries, never parsed in full.
    """

    def __init__(self, entries: Sequence[PageFile], target: TagTarget) -> None:
        self.entries = tuple(entries)
        self._target = target

    @property
    def live(self) -> bool:
        return any(not f.yanked for f in self.entries)

    @functools.cached_property
    def files(self) -> tuple[FileInfo, ...]:
        from px.index.filenames import parse_filename

        parsed = [(f.info(), parse_filename(f.filename)) for f in self.entries]
        ranked = sorted(parsed, key=self._rank)
        return tuple(info for info, _ in ranked)

    def _rank(self, item: tuple[FileInfo, ArtifactName]) -> tuple[int, int, str]:
        info, parsed = item
        if parsed.kind == "wheel":
            return (0, self._target.rank(parsed.tags) or 0, info.filename)
        return (1, 0, info.filename)

    @property
    def metadata_file(self) -> FileInfo:
        live = [f for f in self.files if not f.yanked]
        return (live or list(self.files))[0]


class IndexCandidates:
    """Implements :class:`px.resolve.CandidateSource` with an :class:`IndexClient`."""

    def __init__(
        self,
        client: IndexClient,
        target: TagTarget,
        *,
        environment: Mapping[str, str] | None = None,
        preferred: Mapping[str, Version] | None = None,
        crawl: bool = True,
        build_metadata: Callable[[FileInfo], CoreMetadata] | None = None,
    ) -> None:
        self.client = client
        self.target = target
        self._environment = dict(environment or {})
        self._preferred = dict(preferred or {})
        self._crawl = crawl and environment is not None
        # an sdist whose PKG-INFO cannot say its dependencies: built for them, or an error
        self._build_metadata = build_metadata
        self._lock = threading.Lock()
        self._closed = False
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=16)
        self._projects: dict[str, Future[dict[Version, _Usable]]] = {}
        self._metadata: dict[tuple[str, Version], Future[CoreMetadata]] = {}
        # the specifier of the first requirement crawled to each name: botocore's
        # python-dateutil<3 makes 2.9 likely, not 4.0 (and its tzdata) fetched for nothing
        self._hints: dict[str, SpecifierSet] = {}

    def close(self) -> None:
        with self._lock:
            self._closed = True
        self._pool.shutdown(wait=True, cancel_futures=True)

    # -- CandidateSource -------------------------------------------------------------

    def versions(self, name: NormalizedName) -> Sequence[VersionInfo]:
        usable = self._usable(name)
        infos = []
        for version, files in usable.items():
            reason = next((f.yanked_reason for f in files.entries if f.yanked_reason), None)
            infos.append(VersionInfo(version, yanked=not files.live, yanked_reason=reason))
        return infos

    def dependencies(self, name: NormalizedName, version: Version) -> Metadata:
        meta = self._metadata_future(name, version, self._usable(name)[version]).result()
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
            project = self._project(name)
            if version is not None and project.done() and project.exception() is None:
                usable = project.result().get(version)
                if usable is not None:
                    self._metadata_future(name, version, usable)

    # -- what the lock records -------------------------------------------------------

    def artifacts(self, name: str, version: Version) -> tuple[FileInfo, ...]:
        """The files of ``name`` ``version`` usable on the target, best first."""
        return self._usable(canonicalize_name(name))[version].files

    def metadata_file(self, name: str, version: Version) -> FileInfo:
        """The file whose metadata stands for the version: the best wheel, else the sdist."""
        return self._usable(canonicalize_name(name))[version].metadata_file

    # -- fetching, once each ---------------------------------------------------------

    def _submit(self, fn: object, *args: object) -> Future[object] | None:
        try:
            return self._pool.submit(fn, *args)  # type: ignore[arg-type]
        except RuntimeError:  # shut down: the resolution is over
            return None

    def _project(self, name: str) -> Future[dict[Version, _Usable]]:
        """The shared fetch of a project's usable files, started once."""
        with self._lock:
            future = self._projects.get(name)
            if future is None:
                future = Future()
                self._projects[name] = future
                start = True
            else:
                start = False
        if start and self._submit(self._load_project, name, future) is None:
            future.set_exception(RuntimeError("resolution finished"))
        return future

    def _load_project(self, name: str, future: Future[dict[Version, _Usable]]) -> None:
        try:
            usable = self._load(name)
        except BaseException as error:
            future.set_exception(error)
            return
        future.set_result(usable)
        if self._crawl:
            likely = self._likely_version(name, usable)
            if likely is not None:  # fetched here, not queued behind the pool's other work
                self._metadata_future(canonicalize_name(name), likely, usable[likely], here=True)

    def _metadata_future(
        self, name: str, version: Version, usable: _Usable, *, here: bool = False
    ) -> Future[CoreMetadata]:
        """The shared fetch of a version's metadata, started once; ``here``: in this thread."""
        with self._lock:
            future = self._metadata.get((name, version))
            start = future is None
            if future is None:
                future = self._metadata[(name, version)] = Future()
                if self._closed:
                    start = False
                    future.set_exception(RuntimeError("resolution finished"))
        if start and here:
            self._load_metadata(usable.metadata_file, future)
        elif start and self._submit(self._load_metadata, usable.metadata_file, future) is None:
            future.set_exception(RuntimeError("resolution finished"))
        return future

    def _load_metadata(self, file: FileInfo, future: Future[CoreMetadata]) -> None:
        try:
            try:
                meta = self.client.metadata(file)
            except MetadataNeedsBuild:
                if self._build_metadata is None:
                    raise
                meta = self._build_metadata(file)
        except BaseException as error:
            future.set_exception(error)
            return
        future.set_result(meta)
        if self._crawl:
            for name, specifier in self._dependency_names(meta):
                with self._lock:
                    self._hints.setdefault(name, specifier)
                self._project(name)

    def _dependency_names(self, meta: CoreMetadata) -> list[tuple[NormalizedName, SpecifierSet]]:
        """Dependencies that hold on the target without extras (a guess: errors are ignored)."""
        names = []
        for text in meta.requires_dist:
            try:
                requirement = Requirement(text)
                if requirement.marker is not None and not requirement.marker.evaluate(
                    {**self._environment, "extra": ""}
                ):
                    continue
            except Exception:
                continue
            names.append((canonicalize_name(requirement.name), requirement.specifier))
        return names

    def _likely_version(self, name: str, usable: dict[Version, _Usable]) -> Version | None:
        preferred = self._preferred.get(canonicalize_name(name))
        if preferred is not None and preferred in usable:
            return preferred
        finals = [v for v, u in usable.items() if not v.is_prerelease and u.live]
        with self._lock:
            hint = self._hints.get(canonicalize_name(name))
        fitting = finals if hint is None else [v for v in finals if hint.contains(v)]
        return max(fitting or finals) if finals else None

    def _usable(self, name: str) -> dict[Version, _Usable]:
        return self._project(name).result()

    def _load(self, name: str) -> dict[Version, _Usable]:
        files = self.client.page_files(name, keep=self.target.may_install)
        if not files and not self.client.page_files(name):  # none for this target, or none
            raise ProjectNotFound(canonicalize_name(name))
        from px.index.select import usable_releases

        return {
            version: _Usable(entries, self.target)
            for version, entries in usable_releases(files, self.target).items()
        }
