"""Typed, path-aware reading of parsed TOML that collects every problem.

Validation of px.lock never stops at the first problem: each reader method
returns the value or None and records what was wrong under its key path
(``package[3].version``). Keys that were never read are reported as unknown
by :meth:`TableReader.finish`.
"""

from __future__ import annotations

from typing import Any

from px.problems import Problems, key_path, type_name

__all__ = ["Problems", "TableReader", "join", "type_name"]

join = key_path


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
