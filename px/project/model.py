"""The pyproject.toml model: what px reads from a project, as frozen data.

Names (project, extras, dependency groups, packages in sources) are stored
normalised (PEP 503/685/735); requirements are :mod:`packaging` objects in the
order they were written. Dependency groups hold their requirements with every
``{include-group = ...}`` already expanded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from px.project.requirements import normalize_name

PYPI_SIMPLE_URL = "https://pypi.org/simple"
DEV_GROUP = "dev"  # the dependency group `px add --dev` writes to


@dataclass(frozen=True)
class Index:
    """One ``[[tool.px.index]]`` entry. ``url`` may hold credentials: strip before recording."""

    name: str
    url: str
    explicit: bool = False  # only used by packages pinned to it in [tool.px.sources]
    default: bool = False  # replaces PyPI as the default index


@dataclass(frozen=True)
class PackageSource:
    """``[tool.px.sources]``: ``package`` (normalised) is fetched from index ``index`` only."""

    package: str
    index: str


@dataclass(frozen=True)
class PxSettings:
    """The ``[tool.px]`` table."""

    python: str | None = None  # a version ("3.12") or an interpreter path
    index_url: str | None = None  # replaces PyPI as the default index
    indexes: tuple[Index, ...] = ()
    sources: tuple[PackageSource, ...] = ()
    find_links: tuple[str, ...] = ()  # directories or URLs, as written
    formatter: str | None = None  # the tool of `px fmt`/`px lint`: "ruff" or "ruff==0.6.9"

    def default_index_url(self) -> str:
        """``index-url``, else the index marked ``default = true``, else PyPI."""
        if self.index_url is not None:
            return self.index_url
        for index in self.indexes:
            if index.default:
                return index.url
        return PYPI_SIMPLE_URL

    def index_urls_for(self, package: str) -> tuple[str, ...]:
        """The index URLs to search for ``package``, in priority order.

        A package pinned in ``[tool.px.sources]`` comes from its index only.
        Otherwise the non-explicit, non-default indexes in declaration order,
        then the default index.
        """
        package = normalize_name(package)
        by_name = {index.name: index for index in self.indexes}
        for source in self.sources:
            if source.package == package and source.index in by_name:
                return (by_name[source.index].url,)
        extra = tuple(i.url for i in self.indexes if not i.explicit and not i.default)
        return (*extra, self.default_index_url())


@dataclass(frozen=True)
class Extra:
    """One ``[project.optional-dependencies]`` entry."""

    name: str
    requirements: tuple[Requirement, ...]


@dataclass(frozen=True)
class DependencyGroup:
    """One PEP 735 ``[dependency-groups]`` entry, includes expanded."""

    name: str
    requirements: tuple[Requirement, ...]
    includes: tuple[str, ...] = ()  # the groups it includes directly, normalised


@dataclass(frozen=True)
class BuildSystem:
    """``[build-system]``: its presence makes the project installable (editable)."""

    requires: tuple[Requirement, ...]
    backend: str | None
    backend_path: tuple[str, ...] = ()


@dataclass(frozen=True)
class Project:
    root: Path
    name: str  # normalised
    name_as_written: str
    version: str | None = None  # None when absent or dynamic
    dynamic: tuple[str, ...] = ()
    requires_python: SpecifierSet | None = None
    dependencies: tuple[Requirement, ...] = ()
    extras: tuple[Extra, ...] = ()  # sorted by name
    groups: tuple[DependencyGroup, ...] = ()  # sorted by name
    build_system: BuildSystem | None = None
    px: PxSettings = field(default_factory=PxSettings)

    @property
    def pyproject(self) -> Path:
        return self.root / "pyproject.toml"

    @property
    def is_package(self) -> bool:
        """Whether px should build and install the project itself (it has a build system)."""
        return self.build_system is not None

    def extra(self, name: str) -> Extra | None:
        return next((e for e in self.extras if e.name == name), None)

    def group(self, name: str) -> DependencyGroup | None:
        return next((g for g in self.groups if g.name == name), None)
