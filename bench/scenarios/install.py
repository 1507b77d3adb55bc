"""install: `px install --frozen` of the medium workload beside `uv sync` and `pip-sync`.

Every tool installs its own lock of ``shared/workloads/medium`` (46
distributions), made once, untimed, against the same index; every timed round
copies the project file and the lock into a fresh directory and installs there,
as a subprocess timed whole (bench/installers.py says exactly how each runs):

- ``warm``: the store / cache one untimed install filled: px with ``PX_HOME``
  kept, uv with its ``--cache-dir`` kept, pip-sync with its pip cache kept (its
  fresh venv is made untimed: pip-sync needs one with pip in it);
- ``cold``: an empty store / cache each round, every wheel downloaded from the
  index. px byte-compiles what it unpacks and uv by default does not: the
  issue's reference is plain ``uv sync``, and ``uv sync --compile-bytecode`` is
  the like-for-like line;
- ``noop``: ``px install --frozen`` / ``uv sync --frozen`` in a project already
  up to date;
- ``floor``: the least a cold install written in Python costs here
  (``bench/floor_install.py``: px.lock's wheels downloaded, checked against
  their sha256 and unpacked with ``zipfile``, nothing else), beside px's cold
  install; its ratio to ``uv sync`` is the cold line's ratio divided by this
  one's;
- CPU: user + system time of the cold rounds (``wait4``), px's without the
  byte-compile it leaves running in the background, uv's plain ``uv sync``
  (no target: a command's wall time cannot fall below its CPU time divided by
  the cores it can use, which bounds the cold ratio);
- peak memory: ``ru_maxrss`` of the command's process tree (``wait4``) in the
  cold rounds, beside the largest wheel installed; and, to show whether it
  grows with the wheel, px's peak for two five-package projects, one holding
  the largest wheel (botocore) and one of small wheels (requests), both cold.

Within a round the warm and no-op installs run before the cold ones, and every timed
command starts after a ``sync`` (``bench.installers.settle``), so that no writeback of an
earlier command's files lands in its time.

The index is the loopback index (``bench.loopback``: 20 ms per request) serving
exactly the workload's wheels; with ``--real-index`` the same commands run
against https://pypi.org/simple/. The requests each command sent (last round)
are recorded in ``details``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import TypeVar

from bench.installers import (
    FloorInstaller,
    PipSyncInstaller,
    PxInstaller,
    UvInstaller,
    remove,
    write_project,
)
from bench.loopback import LoopbackIndex
from bench.model import BenchError, Context, Metric, ReferenceUnavailable
from bench.tools import Measured
from bench.workload_index import serve_workload
from bench.workloads import copy_project

T = TypeVar("T", UvInstaller, PipSyncInstaller)

LATENCY = 0.020  # seconds added to every request of the loopback index
WORKLOAD = "medium"
MB = 1e6
LARGE = ("botocore",)  # botocore + 4 dependencies: the workload's largest wheel
SMALL = ("requests",)  # requests + 4 dependencies: small wheels only

PX_WARM = "px install --frozen, filled store"
PX_COLD = "px install --frozen, empty store"
PX_NOOP = "px install --frozen, up to date"
UV_SYNC = "uv sync --frozen"
PIP_SYNC = "pip-sync"


def _metrics(largest: str, large: str, small: str) -> tuple[Metric, ...]:
    return (
        Metric("warm", PX_WARM, "s", "uv-warm", f"{UV_SYNC}, warm cache", target=1.0),
        Metric("warm", PX_WARM, "s", "pip-sync-warm", f"{PIP_SYNC}, warm pip cache", target=0.1),
        Metric("cold", PX_COLD, "s", "uv-cold", f"{UV_SYNC}, empty cache (no .pyc)", target=1.5),
        Metric("cold", PX_COLD, "s", "uv-cold-compile",
               f"{UV_SYNC} --compile-bytecode, empty cache", target=1.5),
        Metric("cold", PX_COLD, "s", "floor-cold",
               "Python floor: download + unzip only (bench/floor_install.py)"),
        Metric("cold-cpu", f"{PX_COLD}: CPU, user + system (not the detached byte-compile)",
               "s", "uv-cold-cpu", f"{UV_SYNC}, empty cache: CPU, user + system"),
        Metric("noop", PX_NOOP, "s", "uv-noop", f"{UV_SYNC}, up to date", target=1.5),
        Metric("peak", f"px install peak RSS, empty store (largest wheel {largest})", "MB",
               "uv-peak", f"{UV_SYNC} peak RSS, empty cache"),
        Metric("peak-large", f"px install peak RSS, {large}", "MB",
               "peak-small", f"px install peak RSS, {small}", target=1.25),
    )  # fmt: skip


class Install:
    name: str = "install"
    description: str = (
        f"px install --frozen of the {WORKLOAD} workload in a fresh directory vs uv sync and "
        f"pip-sync, same index (loopback, {LATENCY * 1000:.0f} ms per request, or --real-index)"
    )
    metrics: tuple[Metric, ...] = _metrics("?", "botocore", "requests")

    def __init__(self) -> None:
        self.details: dict[str, str] = {}
        self.missing_references: dict[str, str] = {}
        self._server: LoopbackIndex | None = None
        self._base = Path()
        self._px: PxInstaller | None = None
        self._large: PxInstaller | None = None
        self._small: PxInstaller | None = None
        self._uv: UvInstaller | None = None
        self._pip: PipSyncInstaller | None = None
        self._floor: FloorInstaller | None = None

    def setup(self, ctx: Context) -> None:
        self._base = ctx.work / "install"
        if ctx.real_index:
            index_url = None
            self.details["index"] = "https://pypi.org/simple/ (--real-index)"
        else:
            self._server, files = serve_workload(
                ctx, self._base / "index", WORKLOAD, LATENCY, label=self.name
            )
            index_url = self._server.url
            self.details.update(index=index_url, latency_ms=f"{LATENCY * 1000:.0f}")
            self.details["index files"] = str(files)
        template = copy_project(ctx, WORKLOAD, self._base / "px" / "template")
        self._px = PxInstaller(ctx, self._base / "px", template, index_url)
        self._count("px", "lock")
        self._px.prepare()
        self._count("px", "prepare")
        python = self._px.base_python
        self._large = self._side_project(ctx, "large", LARGE, index_url)
        self._small = self._side_project(ctx, "small", SMALL, index_url)
        self.metrics = _metrics(
            _largest(self._px), _describe(self._large, LARGE), _describe(self._small, SMALL)
        )
        wheels = self._px.wheels
        self.details.update(
            px=" ".join(self._px.argv),
            interpreter=str(python),
            packages=str(len(wheels)),
            wheels=f"{len(wheels)} wheels, {sum(w.size for w in wheels) / MB:.1f} MB",
            bytecode="px compiles .pyc into its shared trees; uv sync does not unless "
            "--compile-bytecode (the issue's cold reference is without); pip compiles",
        )
        self._floor = FloorInstaller(ctx, self._base / "floor", template / "px.lock")
        pyproject = template / "pyproject.toml"
        self._uv = self._reference(
            "uv", ("uv-warm", "uv-cold", "uv-cold-compile", "uv-cold-cpu", "uv-noop", "uv-peak"),
            lambda: UvInstaller(ctx, self._base / "uv", pyproject, index_url, python),
        )  # fmt: skip
        pins = self._px.pins
        self._pip = self._reference(
            "pip-sync", ("pip-sync-warm",),
            lambda: PipSyncInstaller(ctx, self._base / "pip", pins, index_url, python),
        )  # fmt: skip

    def _side_project(
        self, ctx: Context, name: str, deps: tuple[str, ...], index_url: str | None
    ) -> PxInstaller:
        base = self._base / f"px-{name}"
        template = write_project(base / "template", f"bench-memory-{name}", deps)
        installer = PxInstaller(ctx, base, template, index_url)
        self._count("px", f"lock, {' '.join(deps)}")
        return installer

    def _reference(self, tool: str, keys: tuple[str, ...], make: Callable[[], T]) -> T | None:
        """Install ``tool``, lock and install once (untimed, fills its cache); None when it
        cannot (its lines are then reported unavailable)."""
        try:
            installer = make()
            self._count(tool, "lock")
            installer.prepare()
        except (ReferenceUnavailable, BenchError) as error:
            why = error.why if isinstance(error, ReferenceUnavailable) else str(error)
            for key in keys:
                self.missing_references[key] = f"{tool}: {why}"
            return None
        finally:
            self._count(tool, "prepare")
        self.details[tool] = installer.version
        return installer

    def measure_px(self) -> Mapping[str, float]:
        px, large = self._px, self._large
        assert px is not None and large is not None
        figures = {}
        for mode in ("warm", "noop"):  # before cold: nothing of a cold round is left to flush
            figures[mode] = self._measured("px", mode, partial(px.install, mode)).seconds
        cold = self._measured("px", "cold", partial(px.install, "cold"))
        figures.update(cold=cold.seconds, peak=cold.peak_rss / MB)
        figures["cold-cpu"] = cold.cpu
        large_cold = self._measured("px", "cold, botocore", partial(large.install, "cold"))
        figures["peak-large"] = large_cold.peak_rss / MB
        return figures

    def measure_reference(self) -> Mapping[str, float]:
        assert self._small is not None
        figures = {}
        if self._uv is not None:
            uv = self._uv
            for mode in ("warm", "noop"):
                figures[f"uv-{mode}"] = self._measured("uv", mode, partial(uv.sync, mode)).seconds
        if self._pip is not None:
            figures["pip-sync-warm"] = self._measured("pip-sync", "warm", self._pip.sync).seconds
        if self._uv is not None:
            cold = self._measured("uv", "cold", partial(self._uv.sync, "cold"))
            figures.update(
                {"uv-cold": cold.seconds, "uv-cold-cpu": cold.cpu, "uv-peak": cold.peak_rss / MB}
            )
            compiled = self._measured("uv", "cold-compile", partial(self._uv.sync, "cold-compile"))
            figures["uv-cold-compile"] = compiled.seconds
        assert self._floor is not None
        figures["floor-cold"] = self._measured("floor", "cold", self._floor.install).seconds
        small_cold = self._measured("px", "cold, requests", partial(self._small.install, "cold"))
        figures["peak-small"] = small_cold.peak_rss / MB
        return figures

    def _measured(self, tool: str, mode: str, run: Callable[[], Measured]) -> Measured:
        done = run()
        self._count(tool, mode)
        return done

    def teardown(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None
        if self._base != Path():
            remove(self._base)

    def _count(self, tool: str, mode: str) -> None:
        """Record the requests the command just run sent (loopback index only)."""
        if self._server is not None:
            self.details[f"requests {tool} {mode}"] = self._server.count().describe()


def _largest(installer: PxInstaller) -> str:
    biggest = max(installer.wheels, key=lambda w: w.size)
    return f"{biggest.filename.split('-')[0]} {biggest.size / MB:.1f} MB"


def _describe(installer: PxInstaller, roots: tuple[str, ...]) -> str:
    """``botocore + 4 deps (largest wheel 16.9 MB)``."""
    wheels = installer.wheels
    biggest = max(w.size for w in wheels) / MB
    return f"{' '.join(roots)} + {len(wheels) - len(roots)} deps (largest wheel {biggest:.1f} MB)"
