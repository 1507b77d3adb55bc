"""A CandidateSource over plain data, for tests and for resolving from known metadata.

The data shape (also used by the JSON cases in ``tests/resolve/cases/``)::

    {"name": {"1.0": {"requires_dist": ["dep>=1; extra == 'x'"],
                      "requires_python": ">=3.8",
                      "yanked": false,          # or a reason string
                      "provides_extras": ["x"],
                      "requires_python_in_index": true}}}

``requires_python_in_index: false`` keeps Requires-Python out of the version
list, so that only the metadata says it (as with indexes lacking PEP 503's
``data-requires-python``). A name mapped to ``{}`` exists but has nothing usable.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import InvalidVersion, Version

from px.errors import InputError
from px.resolve.errors import ProjectNotFound
from px.resolve.source import Metadata, VersionInfo


@dataclass(frozen=True)
class Release:
    info: VersionInfo
    metadata: Metadata


class MemorySource:
    """Serves releases held in memory; ``prefetch`` does nothing."""

    def __init__(self, releases: Mapping[NormalizedName, Sequence[Release]]) -> None:
        self._releases = {name: {r.info.version: r for r in rs} for name, rs in releases.items()}

    @classmethod
    def from_dict(cls, index: Mapping[str, Mapping[str, Mapping[str, object]]]) -> MemorySource:
        """Parse the data shape above; bad entries raise InputError naming their key path."""
        releases: dict[NormalizedName, list[Release]] = {}
        for raw_name, versions in index.items():
            name = canonicalize_name(raw_name)
            found = releases.setdefault(name, [])
            for raw_version, fields in versions.items():
                found.append(_release(f"{raw_name}.{raw_version}", raw_version, fields))
        return cls(releases)

    def versions(self, name: NormalizedName) -> Sequence[VersionInfo]:
        try:
            return [release.info for release in self._releases[name].values()]
        except KeyError:
            raise ProjectNotFound(name) from None

    def dependencies(self, name: NormalizedName, version: Version) -> Metadata:
        return self._releases[name][version].metadata

    def prefetch(self, items: Sequence[tuple[NormalizedName, Version | None]]) -> None:
        pass


_FIELDS = {
    "requires_dist",
    "requires_python",
    "yanked",
    "provides_extras",
    "requires_python_in_index",
}


def _release(where: str, raw_version: str, fields: Mapping[str, object]) -> Release:
    unknown = sorted(set(fields) - _FIELDS)
    if unknown:
        raise InputError(f"{where}: unknown field {unknown[0]!r}")
    try:
        version = Version(raw_version)
        requires_python = fields.get("requires_python")
        python = SpecifierSet(str(requires_python)) if requires_python is not None else None
        requires_dist = tuple(Requirement(str(r)) for r in _strings(where, fields, "requires_dist"))
    except (InvalidVersion, InvalidSpecifier, InvalidRequirement) as exc:
        raise InputError(f"{where}: {exc}") from None
    yanked = fields.get("yanked", False)
    extras = frozenset(canonicalize_name(e) for e in _strings(where, fields, "provides_extras"))
    in_index = fields.get("requires_python_in_index", True)
    info = VersionInfo(
        version,
        yanked=bool(yanked),
        yanked_reason=yanked if isinstance(yanked, str) else None,
        requires_python=python if in_index else None,
    )
    return Release(info, Metadata(requires_dist, python, extras))


def _strings(where: str, fields: Mapping[str, object], key: str) -> list[str]:
    value = fields.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(f"{where}.{key}: expected a list of strings")
    return value
