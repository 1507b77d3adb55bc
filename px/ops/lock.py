"""`px lock`: resolve the project's requirements into an exact, reproducible px.lock."""

from __future__ import annotations

import functools
import os
import tempfile
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from px.config import Settings
from px.errors import InputError, LockStale
from px.lock import Artifact, Dependency, Lock, parse, serialise
from px.ops.audited import audited_store
from px.project import Project, find_project, input_digest, load_project
from px.reporter import QuietReporter, Reporter

if TYPE_CHECKING:
    from packaging.version import Version

    from px.index.client import IndexClient
    from px.index.models import CoreMetadata, FileInfo
    from px.interp.probe import Interpreter
    from px.ops.candidates import IndexCandidates
    from px.ops.lock_memo import MemoSlot
    from px.store import Store


@dataclass(frozen=True)
class PackageChange:
    name: str
    old: str | None
    new: str | None

    def to_json(self) -> dict[str, str | None]:
        return {"name": self.name, "old": self.old, "new": self.new}


@dataclass(frozen=True)
class LockResult:
    path: str
    status: str  # "written", "unchanged" or "fresh" (`--check` found it current)
    target: str
    packages: int
    changes: tuple[PackageChange, ...] = ()
    history_id: int | None = None
    warnings: tuple[str, ...] = ()  # from the resolver, e.g. an extra a package lacks
    memo: bool = False  # answered by a lock memo: the resolver did not run

    def to_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "status": self.status,
            "target": self.target,
            "packages": self.packages,
            "changes": [c.to_json() for c in self.changes],
            "history_id": self.history_id,
            "warnings": list(self.warnings),
            "memo": self.memo,
        }


def read_lock(path: Path) -> Lock | None:
    """The lock at ``path``, or None when there is none; a malformed one is an InputError."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    return parse(data, source=str(path))


def write_atomic(path: Path, text: str) -> None:
    """Replace ``path`` by ``text`` in one rename, keeping its permissions."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        else:
            os.chmod(tmp, 0o644)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def changes(old: Lock | None, new: Lock) -> tuple[PackageChange, ...]:
    before = {p.name: p.version for p in old.packages} if old else {}
    after = {p.name: p.version for p in new.packages}
    return tuple(
        PackageChange(name, before.get(name), after.get(name))
        for name in sorted(before.keys() | after.keys())
        if before.get(name) != after.get(name)
    )


def check(settings: Settings, start: Path) -> LockResult:
    """`px lock --check`: is px.lock present and current? Never resolves, never writes."""
    project = load_project(find_project(start))
    path = project.root / "px.lock"
    lock = read_lock(path)
    if lock is None:
        raise LockStale(f"{path} is missing", hint="run `px lock` and commit px.lock")
    if lock.input_digest != input_digest(project):
        raise LockStale(
            f"{path} is stale",
            why="pyproject.toml's requirements, indexes or sources changed since it was locked",
            hint="run `px lock` and commit px.lock",
        )
    return LockResult(str(path), "fresh", lock.targets[0].id, len(lock.packages))


def resolve_lock(
    store: Store,
    project: Project,
    settings: Settings,
    existing: Lock | None,
    *,
    upgrade: bool = False,
    upgrade_packages: Collection[str] = (),
    finalize: Callable[[dict[str, str]], Project] | None = None,
    reporter: Reporter | None = None,
    memo: MemoSlot | None = None,
) -> tuple[Project, Lock, tuple[str, ...]]:
    """Resolve ``project`` for its interpreter and build the lock.

    ``finalize`` may rewrite the project once the versions are known (``px add``
    turns a bare name into ``name>=version``); the lock is built for the project
    it returns. With ``memo``, a lock memo that still holds answers instead of
    the resolver (:mod:`px.ops.lock_memo`), and ``memo`` says what to remember.
    """
    from px.ops.context import choose_for, index_client, lock_target
    from px.ops.lock_memo import memo_key, replay
    from px.ops.locking import preferred_versions

    locked_python = existing.targets[0].python_version if existing and existing.targets else None
    interpreter = choose_for(project, settings, locked_python)
    client = index_client(store, project, settings)
    try:
        if memo is not None:
            memo.key = memo_key(
                input_digest(project),
                lock_target(interpreter).id,
                client,
                preferred_versions(existing),
                upgrade=upgrade,
                upgrade_packages=upgrade_packages,
            )
            replayed = None if memo.key is None else replay(store, client, memo.key)
            if replayed is not None:
                memo.replayed = True
                return project, *replayed
        resolved = _resolve(
            store, client, project, interpreter, existing, upgrade, upgrade_packages, finalize,
            reporter,
        )  # fmt: skip
        if memo is not None:
            memo.pages = dict(client.pages_read)
            memo.urls = dict(client.page_urls)
        return resolved
    finally:
        client.close()


def _resolve(
    store: Store,
    client: IndexClient,
    project: Project,
    interpreter: Interpreter,
    existing: Lock | None,
    upgrade: bool,
    upgrade_packages: Collection[str],
    finalize: Callable[[dict[str, str]], Project] | None,
    reporter: Reporter | None,
) -> tuple[Project, Lock, tuple[str, ...]]:
    from px.ops.candidates import IndexCandidates
    from px.ops.context import lock_target, resolve_target, tag_target
    from px.ops.locking import all_roots, build_lock, preferred_versions
    from px.resolve import resolve

    target = resolve_target(interpreter)
    preferred = {} if upgrade else preferred_versions(existing)
    source = IndexCandidates(
        client,
        tag_target(interpreter),
        environment=dict(target.environment),
        preferred=preferred,
        build_metadata=functools.partial(_built_metadata, store, client, interpreter),
    )
    try:
        graph = resolve(
            all_roots(project),
            source,
            target,
            preferred=preferred_versions(existing),
            upgrade_all=upgrade,
            upgrade=upgrade_packages,
            reporter=reporter or QuietReporter(),
            root_label=project.name,
        )
        if finalize is not None:
            project = finalize({node.name: str(node.version) for node in graph.nodes})
        lock = build_lock(
            project,
            graph,
            lock_target(interpreter),
            lambda name, version: _artifacts(store, client, source, name, version),
        )
    finally:
        source.close()
    return project, lock, graph.warnings


