"""Read px.lock text into a :class:`Lock`, validating everything, all problems at once."""

from __future__ import annotations

import re
import sys
from typing import Any

from px.errors import InputError
from px.lock import values
from px.lock.model import LOCK_VERSION, Lock, LockedPackage, LockTarget, Roots, RootSet
from px.lock.parse_package import checked, read_dependencies, read_package
from px.lock.reader import Problems, TableReader

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

LABEL = "px.lock"
REGENERATE = "px.lock is generated: run `px lock` to write it again"
_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")


def parse(text: str | bytes, *, source: str = LABEL) -> Lock:
    """Parse and validate px.lock; raises one InputError listing every problem."""
    data = _loads(text, source)
    _check_version(data, source)
    problems = Problems(LABEL)
    lock = read_lock(TableReader(data, "", problems))
    if problems.lines:
        count = len(problems.lines)
        raise InputError(
            f"{LABEL} is invalid",
            why=f"{count} problem{'s' if count != 1 else ''} found in {source}",
            hint=REGENERATE,
            details=problems.lines,
        )
    assert lock is not None
    return lock


def _loads(text: str | bytes, source: str) -> dict[str, Any]:
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as error:
            raise InputError(
                f"{LABEL} is not UTF-8 text",
                why=f"undecodable byte at offset {error.start} of {source}",
                hint=REGENERATE,
            ) from None
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(getattr(error, "msg", None) or _POSITION.sub("", str(error)))
        line, column = getattr(error, "lineno", None), getattr(error, "colno", None)
        match = _POSITION.search(str(error))
        if not isinstance(line, int) and match:
            line, column = int(match.group(1)), int(match.group(2))
        where = f" at line {line}, column {column}" if isinstance(line, int) else ""
        raise InputError(
            f"{LABEL} is not valid TOML",
            why=f"{message}{where}",
            hint=REGENERATE,
            details=[f"{source}:{line}:{column}: {message}" if where else f"{source}: {message}"],
        ) from None
    return data


def _check_version(data: dict[str, Any], source: str) -> None:
    """Refuse a lock from a newer px before reading anything else of it."""
    version = data.get("version")
    if isinstance(version, int) and not isinstance(version, bool) and version > LOCK_VERSION:
        raise InputError(
            f"{LABEL} was written by a newer px (lock format version {version})",
            why=f"this px reads lock format version {LOCK_VERSION} only ({source})",
            hint="upgrade px to use this lock",
        )


def read_lock(reader: TableReader) -> Lock | None:
    version = reader.integer("version", required=True)
    if version is not None and version != LOCK_VERSION:
        reader.problems.add("version", f"unsupported lock format version {version}")
    requires_python = checked(
        reader, "requires-python", reader.string("requires-python"), values.specifier_problem
    )
    digest = reader.string("input-digest", required=True)
    if digest is not None and not values.DIGEST.match(digest):
        reader.problems.add("input-digest", f"{digest!r} is not 'sha256:' and 64 hex digits")
        digest = None
    targets = [read_target(table) for table in reader.tables("target", required=True)]
    if "target" in reader.data and not targets:
        reader.problems.add("target", "a lock needs at least one target")
    roots_table = reader.table("roots", required=True)
    roots = read_roots(roots_table) if roots_table is not None else None
    packages = [read_package(table) for table in reader.tables("package")]
    reader.finish()
    if reader.problems.lines or digest is None or roots is None:
        return None  # cross-references are checked once every entry reads well
    found = [(index, p) for index, p in enumerate(packages) if p is not None]
    lock = Lock(
        requires_python=requires_python,
        input_digest=digest,
        targets=tuple(t for t in targets if t is not None),
        packages=tuple(p for _, p in found),
        roots=roots,
    )
    check_references(lock, found, reader.problems)
    return lock


def read_target(reader: TableReader) -> LockTarget | None:
    target_id = reader.string("id", required=True)
    if target_id is not None and not values.TARGET_ID.match(target_id):
        reader.problems.add(reader.at("id"), f"invalid target id {target_id!r}")
    implementation = reader.string("implementation", required=True)
    python_version = reader.string("python-version", required=True)
    if python_version is not None and not values.PYTHON_VERSION.match(python_version):
        reader.problems.add(reader.at("python-version"), f"expected X.Y, got {python_version!r}")
    tags = reader.strings("platform-tags", required=True)
    markers = {}
    table = reader.table("markers")
    for name in table.keys() if table is not None else ():
        assert table is not None
        value = table.data[name]
        if name not in values.MARKER_NAMES:
            reader.problems.add(table.at(name), "not a PEP 508 marker variable")
        elif not isinstance(value, str):
            reader.problems.add(table.at(name), "expected a string")
        else:
            markers[name] = value
    reader.finish()
    if target_id is None or implementation is None or python_version is None or tags is None:
        return None
    return LockTarget(
        id=target_id,
        implementation=implementation,
        python_version=python_version,
        markers=tuple(markers.items()),
        platform_tags=tags,
    )


def read_roots(reader: TableReader) -> Roots:
    dependencies = read_dependencies(reader, "dependencies")
    sets: dict[str, list[RootSet]] = {}
    for key in ("optional-dependencies", "dependency-groups"):
        sets[key] = []
        table = reader.table(key)
        for name in table.keys() if table is not None else ():
            assert table is not None
            problem = values.name_problem(name)
            if problem:
                reader.problems.add(table.at(name), problem)
            sets[key].append(RootSet(name, read_dependencies(table, name)))
    reader.finish()
    return Roots(
        dependencies, tuple(sets["optional-dependencies"]), tuple(sets["dependency-groups"])
    )


def check_references(
    lock: Lock, packages: list[tuple[int, LockedPackage]], problems: Problems
) -> None:
    """Cross-references: targets exist, one version per name and target, edges resolve.

    ``packages`` pairs each package with its position in the file, for key paths.
    """
    target_ids = {t.id for t in lock.targets}
    if len(target_ids) != len(lock.targets):
        problems.add("target", "two targets share an id")
    seen: dict[tuple[str, str], LockedPackage] = {}
    names = {p.name for p in lock.packages}
    for index, package in packages:
        path = f"package[{index}]"
        for target in package.targets:
            if target not in target_ids:
                problems.add(f"{path}.targets", f"unknown target {target!r}")
            other = seen.get((package.name, target))
            if other is not None:
                versions = sorted({other.version, package.version})
                problems.add(
                    path,
                    f"{package.name} is locked twice for target {target!r}"
                    f" ({' and '.join(versions)})",
                )
            seen[(package.name, target)] = package
        for dependency in package.dependencies:
            if dependency.name not in names:
                problems.add(f"{path}.dependencies", f"{dependency.name!r} is not a locked package")
    roots = [("roots.dependencies", lock.roots.dependencies)]
    roots += [
        (f"roots.optional-dependencies.{s.name}", s.dependencies) for s in lock.roots.optional
    ]
    roots += [(f"roots.dependency-groups.{s.name}", s.dependencies) for s in lock.roots.groups]
    for path, dependencies in roots:
        for dependency in dependencies:
            if dependency.name not in names:
                problems.add(path, f"{dependency.name!r} is not a locked package")
