"""The px.lock v1 model, as frozen data.

Every collection is put in one canonical order when an object is built
(packages by name and version, targets by id, dependencies by name, ...), so
two locks with the same content compare equal and serialise to the same
bytes whatever order a resolver produced them in. URLs lose any credentials
on construction.

A lock holds one or more *targets* (an interpreter and platform it was
resolved for). Each package lists the targets it is installed on, so a lock
for several targets needs no new format: a package can appear in two
versions as long as their targets do not overlap.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal, TypeAlias

from packaging.version import InvalidVersion, Version

from px.urls import strip_credentials

LOCK_VERSION = 1


def _set(obj: object, name: str, value: object) -> None:
    object.__setattr__(obj, name, value)  # canonicalise a frozen field in __post_init__


def _version_key(version: str) -> tuple[int, Version | str]:
    try:
        return (0, Version(version))
    except InvalidVersion:
        return (1, version)


@dataclass(frozen=True)
class IndexSource:
    """Fetched from a package index (its simple-API URL)."""

    url: str
    kind: ClassVar[Literal["index"]] = "index"

    def __post_init__(self) -> None:
        _set(self, "url", strip_credentials(self.url))


@dataclass(frozen=True)
class VcsSource:
    """Built from a version-control checkout at an exact commit."""

    url: str
    commit: str
    vcs: str = "git"
    kind: ClassVar[Literal["vcs"]] = "vcs"

    def __post_init__(self) -> None:
        _set(self, "url", strip_credentials(self.url))


@dataclass(frozen=True)
class PathSource:
    """Built from a local directory or archive; ``path`` is POSIX, relative to the project."""

    path: str
    editable: bool = False
    kind: ClassVar[Literal["path"]] = "path"


Source: TypeAlias = IndexSource | VcsSource | PathSource


def _source_key(source: Source) -> tuple[str, ...]:
    if isinstance(source, IndexSource):
        return ("index", source.url)
    if isinstance(source, VcsSource):
        return ("vcs", source.url, source.commit)
    return ("path", source.path)


@dataclass(frozen=True)
class Artifact:
    """A file allowed for installation: a wheel or an sdist, checked by sha256."""

    filename: str
    url: str
    sha256: str
    size: int | None = None

    def __post_init__(self) -> None:
        _set(self, "url", strip_credentials(self.url))

    @property
    def is_wheel(self) -> bool:
        return self.filename.endswith(".whl")


@dataclass(frozen=True)
class Dependency:
    """An edge of the graph: ``name`` (normalised), as the dependent asked for it."""

    name: str
    specifier: str = ""
    marker: str | None = None
    extras: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _set(self, "extras", tuple(sorted(set(self.extras))))

    def sort_key(self) -> tuple[str, str, str, tuple[str, ...]]:
        return (self.name, self.specifier, self.marker or "", self.extras)


def _dependencies(items: tuple[Dependency, ...]) -> tuple[Dependency, ...]:
    return tuple(sorted(set(items), key=Dependency.sort_key))


@dataclass(frozen=True)
class RootSet:
    """The requirements of one extra or dependency group of the project."""

    name: str
    dependencies: tuple[Dependency, ...] = ()

    def __post_init__(self) -> None:
        _set(self, "dependencies", _dependencies(self.dependencies))


@dataclass(frozen=True)
class Roots:
    """What the project asked for: where `px why` starts walking."""

    dependencies: tuple[Dependency, ...] = ()
    optional: tuple[RootSet, ...] = ()  # [project.optional-dependencies]
    groups: tuple[RootSet, ...] = ()  # [dependency-groups]

    def __post_init__(self) -> None:
        _set(self, "dependencies", _dependencies(self.dependencies))
        _set(self, "optional", tuple(sorted(self.optional, key=lambda r: r.name)))
        _set(self, "groups", tuple(sorted(self.groups, key=lambda r: r.name)))


@dataclass(frozen=True, kw_only=True)
class LockTarget:
    """An interpreter and platform the lock was resolved for.

    ``markers`` holds the PEP 508 marker environment values that matter for
    resolution (no machine-specific values such as ``platform_release``);
    ``platform_tags`` the head of the interpreter's compatible platform tags,
    most specific first (for example the manylinux level and ``linux_x86_64``).
    """

    id: str
    implementation: str  # implementation_name: "cpython", "pypy"
    python_version: str  # "3.11"
    markers: tuple[tuple[str, str], ...] = ()
    platform_tags: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _set(self, "markers", tuple(sorted(dict(self.markers).items())))

    def marker_environment(self) -> dict[str, str]:
        return dict(self.markers)


def target_id(
    *, implementation_name: str, python_version: str, sys_platform: str, platform_machine: str
) -> str:
    """A stable, readable target id: ``cp311-linux-x86_64``."""
    short = {"cpython": "cp", "pypy": "pp", "graalpy": "gp"}.get(implementation_name)
    prefix = (short or implementation_name) + python_version.replace(".", "")
    return f"{prefix}-{sys_platform}-{platform_machine}".lower()


@dataclass(frozen=True, kw_only=True)
class LockedPackage:
    name: str  # normalised
    version: str
    source: Source
    targets: tuple[str, ...]  # ids of the targets it is installed on
    marker: str | None = None  # the environment marker that brought it in, if any
    extras: tuple[str, ...] = ()  # its extras that were asked for
    dependencies: tuple[Dependency, ...] = ()
    artifacts: tuple[Artifact, ...] = ()

    def __post_init__(self) -> None:
        _set(self, "targets", tuple(sorted(set(self.targets))))
        _set(self, "extras", tuple(sorted(set(self.extras))))
        _set(self, "dependencies", _dependencies(self.dependencies))
        _set(self, "artifacts", tuple(sorted(set(self.artifacts), key=lambda a: a.filename)))

    def sort_key(self) -> tuple[str, tuple[int, Version | str], tuple[str, ...]]:
        return (self.name, _version_key(self.version), _source_key(self.source))


@dataclass(frozen=True, kw_only=True)
class Lock:
    requires_python: str | None
    input_digest: str  # "sha256:<hex>" of the project's resolution inputs
    targets: tuple[LockTarget, ...]
    packages: tuple[LockedPackage, ...]
    roots: Roots = Roots()
    version: int = LOCK_VERSION

    def __post_init__(self) -> None:
        _set(self, "targets", tuple(sorted(self.targets, key=lambda t: t.id)))
        _set(self, "packages", tuple(sorted(self.packages, key=LockedPackage.sort_key)))

    def target(self, target_id: str) -> LockTarget | None:
        return next((t for t in self.targets if t.id == target_id), None)

    def packages_for(self, target_id: str) -> tuple[LockedPackage, ...]:
        return tuple(p for p in self.packages if target_id in p.targets)

    def package(self, name: str, target_id: str | None = None) -> LockedPackage | None:
        """The package ``name`` (normalised) locked for ``target_id`` (or for any target)."""
        return next(
            (
                p
                for p in self.packages
                if p.name == name and (target_id is None or target_id in p.targets)
            ),
            None,
        )
