"""Why chains: the cause of each package change, found in the two locks' graphs.

A new or changed requirement on an edge into the package is its reason; the
chain then follows the requirer's own change, up to a root requirement of the
project or a change nothing forced (`px lock --upgrade`, a changed index).
Requirements that exclude the old version are preferred as causes.
"""

from __future__ import annotations

import dataclasses

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from px.lock.diff.graph import Graph, Requirer, requirements_text
from px.lock.diff.model import TAMPERING, Detail, WhyStep
from px.lock.model import Dependency, Lock, LockedPackage


def lock_steps(old: Lock, new: Lock) -> list[WhyStep]:
    """Lock-wide causes, added to a chain that no requirement change explains."""
    steps = []
    if old.requires_python != new.requires_python:
        steps.append(
            WhyStep(
                None,
                None,
                "requires-python",
                f"requires-python changed from {old.requires_python or 'any'} "
                f"to {new.requires_python or 'any'}",
            )
        )
    before, after = [t.id for t in old.targets], [t.id for t in new.targets]
    if before != after:
        steps.append(
            WhyStep(
                None,
                None,
                "target",
                f"the lock's target changed from {', '.join(before)} to {', '.join(after)}",
            )
        )
    if old.input_digest != new.input_digest and old.roots == new.roots and not steps:
        steps.append(
            WhyStep(
                None,
                None,
                "inputs",
                "the project's resolution inputs changed (indexes, sources or settings: "
                "the input digest differs)",
            )
        )
    return steps


def allows(specifier: str, version: str | None) -> bool:
    if version is None:
        return False
    try:
        return SpecifierSet(specifier).contains(version, prereleases=True)
    except InvalidSpecifier:
        return True


# name -> (kind, old entry, new entry, details) of every package change
_Kinds = dict[str, tuple[str, LockedPackage | None, LockedPackage | None, tuple[Detail, ...]]]


