"""run: commands in an installed environment: `px run` beside `uv run`, and import time.

One px project and one uv project of ``shared/workloads/medium`` are locked and
installed once, untimed, against the same loopback index (uv with
``--compile-bytecode``, so both environments hold .pyc files, as px's trees do).
Then, as subprocesses timed whole:

- ``px run python -c pass`` beside ``uv run python -c pass`` (both check that
  the environment matches the lock, then start the interpreter), and beside
  ``python -c pass`` with the venv's interpreter, the floor;
- ``.px/bin/python -c "import <IMPORTS>"`` beside the same command with
  the ``.venv/bin/python`` uv made: :data:`IMPORT_RUNS` runs of each per round,
  the round's figure being their median. Both interpreters are the same base
  interpreter; setup checks that ``flask`` comes from each environment.
"""

from __future__ import annotations

import statistics
import subprocess
from collections.abc import Mapping
from pathlib import Path

from bench.installers import PxInstaller, UvInstaller, remove
from bench.loopback import LoopbackIndex
from bench.model import BenchError, Context, Metric, ReferenceUnavailable
from bench.tools import BIN, timed_run
from bench.workload_index import serve_workload
from bench.workloads import copy_project

LATENCY = 0.020
WORKLOAD = "medium"
IMPORTS = (
    "flask", "sqlalchemy.orm", "pydantic", "httpx", "rich", "boto3", "black", "alembic",
    "yaml", "requests", "pytest",
)  # fmt: skip
IMPORT_RUNS = 11  # per round and side; the round's figure is their median
PASS = ("python", "-c", "pass")
IMPORT_CODE = "import " + ", ".join(IMPORTS)


class Run:
    name: str = "run"
    description: str = (
        f"px run and imports in an installed {WORKLOAD} environment vs uv run and a uv venv"
    )
    metrics: tuple[Metric, ...] = (
        Metric("run", "px run python -c pass", "s", "uv-run", "uv run python -c pass",
               target=1.5),
        Metric("run", "px run python -c pass", "s", "venv-pass", "python -c pass (uv's venv)"),
        Metric("import", f".px/bin/python -c 'import <{len(IMPORTS)} packages>'", "s",
               "uv-import", "the same with uv's .venv/bin/python", target=1.05),
    )  # fmt: skip

    def __init__(self) -> None:
        self.details: dict[str, str] = {}
        self._server: LoopbackIndex | None = None
        self._base = Path()
        self._px: PxInstaller | None = None
        self._uv: UvInstaller | None = None
        self._missing: str | None = None
        self._px_python = Path()
        self._venv_python = Path()

    def setup(self, ctx: Context) -> None:
        self._base = ctx.work / "run"
        index_url = None
        if not ctx.real_index:
            self._server, _files = serve_workload(
                ctx, self._base / "index", WORKLOAD, LATENCY, label=self.name
            )
            index_url = self._server.url
        self.details["index"] = index_url or "https://pypi.org/simple/ (--real-index)"
        template = copy_project(ctx, WORKLOAD, self._base / "px" / "template")
        self._px = PxInstaller(ctx, self._base / "px", template, index_url)
        self._px.prepare()
        self._px_python = self._px.installed / ".px" / BIN / "python"
        self.details["px flask"] = _origin(self._px_python, self._px.installed / ".px")
        self.details["imports"] = IMPORT_CODE
        self.details["import runs"] = f"{IMPORT_RUNS} per round and side (round figure: median)"
        try:
            self._uv = UvInstaller(
                ctx, self._base / "uv", template / "pyproject.toml", index_url,
                self._px.base_python,
            )  # fmt: skip
            self._uv.prepare(compile_bytecode=True)
        except (ReferenceUnavailable, BenchError) as error:
            self._missing = error.why if isinstance(error, ReferenceUnavailable) else str(error)
            self._uv = None
            return
        self._venv_python = self._uv.installed / ".venv" / BIN / "python"
        self.details["uv"] = self._uv.version
        self.details["uv flask"] = _origin(self._venv_python, self._uv.installed / ".venv")

    def measure_px(self) -> Mapping[str, float]:
        assert self._px is not None
        run = self._px.command(["run", *PASS]).seconds
        return {"run": run, "import": _median_import(self._px_python, self._px.installed)}

    def measure_reference(self) -> Mapping[str, float]:
        if self._uv is None:
            raise ReferenceUnavailable(f"uv: {self._missing}")
        project = self._uv.installed
        return {
            "uv-run": self._uv.run(PASS).seconds,
            "venv-pass": timed_run([str(self._venv_python), "-c", "pass"], cwd=project),
            "uv-import": _median_import(self._venv_python, project),
        }

    def teardown(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None
        if self._base != Path():
            remove(self._base)


def _median_import(python: Path, cwd: Path) -> float:
    runs = [timed_run([str(python), "-c", IMPORT_CODE], cwd=cwd) for _ in range(IMPORT_RUNS)]
    return statistics.median(runs)


def _origin(python: Path, env: Path) -> str:
    """Where ``flask`` is imported from; fails when not from ``env`` (a leak)."""
    done = subprocess.run(
        [str(python), "-c", "import flask; print(flask.__file__)"],
        capture_output=True, text=True, cwd=env.parent, check=False,
    )  # fmt: skip
    where = done.stdout.strip()
    if done.returncode != 0 or not where.startswith(str(env)):
        raise BenchError(f"{python} imports flask from {where or done.stderr.strip()!r}")
    return where
