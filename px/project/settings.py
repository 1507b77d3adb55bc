"""Read the ``[tool.px]`` table into :class:`PxSettings`.

Every key is known: an unknown key is a problem (with a close match offered),
because a typo such as ``index_url`` would otherwise be silently ignored.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement

from px.project.model import Index, PackageSource, PxSettings
from px.project.problems import Problems, key_path, type_name
from px.project.requirements import is_valid_name, normalize_name
from px.project.urls import index_url_problem

TABLE = "tool.px"
SETTINGS_KEYS = ("python", "index-url", "index", "sources", "find-links", "formatter")
INDEX_KEYS = ("name", "url", "explicit", "default")
SOURCE_KEYS = ("index",)
_INDEX_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\Z")


def unknown_keys(
    table: dict[str, Any], known: tuple[str, ...], path: str, problems: Problems
) -> None:
    for key in table:
        if key in known:
            continue
        close = difflib.get_close_matches(key, known, n=1)
        suggestion = f" (did you mean {close[0]!r}?)" if close else ""
        problems.add(key_path(path, key), f"unknown key{suggestion}")


def read_settings(data: object, problems: Problems) -> PxSettings:
    if data is None:
        return PxSettings()
    if not isinstance(data, dict):
        problems.add(TABLE, f"expected a table, got {type_name(data)}")
        return PxSettings()
    unknown_keys(data, SETTINGS_KEYS, TABLE, problems)
    python = problems.string(data, "python", TABLE)
    if python is not None and not python.strip():
        problems.add(key_path(TABLE, "python"), "must not be empty")
        python = None
    index_url = problems.string(data, "index-url", TABLE)
    if index_url is not None:
        problem = index_url_problem(index_url)
        if problem:
            problems.add(key_path(TABLE, "index-url"), problem)
    indexes = _read_indexes(data, problems)
    if index_url is not None and any(index.default for index in indexes):
        problems.add(
            key_path(TABLE, "index-url"),
            "conflicts with an index marked `default = true`: keep one of them",
        )
    find_links = []
    for position, link in problems.strings(data, "find-links", TABLE):
        if not link.strip():
            problems.add(f"{key_path(TABLE, 'find-links')}[{position}]", "must not be empty")
        else:
            find_links.append(link)
    return PxSettings(
        python=python,
        index_url=index_url,
        indexes=indexes,
        sources=_read_sources(data, {index.name for index in indexes}, problems),
        find_links=tuple(find_links),
        formatter=_read_formatter(data, problems),
    )


def _read_formatter(data: dict[str, Any], problems: Problems) -> str | None:
    """``formatter = "ruff"`` or ``"ruff==0.6.9"``: a name, optionally pinned to one version."""
    text = problems.string(data, "formatter", TABLE)
    if text is None:
        return None
    path = key_path(TABLE, "formatter")
    expected = 'expected a tool name, optionally pinned: "ruff" or "ruff==0.6.9"'
    try:
        requirement = Requirement(text)
    except InvalidRequirement:
        problems.add(path, f"invalid {text!r}: {expected}")
        return None
    clauses = list(requirement.specifier)
    pinned = len(clauses) == 1 and clauses[0].operator == "==" and "*" not in clauses[0].version
    if requirement.extras or requirement.url or requirement.marker or (clauses and not pinned):
        problems.add(path, f"invalid {text!r}: {expected}")
        return None
    return text.strip()


def _read_indexes(data: dict[str, Any], problems: Problems) -> tuple[Index, ...]:
    entries = problems.array(data, "index", TABLE)
    if entries is None:
        return ()
    indexes: list[Index] = []
    for position, entry in enumerate(entries):
        path = f"{key_path(TABLE, 'index')}[{position}]"
        if not isinstance(entry, dict):
            problems.add(path, f"expected a table, got {type_name(entry)}")
            continue
        unknown_keys(entry, INDEX_KEYS, path, problems)
        name = problems.string(entry, "name", path, required=True)
        url = problems.string(entry, "url", path, required=True)
        explicit = problems.boolean(entry, "explicit", path)
        default = problems.boolean(entry, "default", path)
        if name is not None and not _INDEX_NAME.match(name):
            problems.add(key_path(path, "name"), f"invalid index name {name!r}")
            name = None
        if name is not None and any(index.name == name for index in indexes):
            problems.add(key_path(path, "name"), f"duplicate index name {name!r}")
            name = None
        if url is not None:
            problem = index_url_problem(url)
            if problem:
                problems.add(key_path(path, "url"), problem)
                url = None
        if name is not None and url is not None:
            indexes.append(Index(name, url, explicit=bool(explicit), default=bool(default)))
    if sum(index.default for index in indexes) > 1:
        problems.add(key_path(TABLE, "index"), "more than one index is marked `default = true`")
    return tuple(indexes)


def _read_sources(
    data: dict[str, Any], index_names: set[str], problems: Problems
) -> tuple[PackageSource, ...]:
    table = problems.table(data, "sources", TABLE)
    if table is None:
        return ()
    base = key_path(TABLE, "sources")
    sources: dict[str, PackageSource] = {}
    for package, entry in table.items():
        path = key_path(base, package)
        if not is_valid_name(package):
            problems.add(path, f"invalid package name {package!r}")
            continue
        if not isinstance(entry, dict):
            problems.add(
                path, f'expected a table like {{ index = "name" }}, got {type_name(entry)}'
            )
            continue
        unknown_keys(entry, SOURCE_KEYS, path, problems)
        index = problems.string(entry, "index", path, required=True)
        if index is None:
            continue
        if index not in index_names:
            problems.add(
                key_path(path, "index"),
                f"index {index!r} is not declared in [[tool.px.index]]",
            )
            continue
        normal = normalize_name(package)
        if normal in sources:
            problems.add(path, "duplicate source: another key has the same normalised name")
            continue
        sources[normal] = PackageSource(normal, index)
    return tuple(sources[name] for name in sorted(sources))