def _built_metadata(
    store: Store, client: IndexClient, interpreter: Interpreter, file: FileInfo
) -> CoreMetadata:
    """An sdist's metadata from a PEP 517 build (imported only when one is needed)."""
    from px.ops.build_env import sdist_metadata

    return sdist_metadata(store, client, interpreter, file)


def _artifacts(
    store: Store, client: IndexClient, source: IndexCandidates, name: str, version: Version
) -> tuple[tuple[Artifact, ...], str]:
    from px.ops.resolved import artifacts_of, live_files

    files = source.artifacts(name, version)
    return artifacts_of(store, client, files), _source_url(client, live_files(files)[0])


def _source_url(client: IndexClient, file: FileInfo) -> str:
    from px.index.urls import redact

    for index in client.indexes:
        if index.name == file.index:
            return redact(index.url)
    if file.index.startswith("find-links:"):
        return Path(file.index.removeprefix("find-links:")).as_uri()
    return redact(file.url.rsplit("/", 1)[0] + "/")


def record(store: Store, project: Project, text: str, lock: Lock, command: str) -> int:
    """Keep the lock in the store's history, with its packages and edges as rows."""
    from packaging.version import InvalidVersion, Version

    from px.store.locks import EdgeRow, PackageRow
    from px.store.locks import record as record_lock

    def release(version: str) -> tuple[int, ...]:
        try:
            return Version(version).release
        except InvalidVersion:
            return ()

    packages = [
        PackageRow(p.name, p.version, release(p.version), p.source.kind, _describe(p.source))
        for p in lock.packages
    ]
    edges = [
        EdgeRow(p.name, d.name, d.specifier, d.marker, d.extras)
        for p in lock.packages
        for d in p.dependencies
    ]
    edges += [
        EdgeRow(label, d.name, d.specifier, d.marker, d.extras)
        for label, deps in _root_sets(lock)
        for d in deps
    ]
    return record_lock(
        store,
        project=str(project.root),
        body=text.encode("utf-8"),
        input_digest=lock.input_digest,
        lock_version=lock.version,
        packages=packages,
        edges=edges,
        command=command,
    )


def _root_sets(lock: Lock) -> list[tuple[str, tuple[Dependency, ...]]]:
    sets: list[tuple[str, tuple[Dependency, ...]]] = [("<root>", lock.roots.dependencies)]
    sets += [(f"<extra:{r.name}>", r.dependencies) for r in lock.roots.optional]
    sets += [(f"<group:{r.name}>", r.dependencies) for r in lock.roots.groups]
    return sets


def _describe(source: object) -> str:
    for attribute in ("url", "path"):
        value = getattr(source, attribute, None)
        if value:
            return str(value)
    return ""


def lock(
    settings: Settings,
    start: Path,
    *,
    upgrade: bool = False,
    upgrade_packages: Collection[str] = (),
    reporter: Reporter | None = None,
) -> LockResult:
    """`px lock`: resolve (preferring the versions already locked) and write px.lock."""
    from px.ops.lock_memo import read_or_none, remember_context

    root = find_project(start)
    pyproject = read_or_none(root / "pyproject.toml")
    project = load_project(root)
    path = project.root / "px.lock"
    existing = existing_lock(path)
    if existing is not None and not upgrade and not upgrade_packages:
        current = _fresh(project, settings, existing, path)
        if current is not None:
            remember_context(settings, project, pyproject, existing, path, None)
            return current
    from px.ops.lock_memo import MemoSlot

    memo = MemoSlot()
    with audited_store(settings, "lock") as store:
        project, new, warnings = resolve_lock(
            store,
            project,
            settings,
            existing,
            upgrade=upgrade,
            upgrade_packages=upgrade_packages,
            reporter=reporter,
            memo=memo,
        )
        text = serialise(new)
        status = "unchanged"
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            write_atomic(path, text)
            status = "written"
        history_id = record(store, project, text, new, "lock")
        memo.keep(store, history_id, warnings)
        if not upgrade and not upgrade_packages:
            memo_key = memo.key if existing is None else None
            remember_context(settings, project, pyproject, new, path, memo_key, store)
    return LockResult(
        str(path),
        status,
        new.targets[0].id,
        len(new.packages),
        changes(existing, new),
        history_id,
        warnings,
        memo.replayed,
    )


def _fresh(project: Project, settings: Settings, existing: Lock, path: Path) -> LockResult | None:
    """px.lock already answers pyproject.toml for this interpreter: nothing to resolve.

    As uv does for a fresh uv.lock, px then touches neither the index nor the
    store (the lock was recorded in history when it was written).
    """
    from px.ops.context import choose_for, lock_target

    if existing.input_digest != input_digest(project) or not existing.targets:
        return None
    interpreter = choose_for(project, settings, existing.targets[0].python_version)
    if lock_target(interpreter).id not in {t.id for t in existing.targets}:
        return None
    return LockResult(str(path), "unchanged", existing.targets[0].id, len(existing.packages))


def existing_lock(path: Path) -> Lock | None:
    try:
        return read_lock(path)
    except InputError as error:
        raise InputError(
            f"{path} cannot be read, so px will not overwrite it",
            why=error.what,
            hint="fix it, or delete it to lock from scratch",
            details=error.details,
        ) from error
