"""Edit pyproject.toml text for `px add` and `px remove`, keeping comments and layout.

tomlkit keeps the text it does not touch byte for byte. On top of it these
functions: replace an entry for the same (normalised) name instead of adding
a second one; insert in name order when the array is already sorted, else
append; keep a multi-line array multi-line with its indentation and trailing
commas; and create ``[project.optional-dependencies]`` or
``[dependency-groups]`` when they are missing.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from packaging.requirements import InvalidRequirement, Requirement

from px.errors import InputError, UsageError
from px.project.requirements import is_valid_name, normalize_name

if TYPE_CHECKING:
    from tomlkit import TOMLDocument
    from tomlkit.items import Array

LABEL = "pyproject.toml"
DEFAULT_INDENT = "    "


@dataclass(frozen=True)
class Location:
    """Where a requirement lives: the main dependencies, an extra or a dependency group."""

    kind: str  # "dependencies" | "optional" | "group"
    name: str | None = None  # the extra or group, normalised

    def describe(self) -> str:
        if self.kind == "optional":
            return f"project.optional-dependencies.{self.name}"
        if self.kind == "group":
            return f"dependency-groups.{self.name}"
        return "project.dependencies"


def location(group: str | None, optional: str | None) -> Location:
    if group is not None and optional is not None:
        raise UsageError("choose a dependency group or an extra, not both")
    for kind, name in (("group", group), ("optional", optional)):
        if name is not None:
            if not is_valid_name(name):
                raise InputError(f"invalid {'group' if kind == 'group' else 'extra'} name {name!r}")
            return Location(kind, normalize_name(name))
    return Location("dependencies")


def add_requirement(
    text: str, requirement: str, *, group: str | None = None, optional: str | None = None
) -> str:
    """``text`` with ``requirement`` declared in the main dependencies, a group or an extra."""
    where = location(group, optional)
    try:
        parsed = Requirement(requirement)
    except InvalidRequirement as error:
        raise InputError(
            f"invalid requirement {requirement!r}", why=str(error).splitlines()[0]
        ) from None
    document = _parse(text)
    array = _array(document, where, create=True)
    assert array is not None
    name = normalize_name(parsed.name)
    entry = _string(str(parsed))
    positions = _positions(array, name)
    if positions:
        array[positions[0]] = entry
        for position in reversed(positions[1:]):
            del array[position]
    else:
        _insert(array, entry, name)
    return _dumps(document)


def remove_requirement(
    text: str, name: str, *, group: str | None = None, optional: str | None = None
) -> str:
    """``text`` without the entries for ``name`` in the main dependencies, a group or an extra."""
    where = location(group, optional)
    if not is_valid_name(name):
        raise InputError(f"invalid package name {name!r}")
    normal = normalize_name(name)
    document = _parse(text)
    array = _array(document, where, create=False)
    positions = _positions(array, normal) if array is not None else []
    if array is None or not positions:
        elsewhere = [place.describe() for place in declared_in(document, normal)]
        raise InputError(
            f"{name} is not declared in {where.describe()}",
            why=(
                f"it is declared in {', '.join(elsewhere)}"
                if elsewhere
                else "pyproject.toml declares it nowhere else either"
            ),
            hint="name the group or extra it is declared in" if elsewhere else None,
        )
    for position in reversed(positions):
        del array[position]
    if len(array) == 0 and "#" not in array.as_string():
        array.clear()  # back to a plain `[]`
    return _dumps(document)


def declared_in(document: Any, name: str) -> list[Location]:
    """Every location of ``document`` that declares the normalised ``name``."""
    found = []
    places = [Location("dependencies")]
    project = document.get("project")
    extras = project.get("optional-dependencies") if isinstance(project, dict) else None
    if isinstance(extras, dict):
        places += [Location("optional", normalize_name(key)) for key in extras]
    groups = document.get("dependency-groups")
    if isinstance(groups, dict):
        places += [Location("group", normalize_name(key)) for key in groups]
    for place in places:
        array = _array(document, place, create=False)
        if array is not None and _positions(array, name):
            found.append(place)
    return found


def _parse(text: str) -> TOMLDocument:
    import tomlkit
    from tomlkit.exceptions import ParseError

    try:
        return tomlkit.parse(text)
    except ParseError as error:
        raise InputError(
            f"{LABEL} is not valid TOML",
            why=str(error),
            hint=f"fix the syntax of {LABEL}",
        ) from None


def _dumps(document: TOMLDocument) -> str:
    import tomlkit

    return tomlkit.dumps(document)


def _array(document: Any, where: Location, *, create: bool) -> Array | None:
    """The array at ``where``, created (with its tables) when ``create`` is set."""
    import tomlkit

    if where.kind == "group":
        parent, table_key = document, "dependency-groups"
    else:
        parent, table_key = _project(document, create=create), "optional-dependencies"
        if parent is None:
            return None
    table = parent if where.kind == "dependencies" else _child(parent, table_key)
    if table is None and not create:
        return None
    new_table = table is None
    if new_table:
        table = tomlkit.table()
    key = "dependencies" if where.kind == "dependencies" else _key_for(table, where.name or "")
    value = table.get(key)
    if value is None:
        if not create:
            return None
        value = tomlkit.array()
        value.add_line(indent="")  # an empty multi-line array: `[\n]`
        table.add(key, value)
    if new_table:
        # A new [project.optional-dependencies] lands among [project]'s tables:
        # keep a blank line before whatever table follows it.
        if where.kind == "optional" and list(document.keys())[-1] != "project":
            table.add(tomlkit.nl())
        parent.add(table_key, table)
    if not isinstance(value, list):
        raise InputError(f"{LABEL}: {where.describe()} is not an array", hint=f"fix {LABEL}")
    return value  # type: ignore[return-value]


def _project(document: Any, *, create: bool) -> Any:
    project = _child(document, "project")
    if project is None and create:
        raise InputError(
            f"{LABEL} has no [project] table",
            hint="add a [project] table with a name, or run `px init`",
        )
    return project


def _child(parent: Any, key: str) -> Any:
    value = parent.get(key)
    if value is not None and not isinstance(value, dict):
        raise InputError(f"{LABEL}: {key} is not a table", hint=f"fix {LABEL}")
    return value


def _key_for(table: Any, name: str) -> str:
    """The existing key whose normalised form is ``name``, else ``name`` itself."""
    return next((key for key in table if normalize_name(key) == name), name)


def _string(text: str) -> Any:
    """A TOML string item; a literal one ('...') when that avoids escaping the marker's quotes."""
    import tomlkit

    return tomlkit.string(text, literal='"' in text and "'" not in text)


