"""PEP 735 dependency groups: read ``[dependency-groups]`` and expand includes.

Group names are compared normalised. ``{include-group = "name"}`` entries are
replaced by the included group's requirements at their position; including an
unknown group, or a cycle of includes, is a problem.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeAlias

from packaging.requirements import Requirement

from px.project.model import DependencyGroup
from px.project.problems import Problems, key_path, type_name
from px.project.requirements import is_valid_name, normalize_name, read_requirement

TABLE = "dependency-groups"


@dataclass(frozen=True)
class _Include:
    group: str  # normalised
    path: str  # key path of the entry, for messages


_Entry: TypeAlias = Requirement | _Include


def read_groups(data: object, problems: Problems) -> tuple[DependencyGroup, ...]:
    """The groups of a ``[dependency-groups]`` value, sorted by name, includes expanded."""
    if data is None:
        return ()
    if not isinstance(data, dict):
        problems.add(TABLE, f"expected a table, got {type_name(data)}")
        return ()
    raw: dict[str, list[_Entry]] = {}
    written: dict[str, str] = {}
    for name, value in data.items():
        path = key_path(TABLE, name)
        if not is_valid_name(name):
            problems.add(path, f"invalid group name {name!r}")
            continue
        normal = normalize_name(name)
        if normal in written:
            problems.add(path, f"duplicate group: {written[normal]!r} has the same normalised name")
            continue
        written[normal] = name
        raw[normal] = _read_entries(value, path, problems)
    expanded = _Expander(raw, written, problems)
    return tuple(
        DependencyGroup(
            name=name,
            requirements=expanded.requirements(name),
            includes=tuple(dict.fromkeys(e.group for e in raw[name] if isinstance(e, _Include))),
        )
        for name in sorted(raw)
    )


def _read_entries(value: Any, path: str, problems: Problems) -> list[_Entry]:
    if not isinstance(value, list):
        problems.add(path, f"expected an array, got {type_name(value)}")
        return []
    entries: list[_Entry] = []
    for index, item in enumerate(value):
        item_path = f"{path}[{index}]"
        if isinstance(item, str):
            requirement = read_requirement(item, item_path, problems)
            if requirement is not None:
                entries.append(requirement)
        elif isinstance(item, dict):
            include = _read_include(item, item_path, problems)
            if include is not None:
                entries.append(include)
        else:
            problems.add(
                item_path,
                f"expected a requirement string or {{include-group = ...}}, got {type_name(item)}",
            )
    return entries


def _read_include(item: dict[str, Any], path: str, problems: Problems) -> _Include | None:
    if set(item) != {"include-group"}:
        keys = ", ".join(sorted(item)) or "nothing"
        problems.add(path, f"a table entry must hold only 'include-group', found: {keys}")
        return None
    target = item["include-group"]
    if not isinstance(target, str) or not is_valid_name(target):
        problems.add(key_path(path, "include-group"), f"invalid group name {target!r}")
        return None
    return _Include(normalize_name(target), path)


class _Expander:
    """Depth-first expansion with memo; each cycle or unknown include is reported once."""

    def __init__(
        self, raw: dict[str, list[_Entry]], written: dict[str, str], problems: Problems
    ) -> None:
        self._raw = raw
        self._written = written
        self._problems = problems
        self._done: dict[str, tuple[Requirement, ...]] = {}
        self._stack: list[str] = []

    def requirements(self, name: str) -> tuple[Requirement, ...]:
        if name in self._done:
            return self._done[name]
        self._stack.append(name)
        result: list[Requirement] = []
        for entry in self._raw[name]:
            if isinstance(entry, Requirement):
                result.append(entry)
            elif entry.group not in self._raw:
                self._problems.add(
                    entry.path, f"include-group {entry.group!r} is not a declared group"
                )
            elif entry.group in self._stack:
                cycle = [*self._stack[self._stack.index(entry.group) :], entry.group]
                shown = " -> ".join(self._written[g] for g in cycle)
                self._problems.add(entry.path, f"include-group cycle: {shown}")
            else:
                result.extend(self.requirements(entry.group))
        self._stack.pop()
        self._done[name] = tuple(dict.fromkeys(result))
        return self._done[name]
