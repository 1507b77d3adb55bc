"""Progress reporting, injected into long-running work.

Nothing below ``px.cli`` prints: use cases receive a :class:`Reporter` and call
it; the CLI decides whether that draws a progress line on a terminal or stays
silent (tests, ``--json``, output not a terminal).
"""

from __future__ import annotations

from typing import Protocol


class Reporter(Protocol):
    def start(self, task: str, total: int | None = None) -> None: ...

    def advance(self, amount: int = 1) -> None: ...

    def finish(self) -> None: ...

    def note(self, message: str) -> None: ...


class QuietReporter:
    """The default: reports nothing."""

    def start(self, task: str, total: int | None = None) -> None:
        pass

    def advance(self, amount: int = 1) -> None:
        pass

    def finish(self) -> None:
        pass

    def note(self, message: str) -> None:
        pass
