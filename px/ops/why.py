"""`px why NAME`: every dependency path from the project's roots to NAME in px.lock.

The path finding is pure (:func:`find_paths`, a lock in, paths out); :func:`why`
reads the project's px.lock and names the project.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import canonicalize_name

from px.config import Settings
from px.errors import InputError, LockStale
from px.lock import Dependency, Lock, parse
from px.lock.diff import Graph, Requirer, requirement_text, root_sets
from px.project import find_project, load_project

MAX_PATHS = 200


@dataclass(frozen=True)
class Hop:
    """One edge of a path: a requirement and the version(s) locked for it."""

    dependency: Dependency
    versions: tuple[str, ...]

    @property
    def text(self) -> str:
        req = requirement_text(self.dependency)
        return f"{req} ({self.dependency.name} {' | '.join(self.versions)})"

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.dependency.name,
            "specifier": self.dependency.specifier,
            "marker": self.dependency.marker,
            "extras": list(self.dependency.extras),
            "requirement": requirement_text(self.dependency),
            "versions": list(self.versions),
        }


@dataclass(frozen=True)
class WhyPath:
    root: Requirer
    label: str  # "demo", "demo[cli]", "demo (group dev)"
    hops: tuple[Hop, ...]

    @property
    def text(self) -> str:
        return " -> ".join([self.label, *(hop.text for hop in self.hops)])

    def to_json(self) -> dict[str, object]:
        return {
            "root": self.root.to_json(),
            "label": self.label,
            "hops": [h.to_json() for h in self.hops],
            "text": self.text,
        }


@dataclass(frozen=True)
class WhyResult:
    name: str
    versions: tuple[str, ...]
    lock: str
    project: str
    paths: tuple[WhyPath, ...]
    truncated: bool  # more than MAX_PATHS paths exist

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "versions": list(self.versions),
            "lock": self.lock,
            "project": self.project,
            "paths": [p.to_json() for p in self.paths],
            "truncated": self.truncated,
        }


def find_paths(
    lock: Lock, name: str, *, project: str, limit: int = MAX_PATHS
) -> tuple[tuple[WhyPath, ...], bool]:
    """Every cycle-free path from a root set to ``name``, at most ``limit`` (and whether cut)."""
    graph = Graph(lock)
    reaches = {name}  # names from which ``name`` can be reached
    frontier = [name]
    while frontier:
        child = frontier.pop()
        for requirer in graph.requirers.get(child, ()):
            if not requirer.is_root and requirer.name not in reaches:
                reaches.add(requirer.name)
                frontier.append(requirer.name)

    def versions(package: str) -> tuple[str, ...]:
        return tuple(p.version for p in graph.by_name.get(package, ()))

    paths: list[WhyPath] = []
    truncated = False

    def walk(root: Requirer, hops: list[Hop], dependencies: tuple[Dependency, ...]) -> None:
        nonlocal truncated
        if truncated:
            return
        for dependency in dependencies:
            if dependency.name not in reaches or any(
                h.dependency.name == dependency.name for h in hops
            ):
                continue
            here = [*hops, Hop(dependency, versions(dependency.name))]
            if dependency.name == name:
                if len(paths) >= limit:
                    truncated = True
                    return
                paths.append(WhyPath(root, root.label(project), tuple(here)))
                continue
            for package in graph.by_name.get(dependency.name, ()):
                walk(root, here, package.dependencies)

    for root, dependencies in root_sets(lock):
        walk(root, [], dependencies)
    return tuple(paths), truncated


def why(settings: Settings, start: Path, name: str) -> WhyResult:
    """The paths to ``name`` in the project's px.lock; InputError when it is not locked."""
    root = find_project(start)
    project = load_project(root)
    path = root / "px.lock"
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise LockStale(f"{path} is missing", hint="run `px lock` first") from None
    lock = parse(data, source=str(path))
    wanted = canonicalize_name(name)
    names = sorted({p.name for p in lock.packages})
    if wanted not in names:
        close = difflib.get_close_matches(wanted, names, n=3, cutoff=0.6)
        close += [n for n in names if wanted in n and n not in close][: 3 - len(close)]
        raise InputError(
            f"{name} is not in {path}",
            why=f"the lock holds {len(names)} packages and none is named {wanted}",
            hint=f"did you mean {', '.join(close)}?"
            if close
            else "check the name: px.lock lists every locked package",
        )
    paths, truncated = find_paths(lock, wanted, project=project.name)
    versions = tuple(p.version for p in lock.packages if p.name == wanted)
    return WhyResult(wanted, versions, str(path), project.name, paths, truncated)
