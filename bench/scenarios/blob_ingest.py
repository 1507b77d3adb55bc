"""blob-ingest: storing real Python files in px's blob store and reading them back.

The input is the running interpreter's standard library, ``*.py`` files only
(no site-packages), capped at :data:`CAP_BYTES`, staged once into the run's
scratch directory. Each px round, in process and timing only the work:

- ``store``: read the files and ``blobs.put_many`` them, 500 a transaction, into
  a fresh store (opening the store, i.e. creating its schema, is not timed);
- ``read``: ``blobs.get`` every key back (each read re-hashes and decompresses);
- ``put-file``: ``blobs.put_file`` every file (streaming, one transaction each)
  into another fresh store.

The WAL checkpoint that closing a store performs is not timed: like ``cp``,
the figures are for data handed to the OS page cache. The reference copies the
same staged tree with ``cp -r``; read-back is compared with reading the staged
files in process (``open``/``read`` of each, from the page cache). Throughput
is MB (10^6 bytes) of raw file content per second.
"""

from __future__ import annotations

import shutil
import sysconfig
import time
from collections.abc import Mapping
from pathlib import Path

from bench.model import BenchError, Context, Metric, ReferenceUnavailable
from bench.tools import timed_run

CAP_BYTES = 30_000_000
BATCH = 500
CP = "cp -r"
READ = "read the files"


def stdlib_sources(cap: int = CAP_BYTES) -> tuple[Path, list[Path]]:
    """The stdlib's ``*.py`` files (sorted, site-packages excluded) up to ``cap`` bytes."""
    root = Path(sysconfig.get_paths()["stdlib"])
    chosen: list[Path] = []
    total = 0
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if "site-packages" in rel.parts or "dist-packages" in rel.parts or not path.is_file():
            continue
        size = path.stat().st_size
        if total + size > cap:
            break
        chosen.append(rel)
        total += size
    return root, chosen


class BlobIngest:
    name: str = "blob-ingest"
    description: str = "store the stdlib's .py files in a fresh store and read them back vs cp -r"
    metrics: tuple[Metric, ...] = (
        Metric("store", "store (put_many, 500 a batch)", "MB/s", "copy", CP),
        Metric("read", "read back (get)", "MB/s", "read", READ),
        Metric("put-file", "store (put_file, one by one)", "MB/s", "copy", CP),
    )

    def __init__(self) -> None:
        self.details: dict[str, str] = {}
        self._base = Path()
        self._files: list[Path] = []
        self._bytes = 0
        self._round = 0
        self._cp: str | None = None

    def setup(self, ctx: Context) -> None:
        self._base = ctx.work / "blob-ingest"
        source = self._base / "src"
        root, relative = stdlib_sources()
        if not relative:
            raise BenchError(f"no *.py files found under {root}")
        for rel in relative:
            target = source / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(root / rel, target)
        self._files = [source / rel for rel in relative]
        self._bytes = sum(p.stat().st_size for p in self._files)
        self._cp = shutil.which("cp")
        self.details.update(
            source=str(root),
            files=str(len(self._files)),
            megabytes=f"{self._bytes / 1e6:.1f}",
        )

    def measure_px(self) -> Mapping[str, float]:
        from px.store import open_store

        self._round += 1
        stores = self._base / f"px-{self._round}"
        with open_store(stores / "batched") as store:
            start = time.perf_counter()
            keys: list[str] = []
            for i in range(0, len(self._files), BATCH):
                keys.extend(
                    store.blobs.put_many([p.read_bytes() for p in self._files[i : i + BATCH]])
                )
            stored = time.perf_counter()
            read = sum(len(store.blobs.get(key)) for key in keys)
            done = time.perf_counter()
        if read != self._bytes:
            raise BenchError(f"read back {read} bytes, stored {self._bytes}")
        with open_store(stores / "per-file") as store:
            start_files = time.perf_counter()
            for path in self._files:
                store.blobs.put_file(path)
            done_files = time.perf_counter()
        shutil.rmtree(stores)
        return {
            "store": self._rate(stored - start),
            "read": self._rate(done - stored),
            "put-file": self._rate(done_files - start_files),
        }

    def measure_reference(self) -> Mapping[str, float]:
        if self._cp is None:
            raise ReferenceUnavailable("no `cp` program on PATH")
        target = self._base / f"cp-{self._round}"
        seconds = timed_run([self._cp, "-r", str(self._base / "src"), str(target)])
        shutil.rmtree(target)
        start = time.perf_counter()
        read = sum(len(path.read_bytes()) for path in self._files)
        reading = time.perf_counter() - start
        if read != self._bytes:
            raise BenchError(
                f"read {read} bytes back from the staged files, expected {self._bytes}"
            )
        return {"copy": self._rate(seconds), "read": self._rate(reading)}

    def teardown(self) -> None:
        if self._base != Path():
            shutil.rmtree(self._base, ignore_errors=True)

    def _rate(self, seconds: float) -> float:
        return self._bytes / 1e6 / seconds if seconds > 0 else float("inf")
