"""From a project and a resolved graph to a Lock: pure data in, data out."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from px.lock import (
    Artifact,
    Dependency,
    IndexSource,
    Lock,
    LockedPackage,
    LockTarget,
    Roots,
    RootSet,
)
from px.project import Project, input_digest
from px.resolve import ResolvedGraph


def _and_marker(requirement: Requirement, marker: Marker | None) -> Requirement:
    if marker is None:
        return requirement
    combined = Requirement(str(requirement))
    combined.marker = (
        Marker(f"({requirement.marker}) and ({marker})") if requirement.marker else marker
    )
    return combined


def expand_self(project: Project, requirements: Iterable[Requirement]) -> list[Requirement]:
    """Replace references to the project itself (``me[test]``) by those extras' requirements."""
    out: list[Requirement] = []
    seen: set[str] = set()

    def visit(items: Iterable[Requirement], marker: Marker | None) -> None:
        for req in items:
            if canonicalize_name(req.name) != project.name:
                out.append(_and_marker(req, marker))
                continue
            for extra in sorted(req.extras):
                found = project.extra(canonicalize_name(extra))
                if found is not None and found.name not in seen:
                    seen.add(found.name)
                    visit(found.requirements, req.marker or marker)

    visit(requirements, None)
    return out


def all_roots(project: Project) -> list[Requirement]:
    """Everything a lock covers: dependencies, every extra and every dependency group."""
    requirements: list[Requirement] = list(project.dependencies)
    for extra in project.extras:
        requirements += extra.requirements
    for group in project.groups:
        requirements += group.requirements
    return expand_self(project, requirements)


def _dependency(req: Requirement) -> Dependency:
    return Dependency(
        name=canonicalize_name(req.name),
        specifier=str(req.specifier),
        marker=str(req.marker) if req.marker else None,
        extras=tuple(canonicalize_name(e) for e in req.extras),
    )


def _root_set(project: Project, name: str, requirements: Sequence[Requirement]) -> RootSet:
    return RootSet(
        name=name, dependencies=tuple(_dependency(r) for r in expand_self(project, requirements))
    )


def roots_of(project: Project, locked: set[str]) -> Roots:
    """The project's requirements that hold on the target (their packages are locked)."""

    def kept(deps: Iterable[Dependency]) -> tuple[Dependency, ...]:
        return tuple(d for d in deps if d.name in locked)

    return Roots(
        dependencies=kept(_dependency(r) for r in expand_self(project, project.dependencies)),
        optional=tuple(
            RootSet(e.name, kept(_root_set(project, e.name, e.requirements).dependencies))
            for e in project.extras
        ),
        groups=tuple(
            RootSet(g.name, kept(_root_set(project, g.name, g.requirements).dependencies))
            for g in project.groups
        ),
    )


ArtifactsOf = Callable[[str, Version], tuple[tuple[Artifact, ...], str]]


def build_lock(
    project: Project, graph: ResolvedGraph, target: LockTarget, artifacts_of: ArtifactsOf
) -> Lock:
    """The lock of ``graph``; ``artifacts_of(name, version)`` gives (artifacts, index URL)."""
    packages = []
    for node in graph.nodes:
        artifacts, source_url = artifacts_of(node.name, node.version)
        packages.append(
            LockedPackage(
                name=node.name,
                version=str(node.version),
                source=IndexSource(source_url),
                targets=(target.id,),
                extras=node.extras,
                dependencies=tuple(
                    Dependency(
                        name=edge.child,
                        specifier=edge.specifier,
                        marker=edge.marker,
                        extras=edge.extras,
                    )
                    for edge in graph.children(node.name)
                ),
                artifacts=artifacts,
            )
        )
    return Lock(
        requires_python=str(project.requires_python) if project.requires_python else None,
        input_digest=input_digest(project),
        targets=(target,),
        packages=tuple(packages),
        roots=roots_of(project, {node.name for node in graph.nodes}),
    )


def preferred_versions(lock: Lock | None) -> dict[str, Version]:
    if lock is None:
        return {}
    return {p.name: Version(p.version) for p in lock.packages}
