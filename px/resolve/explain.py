"""Render a :class:`~px.resolve.conflict.Conflict` as a few readable lines. Pure."""

from __future__ import annotations

from collections.abc import Sequence

from px.resolve.conflict import Availability, Clash, Conflict, Demand

_MAX_DEMANDS = 6
_MAX_VERSIONS = 8
_MAX_CHAINS = 6


def _listing(items: Sequence[str], limit: int = _MAX_VERSIONS) -> str:
    shown = list(items[:limit])
    if len(items) > limit:
        shown.append(f"{len(items) - limit} more")
    return ", ".join(shown)


def _join(parts: Sequence[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _who(demand: Demand, root_label: str) -> str:
    return root_label if demand.parent is None else demand.parent


def _base(name: str) -> str:
    return name.split("[", 1)[0]


def _spec_of(requirement: str, name: str) -> str:
    rest = requirement[len(_base(name)) :] if requirement.startswith(_base(name)) else requirement
    if rest.startswith("["):
        rest = rest[rest.find("]") + 1 :]
    return f" {rest}" if rest else " any version"


def _single(clash: Clash, root_label: str, python: str) -> str:
    demand = clash.demands[0]
    start = f"{_who(demand, root_label)} depends on {demand.requirement}"
    return (
        f"{start}, but {_unavailable(clash.name, demand.requirement, clash.availability, python)}."
    )


def _are(versions: Sequence[str], what: str) -> str:
    verb = "is" if len(versions) == 1 else "are"
    return f"{_join(list(versions[:_MAX_VERSIONS]))} {verb} {what}" + (
        f" ({len(versions) - _MAX_VERSIONS} more likewise)" if len(versions) > _MAX_VERSIONS else ""
    )


def _unavailable(name: str, requirement: str, av: Availability, python: str) -> str:
    base = _base(name)
    if not av.exists:
        return f"there is no project named {base} on the index"
    if not av.versions:
        return f"{base} has no version with files usable on this target"
    if av.ruled_out:
        return (
            f"every matching version of {base} ({_listing(av.ruled_out)}) conflicts "
            "with other requirements through its own dependencies"
        )
    reasons = []
    if av.needs_other_python:
        by_spec: dict[str, list[str]] = {}
        for version, spec in av.needs_other_python:
            by_spec.setdefault(spec, []).append(version)
        shown = [
            f"{_listing(vs)} {'requires' if len(vs) == 1 else 'require'} Python {spec}"
            for spec, vs in list(by_spec.items())[:3]
        ]
        reasons.append(f"{_join(shown)} (the target is Python {python})")
    if av.yanked:
        reasons.append(_are(av.yanked, "yanked"))
    if av.prerelease:
        reasons.append(
            _are(av.prerelease, "pre-releases" if len(av.prerelease) > 1 else "a pre-release")
        )
    if reasons:
        return f"the versions of {base} that match are unusable: {'; '.join(reasons)}"
    return (
        f"no version of {base} matches{_spec_of(requirement, name)} "
        f"(available: {_listing(av.versions)})"
    )


def _multiple(clash: Clash, root_label: str, python: str) -> str:
    by_who: dict[str, list[str]] = {}
    for demand in clash.demands:
        by_who.setdefault(_who(demand, root_label), []).append(demand.requirement)
    parts = [f"{who} depends on {_join(reqs)}" for who, reqs in list(by_who.items())[:_MAX_DEMANDS]]
    if len(by_who) > _MAX_DEMANDS:
        parts.append(f"{len(by_who) - _MAX_DEMANDS} more")
    both = "both" if len(clash.demands) == 2 else "all of them"
    line = f"Because {_join(parts)}, no version of {_base(clash.name)} satisfies {both}."
    av = clash.availability
    if av.ruled_out:
        line += (
            f" ({_listing(av.ruled_out)} would, but conflicts with other requirements"
            " through its own dependencies.)"
        )
    elif av.needs_other_python or av.yanked or av.prerelease:
        line = line[:-1] + f"; {_unavailable(clash.name, '', av, python)}."
    return line


def _python(conflict: Conflict) -> str:
    parts = [f"{d.parent} requires {d.requirement}" for d in conflict.python[:_MAX_DEMANDS]]
    more = len(conflict.python) - len(parts)
    if more:
        parts.append(f"{more} more versions do likewise")
    return f"{_join(parts)}, but the target is Python {conflict.target_python}."


def _chains(demands: Sequence[Demand], root_label: str) -> list[str]:
    lines: list[str] = []
    for demand in demands:
        if len(demand.chain) < 2:
            continue
        line = f"  {demand.chain[-1]} comes from {' -> '.join((root_label, *demand.chain))}"
        if line not in lines:
            lines.append(line)
    return lines[:_MAX_CHAINS]


def explain(conflict: Conflict, root_label: str = "the project") -> tuple[str, ...]:
    """The failure as lines: one sentence per clash, then how deep parents came in."""
    lines: list[str] = []
    demands: list[Demand] = []
    if conflict.gave_up_after is not None:
        lines.append(
            f"The search for a solution was abandoned after {conflict.gave_up_after} rounds."
        )
    for clash in conflict.clashes:
        python = conflict.target_python
        if len(clash.demands) == 1:
            lines.append(_single(clash, root_label, python))
        else:
            lines.append(_multiple(clash, root_label, python))
        demands.extend(clash.demands)
    if conflict.python:
        lines.append(_python(conflict))
        demands.extend(conflict.python)
    return (*lines, *_chains(demands, root_label))


def hint(conflict: Conflict) -> str:
    """What the user can do, for the most specific cause found."""
    for clash in conflict.clashes:
        av, base = clash.availability, _base(clash.name)
        if not av.exists:
            return f"check the spelling of {base!r} and the index URL"
        if not av.versions:
            return f"{base} publishes no files for this platform and Python; choose another target"
        if av.yanked and not av.ruled_out:
            return f"to use a yanked release, pin it exactly, e.g. {base}=={av.yanked[0]}"
        if av.prerelease and not av.ruled_out:
            example = f"{base}>={av.prerelease[-1]}"
            return f"to allow a pre-release, name one in a specifier, e.g. {example}"
        if av.needs_other_python and not av.ruled_out:
            return "use a newer Python for this project, or require an older version"
    if conflict.python:
        return "use a newer Python for this project, or require older versions"
    if conflict.gave_up_after is not None:
        return "pin some of the packages involved to narrow the search"
    return "loosen one of the requirements above"
