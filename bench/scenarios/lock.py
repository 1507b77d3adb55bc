"""lock: `px lock` of the medium workload beside `uv lock` and `poetry lock`, same run, same index.

Every tool locks its own copy of ``shared/workloads/medium`` (about 46
distributions), as subprocesses timed whole, as a user waits for them
(bench/lockers.py says exactly how each is run):

- ``cold``: an empty store (px: a fresh ``PX_HOME``; uv: ``--no-cache``; poetry:
  a fresh cache directory), no lock file;
- ``warm``: the store / cache one untimed lock filled, the lock file deleted;
  uv is timed twice, with ``--refresh`` (it revalidates what it cached, as px
  does: the like-for-like line) and as it behaves by default;
- ``offline``: ``px --offline lock`` / ``uv lock --offline`` from the warm
  store, lock file deleted, then again with the lock file just written kept;
- CPU: user + system time of the cold rounds of px and uv (``wait4``), no
  target: a command's wall time cannot fall below its CPU time divided by the
  cores it can use.

The index is the loopback index of ``fixtures/`` (``bench.loopback``, a child
process that counts requests) adding :data:`LATENCY` to every request, serving
exactly the wheels of the workload's resolution (one version per project) plus
the projects only other platforms need (colorama): uv and poetry lock for every
platform at once, px for its interpreter, and all see the same universe. With
``--real-index`` (env ``PX_BENCH_REAL=1``) the same commands run against
https://pypi.org/simple/ (px without ``PX_INDEX_URL``).

The number of requests each command sent to the loopback index (last timed
round) is recorded in ``details``.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

from bench.lockers import PoetryLocker, PxLocker, UvLocker, lock_packages
from bench.loopback import LoopbackIndex
from bench.model import BenchError, Context, Metric, ReferenceUnavailable
from bench.workload_index import serve_workload

L = TypeVar("L", UvLocker, PoetryLocker)

LATENCY = 0.020  # seconds added to every request of the loopback index
WORKLOAD = "medium"

PX_MODES = ("cold", "warm", "offline", "offline-kept")
UV_MODES = ("cold", "refresh", "warm", "offline", "offline-kept")
POETRY_MODES = ("cold", "warm")

PX_COLD = "px lock, empty store"
PX_WARM = "px lock, filled store"
PX_OFFLINE = "px --offline lock"
PX_KEPT = "px --offline lock, px.lock kept"


class Lock:
    name: str = "lock"
    description: str = (
        f"px lock of the {WORKLOAD} workload vs uv lock and poetry lock, same index "
        f"(loopback, {LATENCY * 1000:.0f} ms per request, or --real-index)"
    )
    metrics: tuple[Metric, ...] = (
        Metric("cold", PX_COLD, "s", "uv-cold", "uv lock --no-cache", target=2.0),
        Metric("cold", PX_COLD, "s", "poetry-cold", "poetry lock, empty cache", target=0.33),
        Metric("cold-cpu", f"{PX_COLD}: CPU, user + system", "s",
               "uv-cold-cpu", "uv lock --no-cache: CPU, user + system"),
        Metric("warm", PX_WARM, "s", "uv-refresh", "uv lock --refresh, warm cache", target=1.5),
        Metric("warm", PX_WARM, "s", "uv-warm", "uv lock, warm cache"),
        Metric("warm", PX_WARM, "s", "poetry-warm", "poetry lock, warm cache"),
        Metric("offline", PX_OFFLINE, "s", "uv-offline", "uv lock --offline", target=3.0),
        Metric("offline-kept", PX_KEPT, "s", "uv-offline-kept", "uv lock --offline, uv.lock kept",
               target=3.0),
    )  # fmt: skip

    def __init__(self) -> None:
        self.details: dict[str, str] = {}
        self.missing_references: dict[str, str] = {}
        self._server: LoopbackIndex | None = None
        self._base = Path()
        self._px: PxLocker | None = None
        self._uv: UvLocker | None = None
        self._poetry: PoetryLocker | None = None

    def setup(self, ctx: Context) -> None:
        self._base = ctx.work / "lock"
        index_url = None if ctx.real_index else self._start_index(ctx)
        self.details["index"] = index_url or "https://pypi.org/simple/ (--real-index)"
        if index_url is not None:
            self.details["latency_ms"] = f"{LATENCY * 1000:.0f}"
        self._px = PxLocker(ctx, self._base, WORKLOAD, index_url)
        self._px.prepare()
        self._count("px", "prepare")
        self.details["px packages"] = str(lock_packages(self._px.project / "px.lock"))
        python = self._px.python
        self._uv = self._reference(
            "uv", UV_MODES, lambda: UvLocker(ctx, self._base, WORKLOAD, index_url, python)
        )
        self._poetry = self._reference(
            "poetry", POETRY_MODES, lambda: PoetryLocker(ctx, self._base, WORKLOAD, index_url)
        )

    def _reference(self, tool: str, modes: tuple[str, ...], make: Callable[[], L]) -> L | None:
        """Install and run ``tool`` once (untimed, fills its cache); None when it cannot."""
        try:
            locker = make()
            locker.prepare()
        except (ReferenceUnavailable, BenchError) as error:
            why = error.why if isinstance(error, ReferenceUnavailable) else str(error)
            for mode in (*modes, "cold-cpu") if tool == "uv" else modes:
                self.missing_references[f"{tool}-{mode}"] = f"{tool} lock: {why}"
            return None
        finally:
            self._count(tool, "prepare")
        self.details[tool] = locker.version
        self.details[f"{tool} packages"] = str(lock_packages(locker.project / locker.lock_file))
        return locker

    def _start_index(self, ctx: Context) -> str:
        self._server, files = serve_workload(ctx, self._base, WORKLOAD, LATENCY, label=self.name)
        self.details["index files"] = str(files)
        return self._server.url

    def measure_px(self) -> Mapping[str, float]:
        assert self._px is not None
        figures = {}
        for mode in PX_MODES:
            done = self._px.run(mode)
            figures[mode] = done.seconds
            if mode == "cold":
                figures["cold-cpu"] = done.cpu
            self._count("px", mode)
        return figures

    def measure_reference(self) -> Mapping[str, float]:
        if self._uv is None and self._poetry is None:
            raise ReferenceUnavailable("; ".join(sorted(set(self.missing_references.values()))))
        figures = {}
        if self._uv is not None:
            for mode in UV_MODES:
                done = self._uv.run(mode)
                figures[f"uv-{mode}"] = done.seconds
                if mode == "cold":
                    figures["uv-cold-cpu"] = done.cpu
                self._count("uv", mode)
        if self._poetry is not None:
            for mode in POETRY_MODES:
                figures[f"poetry-{mode}"] = self._poetry.run(mode)
                self._count("poetry", mode)
        return figures

    def teardown(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None
        if self._base != Path():
            shutil.rmtree(self._base, ignore_errors=True)

    def _count(self, tool: str, mode: str) -> None:
        """Record the requests the command just run sent (loopback index only)."""
        if self._server is not None:
            self.details[f"requests {tool} {mode}"] = self._server.count().describe()
