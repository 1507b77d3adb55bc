"""PEP 517 builds in isolated environments that px assembles from its own store (no pip).

A build environment is a throwaway, venv-shaped directory (the same generation
layout as a project's ``.px``) whose ``bin/python`` sees exactly the build
requirements: they are resolved by px's resolver against the project's
indexes for the target interpreter, fetched and ingested like any other wheel,
and linked from the store's shared trees. Nothing is cached on disk but
those trees; the environment lives in a temporary directory that is removed
when the build ends. The requirements a backend adds through
``get_requires_for_build_*`` are resolved together with ``[build-system]
requires``, and a second environment is made only when that changes the set.

A wheel built from an sdist is validated and ingested like a downloaded one
(``source="built"``) and remembered in ``built_wheels`` under the sdist's sha256
and the lock target id, so each sdist is built once per target.
"""

from __future__ import annotations

import contextlib
import hashlib
import tempfile
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)

from px.errors import BuildError, IntegrityError, PxError
from px.reporter import QuietReporter, Reporter

if TYPE_CHECKING:
    from packaging.requirements import Requirement

    from px.build.runner import HookRunner
    from px.index.client import IndexClient
    from px.index.models import CoreMetadata, FileInfo
    from px.install.wheel import WheelRecord
    from px.interp import Interpreter
    from px.lock import LockedPackage
    from px.store import Store

ENV_GENERATION = 1
# (sdist sha256, name) of the builds in progress in this context: a cycle guard.
_BUILDING: ContextVar[tuple[tuple[str, str], ...]] = ContextVar("px_building", default=())


@dataclass(frozen=True)
class _Plan:
    """The resolved build requirements: what an environment will hold."""

    packages: tuple[LockedPackage, ...]

    @property
    def pins(self) -> frozenset[tuple[str, str]]:
        return frozenset((p.name, p.version) for p in self.packages)


def build_environment(
    store: Store,
    client: IndexClient,
    interpreter: Interpreter,
    requirements: list[Requirement],
    *,
    parent: Path | None = None,
    reporter: Reporter | None = None,
) -> Path:
    """A new environment directory whose ``bin/python`` has exactly ``requirements``.

    The directory is created inside ``parent`` (inside the system's temporary
    directory when None); the caller removes it when done.
    """
    plan = _plan(store, client, interpreter, requirements, "the build requirements")
    return _materialise(store, client, interpreter, plan, parent, reporter or QuietReporter())


def wheel_from_sdist(
    store: Store,
    client: IndexClient,
    sdist_path: Path,
    sdist_sha256: str,
    interpreter: Interpreter,
    *,
    runner: HookRunner | None = None,
    reporter: Reporter | None = None,
) -> WheelRecord:
    """The wheel ``sdist_path`` builds into for ``interpreter``: from the store, else built."""
    from px.build.sdist import unpack_sdist
    from px.install.wheel import ingest_wheel, load_wheel
    from px.ops.context import lock_target
    from px.store.wheels import built_wheel, record_built_wheel

    target = lock_target(interpreter).id
    cached = built_wheel(store, sdist_sha256, target)
    if cached is not None:
        found = load_wheel(store, cached.sha256)
        if found is not None:
            return found
    _check_sha256(sdist_path, sdist_sha256)
    name = _sdist_label(sdist_path.name)
    with _building(sdist_sha256, name), tempfile.TemporaryDirectory(prefix="px-build-") as tmp:
        work = Path(tmp)
        source = unpack_sdist(sdist_path, work / "src")
        built = _build(
            store, client, interpreter, source, name, work, "wheel", runner,
            reporter or QuietReporter(),
        )  # fmt: skip
        _check_wheel(built, interpreter, name, expected=_sdist_identity(sdist_path.name))
        record = ingest_wheel(store, built, source="built")
    record_built_wheel(store, sdist_sha256, target, record.id)
    return record


def sdist_metadata(
    store: Store, client: IndexClient, interpreter: Interpreter, file: FileInfo
) -> CoreMetadata:
    """The core metadata of an sdist whose PKG-INFO cannot say its dependencies: read
    from the wheel it builds into for ``interpreter``.

    As uv and pip do when an sdist's metadata is dynamic. The wheel is built with
    :func:`wheel_from_sdist`, so it is built once per target and kept: installing
    the lock later finds it in the store and builds nothing.
    """
    from px.index.metadata import parse_core_metadata

    key = client.download(file)  # checked against the index's hashes; stored already
    with tempfile.TemporaryDirectory(prefix="px-sdist-") as tmp:
        path = Path(tmp) / file.filename
        store.blobs.write_to(key, path)
        sha256 = (file.sha256 or hashlib.sha256(path.read_bytes()).hexdigest()).lower()
        record = wheel_from_sdist(store, client, path, sha256, interpreter)
    name = f"{record.dist_info}/METADATA"
    (entry,) = [e for e in record.files if e.path == name]  # validated: exactly one
    return parse_core_metadata(store.blobs.get(entry.blob_key), source=record.filename)


def editable_wheel(
    store: Store,
    client: IndexClient,
    project_root: Path,
    interpreter: Interpreter,
    *,
    runner: HookRunner | None = None,
    reporter: Reporter | None = None,
) -> WheelRecord:
    """The project's PEP 660 editable wheel, built by its backend and ingested."""
    from px.install.wheel import ingest_wheel

    name = _project_label(project_root)
    with tempfile.TemporaryDirectory(prefix="px-editable-") as tmp:
        built = _build(
            store, client, interpreter, project_root, name, Path(tmp), "editable", runner,
            reporter or QuietReporter(),
        )  # fmt: skip
        _check_wheel(built, interpreter, name, expected=None)
        return ingest_wheel(store, built, source="editable")


