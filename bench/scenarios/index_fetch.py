"""index-fetch: metadata of a whole realistic dependency set from a slow loopback index.

The ``medium`` workload's resolution (about 46 wheels, downloaded from PyPI
once) is served by the loopback index of ``fixtures/`` with a fixed
:data:`LATENCY` added to every request. px, in process and timing only the
work, fetches every project page (16 at a time, as the resolver's prefetch
would) and then every pinned wheel's PEP 658 metadata file through
``IndexClient.prefetch_metadata``:

- ``cold``: an empty store each round;
- ``warm``: a store that one untimed run filled: whatever the index's
  Cache-Control allows is served from it, the rest revalidated.

The reference is ``uv pip compile`` of the same project against the same index:
``--no-cache`` for cold; for warm, a cache directory one untimed run filled,
both with ``--refresh`` (uv revalidates every page and metadata file: like for
like) and as uv behaves by default. uv also resolves (it discovers the set
level by level) where px is handed the set: px's figure is a lower bound of
what its resolver will cost, until a `lock` scenario compares like with like.

The index is ``fixtures.build.build_index_from_wheels`` served by
``python -m bench.loopback DIR --latency-ms N`` in a child process. The server
sends ETag and Last-Modified (the build epoch, 2024-01-01) and no
Cache-Control: px revalidates every page (304s) and takes the hash-pinned
metadata files from the store; uv by default applies heuristic freshness
(RFC 9111 4.2.2: a tenth of the age of Last-Modified) and sends no request at all.
"""

from __future__ import annotations

import concurrent.futures
import importlib
import os
import shutil
import time
from collections.abc import Mapping
from pathlib import Path

from bench.loopback import LoopbackIndex
from bench.model import BenchError, Context, Metric, ReferenceUnavailable, Skip
from bench.tools import ensure_tool, timed_run, version_of
from bench.workloads import PYTHON_VERSION, Pin, copy_project, wheels

LATENCY = 0.020  # seconds added to every request
WORKLOAD = "medium"
INDEX = "primary"
UV = "uv pip compile"


class IndexFetch:
    name: str = "index-fetch"
    description: str = (
        f"metadata of the {WORKLOAD} workload's ~46 wheels from a loopback index with "
        f"{LATENCY * 1000:.0f} ms per request vs {UV}"
    )
    metrics: tuple[Metric, ...] = (
        Metric("cold", "pages + metadata, empty store", "s", "cold", f"{UV} --no-cache"),
        Metric("warm", "again, filled store", "s", "refresh", f"{UV} --refresh, warm cache"),
        Metric("warm", "again, filled store", "s", "warm", f"{UV}, warm cache"),
    )

    def __init__(self) -> None:
        self.details: dict[str, str] = {}
        self._server: LoopbackIndex | None = None
        self._base = Path()
        self._pins: list[Pin] = []
        self._index_url = ""
        self._round = 0
        self._uv: Path | None = None
        self._uv_missing: str | None = None
        self._uv_args: list[str] = []

    def setup(self, ctx: Context) -> None:
        for module in ("px.index.client", "fixtures.build", "fixtures.serve"):
            try:
                importlib.import_module(module)
            except ImportError as error:
                raise Skip(f"{module} not available ({error})") from error
        self._base = ctx.work / "index-fetch"
        wheels_dir, self._pins = wheels(ctx, WORKLOAD)
        from fixtures.build import build_index_from_wheels

        tree = build_index_from_wheels(wheels_dir, self._base / "index", INDEX)
        self._server = LoopbackIndex(ctx, tree.root, LATENCY)
        self._index_url = self._server.url
        self._fetch(self._base / "warm-store")  # fills the store the warm rounds use
        self.details.update(
            index=self._index_url,
            latency_ms=f"{LATENCY * 1000:.0f}",
            wheels=str(len(self._pins)),
        )
        self._prepare_uv(ctx)

    def _prepare_uv(self, ctx: Context) -> None:
        try:
            self._uv = ensure_tool("uv", "uv", ctx)
        except ReferenceUnavailable as missing:
            self._uv_missing = missing.why
            return
        project = copy_project(ctx, WORKLOAD, self._base / "project")
        self._uv_args = [
            str(self._uv), "pip", "compile", str(project / "pyproject.toml"), "--quiet",
            "--no-config", "--index-url", self._index_url, "--python", str(ctx.python),
            "--python-version", PYTHON_VERSION, "--no-header",
            "--output-file", str(self._base / "uv-requirements.txt"),
        ]  # fmt: skip
        timed_run([*self._uv_args, "--cache-dir", str(self._base / "uv-cache")], env=self._env())
        self.details["uv"] = version_of([str(self._uv)])

    def measure_px(self) -> Mapping[str, float]:
        self._round += 1
        cold_store = self._base / f"cold-store-{self._round}"
        figures = {"cold": self._fetch(cold_store), "warm": self._fetch(self._base / "warm-store")}
        shutil.rmtree(cold_store, ignore_errors=True)
        return figures

    def measure_reference(self) -> Mapping[str, float]:
        if self._uv_missing is not None:
            raise ReferenceUnavailable(self._uv_missing)
        env = self._env()
        warm = [*self._uv_args, "--cache-dir", str(self._base / "uv-cache")]
        return {
            "cold": timed_run([*self._uv_args, "--no-cache"], env=env),
            "refresh": timed_run([*warm, "--refresh"], env=env),
            "warm": timed_run(warm, env=env),
        }

    def teardown(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None
        if self._base != Path():
            shutil.rmtree(self._base, ignore_errors=True)

    def _fetch(self, store_dir: Path) -> float:
        """Open the store (untimed), then time fetching every page and metadata file."""
        from px.index import IndexClient, IndexConfig, NetworkSettings
        from px.store import open_store

        settings = NetworkSettings()
        with open_store(store_dir) as store:
            start = time.perf_counter()
            with IndexClient(
                store, [IndexConfig(INDEX, self._index_url)], settings=settings
            ) as client:
                names = [pin.name for pin in self._pins]
                with concurrent.futures.ThreadPoolExecutor(settings.max_workers) as pool:
                    pages = list(pool.map(client.project_files, names))
                wanted = {pin.filename for pin in self._pins}
                files = [f for page in pages for f in page if f.filename in wanted]
                if len(files) != len(wanted):
                    raise BenchError(f"the index lists {len(files)} of the {len(wanted)} wheels")
                client.prefetch_metadata(files)
            return time.perf_counter() - start

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("UV_")}
        env["UV_NO_PROGRESS"] = "1"
        return env
