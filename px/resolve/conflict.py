"""Why a resolution failed, as plain data (rendered by :mod:`px.resolve.explain`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Demand:
    """One requirement that took part in a failure."""

    requirement: str  # as the parent wrote it, without marker: "foo[a]>=2"
    parent: str | None  # "bar 1.0"; None for a root requirement
    chain: tuple[str, ...] = ()  # from a root down to ``parent``: ("baz 2.0", "bar 1.0")


@dataclass(frozen=True)
class Availability:
    """What the index offers for a project, and why versions matching the demands were not used.

    Versions are strings, newest first.
    """

    exists: bool = True
    versions: tuple[str, ...] = ()  # every version usable on the target's platform
    needs_other_python: tuple[tuple[str, str], ...] = ()  # (version, Requires-Python)
    yanked: tuple[str, ...] = ()
    prerelease: tuple[str, ...] = ()
    ruled_out: tuple[str, ...] = ()  # matched, but failed on their own dependencies


@dataclass(frozen=True)
class Clash:
    """Demands on one project (or one of its extras) that no single version met."""

    name: str  # "foo" or "foo[a]"
    demands: tuple[Demand, ...]
    availability: Availability


@dataclass(frozen=True)
class Conflict:
    """The data of a failed resolution."""

    target_python: str
    clashes: tuple[Clash, ...] = ()
    # Versions whose metadata requires a Python the target is not: parent is "foo 2.0",
    # requirement is the Requires-Python specifier.
    python: tuple[Demand, ...] = ()
    gave_up_after: int | None = None  # rounds, when the search was abandoned
