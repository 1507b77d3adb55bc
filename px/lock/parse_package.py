"""Read ``[[package]]`` tables (and the dependency tables shared with ``[roots]``)."""

from __future__ import annotations

from collections.abc import Callable

from px.lock import values
from px.lock.model import (
    Artifact,
    Dependency,
    IndexSource,
    LockedPackage,
    PathSource,
    Source,
    VcsSource,
)
from px.lock.reader import TableReader


def checked(
    reader: TableReader, key: str, value: str | None, check: Callable[[str], str | None]
) -> str | None:
    """``value`` when ``check`` finds nothing wrong; else record the problem and return None."""
    if value is None:
        return None
    problem = check(value)
    if problem:
        reader.problems.add(reader.at(key), problem)
        return None
    return value


def read_names(reader: TableReader, key: str) -> tuple[str, ...]:
    """An array of normalised names; bad items are problems and left out."""
    good = []
    for index, name in enumerate(reader.strings(key) or ()):
        problem = values.name_problem(name)
        if problem:
            reader.problems.add(f"{reader.at(key)}[{index}]", problem)
        else:
            good.append(name)
    return tuple(good)


def read_dependency(reader: TableReader) -> Dependency | None:
    name = checked(reader, "name", reader.string("name", required=True), values.name_problem)
    specifier = checked(reader, "specifier", reader.string("specifier"), values.specifier_problem)
    marker = checked(reader, "marker", reader.string("marker"), values.marker_problem)
    extras = read_names(reader, "extras")
    reader.finish()
    return None if name is None else Dependency(name, specifier or "", marker, extras)


def read_dependencies(reader: TableReader, key: str) -> tuple[Dependency, ...]:
    found = [read_dependency(table) for table in reader.tables(key)]
    return tuple(d for d in found if d is not None)


def read_source(reader: TableReader) -> Source | None:
    kind = reader.string("kind", required=True)
    source: Source | None = None
    if kind == "index":
        url = checked(reader, "url", reader.string("url", required=True), values.url_problem)
        source = IndexSource(url) if url is not None else None
    elif kind == "vcs":
        vcs = reader.string("vcs", required=True)
        if vcs is not None and vcs not in values.VCS_KINDS:
            reader.problems.add(reader.at("vcs"), f"unknown version control system {vcs!r}")
            vcs = None
        url = checked(reader, "url", reader.string("url", required=True), values.url_problem)
        commit = reader.string("commit", required=True)
        if commit is not None and not values.COMMIT.match(commit):
            reader.problems.add(reader.at("commit"), f"{commit!r} is not a full commit hash")
            commit = None
        if vcs is not None and url is not None and commit is not None:
            source = VcsSource(url, commit, vcs)
    elif kind == "path":
        path = reader.string("path", required=True)
        editable = reader.boolean("editable")
        if path == "":
            reader.problems.add(reader.at("path"), "must not be empty")
        elif path is not None:
            source = PathSource(path, bool(editable))
    elif kind is not None:
        reader.problems.add(reader.at("kind"), f"unknown source kind {kind!r} (index, vcs, path)")
    if kind in ("index", "vcs", "path"):
        reader.finish()
    return source


def read_artifact(reader: TableReader) -> Artifact | None:
    filename = checked(
        reader, "filename", reader.string("filename", required=True), values.filename_problem
    )
    url = checked(reader, "url", reader.string("url", required=True), values.url_problem)
    sha256 = checked(
        reader, "sha256", reader.string("sha256", required=True), values.sha256_problem
    )
    size = reader.integer("size")
    if size is not None and size < 0:
        reader.problems.add(reader.at("size"), "must not be negative")
    reader.finish()
    if filename is None or url is None or sha256 is None or (size is not None and size < 0):
        return None
    return Artifact(filename, url, sha256, size)


def read_package(reader: TableReader) -> LockedPackage | None:
    name = checked(reader, "name", reader.string("name", required=True), values.name_problem)
    version = checked(
        reader, "version", reader.string("version", required=True), values.version_problem
    )
    source_table = reader.table("source", required=True)
    source = read_source(source_table) if source_table is not None else None
    targets = reader.strings("targets", required=True)
    if targets is not None and not targets:
        reader.problems.add(reader.at("targets"), "must name at least one target")
    marker = checked(reader, "marker", reader.string("marker"), values.marker_problem)
    extras = read_names(reader, "extras")
    dependencies = read_dependencies(reader, "dependencies")
    artifacts = [read_artifact(table) for table in reader.tables("artifacts")]
    if isinstance(source, IndexSource) and not reader.data.get("artifacts"):
        reader.problems.add(reader.at("artifacts"), "missing: a package from an index needs one")
    reader.finish()
    if name is None or version is None or source is None or not targets:
        return None
    return LockedPackage(
        name=name,
        version=version,
        source=source,
        targets=targets,
        marker=marker,
        extras=extras,
        dependencies=dependencies,
        artifacts=tuple(a for a in artifacts if a is not None),
    )