class Explainer:
    """Builds why chains from the two graphs and the changes found."""

    MAX_DEPTH = 25

    def __init__(
        self, old: Graph, new: Graph, kinds: _Kinds, project: str, lock_level: list[WhyStep]
    ) -> None:
        self.old, self.new, self.kinds = old, new, kinds
        self.project = project
        self.lock_level = lock_level

    def why(
        self,
        name: str,
        kind: str,
        old: LockedPackage | None,
        new: LockedPackage | None,
        details: tuple[Detail, ...] = (),
        seen: frozenset[str] = frozenset(),
    ) -> list[WhyStep]:
        if kind == "removed":
            step, parent = self._removed(name)
        else:
            step, parent = self._present(name, kind, old, new, details)
        step = dataclasses.replace(step, package=name, change=kind)
        seen = seen | {name}
        if parent is not None and parent in self.kinds and parent not in seen:
            if len(seen) < self.MAX_DEPTH:
                parent_kind, parent_old, parent_new, parent_details = self.kinds[parent]
                return [
                    step,
                    *self.why(parent, parent_kind, parent_old, parent_new, parent_details, seen),
                ]
            return [step]
        if step.kind in ("unforced", "unexplained", "source", "other"):
            return [step, *self.lock_level]
        return [step]

    def _present(
        self,
        name: str,
        kind: str,
        old: LockedPackage | None,
        new: LockedPackage | None,
        details: tuple[Detail, ...],
    ) -> tuple[WhyStep, str | None]:
        hashes = [d for d in details if d.field == "sha256"]
        if hashes:
            files = ", ".join(d.name or "" for d in hashes)
            version = new.version if new else ""
            return WhyStep(
                name,
                kind,
                "artifact-hash",
                f"same version {version}, but the sha256 of {files} changed: {TAMPERING}",
            ), None
        old_version = old.version if old else None
        candidates = []
        for requirer in self.new.requirers.get(name, ()):
            now = self.new.edges[(requirer, name)]
            was = self.old.edges.get((requirer, name), ())
            if now == was:
                continue
            forced = kind in ("upgraded", "downgraded") and not any(
                allows(d.specifier, old_version) for d in now
            )
            rank = (0 if forced else 1, requirer.sort_key())
            candidates.append((rank, requirer, now, was, forced))
        if candidates:
            _, requirer, now, was, forced = min(candidates, key=lambda c: c[0])
            return self._edge_step(name, requirer, now, was, forced, old_version)
        return self._unexplained(name, kind, old, new, details), None

    def _edge_step(
        self,
        name: str,
        requirer: Requirer,
        now: tuple[Dependency, ...],
        was: tuple[Dependency, ...],
        forced: bool,
        old_version: str | None,
    ) -> tuple[WhyStep, str | None]:
        label = requirer.label(self.project)
        new_req, old_req = requirements_text(now), requirements_text(was)
        excludes = f", which excludes {old_version}" if forced else ""
        if requirer.is_root:
            if not was:
                text, kind = f"{label} requires {new_req} (new root requirement)", "root-added"
            else:
                text, kind = f"{label} requires {new_req} (was {old_req}){excludes}", "root-changed"
            return WhyStep(name, None, kind, text, label, new_req, old_req), None
        parent = requirer.name
        version = self.new.version(parent)
        parent_kind = self.kinds[parent][0] if parent in self.kinds else ""
        if not was and parent_kind == "added":
            text, kind = f"{parent} {version} requires {new_req}", "required"
        elif not was:
            earlier = self.old.version(parent)
            text = (
                f"{parent} {version} requires {new_req} "
                f"(new dependency; {parent} {earlier} did not require it)"
            )
            kind = "dependency-added"
        else:
            text = f"{parent} {version} requires {new_req} (was {old_req}){excludes}"
            kind = "dependency-changed"
        return WhyStep(name, None, kind, text, parent, new_req, old_req), parent

    def _unexplained(
        self,
        name: str,
        kind: str,
        old: LockedPackage | None,
        new: LockedPackage | None,
        details: tuple[Detail, ...],
    ) -> WhyStep:
        requirers = self.new.requirers.get(name, ())
        reqs = (
            "; ".join(
                f"{r.label(self.project)} requires {requirements_text(self.new.edges[(r, name)])}"
                for r in requirers
            )
            or "nothing requires it"
        )
        if kind in ("upgraded", "downgraded") and old is not None and new is not None:
            how = (
                "`px lock --upgrade`, `-P NAME`, or a change of the index"
                if kind == "upgraded"
                else f"{old.version} may have been yanked or removed from the index"
            )
            return WhyStep(
                name,
                kind,
                "unforced",
                f"no requirement change forced it ({reqs}, unchanged, also allows "
                f"{old.version}): the resolver picked {new.version} ({how})",
            )
        if kind == "added":
            return WhyStep(
                name,
                kind,
                "unexplained",
                f"{reqs} (unchanged): a marker or target change brought it in",
            )
        source = next((d for d in details if d.field == "source"), None)
        if source is not None:
            return WhyStep(
                name, kind, "source", f"its source changed from {source.old} to {source.new}"
            )
        version = new.version if new else ""
        dependencies = [d.name or "" for d in details if d.field == "dependency"]
        if dependencies:
            return WhyStep(
                name,
                kind,
                "other",
                f"same version {version}, but its recorded dependencies changed "
                f"({', '.join(dependencies)}): the index served other metadata, "
                "or other extras were requested",
            )
        fields = ", ".join(sorted({d.field for d in details}))
        return WhyStep(name, kind, "other", f"same version {version}, different {fields}")

    def _removed(self, name: str) -> tuple[WhyStep, str | None]:
        for requirer in self.old.requirers.get(name, ()):
            req = requirements_text(self.old.edges[(requirer, name)])
            label = requirer.label(self.project)
            if requirer.is_root:
                return WhyStep(
                    name,
                    None,
                    "root-removed",
                    f"{name} was removed from {requirer.where(self.project)}",
                    label,
                    None,
                    req,
                ), None
            parent = requirer.name
            if parent not in self.new.by_name:
                return WhyStep(
                    name,
                    None,
                    "requirer-removed",
                    f"{parent} required it ({req}) and {parent} was removed",
                    parent,
                    None,
                    req,
                ), parent
            return WhyStep(
                name,
                None,
                "dependency-removed",
                f"{parent} {self.new.version(parent)} no longer requires it "
                f"({parent} {self.old.version(parent)} required {req})",
                parent,
                None,
                req,
            ), parent
        return WhyStep(name, None, "unexplained", "nothing required it"), None
