"""`px install`: turn px.lock into the project's environment, as one transaction.

Steps: decide with the standard library alone whether ``.px`` already matches
(the hot path); otherwise lock if needed (never with ``--frozen``), fetch and
verify every artifact against the lock's sha256, ingest wheels into the store,
materialise shared read-only trees, then (:mod:`px.ops.activate`) assemble a
new generation of links to them, record it as staged, switch ``.px/current``
atomically, mark it committed and write ``.px/state``. The plan of that last
step is remembered, so a warm install of the same files elsewhere starts there
(:mod:`px.cli.fastinstall`). A failure anywhere before the switch leaves the
previous environment untouched; a kill at any moment is repaired by the next
run, which builds a fresh generation.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from px.config import Settings
from px.errors import InstallError, LockStale
from px.install import state
from px.install.select import selection_key
from px.ops.activate import project_lock
from px.reporter import QuietReporter, Reporter

if TYPE_CHECKING:
    import contextlib

    from px.install.workers import Workers
    from px.interp import Interpreter
    from px.lock import Artifact, Lock
    from px.ops.activate import Plan
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
        from px.ops.lock import read_lock

        lock = read_lock(root / "px.lock")  # (read once: _install takes it)
        packages = () if lock is None else lock.packages
        wheels = [[a for a in p.artifacts if a.is_wheel] for p in packages]
        with _workers_for(settings, wheels) as workers:
            return _install(
                settings,
                root,
                lock,
                frozen,
                not no_dev,
                chosen_groups,
                list(extras),
                selection,
                reporter or QuietReporter(),
                workers,
            )


def _workers_for(
    settings: Settings, wheels: Sequence[Sequence[Artifact]]
) -> Workers | contextlib.nullcontext[None]:
    """The processes that will validate the wheels the store lacks, started now, before
    px imports what installs (0.25 s), so that they are ready when the first download
    lands; ``None`` when this looks like a small or warm install.

    ``wheels``: per package of px.lock, its wheels. Started after the store was read,
    the workers became ready 0.3-0.4 s later than this, about when the downloads had
    all landed. The guess reads the trees directory: a package counts as missing when
    no tree of one of its wheels is there, at the size of its largest wheel. A wrong
    guess costs little: workers started for nothing (0.1 s of CPU each) are stopped
    unused; a missing wheel not foreseen is validated as before, with workers started
    then.
    """
    import contextlib

    from px.install.workers import Workers, worker_count

    requested = settings.install_workers
    if requested == 0 or not wheels:
        return contextlib.nullcontext()
    try:
        present = {name[:40] for name in os.listdir(settings.store_dir / "trees")}
    except OSError:
        present = set()
    count = size = 0
    for artifacts in wheels:
        if artifacts and not any(a.sha256[:40] in present for a in artifacts):
            count += 1
            size += max(a.size or 0 for a in artifacts)
    started = worker_count(size, count, requested)
    if not started:
        return contextlib.nullcontext()
    from px.index import tls

    tls.settle()  # its thread, started when px went online, would keep the workers from forking
    return Workers(started)


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
    locked: Lock | None,
    frozen: bool,
    dev: bool,
    groups: list[str],
    extras: list[str],
    selection: str,
    reporter: Reporter,
    workers: Workers | None = None,
) -> InstallResult:
    from px.install import generation
    from px.install.select import select
    from px.ops.activate import Plan, activate
    from px.ops.audited import audited_store
    from px.ops.context import choose_for, index_client
    from px.ops.materialize import fetch_missing, materialise, stored_wheels
    from px.project import input_digest, load_project

    project = load_project(root)
    lock = _current_lock(project, locked, frozen, settings)
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
                fetched = fetch_missing(
                    store,
                    client,
                    interpreter,
                    missing,
                    reporter,
                    workers=settings.install_workers if workers is None else workers,
                )
                found.update(fetched)
                if project.is_package:
                    from px.ops.build_env import editable_wheel

                    editable = editable_wheel(store, client, root, interpreter, reporter=reporter)
            finally:
                client.close()
        wheels = [found[p.name] for p in packages]
        if project.is_package:
            wheels.append(editable)
        trees_root = settings.store_dir / "trees"
        made = materialise(store, interpreter, wheels, trees_root, reporter)
        plan = Plan(
            interpreter=interpreter,
            target=target.id,
            input_digest=input_digest(project),
            packages=len(packages),
            wheel_ids=tuple(w.id for w in wheels),
            trees=made.trees,
            entry_points=made.entry_points,
        )
        number, warnings = activate(store, root, plan, selection, trees_root)
        if not project.is_package:  # an editable install is made for its own directory
            _remember_plan(store, root, selection, settings, plan)
    return InstallResult(
        str(root),
        "installed",
        number,
        len(packages),
        str(generation.python_in(px_dir)),
        tuple(warnings),
    )


def _remember_plan(
    store: Store, root: Path, selection: str, settings: Settings, plan: Plan
) -> None:
    """Let the next warm install of these exact files skip straight to :func:`activate`."""
    from px.store import install_plans

    try:
        pyproject = (root / "pyproject.toml").read_bytes()
        lock = (root / "px.lock").read_bytes()
    except OSError:
        return
    key = install_plans.plan_key(pyproject, lock, selection, settings.python or "", os.environ)
    install_plans.remember(store, key, plan.to_json())


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
