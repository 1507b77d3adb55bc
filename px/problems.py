"""Collect validation problems, each with its key path, and raise them together.

Shared by the readers of pyproject.toml (:mod:`px.project`) and px.lock (:mod:`px.lock`).

A user should be able to fix a whole file in one go, so validators never stop
at the first problem: they add it here and carry on with what they can still
read. :meth:`Problems.raise_if_any` then raises one :class:`InputError` that
lists every problem.
"""

from __future__ import annotations

import re

from px.errors import InputError

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+\Z")


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
