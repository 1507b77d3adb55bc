"""`px install`: turn px.lock into the project's environment, as one transaction.

Steps: decide with the standard library alone whether ``.px`` already matches
(the hot path); otherwise lock if needed (never with ``--frozen``), fetch and
verify every artifact against the lock's sha256, ingest wheels into the store,
materialise shared read-only trees, assemble a new generation of links to them,
record it as staged, switch ``.px/current`` atomically, mark it committed and
write ``.px/state.json``. A failure anywhere before the switch leaves the
previous environment untouched; a kill at any moment is repaired by the next
run, which builds a fresh generation.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from px.config import Settings
from px.errors import Busy, InstallError, LockStale
from px.install import state
from px.install.select import selection_key
from px.reporter import QuietReporter, Reporter

if TYPE_CHECKING:
    from px.interp import Interpreter
    from px.lock import Lock
    from px.project import Project
    from px.store import Store


@dataclass(frozen=True)
class InstallResult:
    project: str
    status: str  # "installed" or "up-to-date"
    generation: int | None
    packages: int
    python: str
    warnings: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, object]:
        return {
            "project": self.project,
            "status": self.status,
            "generation": self.generation,
            "packages": self.packages,
            "python": self.python,
            "warnings": list(self.warnings),
        }


@contextlib.contextmanager
def project_lock(px_dir: Path, *, wait: bool = True) -> Iterator[None]:
    """Serialise installs of one project: a second px waits for the first."""
    px_dir.mkdir(exist_ok=True)
    with open(px_dir / ".lock", "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError as error:
            raise Busy(f"another px is installing into {px_dir}") from error
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def install(
    settings: Settings,
    start: Path,
    *,
    frozen: bool = False,
    no_dev: bool = False,
    groups: Sequence[str] = (),
    extras: Sequence[str] = (),
    reporter: Reporter | None = None,
) -> InstallResult:
    from px.project import find_project

    root = find_project(start)  # the documented "no pyproject.toml" error when there is none
    chosen_groups = sorted(set(groups))
    selection = selection_key(not no_dev, chosen_groups, extras)
    px_dir = root / ".px"
    if state.is_current(str(root), selection):
        return _up_to_date(root)
    with project_lock(px_dir):
        if state.is_current(str(root), selection):  # another px finished it while we waited
            return _up_to_date(root)
        return _install(
            settings,
            root,
            frozen,
            not no_dev,
            chosen_groups,
            list(extras),
            selection,
            reporter or QuietReporter(),
        )


def _up_to_date(root: Path) -> InstallResult:
    current = state.read(str(root / ".px"))
    return InstallResult(
        str(root),
        "up-to-date",
        _int(current.get("generation")),
        _int(current.get("packages")) or 0,
        current.get("python", ""),
    )


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _install(
    settings: Settings,
    root: Path,
    frozen: bool,
    dev: bool,
    groups: list[str],
    extras: list[str],
    selection: str,
    reporter: Reporter,
) -> InstallResult:
    from px.install import generation
    from px.install.select import select
    from px.install.tree import compile_later
    from px.ops.audited import audited_store
    from px.ops.context import choose_for, index_client
    from px.ops.lock import read_lock
    from px.ops.materialize import assemble, fetch_missing, stored_wheels
    from px.project import input_digest, load_project
    from px.store import environments

    project = load_project(root)
    lock = _current_lock(project, read_lock(root / "px.lock"), frozen, settings)
    target = lock.targets[0]
    interpreter = choose_for(project, settings, target.python_version)
    _check_target(interpreter, target.id)
    packages = select(lock, target.id, groups, extras, dev=dev)
    px_dir = root / ".px"
    with audited_store(settings, "install") as store:
        found, missing = stored_wheels(store, interpreter, packages)
        if missing or project.is_package:  # a warm install needs no index client at all
            client = index_client(store, project, settings)
            try:
                found.update(fetch_missing(store, client, interpreter, missing, reporter))
                if project.is_package:
                    from px.ops.build_env import editable_wheel

                    editable = editable_wheel(store, client, root, interpreter, reporter=reporter)
            finally:
                client.close()
        wheels = [found[p.name] for p in packages]
        if project.is_package:
            wheels.append(editable)
        number = generation.next_number(px_dir)
        trees = assemble(
            store, interpreter, wheels, px_dir, number, settings.store_dir / "trees", reporter
        )
        lock_sha = state.file_sha256(str(root / "px.lock"))
        gen_id = environments.stage(
            store,
            project=str(root),
            number=number,
            lock_sha256=lock_sha,
            python=interpreter.base_executable,
            selection=selection,
            wheel_ids=[w.id for w in wheels],
        )
        generation.switch(px_dir, number)
        environments.commit(store, gen_id)
        compile_later(
            interpreter,
            trees.trees,
            generation.site_packages(px_dir / "gens" / str(number), interpreter),
        )
        _audit_pth_files(store, root, number, generation.site_packages(px_dir, interpreter))
        state.write(
            str(root),
            selection,
            number,
            {
                "python": str(generation.python_in(px_dir)),
                "base_python": interpreter.base_executable,
                "packages": str(len(packages)),
                "target": target.id,
                "input_digest": input_digest(project),
                "trees": str(settings.store_dir / "trees"),
            },
        )
    return InstallResult(
        str(root),
        "installed",
        number,
        len(packages),
        str(generation.python_in(px_dir)),
        tuple(trees.warnings),
    )


def _audit_pth_files(store: Store, root: Path, number: int, site: Path) -> None:
    """Each .pth file runs code at every interpreter start: record every one we install."""
    from px.store import audit

    started = audit.now()
    for name in sorted(os.listdir(site)):
        if name.endswith(".pth"):
            audit.record(
                store,
                "install: .pth file",
                started_at=started,
                outcome="ok",
                exit_code=0,
                detail={"project": str(root), "generation": number, "file": name},
            )


def _current_lock(project: Project, lock: Lock | None, frozen: bool, settings: Settings) -> Lock:
    """The lock to install: px.lock when current; locked afresh when not (never with --frozen)."""
    from px.ops.lock import lock as relock
    from px.ops.lock import read_lock
    from px.project import input_digest

    path = project.root / "px.lock"
    stale = lock is None or lock.input_digest != input_digest(project)
    if not stale:
        assert lock is not None
        return lock
    if frozen:
        what = "missing" if lock is None else "stale"
        raise LockStale(
            f"{path} is {what}",
            why="--frozen installs exactly px.lock and never resolves",
            hint="run `px lock` (or `px install` without --frozen)",
        )
    relock(settings, project.root)
    fresh = read_lock(path)
    assert fresh is not None
    return fresh


def _check_target(interpreter: Interpreter, target_id: str) -> None:
    from px.ops.context import lock_target

    mine = lock_target(interpreter).id
    if mine != target_id:
        raise InstallError(
            f"px.lock was made for {target_id}, but this interpreter is {mine}",
            hint="run `px lock` here, or pick a matching interpreter with --python",
        )
