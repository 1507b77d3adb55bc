"""Collect validation problems, each with its key path, and raise them together.

A user should be able to fix a whole file in one go, so validators never stop
at the first problem: they add it here and carry on with what they can still
read. :meth:`Problems.raise_if_any` then raises one :class:`InputError` that
lists every problem.
"""

from __future__ import annotations

import re
from typing import Any

from px.errors import InputError

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def key_path(parent: str, key: str) -> str:
    """Join a TOML key path: ``tool.px`` + ``index-url``; odd keys are quoted."""
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

    def raise_if_any(self, what: str, *, hint: str) -> None:
        if not self.lines:
            return
        count = len(self.lines)
        raise InputError(
            what,
            why=f"{count} problem{'s' if count != 1 else ''} found",
            hint=hint,
            details=self.lines,
        )

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
