"""The result of comparing two locks: plain frozen data with a JSON form."""

from __future__ import annotations

from dataclasses import dataclass

from px.lock.diff.graph import Requirer

KINDS = ("added", "removed", "upgraded", "downgraded", "changed")
TAMPERING = "possible tampering or re-upload"


@dataclass(frozen=True)
class Change:
    """A before/after pair of values (either may be missing)."""

    old: str | None
    new: str | None

    def to_json(self) -> dict[str, str | None]:
        return {"old": self.old, "new": self.new}


@dataclass(frozen=True)
class Detail:
    """One changed field of a package: ``field`` of ``name`` (a file or dependency)."""

    field: str  # source, marker, extras, targets, dependency, sha256, artifact, artifact-url, other
    name: str | None
    old: str | None
    new: str | None

    def to_json(self) -> dict[str, str | None]:
        return {"field": self.field, "name": self.name, "old": self.old, "new": self.new}


@dataclass(frozen=True)
class WhyStep:
    """One link of a why chain: why ``package`` had its ``change``."""

    package: str | None  # None for a lock-wide cause (requires-python, target, inputs)
    change: str | None
    kind: str  # root-added, root-changed, root-removed, required, dependency-added, ...
    text: str
    requirer: str | None = None
    requirement: str | None = None
    old_requirement: str | None = None

    def to_json(self) -> dict[str, str | None]:
        return {
            "package": self.package,
            "change": self.change,
            "kind": self.kind,
            "text": self.text,
            "requirer": self.requirer,
            "requirement": self.requirement,
            "old_requirement": self.old_requirement,
        }


@dataclass(frozen=True)
class PackageChange:
    name: str
    kind: str  # one of KINDS
    old_version: str | None
    new_version: str | None
    details: tuple[Detail, ...] = ()
    why: tuple[WhyStep, ...] = ()
    required_by: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()  # "hash-changed": an artifact hash changed, version did not

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "kind": self.kind,
            "old_version": self.old_version,
            "new_version": self.new_version,
            "details": [d.to_json() for d in self.details],
            "why": [s.to_json() for s in self.why],
            "required_by": list(self.required_by),
            "flags": list(self.flags),
        }


@dataclass(frozen=True)
class RootChange:
    """A requirement of the project added, removed or changed in one root set."""

    root: Requirer
    label: str
    package: str
    old: str | None
    new: str | None

    @property
    def kind(self) -> str:
        return "added" if self.old is None else "removed" if self.new is None else "changed"

    def to_json(self) -> dict[str, object]:
        return {
            "root": self.root.to_json(),
            "label": self.label,
            "package": self.package,
            "kind": self.kind,
            "old": self.old,
            "new": self.new,
        }


@dataclass(frozen=True)
class LockDiff:
    project: str
    requires_python: Change | None
    input_digest: Change | None
    lock_version: Change | None
    targets: tuple[Change, ...]  # target ids: added (old None), removed (new None), changed
    roots: tuple[RootChange, ...]
    packages: tuple[PackageChange, ...]
    warnings: tuple[str, ...]

    @property
    def identical(self) -> bool:
        return not (
            self.requires_python
            or self.input_digest
            or self.lock_version
            or self.targets
            or self.roots
            or self.packages
        )

    def counts(self) -> dict[str, int]:
        return {kind: sum(1 for c in self.packages if c.kind == kind) for kind in KINDS}

    def to_json(self) -> dict[str, object]:
        def value(change: Change | None) -> dict[str, str | None] | None:
            return change.to_json() if change else None

        return {
            "identical": self.identical,
            "project": self.project,
            "summary": {**self.counts(), "hash_changed": self.hash_changed},
            "requires_python": value(self.requires_python),
            "input_digest": value(self.input_digest),
            "lock_version": value(self.lock_version),
            "targets": [t.to_json() for t in self.targets],
            "roots": [r.to_json() for r in self.roots],
            "packages": [p.to_json() for p in self.packages],
            "warnings": list(self.warnings),
        }

    @property
    def hash_changed(self) -> int:
        return sum(1 for c in self.packages if "hash-changed" in c.flags)