# -- the build -------------------------------------------------------------------------


def _build(
    store: Store,
    client: IndexClient,
    interpreter: Interpreter,
    source: Path,
    name: str,
    work: Path,
    kind: Literal["wheel", "editable"],
    runner: HookRunner | None,
    reporter: Reporter,
) -> Path:
    """Build ``source`` in an isolated environment under ``work``; the wheel's path."""
    from px.build.hooks import Backend
    from px.build.system import read_build_system
    from px.install.generation import python_in

    system = read_build_system(source, name=name)
    label = f"the build requirements of {name}"
    plan = _plan(store, client, interpreter, list(system.requires), label)
    env = _materialise(store, client, interpreter, plan, work, reporter)
    backend = Backend(source, system, python_in(env), name=name, runner=runner)
    reporter.note(f"building {name}")
    if kind == "wheel":
        extra = backend.get_requires_for_build_wheel()
    else:
        extra = backend.get_requires_for_build_editable()
    if extra:
        wider = _plan(store, client, interpreter, [*system.requires, *extra], label)
        if wider.pins != plan.pins:
            env = _materialise(store, client, interpreter, wider, work, reporter)
            backend = Backend(source, system, python_in(env), name=name, runner=runner)
    out = work / "dist"
    return backend.build_wheel(out) if kind == "wheel" else backend.build_editable(out)


def _plan(
    store: Store,
    client: IndexClient,
    interpreter: Interpreter,
    requirements: Sequence[Requirement],
    label: str,
) -> _Plan:
    """Resolve ``requirements`` for ``interpreter`` with px's resolver (none: no index asked)."""
    from px.ops.resolved import resolve_packages

    return _Plan(tuple(resolve_packages(store, client, interpreter, requirements, label=label)))


def _materialise(
    store: Store,
    client: IndexClient,
    interpreter: Interpreter,
    plan: _Plan,
    parent: Path | None,
    reporter: Reporter,
) -> Path:
    """Fetch, ingest and link ``plan`` into a new environment directory; its path."""
    from px.install import generation
    from px.ops.materialize import assemble, fetch_wheels

    wheels = fetch_wheels(store, client, interpreter, plan.packages, reporter)
    if parent is not None:
        parent.mkdir(parents=True, exist_ok=True)
    env = Path(tempfile.mkdtemp(prefix="env-" if parent else "px-build-env-", dir=parent))
    assemble(store, interpreter, wheels, env, ENV_GENERATION, store.directory / "trees", reporter)
    generation.switch(env, ENV_GENERATION)
    return env


# -- checks and labels -----------------------------------------------------------------


@contextlib.contextmanager
def _building(sdist_sha256: str, name: str) -> Iterator[None]:
    chain = _BUILDING.get()
    if any(key == sdist_sha256 for key, _ in chain):
        path = " -> ".join([*(n for _, n in chain), name])
        raise BuildError(
            f"cannot build {name}: building it needs {name} itself",
            why=f"the build requirements form a cycle: {path}",
            hint="publish or use a wheel of one of these packages",
        )
    token = _BUILDING.set((*chain, (sdist_sha256, name)))
    try:
        yield
    finally:
        _BUILDING.reset(token)


def _check_sha256(path: Path, expected: str) -> None:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != expected.lower():
        raise IntegrityError(
            f"refusing to build {path.name}: its sha256 is not the one expected",
            why=f"expected {expected.lower()}, the file has {digest.hexdigest()}",
            hint="download it again",
        )


def _sdist_identity(filename: str) -> tuple[str, str] | None:
    try:
        name, version = parse_sdist_filename(filename)
    except InvalidSdistFilename:
        return None
    return str(name), str(version)


def _sdist_label(filename: str) -> str:
    identity = _sdist_identity(filename)
    return f"{identity[0]} {identity[1]}" if identity else filename


def _project_label(root: Path) -> str:
    from px.project import load_project

    try:
        project = load_project(root)
    except PxError:
        return root.name
    return f"{project.name} {project.version}" if project.version else project.name


def _check_wheel(
    path: Path, interpreter: Interpreter, label: str, *, expected: tuple[str, str] | None
) -> None:
    """The built wheel must be the distribution asked for, and usable by ``interpreter``."""
    try:
        name, version, _build_tag, tags = parse_wheel_filename(path.name)
    except InvalidWheelFilename as error:
        raise BuildError(
            f"building {label} produced {path.name}, which is not a valid wheel name",
            why=str(error),
        ) from None
    if expected is not None:
        want_name, want_version = expected
        if name != canonicalize_name(want_name) or str(version) != want_version:
            raise BuildError(
                f"building {label} produced a wheel of {name} {version}",
                why=f"the sdist is {want_name} {want_version}",
                hint="the sdist's metadata does not match its file name; report it upstream",
            )
    supported = set(interpreter.tags)
    if not any(str(tag) in supported for tag in tags):
        raise BuildError(
            f"building {label} produced {path.name}, which {interpreter.describe()} cannot use",
            hint="check the build backend's configuration for this platform",
        )
