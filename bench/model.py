"""The small interface every scenario implements, and the values the runner hands around.

A scenario prepares its inputs in ``setup``, then the runner calls
``measure_px`` and ``measure_reference`` alternately (A B A B ...), each call
being one timed round that returns one figure per key, and finally
``teardown``. The :class:`Metric` list says which px figure is compared with
which reference figure, in which unit, and against which target ratio.

A scenario comparing px with several reference tools may also have a
``missing_references`` attribute, ``{reference_key: why}``: the reference
figures it names may be absent from what ``measure_reference`` returns (that
tool could not run), and those lines are reported as unavailable while the
other tools' lines are still compared.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

Unit = Literal["s", "MB/s", "MB"]  # MB: a size, e.g. peak memory (10^6 bytes)
LOWER_IS_BETTER: dict[Unit, bool] = {"s": True, "MB/s": False, "MB": True}


class Skip(Exception):
    """Raised by ``setup`` when the scenario cannot run at all (px side missing)."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


class ReferenceUnavailable(Exception):
    """Raised by ``measure_reference`` (a reason found in ``setup`` is raised on the first
    call): the runner stops measuring the reference and still reports px's figures."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


class BenchError(Exception):
    """A measurement failed (a command exited non-zero, an API raised)."""


@dataclass(frozen=True)
class Metric:
    """One line of the table: a px figure beside a reference figure."""

    key: str  # key in the mapping measure_px() returns
    label: str  # what px does, e.g. "px --version"
    unit: Unit
    reference_key: str  # key in the mapping measure_reference() returns
    reference_label: str  # what the reference does, e.g. "python -c pass"
    target: float | None = None  # the scenario meets it when ratio <= target


@dataclass(frozen=True)
class Context:
    """What the runner gives every scenario."""

    repo: Path  # the repository root (px's source tree)
    cache: Path  # bench/.cache: kept between runs (reference tools, downloads)
    work: Path  # a scratch directory for this run, removed at the end
    python: Path  # the interpreter px runs under
    real_index: bool = False  # --real-index: scenarios that can, use https://pypi.org/simple/
    log: Callable[[str], None] = field(default=lambda _message: None)


class Scenario(Protocol):
    name: str
    description: str
    metrics: tuple[Metric, ...]
    details: dict[str, str]  # filled by setup: versions, sizes, anything worth recording

    def setup(self, ctx: Context) -> None: ...

    def measure_px(self) -> Mapping[str, float]: ...

    def measure_reference(self) -> Mapping[str, float]: ...

    def teardown(self) -> None: ...
