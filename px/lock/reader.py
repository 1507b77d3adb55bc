"""Typed, path-aware reading of parsed TOML that collects every problem.

Validation of px.lock never stops at the first problem: each reader method
returns the value or None and records what was wrong under its key path
(``package[3].version``). Keys that were never read are reported as unknown
by :meth:`TableReader.finish`.
"""

from __future__ import annotations

import re
from typing import Any

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def join(parent: str, key: str) -> str:
    shown = key if _BARE_KEY.match(key) else '"' + key.replace('"', '\\"') + '"'
    return f"{parent}.{shown}" if parent else shown


def type_name(value: object) -> str:
    """The TOML name of a parsed value's type, for messages."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return "a date/time"


class Problems:
    """An ordered, duplicate-free list of ``"<source>: <key path>: <message>"`` lines."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.lines: list[str] = []

    def add(self, path: str, message: str) -> None:
        line = f"{self.source}: {path}: {message}" if path else f"{self.source}: {message}"
        if line not in self.lines:
            self.lines.append(line)


class TableReader:
    """Reads the keys of one table under ``path``; remembers which keys were read."""

    def __init__(self, data: dict[str, Any], path: str, problems: Problems) -> None:
        self.data = data
        self.path = path
        self.problems = problems
        self._seen: set[str] = set()

    def at(self, key: str) -> str:
        return join(self.path, key)

    def _get(self, key: str, kind: type, name: str, required: bool) -> Any:
        self._seen.add(key)
        value = self.data.get(key)
        if value is None:
            if required:
                self.problems.add(self.at(key), "missing")
            return None
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            self.problems.add(self.at(key), f"expected {name}, got {type_name(value)}")
            return None
        return value

    def string(self, key: str, *, required: bool = False) -> str | None:
        value: str | None = self._get(key, str, "a string", required)
        return value

    def integer(self, key: str, *, required: bool = False) -> int | None:
        value: int | None = self._get(key, int, "an integer", required)
        return value

    def boolean(self, key: str) -> bool | None:
        value: bool | None = self._get(key, bool, "a boolean", False)
        return value

    def strings(self, key: str, *, required: bool = False) -> tuple[str, ...] | None:
        items: list[Any] | None = self._get(key, list, "an array of strings", required)
        if items is None:
            return None
        found = []
        for index, item in enumerate(items):
            if isinstance(item, str):
                found.append(item)
            else:
                self.problems.add(
                    f"{self.at(key)}[{index}]", f"expected a string, got {type_name(item)}"
                )
        return tuple(found)

    def table(self, key: str, *, required: bool = False) -> TableReader | None:
        value: dict[str, Any] | None = self._get(key, dict, "a table", required)
        return None if value is None else TableReader(value, self.at(key), self.problems)

    def tables(self, key: str, *, required: bool = False) -> list[TableReader]:
        """The tables of an array of tables; other items are problems."""
        items: list[Any] | None = self._get(key, list, "an array of tables", required)
        readers = []
        for index, item in enumerate(items or ()):
            path = f"{self.at(key)}[{index}]"
            if isinstance(item, dict):
                readers.append(TableReader(item, path, self.problems))
            else:
                self.problems.add(path, f"expected a table, got {type_name(item)}")
        return readers

    def keys(self) -> list[str]:
        """Every key, marked as read (for tables whose keys are names)."""
        self._seen.update(self.data)
        return list(self.data)

    def finish(self) -> None:
        for key in self.data:
            if key not in self._seen:
                self.problems.add(self.at(key), "unknown key")
