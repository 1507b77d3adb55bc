"""The seam between the resolver and wherever packages come from.

The resolver asks a :class:`CandidateSource` for the versions of a project and
for the metadata of one version. In production an adapter in the use-case layer
wraps the index client; tests pass :class:`px.resolve.memory.MemorySource`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName
from packaging.version import Version


@dataclass(frozen=True)
class VersionInfo:
    """One version a project offers that has at least one artifact usable on the target."""

    version: Version
    yanked: bool = False
    yanked_reason: str | None = None
    requires_python: SpecifierSet | None = None


@dataclass(frozen=True)
class Metadata:
    """The parts of a distribution's core metadata the resolver reads."""

    requires_dist: tuple[Requirement, ...] = ()
    requires_python: SpecifierSet | None = None
    provides_extras: frozenset[NormalizedName] = frozenset()


class CandidateSource(Protocol):
    """Where the resolver gets versions and metadata. Names are already normalised."""

    def versions(self, name: NormalizedName) -> Sequence[VersionInfo]:
        """Every version of ``name`` with an artifact usable on the target, in any order.

        Raise :class:`px.resolve.errors.ProjectNotFound` when the index has no
        such project; return an empty sequence when it has one but nothing is
        usable on the target.
        """
        ...

    def dependencies(self, name: NormalizedName, version: Version) -> Metadata:
        """The metadata of one version (only asked for versions :meth:`versions` gave)."""
        ...

    def prefetch(self, items: Sequence[tuple[NormalizedName, Version | None]]) -> None:
        """A hint that these will be asked for soon; may start fetching them or do nothing.

        ``(name, None)`` announces :meth:`versions` of ``name``; ``(name, version)``
        announces :meth:`dependencies` of that version.
        """
        ...
