"""Compare two locks: what changed, and why. Data in, data out.

Public API::

    diff_locks(old, new, project="demo") -> LockDiff
    LockDiff(.packages: PackageChange(.why: WhyStep...), .roots: RootChange, ...)
    Graph(lock), Requirer, root_sets(lock), requirement_text(dependency)

Each lock carries its whole graph (the project's roots and every package's
dependency edges), so the cause of a change is read from the edges that lead
to the package in both locks.
"""

from __future__ import annotations

from px.lock.diff.compare import diff_locks
from px.lock.diff.graph import (
    Graph,
    Requirer,
    describe_source,
    requirement_text,
    requirements_text,
    root_sets,
)
from px.lock.diff.model import (
    KINDS,
    TAMPERING,
    Change,
    Detail,
    LockDiff,
    PackageChange,
    RootChange,
    WhyStep,
)

__all__ = [
    "KINDS",
    "TAMPERING",
    "Change",
    "Detail",
    "Graph",
    "LockDiff",
    "PackageChange",
    "Requirer",
    "RootChange",
    "WhyStep",
    "describe_source",
    "diff_locks",
    "requirement_text",
    "requirements_text",
    "root_sets",
]
