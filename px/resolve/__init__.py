"""px's resolver: requirements and a CandidateSource in, a ResolvedGraph out.

Importing this package is cheap; resolvelib is loaded when :func:`resolve` runs.
The rules it applies (pre-releases, yanked releases, Requires-Python,
preferences) are described for users in ``docs/resolver.md``.
"""

from __future__ import annotations

from px.resolve.conflict import Availability, Clash, Conflict, Demand
from px.resolve.errors import NoSolution, ProjectNotFound
from px.resolve.explain import explain
from px.resolve.graph import ROOT, Edge, Node, ResolvedGraph
from px.resolve.resolver import resolve
from px.resolve.source import CandidateSource, Metadata, VersionInfo
from px.resolve.target import Target

__all__ = [
    "ROOT",
    "Availability",
    "CandidateSource",
    "Clash",
    "Conflict",
    "Demand",
    "Edge",
    "Metadata",
    "NoSolution",
    "Node",
    "ProjectNotFound",
    "ResolvedGraph",
    "Target",
    "VersionInfo",
    "explain",
    "resolve",
]
