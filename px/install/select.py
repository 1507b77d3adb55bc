"""Which locked packages an environment gets: everything reachable from the chosen roots."""

from __future__ import annotations

from collections.abc import Sequence

from px.errors import InputError
from px.lock import Dependency, Lock, LockedPackage

DEV_GROUP = "dev"


def selection_key(dev: bool, groups: Sequence[str], extras: Sequence[str]) -> str:
    """What was asked for, as the fast path compares it (see px.cli.fastpath)."""
    return (
        f"dev={int(dev)};groups={','.join(sorted(set(groups)))};"
        f"extras={','.join(sorted(set(extras)))}"
    )


def roots_for(
    lock: Lock, groups: Sequence[str], extras: Sequence[str], *, dev: bool = False
) -> list[Dependency]:
    """The roots to install from: dependencies, the dev group when asked (and present),
    and the named groups and extras (which must exist)."""
    roots = list(lock.roots.dependencies)
    known_groups = {g.name: g for g in lock.roots.groups}
    known_extras = {e.name: e for e in lock.roots.optional}
    if dev and DEV_GROUP in known_groups and DEV_GROUP not in groups:
        roots += known_groups[DEV_GROUP].dependencies
    for name in groups:
        if name not in known_groups:
            raise InputError(
                f"px.lock has no dependency group {name!r}",
                hint=f"known groups: {', '.join(sorted(known_groups)) or '(none)'}",
            )
        roots += known_groups[name].dependencies
    for name in extras:
        if name not in known_extras:
            raise InputError(
                f"px.lock has no extra {name!r}",
                hint=f"known extras: {', '.join(sorted(known_extras)) or '(none)'}",
            )
        roots += known_extras[name].dependencies
    return roots


def select(
    lock: Lock, target_id: str, groups: Sequence[str], extras: Sequence[str], *, dev: bool
) -> list[LockedPackage]:
    """The packages to install for ``target_id``, sorted by name."""
    by_name = {p.name: p for p in lock.packages_for(target_id)}
    wanted: dict[str, LockedPackage] = {}
    queue = [d.name for d in roots_for(lock, groups, extras, dev=dev)]
    while queue:
        name = queue.pop()
        if name in wanted or name not in by_name:
            continue
        package = by_name[name]
        wanted[name] = package
        queue.extend(d.name for d in package.dependencies)
    return [wanted[name] for name in sorted(wanted)]
