"""`px add` and `px remove`: edit pyproject.toml, re-lock, and write both only on success.

Nothing is written until the new lock is resolved: a requirement that cannot
be satisfied leaves pyproject.toml and px.lock byte-for-byte as they were.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from px.config import Settings
from px.errors import InputError
from px.lock import serialise
from px.ops.audited import audited_store
from px.ops.lock import (
    LockResult,
    changes,
    existing_lock,
    record,
    resolve_lock,
    write_atomic,
)
from px.project import DEV_GROUP, Project, find_project, parse_pyproject
from px.project.edit import add_requirement, remove_requirement
from px.reporter import Reporter

if TYPE_CHECKING:
    from px.ops.install import InstallResult


@dataclass(frozen=True)
class EditResult:
    pyproject: str
    declared: tuple[str, ...]  # the requirements as written to pyproject.toml (or removed)
    where: str
    lock: LockResult
    install: InstallResult | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "pyproject": self.pyproject,
            "requirements": list(self.declared),
            "where": self.where,
            "lock": self.lock.to_json(),
            "install": None if self.install is None else self.install.to_json(),
        }

    def installed(self, result: InstallResult) -> EditResult:
        return dataclasses.replace(self, install=result)


def _where(group: str | None, optional: str | None) -> str:
    if optional:
        return f"project.optional-dependencies.{optional}"
    if group:
        return f"dependency-groups.{group}"
    return "project.dependencies"


def _parse_requirements(texts: Sequence[str]) -> list[Requirement]:
    parsed = []
    for text in texts:
        try:
            parsed.append(Requirement(text))
        except InvalidRequirement as error:
            raise InputError(
                f"invalid requirement {text!r}",
                why=str(error),
                hint="write it as in pyproject.toml, e.g. 'requests>=2.31' or 'rich[jupyter]'",
            ) from error
    return parsed


def _with_lower_bound(requirement: Requirement, version: str) -> str:
    """``name`` -> ``name>=version`` (as uv does); a given specifier is kept as written."""
    if requirement.specifier or requirement.url:
        return str(requirement)
    bounded = Requirement(str(requirement))
    bounded.specifier = SpecifierSet(f">={version}")
    return str(bounded)


def _relock_and_write(
    settings: Settings,
    root: Path,
    original: str,
    edited: str,
    *,
    command: str,
    finalize_text: Callable[[dict[str, str]], str] | None = None,
    upgrade_packages: Sequence[str] = (),
    reporter: Reporter | None = None,
) -> LockResult:
    pyproject = root / "pyproject.toml"
    lock_path = root / "px.lock"
    existing = existing_lock(lock_path)
    project = parse_pyproject(edited, root=root)
    final_text = edited

    def finalize(pins: dict[str, str]) -> Project:
        nonlocal final_text
        if finalize_text is not None:
            final_text = finalize_text(pins)
        return parse_pyproject(final_text, root=root)

    with audited_store(settings, command) as store:
        project, new, warnings = resolve_lock(
            store,
            project,
            settings,
            existing,
            upgrade_packages=upgrade_packages,
            finalize=finalize,
            reporter=reporter,
        )
        text = serialise(new)
        if final_text != original:
            write_atomic(pyproject, final_text)
        status = "unchanged"
        if not lock_path.exists() or lock_path.read_text(encoding="utf-8") != text:
            write_atomic(lock_path, text)
            status = "written"
        history_id = record(store, project, text, new, command)
    return LockResult(
        str(lock_path),
        status,
        new.targets[0].id,
        len(new.packages),
        changes(existing, new),
        history_id,
        warnings,
    )


def add(
    settings: Settings,
    start: Path,
    requirements: Sequence[str],
    *,
    group: str | None = None,
    dev: bool = False,
    optional: str | None = None,
    reporter: Reporter | None = None,
) -> EditResult:
    root = find_project(start)
    pyproject = root / "pyproject.toml"
    original = pyproject.read_text(encoding="utf-8")
    parsed = _parse_requirements(requirements)
    group = DEV_GROUP if dev else group
    edited = original
    for requirement in parsed:
        edited = add_requirement(edited, str(requirement), group=group, optional=optional)
    declared: list[str] = [str(r) for r in parsed]

    def bounded(pins: dict[str, str]) -> str:
        text = original
        declared.clear()
        for requirement in parsed:
            version = pins.get(canonicalize_name(requirement.name))
            written = _with_lower_bound(requirement, version) if version else str(requirement)
            declared.append(written)
            text = add_requirement(text, written, group=group, optional=optional)
        return text

    result = _relock_and_write(
        settings,
        root,
        original,
        edited,
        command=f"add {' '.join(requirements)}",
        finalize_text=bounded,
        upgrade_packages=[r.name for r in parsed],
        reporter=reporter,
    )
    return EditResult(str(pyproject), tuple(declared), _where(group, optional), result)


def remove(
    settings: Settings,
    start: Path,
    names: Sequence[str],
    *,
    group: str | None = None,
    dev: bool = False,
    optional: str | None = None,
    reporter: Reporter | None = None,
) -> EditResult:
    root = find_project(start)
    pyproject = root / "pyproject.toml"
    original = pyproject.read_text(encoding="utf-8")
    group = DEV_GROUP if dev else group
    edited = original
    for name in names:
        edited = remove_requirement(edited, name, group=group, optional=optional)
    result = _relock_and_write(
        settings, root, original, edited, command=f"remove {' '.join(names)}", reporter=reporter
    )
    return EditResult(str(pyproject), tuple(names), _where(group, optional), result)
