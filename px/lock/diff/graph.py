"""A lock's graph, indexed for comparison and path finding: who requires whom."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from px.lock.model import Dependency, IndexSource, Lock, LockedPackage, Source, VcsSource


@dataclass(frozen=True)
class Requirer:
    """Who asks for a package: a locked package, or a root set of the project."""

    kind: str  # "package", "dependencies", "extra" or "group"
    name: str = ""  # the package, extra or group name; "" for the dependencies

    @property
    def is_root(self) -> bool:
        return self.kind != "package"

    def sort_key(self) -> tuple[int, str, str]:
        return (0 if self.is_root else 1, self.kind, self.name)

    def label(self, project: str) -> str:
        """``demo``, ``demo[cli]``, ``demo (group dev)`` or the package name."""
        return {
            "dependencies": project,
            "extra": f"{project}[{self.name}]",
            "group": f"{project} (group {self.name})",
        }.get(self.kind, self.name)

    def where(self, project: str) -> str:
        """Where a root requirement is declared: ``demo's dependencies``."""
        return {
            "dependencies": f"{project}'s dependencies",
            "extra": f"{project}'s extra {self.name}",
            "group": f"{project}'s dependency group {self.name}",
        }.get(self.kind, self.name)

    def to_json(self) -> dict[str, str | None]:
        return {"kind": self.kind, "name": self.name or None}


def requirement_text(dependency: Dependency) -> str:
    """A dependency as PEP 508 text: ``name[extra]>=1; marker``."""
    extras = f"[{','.join(dependency.extras)}]" if dependency.extras else ""
    marker = f"; {dependency.marker}" if dependency.marker else ""
    return f"{dependency.name}{extras}{dependency.specifier}{marker}"


def requirements_text(dependencies: Iterable[Dependency]) -> str | None:
    texts = [requirement_text(d) for d in dependencies]
    return " | ".join(texts) if texts else None


def root_sets(lock: Lock) -> list[tuple[Requirer, tuple[Dependency, ...]]]:
    """The project's root sets: dependencies, then extras, then groups."""
    sets = [(Requirer("dependencies"), lock.roots.dependencies)]
    sets += [(Requirer("extra", s.name), s.dependencies) for s in lock.roots.optional]
    sets += [(Requirer("group", s.name), s.dependencies) for s in lock.roots.groups]
    return sets


class Graph:
    """A lock's graph, indexed: entries by name, edges by (requirer, child)."""

    def __init__(self, lock: Lock) -> None:
        self.lock = lock
        self.by_name: dict[str, list[LockedPackage]] = {}
        for package in lock.packages:
            self.by_name.setdefault(package.name, []).append(package)
        grouped: dict[tuple[Requirer, str], list[Dependency]] = {}
        edges = [(r, d) for r, deps in root_sets(lock) for d in deps]
        edges += [(Requirer("package", p.name), d) for p in lock.packages for d in p.dependencies]
        for requirer, dependency in edges:
            grouped.setdefault((requirer, dependency.name), []).append(dependency)
        self.edges = {key: tuple(deps) for key, deps in grouped.items()}
        requirers: dict[str, set[Requirer]] = {}
        for requirer, child in self.edges:
            requirers.setdefault(child, set()).add(requirer)
        self.requirers = {c: sorted(rs, key=Requirer.sort_key) for c, rs in requirers.items()}

    def version(self, name: str) -> str:
        return " | ".join(p.version for p in self.by_name.get(name, ()))


def describe_source(source: Source) -> str:
    if isinstance(source, IndexSource):
        return source.url
    if isinstance(source, VcsSource):
        return f"{source.vcs}+{source.url}@{source.commit}"
    return source.path + (" (editable)" if source.editable else "")
