"""Rendering: text for people on stdout, one JSON document with ``--json``.

Progress and log lines go to stderr, so stdout holds only the result.
"""

from __future__ import annotations

import json
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TextIO

from px.errors import InternalError, PxError
from px.reporter import QuietReporter, Reporter


class JsonResult(Protocol):
    def to_json(self) -> Any: ...


@dataclass
class Output:
    json: bool = False
    verbosity: int = 0
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)

    def result(self, result: JsonResult, text: Callable[[Any], str]) -> None:
        """Write a command's result: its JSON form with ``--json``, else its text."""
        if self.json:
            self.stdout.write(json.dumps(result.to_json(), indent=2, sort_keys=True) + "\n")
        else:
            rendered = text(result)
            if rendered:
                self.stdout.write(rendered.rstrip("\n") + "\n")

    def error(self, error: PxError, *, traceback_text: str | None = None) -> None:
        if traceback_text and self.verbosity > 0:
            self.stderr.write(traceback_text)
        if self.json:
            self.stdout.write(json.dumps({"error": error.to_json()}, indent=2) + "\n")
            return
        self.stderr.write(f"error: {error.one_line()}\n")
        for line in error.details:
            self.stderr.write(f"  {line}\n")

    def internal(self, exc: BaseException) -> PxError:
        """Report a bug in px: a short message, the traceback only with -v."""
        error = InternalError(
            f"internal error: {type(exc).__name__}: {exc}",
            hint="this is a bug in px; re-run with -v for the traceback and report it",
        )
        self.error(error, traceback_text="".join(traceback.format_exception(exc)))
        return error

    def reporter(self) -> Reporter:
        if self.json or self.verbosity < 0 or not self.stderr.isatty():
            return QuietReporter()
        return TerminalReporter(self.stderr)

    def confirm(self, question: str) -> bool:
        if not sys.stdin.isatty():
            return False
        self.stderr.write(f"{question} [y/N] ")
        self.stderr.flush()
        return sys.stdin.readline().strip().lower() in {"y", "yes"}


class TerminalReporter:
    """One self-overwriting progress line on a terminal."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._task = ""
        self._total: int | None = None
        self._done = 0

    def start(self, task: str, total: int | None = None) -> None:
        self._task, self._total, self._done = task, total, 0
        self._draw()

    def advance(self, amount: int = 1) -> None:
        self._done += amount
        if self._done % 64 == 0 or self._done == self._total:
            self._draw()

    def finish(self) -> None:
        self._stream.write("\r\x1b[2K")
        self._stream.flush()

    def note(self, message: str) -> None:
        self._stream.write(f"\r\x1b[2K{message}\n")
        self._stream.flush()

    def _draw(self) -> None:
        total = f"/{self._total}" if self._total is not None else ""
        self._stream.write(f"\r\x1b[2K{self._task} {self._done}{total}")
        self._stream.flush()
