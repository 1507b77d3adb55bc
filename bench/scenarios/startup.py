"""startup: how long px takes to answer trivial commands, beside a bare interpreter start.

``px --version`` (argument parsing, no store) and ``px cache info`` (opens a
store created once before timing, with ``PX_HOME``) are run as subprocesses,
as a user would, against ``python -c pass`` run by the same interpreter px runs
under (the one on the console script's ``#!`` line: never a pyenv shim).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from bench.model import Context, Metric
from bench.tools import px_command, script_interpreter, timed_run, version_of

PYTHON_PASS = "python -c pass"


class Startup:
    name: str = "startup"
    description: str = "px --version and px cache info vs python -c pass (subprocesses)"
    metrics: tuple[Metric, ...] = (
        # `uv run python -c pass` costs about 3x bare python here (shared/workloads/README.md):
        # a px command that does no work should stay within that.
        Metric("version", "px --version", "s", "pass", PYTHON_PASS, target=3.0),
        Metric("cache-info", "px cache info", "s", "pass", PYTHON_PASS),
    )

    def __init__(self) -> None:
        self.details: dict[str, str] = {}
        self._px: list[str] = []
        self._python = Path()
        self._env: Mapping[str, str] = {}

    def setup(self, ctx: Context) -> None:
        self._px = px_command(ctx)
        runner = Path(self._px[0])
        self._python = ctx.python if len(self._px) > 1 else script_interpreter(runner, ctx.python)
        home = ctx.work / "startup-store"
        self._env = {**os.environ, "PX_HOME": str(home)}
        timed_run([*self._px, "cache", "info"], env=self._env)  # creates the store, untimed
        self.details.update(
            px=" ".join(self._px),
            interpreter=str(self._python),
            python=version_of([str(self._python)]),
        )

    def measure_px(self) -> Mapping[str, float]:
        return {
            "version": timed_run([*self._px, "--version"], env=self._env),
            "cache-info": timed_run([*self._px, "cache", "info"], env=self._env),
        }

    def measure_reference(self) -> Mapping[str, float]:
        return {"pass": timed_run([str(self._python), "-c", "pass"], env=self._env)}

    def teardown(self) -> None:
        pass  # the store lives in the run's scratch directory
