"""Which wheels an interpreter can install: its ordered list of tags."""

from __future__ import annotations

import dataclasses
import functools
import platform

from packaging import tags as ptags
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version


@dataclasses.dataclass(frozen=True)
class InterpreterDescription:
    """Facts about an interpreter, enough to compute its wheel tags.

    ``implementation`` is the short tag name (``cp``, ``pp``...), ``version``
    the full Python version. ``abis`` and ``platforms`` default to what
    ``packaging`` derives (platforms: those of this machine).
    """

    implementation: str
    version: str
    abis: tuple[str, ...] | None = None
    platforms: tuple[str, ...] | None = None


@dataclasses.dataclass(frozen=True)
class Target:
    """An interpreter to install for: its version and supported tags, best first."""

    python_version: str
    tags: tuple[ptags.Tag, ...]

    @functools.cached_property
    def _ranks(self) -> dict[ptags.Tag, int]:
        ranks: dict[ptags.Tag, int] = {}
        for i, tag in enumerate(self.tags):
            ranks.setdefault(tag, i)
        return ranks

    @functools.cached_property
    def _tag_strings(self) -> frozenset[tuple[str, str, str]]:
        return frozenset((t.interpreter, t.abi, t.platform) for t in self.tags)

    def may_install(self, filename: str) -> bool:
        """False when a wheel's file name shows no tag this target supports (no parsing).

        A quick filter before the full parse: PyPI pages list thousands of
        wheels for other platforms and Pythons. Not a wheel, or a name it cannot
        read: True (the full parse decides).
        """
        dashes = filename.count("-")
        if not filename.endswith(".whl") or dashes not in (4, 5):
            return True
        return self.supports(filename[:-4].split("-", dashes - 2)[-1])

    def supports(self, tags: str) -> bool:
        """Does a wheel name's tag part (``cp311-cp311-manylinux_2_17_x86_64``, perhaps
        compressed: ``py2.py3-none-any``) hold a tag of this target?"""
        known = self._may_install.get(tags)
        if known is None:  # once per tag string: 42,792 names on 46 pages have 734 of them
            interpreters, abis, platforms = (p.lower().split(".") for p in tags.split("-"))
            supported = self._tag_strings
            known = self._may_install[tags] = any(
                (i, a, p) in supported for i in interpreters for a in abis for p in platforms
            )
        return known

    @functools.cached_property
    def _may_install(self) -> dict[str, bool]:
        return {}

    def rank(self, wheel_tags: frozenset[ptags.Tag]) -> int | None:
        """The best (lowest) rank of any of ``wheel_tags``; ``None``: incompatible."""
        ranks = [r for t in wheel_tags if (r := self._ranks.get(t)) is not None]
        return min(ranks) if ranks else None

    def allows_python(self, requires_python: str | None) -> bool:
        """Does ``requires_python`` admit this interpreter? Unparseable: yes."""
        if not requires_python:
            return True
        return _allows(self.python_version, requires_python)


@functools.lru_cache(maxsize=4096)
def _allows(python_version: str, requires_python: str) -> bool:
    """One answer per distinct string: a project page repeats a few thousand times."""
    try:
        return Version(python_version) in SpecifierSet(requires_python)
    except (InvalidSpecifier, InvalidVersion):
        return True


def running_target() -> Target:
    """The target of the interpreter px itself runs on."""
    return Target(platform.python_version(), tuple(ptags.sys_tags()))


def target_for(desc: InterpreterDescription) -> Target:
    """The target of another interpreter, from its description."""
    parts = Version(desc.version).release
    major_minor = (parts[0], parts[1] if len(parts) > 1 else 0)
    impl = desc.implementation.lower()
    abis = list(desc.abis) if desc.abis is not None else None
    platforms = list(desc.platforms) if desc.platforms is not None else None
    if impl == "cp":
        specific = list(ptags.cpython_tags(major_minor, abis=abis, platforms=platforms))
    else:
        interpreter = f"{impl}{major_minor[0]}{major_minor[1]}"
        specific = list(ptags.generic_tags(interpreter, abis=abis, platforms=platforms))
    interpreter = f"{impl}{major_minor[0]}{major_minor[1]}"
    compatible = ptags.compatible_tags(major_minor, interpreter=interpreter, platforms=platforms)
    return Target(desc.version, tuple(specific) + tuple(compatible))