def _entry_name(item: object) -> str | None:
    if not isinstance(item, str):
        return None
    try:
        return normalize_name(Requirement(item).name)
    except InvalidRequirement:
        return None


def _positions(array: Array, name: str) -> list[int]:
    return [index for index, item in enumerate(array) if _entry_name(item) == name]


def _insert(array: Array, entry: Any, name: str) -> None:
    layout = array.as_string()
    multiline = "\n" in layout
    if not multiline and len(array) == 0:
        array.add_line(entry, indent=DEFAULT_INDENT)  # `[]` becomes multi-line, like a new array
        array.add_line(indent="")
        return
    names = [_entry_name(item) for item in array]
    position = len(array)
    if all(names) and names == sorted(names, key=str):
        position = bisect_right([str(n) for n in names], name)
    if not multiline:
        # Rebuilt rather than inserted into: tomlkit drops the space after a
        # comma when inserting at the front of a one-line array.
        items = list(array)
        items.insert(position, entry)
        array.clear()
        array.extend(items)
    elif position < len(array):
        array.insert(position, entry)
    else:
        array.add_line(entry, indent=_indent(layout))


def _indent(layout: str) -> str:
    for line in layout.splitlines()[1:]:
        stripped = line.lstrip()
        if stripped and not stripped.startswith("]"):
            return line[: len(line) - len(stripped)]
    return DEFAULT_INDENT
