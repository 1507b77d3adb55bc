"""Errors of the resolver: a source's "no such project" and the data-carrying failure."""

from __future__ import annotations

from px.errors import ResolutionImpossible
from px.resolve.conflict import Conflict
from px.resolve.explain import explain, hint


class ProjectNotFound(ResolutionImpossible):
    """Raised by a :class:`~px.resolve.source.CandidateSource` for a name the index lacks."""

    def __init__(self, name: str, index: str | None = None) -> None:
        where = f" on {index}" if index else " on the index"
        super().__init__(
            f"no project named {name}{where}",
            hint=f"check the spelling of {name!r} and the index URL",
        )
        self.name = name
        self.index = index


class NoSolution(ResolutionImpossible):
    """No set of versions satisfies the requirements; ``conflict`` says why, as data."""

    def __init__(self, conflict: Conflict, root_label: str = "the project") -> None:
        lines = explain(conflict, root_label=root_label)
        super().__init__(
            "cannot find a set of versions that satisfies the requirements",
            why=lines[0] if lines else None,
            hint=hint(conflict),
            details=lines[1:],
        )
        self.conflict = conflict
