"""Compare two locks: what changed (the why chains come from :mod:`px.lock.diff.why`).

Packages are paired by name; when a lock holds several entries of one name
(one per target), entries are paired by the targets they share.
"""

from __future__ import annotations

from collections.abc import Iterable

from packaging.version import Version

from px.lock.diff.graph import Graph, describe_source, requirements_text
from px.lock.diff.model import (
    TAMPERING,
    Change,
    Detail,
    LockDiff,
    PackageChange,
    RootChange,
)
from px.lock.diff.why import Explainer, lock_steps
from px.lock.model import Dependency, Lock, LockedPackage


def diff_locks(old: Lock, new: Lock, *, project: str = "the project") -> LockDiff:
    """Everything that differs from ``old`` to ``new``, each package change with its why chain.

    ``project`` names the project in the explanations (``demo requires ...``).
    """
    og, ng = Graph(old), Graph(new)
    found: list[
        tuple[str, str, LockedPackage | None, LockedPackage | None, tuple[Detail, ...]]
    ] = []
    for name in sorted(og.by_name.keys() | ng.by_name.keys()):
        for o, n in _pair(og.by_name.get(name, []), ng.by_name.get(name, [])):
            if o == n:
                continue
            kind = _kind(o, n)
            found.append((name, kind, o, n, _details(o, n, versions_differ=kind != "changed")))
    kinds = {name: (kind, o, n, details) for name, kind, o, n, details in reversed(found)}
    lock_level = lock_steps(old, new)
    explain = Explainer(og, ng, kinds, project, lock_level)
    changes, warnings = [], []
    for name, kind, o, n, details in found:
        flags = ("hash-changed",) if any(d.field == "sha256" for d in details) else ()
        graph = og if kind == "removed" else ng
        changes.append(
            PackageChange(
                name=name,
                kind=kind,
                old_version=o.version if o else None,
                new_version=n.version if n else None,
                details=details,
                why=tuple(explain.why(name, kind, o, n, details)),
                required_by=tuple(r.label(project) for r in graph.requirers.get(name, ())),
                flags=flags,
            )
        )
        warnings += [
            f"{name} {n.version if n else ''}: the sha256 of {d.name} changed without a version "
            f"change ({_short(d.old)} -> {_short(d.new)}): {TAMPERING}"
            for d in details
            if d.field == "sha256"
        ]
    return LockDiff(
        project=project,
        requires_python=_change(old.requires_python, new.requires_python),
        input_digest=_change(old.input_digest, new.input_digest),
        lock_version=_change(str(old.version), str(new.version)),
        targets=_target_changes(old, new),
        roots=_root_changes(og, ng, project),
        packages=tuple(changes),
        warnings=tuple(warnings),
    )


def _short(digest: str | None) -> str:
    return (digest or "")[:12] + "…"


def _change(old: str | None, new: str | None) -> Change | None:
    return None if old == new else Change(old, new)


def _pair(
    old: list[LockedPackage], new: list[LockedPackage]
) -> list[tuple[LockedPackage | None, LockedPackage | None]]:
    if len(old) <= 1 and len(new) <= 1:
        return [(old[0] if old else None, new[0] if new else None)]
    pairs: list[tuple[LockedPackage | None, LockedPackage | None]] = []
    left = list(old)
    for n in new:
        match = max(left, key=lambda o: len(set(o.targets) & set(n.targets)), default=None)
        if match is not None and set(match.targets) & set(n.targets):
            left.remove(match)
            pairs.append((match, n))
        else:
            pairs.append((None, n))
    return pairs + [(o, None) for o in left]


def _kind(old: LockedPackage | None, new: LockedPackage | None) -> str:
    if old is None:
        return "added"
    if new is None:
        return "removed"
    if old.version == new.version:
        return "changed"
    return "upgraded" if Version(new.version) > Version(old.version) else "downgraded"


def _details(
    old: LockedPackage | None, new: LockedPackage | None, *, versions_differ: bool
) -> tuple[Detail, ...]:
    if old is None or new is None:
        return ()
    found: list[Detail] = []
    if old.source != new.source:
        found.append(
            Detail("source", None, describe_source(old.source), describe_source(new.source))
        )
    if old.marker != new.marker:
        found.append(Detail("marker", None, old.marker, new.marker))
    for field, before, after in (
        ("extras", old.extras, new.extras),
        ("targets", old.targets, new.targets),
    ):
        if before != after:
            found.append(Detail(field, None, ",".join(before) or None, ",".join(after) or None))
    before_deps = _by_name(old.dependencies)
    after_deps = _by_name(new.dependencies)
    for name in sorted(before_deps.keys() | after_deps.keys()):
        was, now = before_deps.get(name, ()), after_deps.get(name, ())
        if was != now:
            found.append(Detail("dependency", name, requirements_text(was), requirements_text(now)))
    if not versions_differ:
        found += _artifact_details(old, new)
        if not found:
            found.append(Detail("other", None, None, None))
    return tuple(found)


def _by_name(dependencies: Iterable[Dependency]) -> dict[str, tuple[Dependency, ...]]:
    grouped: dict[str, list[Dependency]] = {}
    for dependency in dependencies:
        grouped.setdefault(dependency.name, []).append(dependency)
    return {name: tuple(deps) for name, deps in grouped.items()}


def _artifact_details(old: LockedPackage, new: LockedPackage) -> list[Detail]:
    before = {a.filename: a for a in old.artifacts}
    after = {a.filename: a for a in new.artifacts}
    found = []
    for filename in sorted(before.keys() | after.keys()):
        was, now = before.get(filename), after.get(filename)
        if was is None or now is None:
            found.append(
                Detail(
                    "artifact", filename, was.sha256 if was else None, now.sha256 if now else None
                )
            )
        elif was.sha256 != now.sha256:
            found.append(Detail("sha256", filename, was.sha256, now.sha256))
        elif was.url != now.url:
            found.append(Detail("artifact-url", filename, was.url, now.url))
        elif was.size != now.size:
            found.append(Detail("artifact-size", filename, str(was.size), str(now.size)))
    return found


def _target_changes(old: Lock, new: Lock) -> tuple[Change, ...]:
    before = {t.id: t for t in old.targets}
    after = {t.id: t for t in new.targets}
    return tuple(
        Change(tid if tid in before else None, tid if tid in after else None)
        for tid in sorted(before.keys() | after.keys())
        if before.get(tid) != after.get(tid)
    )


def _root_changes(old: Graph, new: Graph, project: str) -> tuple[RootChange, ...]:
    keys = {k for k in old.edges.keys() | new.edges.keys() if k[0].is_root}
    changes = []
    for requirer, child in sorted(keys, key=lambda k: (k[0].sort_key(), k[1])):
        was, now = old.edges.get((requirer, child), ()), new.edges.get((requirer, child), ())
        if was != now:
            label = requirer.label(project)
            changes.append(
                RootChange(requirer, label, child, requirements_text(was), requirements_text(now))
            )
    return tuple(changes)
