"""The result of a resolution: a pure, deterministically ordered graph."""

from __future__ import annotations

from dataclasses import dataclass

from packaging.utils import NormalizedName
from packaging.version import Version

ROOT = "<root>"  # the parent of root requirements in :class:`Edge`


@dataclass(frozen=True, order=True)
class Node:
    """One resolved project: its version and the extras requested of it."""

    name: NormalizedName
    version: Version
    extras: tuple[NormalizedName, ...] = ()


@dataclass(frozen=True)
class Edge:
    """One requirement that holds on the target: ``parent`` (a name or ROOT) needs ``child``."""

    parent: str
    child: NormalizedName
    specifier: str  # "" for any version
    marker: str | None = None  # as written, when the requirement had one
    extras: tuple[NormalizedName, ...] = ()

    def sort_key(self) -> tuple[str, str, str, str, tuple[str, ...]]:
        return (self.parent, self.child, self.specifier, self.marker or "", self.extras)


@dataclass(frozen=True)
class ResolvedGraph:
    """Nodes sorted by name, edges sorted, roots in the order given."""

    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    roots: tuple[str, ...]
    warnings: tuple[str, ...] = ()

    @property
    def pins(self) -> dict[NormalizedName, Version]:
        return {node.name: node.version for node in self.nodes}

    def node(self, name: str) -> Node:
        for node in self.nodes:
            if node.name == name:
                return node
        raise KeyError(name)

    def children(self, parent: str) -> tuple[Edge, ...]:
        """The edges out of ``parent`` (a name, or ROOT)."""
        return tuple(edge for edge in self.edges if edge.parent == parent)
