"""Typed readers over parsed pyproject.toml that record problems instead of stopping.

The problem list itself is :class:`px.problems.Problems`, shared with px.lock's reader.
"""

from __future__ import annotations

from typing import Any

from px.problems import Problems as _BaseProblems
from px.problems import key_path, type_name

__all__ = ["Problems", "key_path", "type_name"]


class Problems(_BaseProblems):
    """Problems of pyproject.toml, with readers that check each value's type."""

    # Typed readers: each returns the value or None, and records a problem when
    # the value is present with the wrong type (or missing while required).

    def table(self, data: dict[str, Any], key: str, parent: str) -> dict[str, Any] | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, dict):
            self.add(key_path(parent, key), f"expected a table, got {type_name(value)}")
            return None
        return value

    def string(
        self, data: dict[str, Any], key: str, parent: str, *, required: bool = False
    ) -> str | None:
        value = data.get(key)
        if value is None:
            if required:
                self.add(key_path(parent, key), "missing")
            return None
        if not isinstance(value, str):
            self.add(key_path(parent, key), f"expected a string, got {type_name(value)}")
            return None
        return value

    def boolean(self, data: dict[str, Any], key: str, parent: str) -> bool | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, bool):
            self.add(key_path(parent, key), f"expected a boolean, got {type_name(value)}")
            return None
        return value

    def array(self, data: dict[str, Any], key: str, parent: str) -> list[Any] | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, list):
            self.add(key_path(parent, key), f"expected an array, got {type_name(value)}")
            return None
        return value

    def strings(self, data: dict[str, Any], key: str, parent: str) -> list[tuple[int, str]]:
        """The string items of an array with their indexes; other items are problems."""
        items = self.array(data, key, parent)
        if items is None:
            return []
        found: list[tuple[int, str]] = []
        for index, item in enumerate(items):
            if isinstance(item, str):
                found.append((index, item))
            else:
                self.add(
                    f"{key_path(parent, key)}[{index}]",
                    f"expected a string, got {type_name(item)}",
                )
        return found
