"""`px tidy`: make ``.px`` exactly the lock, drop old generations, and check the declarations.

Besides syncing the environment and removing every generation but the current
one, tidy compares what the project declares with what its code imports (the
rule is in :mod:`px.tools.deps`): which distribution provides which module is
read from the wheels of the current generation in the store. ``fix`` removes
the unused declarations (not those only the tests import: they belong in the
``dev`` group) through `px remove`, which re-locks, and syncs again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from px.config import Settings
from px.reporter import QuietReporter, Reporter
from px.tools.deps import (
    DEV,
    RUNTIME,
    Declared,
    DependencyReport,
    Distribution,
    Undeclared,
    Unused,
)

if TYPE_CHECKING:
    from px.project import Project
    from px.store import Store

EXTRA_PREFIX = "project.optional-dependencies."


@dataclass(frozen=True)
class TidyResult:
    project: str
    generation: int | None
    removed_generations: tuple[int, ...]
    unused: tuple[Unused, ...] = ()
    undeclared: tuple[Undeclared, ...] = ()
    fixed: tuple[Unused, ...] = ()  # declarations removed (with --fix)
    unreadable: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, object]:
        return {
            "project": self.project,
            "generation": self.generation,
            "removed_generations": list(self.removed_generations),
            "unused": [_unused_json(u) for u in self.unused],
            "undeclared": [_undeclared_json(u) for u in self.undeclared],
            "fixed": [_unused_json(u) for u in self.fixed],
            "unreadable": list(self.unreadable),
        }


def _unused_json(u: Unused) -> dict[str, object]:
    return {"name": u.name, "where": u.where, "tests_only": u.tests_only}


def _undeclared_json(u: Undeclared) -> dict[str, object]:
    return {
        "module": u.module,
        "files": list(u.files),
        "tests": u.tests,
        "provided_by": u.provided_by,
    }


def tidy(
    settings: Settings, start: Path, *, fix: bool = False, reporter: Reporter | None = None
) -> TidyResult:
    """Sync, check the declarations (and remove the unused ones with ``fix``), drop old gens."""
    from px.install import generation
    from px.ops.audited import audited_store
    from px.ops.env import prepare
    from px.store import environments

    reporter = reporter or QuietReporter()
    root = prepare(settings, start, frozen=False, reporter=reporter)
    report = _check(settings, root)
    fixed: tuple[Unused, ...] = ()
    if fix:
        fixed = tuple(u for u in report.unused if not u.tests_only)
        if fixed:
            _remove(settings, root, fixed, reporter)
            prepare(settings, root, frozen=False, reporter=reporter)
            report = _check(settings, root)
    current = generation.current_generation(root / ".px")
    keep = {current} if current is not None else set()
    removed = generation.remove_generations(root / ".px", keep)
    with audited_store(settings, "tidy") as store:
        environments.mark_removed(store, str(root), removed)
    return TidyResult(
        str(root), current, tuple(removed), unused=report.unused,
        undeclared=report.undeclared, fixed=fixed, unreadable=report.unreadable,
    )  # fmt: skip


def _check(settings: Settings, root: Path) -> DependencyReport:
    """Compare the declarations of the project at ``root`` with its imports."""
    from px.install import generation
    from px.ops.audited import audited_store
    from px.project import load_project
    from px.tools.deps import check_dependencies
    from px.tools.imports import scan_imports

    project = load_project(root)
    with audited_store(settings, "tidy") as store:
        installed = _installed(store, root, generation.current_generation(root / ".px"))
    imports = scan_imports(root)
    return check_dependencies(declared(project), imports, installed, project=project.name)


def declared(project: Project) -> list[Declared]:
    """The runtime dependencies, the extras' and the dev group's own entries."""
    from px.project import DEV_GROUP, normalize_name

    found = [Declared(normalize_name(r.name), RUNTIME) for r in project.dependencies]
    for extra in project.extras:
        where = EXTRA_PREFIX + extra.name
        found += [Declared(normalize_name(r.name), where) for r in extra.requirements]
    dev = project.group(DEV_GROUP)
    if dev is not None:
        included = {
            normalize_name(r.name)
            for name in dev.includes
            if (group := project.group(name)) is not None
            for r in group.requirements
        }  # entries that come from {include-group = ...} are that group's, not dev's
        found += [
            Declared(normalize_name(r.name), DEV)
            for r in dev.requirements
            if normalize_name(r.name) not in included
        ]
    return found


def _installed(store: Store, root: Path, number: int | None) -> dict[str, Distribution]:
    """What each wheel of the generation provides, read from its manifest in the store."""
    from px.install.wheel import load_wheel
    from px.store.generation_wheels import generation_wheel_sha256s
    from px.tools.provides import provided_modules

    if number is None:
        return {}
    found: dict[str, Distribution] = {}
    for sha in generation_wheel_sha256s(store, str(root), number):
        wheel = load_wheel(store, sha)
        if wheel is None:
            continue
        top_level = next(
            (f.blob_key for f in wheel.files if f.path == f"{wheel.dist_info}/top_level.txt"), None
        )
        text = store.blobs.get(top_level).decode("utf-8", "replace") if top_level else None
        commands = bool(wheel.entry_points.console or wheel.entry_points.gui)
        found[wheel.name] = Distribution(
            wheel.name,
            provided_modules((f.path for f in wheel.files), text),
            has_commands=commands or "scripts" in wheel.data_dirs,
        )
    return found


def _remove(settings: Settings, root: Path, unused: Sequence[Unused], reporter: Reporter) -> None:
    from px.ops.edit import remove

    by_where: dict[str, list[str]] = {}
    for u in unused:
        by_where.setdefault(u.where, []).append(u.name)
    for where, names in sorted(by_where.items()):
        reporter.note(f"removing {', '.join(names)} from {where}")
        if where == DEV:
            remove(settings, root, names, dev=True, reporter=reporter)
        elif where.startswith(EXTRA_PREFIX):
            remove(settings, root, names, optional=where.removeprefix(EXTRA_PREFIX),
                   reporter=reporter)  # fmt: skip
        else:
            remove(settings, root, names, reporter=reporter)
