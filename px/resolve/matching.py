"""Which versions a set of specifiers allows: pre-releases, yanked releases, Requires-Python.

Pure functions over :class:`~px.resolve.source.VersionInfo`. The rules:

- Requires-Python of a version must hold for the target's Python (full version,
  pre-release Pythons included).
- A yanked version is allowed only when a specifier pins it exactly
  (``==1.0`` or ``===1.0``), as PEP 592 says.
- Pre-releases follow PEP 440, over all specifiers on a project together:
  allowed when one of them names a pre-release (``>=2.0b1``), or when no final
  release matches. (This is what recent packaging's ``SpecifierSet.filter`` does;
  px applies it itself so that it does not change with the packaging version.)
- Local and post releases follow packaging's PEP 440 comparison
  (``==1.0`` matches ``1.0+local``; ``>1.0`` excludes ``1.0.post1``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from packaging.specifiers import Specifier, SpecifierSet
from packaging.version import Version

from px.resolve.source import VersionInfo


def combine(specifiers: Iterable[SpecifierSet]) -> SpecifierSet:
    combined = SpecifierSet()
    for spec in specifiers:
        combined &= spec
    return combined


def exact_pins(specifier: SpecifierSet) -> list[Specifier]:
    return [
        s
        for s in specifier
        if s.operator == "===" or (s.operator == "==" and not s.version.endswith(".*"))
    ]


def _yank_allowed(info: VersionInfo, pins: Sequence[Specifier]) -> bool:
    return not info.yanked or any(p.contains(info.version, prereleases=True) for p in pins)


def allowed(
    infos: Iterable[VersionInfo],
    specifier: SpecifierSet,
    python_ok: Callable[[VersionInfo], bool],
) -> Iterator[VersionInfo]:
    """The versions ``specifier`` allows, lazily and in the order of ``infos`` (newest first).

    ``python_ok`` says whether a version's Requires-Python holds for the target.
    Looks at no more versions than it must: while a final release is allowed,
    the rest are produced only as the caller asks for them.
    """
    pins = exact_pins(specifier)
    explicit = bool(specifier.prereleases)
    held: list[VersionInfo] = []  # pre-releases, in case no final release is allowed
    final_found = False
    for info in infos:
        if not (
            specifier.contains(info.version, prereleases=True)
            and _yank_allowed(info, pins)
            and python_ok(info)
        ):
            continue
        if explicit or not info.version.is_prerelease:
            final_found = final_found or not info.version.is_prerelease
            yield info
        elif not final_found:
            held.append(info)
    if not final_found and not explicit:
        yield from held


def preferring(
    infos: Sequence[VersionInfo],
    specifier: SpecifierSet,
    python_ok: Callable[[VersionInfo], bool],
    preferred: Version | None,
) -> Iterator[VersionInfo]:
    """:func:`allowed`, with ``preferred`` first when it is allowed."""
    chosen = next((i for i in infos if i.version == preferred), None) if preferred else None
    if chosen is not None and next(allowed([chosen], specifier, python_ok), None) is chosen:
        if chosen.version.is_prerelease and not specifier.prereleases:
            # A pre-release is allowed only if no final release is.
            finals = (
                i for i in allowed(infos, specifier, python_ok) if not i.version.is_prerelease
            )
            if next(finals, None) is not None:
                chosen = None
    else:
        chosen = None
    if chosen is not None:
        yield chosen
    yield from (i for i in allowed(infos, specifier, python_ok) if i is not chosen)


@dataclass(frozen=True)
class Exclusions:
    """Versions matching a specifier that were not offered, by reason (newest first)."""

    python: tuple[tuple[Version, str], ...] = ()  # (version, its Requires-Python)
    yanked: tuple[Version, ...] = ()
    prerelease: tuple[Version, ...] = ()
    allowed: tuple[Version, ...] = ()  # offered, yet ruled out while resolving


def exclusions(
    infos: Sequence[VersionInfo], specifier: SpecifierSet, python_ok: set[Version]
) -> Exclusions:
    """Classify the versions that match ``specifier`` (pre-releases included).

    ``python_ok`` holds the versions whose Requires-Python the target satisfies.
    """
    ok = {info.version for info in allowed(infos, specifier, lambda i: i.version in python_ok)}
    pins = exact_pins(specifier)
    python: list[tuple[Version, str]] = []
    yanked: list[Version] = []
    pre: list[Version] = []
    offered: list[Version] = []
    for info in infos:
        if not specifier.contains(info.version, prereleases=True):
            continue
        if info.version not in python_ok:
            python.append((info.version, str(info.requires_python)))
        elif not _yank_allowed(info, pins):
            yanked.append(info.version)
        elif info.version in ok:
            offered.append(info.version)
        else:
            pre.append(info.version)
    return Exclusions(tuple(python), tuple(yanked), tuple(pre), tuple(offered))
