"""The resolver's requirement and candidate types and the identifiers that key them.

Each project gets one identifier (its normalised name); each extra another
(``name[extra]``) whose candidates depend on the base project at the same
version. Requires-Python of a version's metadata becomes a requirement on the
pseudo-project :data:`PYTHON`, emitted only when the target does not satisfy it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from px.errors import InputError
from px.resolve.matching import exact_pins
from px.resolve.source import VersionInfo

PYTHON = "<python>"

Kind = Literal["dependency", "base-pin", "python"]


def identifier_of(name: str, extra: str | None) -> str:
    return name if extra is None else f"{name}[{extra}]"


@dataclass(frozen=True, eq=False, repr=False, slots=True)
class Req:
    """One requirement on one identifier. Compared by identity."""

    identifier: str
    name: NormalizedName
    extra: NormalizedName | None
    specifier: SpecifierSet
    kind: Kind = "dependency"
    original: Requirement | None = None  # as written, for edges; None when synthetic
    spec_key: str = field(init=False)
    is_pin: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "spec_key", str(self.specifier))
        object.__setattr__(self, "is_pin", bool(exact_pins(self.specifier)))

    def __repr__(self) -> str:
        return f"<Req {self.display()}>"

    def display(self) -> str:
        """How explanations show it: ``foo[a]>=2``, ``Python >=3.12``."""
        if self.kind == "python":
            return f"Python {self.specifier}"
        if self.kind == "base-pin":
            return f"{self.name}=={next(iter(self.specifier)).version}"
        assert self.original is not None
        extras = sorted(canonicalize_name(e) for e in self.original.extras)
        shown = f"[{','.join(extras)}]" if extras else ""
        return f"{self.name}{shown}{self.original.specifier}"


@dataclass(frozen=True, eq=False, repr=False, slots=True)
class Candidate:
    """One version of one identifier. Interned by the provider, so compared by identity."""

    identifier: str
    name: NormalizedName
    version: Version
    extra: NormalizedName | None
    info: VersionInfo

    def __repr__(self) -> str:
        return f"<Candidate {self.label()}>"

    def label(self) -> str:
        """``foo 1.0`` or ``foo[a] 1.0``."""
        return f"{self.identifier} {self.version}"


def expand(requirement: Requirement) -> list[Req]:
    """The resolver requirements for one written requirement: the base and one per extra."""
    if requirement.url:
        raise InputError(
            f"{requirement}: direct references (name @ URL) cannot be resolved from an index",
            hint="depend on a released version, or declare it as a path or VCS source",
        )
    name = canonicalize_name(requirement.name)
    spec = requirement.specifier
    reqs = [Req(name, name, None, spec, "dependency", requirement)]
    for extra in sorted({canonicalize_name(e) for e in requirement.extras}):
        reqs.append(Req(identifier_of(name, extra), name, extra, spec, "dependency", requirement))
    return reqs


def base_pin(candidate: Candidate) -> Req:
    """What an extra's candidate requires: its base project at exactly the same version."""
    return Req(
        candidate.name, candidate.name, None, SpecifierSet(f"==={candidate.version}"), "base-pin"
    )


def python_requirement(requires_python: SpecifierSet) -> Req:
    return Req(PYTHON, NormalizedName(PYTHON), None, requires_python, "python")
