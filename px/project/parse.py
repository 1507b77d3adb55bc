"""Build a :class:`Project` from the text of a pyproject.toml, collecting every problem."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from packaging.requirements import Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from px.project import toml_read
from px.project.groups import read_groups
from px.project.model import BuildSystem, Extra, Project
from px.project.problems import Problems, key_path
from px.project.requirements import is_valid_name, normalize_name, read_requirement
from px.project.settings import read_settings

LABEL = "pyproject.toml"
HINT = "fix the entries listed above in pyproject.toml, then run the command again"
# px resolves from static metadata, so these may not be computed by a build backend.
STATIC_FIELDS = ("name", "dependencies", "optional-dependencies")


def parse_pyproject(text: str, *, root: Path, source: str = LABEL) -> Project:
    """Parse and validate; raises one InputError listing every problem."""
    data = toml_read.loads(text, label=LABEL, source=source)
    problems = Problems(LABEL)
    project = read_document(data, root, problems)
    problems.raise_if_any(f"{LABEL} is invalid", hint=HINT)
    assert project is not None  # no problems means every part was read
    return project


def read_document(data: dict[str, Any], root: Path, problems: Problems) -> Project | None:
    table = problems.table(data, "project", "")
    if table is None and "project" not in data:
        problems.add("project", "missing: px needs a [project] table with at least a name")
    build_system = _read_build_system(data, problems)
    tool = problems.table(data, "tool", "")
    settings = read_settings(tool.get("px") if tool else None, problems)
    groups = read_groups(data.get("dependency-groups"), problems)
    if table is None:
        return None
    raw_name = problems.string(table, "name", "project", required=True)
    if raw_name is not None and not is_valid_name(raw_name):
        problems.add("project.name", f"invalid project name {raw_name!r}")
        raw_name = None
    dynamic = tuple(value for _, value in problems.strings(table, "dynamic", "project"))
    for field in STATIC_FIELDS:
        if field in dynamic:
            problems.add("project.dynamic", f"{field!r} cannot be dynamic in a px project")
    version = _read_version(table, dynamic, problems)
    requires_python = _read_specifier(table, "requires-python", "project", problems)
    dependencies = _read_requirements(table, "dependencies", "project", problems)
    extras = _read_extras(table, problems)
    if raw_name is None:
        return None
    return Project(
        root=root,
        name=normalize_name(raw_name),
        name_as_written=raw_name,
        version=version,
        dynamic=dynamic,
        requires_python=requires_python,
        dependencies=dependencies,
        extras=extras,
        groups=groups,
        build_system=build_system,
        px=settings,
    )


def _read_version(
    table: dict[str, Any], dynamic: tuple[str, ...], problems: Problems
) -> str | None:
    version = problems.string(table, "version", "project")
    if version is None:
        return None
    if "version" in dynamic:
        problems.add("project.version", "set although 'version' is listed in project.dynamic")
    try:
        Version(version)
    except InvalidVersion:
        problems.add("project.version", f"invalid version {version!r} (see PEP 440)")
        return None
    return version


def _read_specifier(
    table: dict[str, Any], key: str, parent: str, problems: Problems
) -> SpecifierSet | None:
    text = problems.string(table, key, parent)
    if text is None:
        return None
    try:
        return SpecifierSet(text)
    except InvalidSpecifier:
        problems.add(key_path(parent, key), f"invalid version specifier {text!r}")
        return None


def _read_requirements(
    table: dict[str, Any], key: str, parent: str, problems: Problems
) -> tuple[Requirement, ...]:
    path = key_path(parent, key)
    found = []
    for index, text in problems.strings(table, key, parent):
        requirement = read_requirement(text, f"{path}[{index}]", problems)
        if requirement is not None:
            found.append(requirement)
    return tuple(found)


def _read_extras(table: dict[str, Any], problems: Problems) -> tuple[Extra, ...]:
    parent = "project.optional-dependencies"
    extras = problems.table(table, "optional-dependencies", "project")
    if extras is None:
        return ()
    found: dict[str, Extra] = {}
    for name in extras:
        if not is_valid_name(name):
            problems.add(key_path(parent, name), f"invalid extra name {name!r}")
            continue
        requirements = _read_requirements(extras, name, parent, problems)
        normal = normalize_name(name)
        if normal in found:
            problems.add(
                key_path(parent, name), "duplicate extra: another has the same normalised name"
            )
            continue
        found[normal] = Extra(normal, requirements)
    return tuple(found[name] for name in sorted(found))


def _read_build_system(data: dict[str, Any], problems: Problems) -> BuildSystem | None:
    table = problems.table(data, "build-system", "")
    if table is None:
        return None
    if "requires" not in table:
        problems.add("build-system.requires", "missing (PEP 518 requires it in [build-system])")
    requires = _read_requirements(table, "requires", "build-system", problems)
    backend = problems.string(table, "build-backend", "build-system")
    backend_path = problems.strings(table, "backend-path", "build-system")
    return BuildSystem(requires, backend, tuple(path for _, path in backend_path))
