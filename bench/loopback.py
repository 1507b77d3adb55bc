"""A loopback package index in a child process, whose requests the harness can count.

The parent starts ``python -m bench.loopback DIR --latency-ms N`` (the index
server of ``fixtures/`` over a tree ``fixtures.build`` wrote) and talks to it
over its stdin and stdout: the child prints ``<index>: <url>`` per index, then
answers every ``count`` line with one JSON line counting the requests received
since the previous ``count`` (and forgets them); it stops when its stdin closes,
so it never outlives the harness. Running the server apart keeps its threads
from competing with an in-process client for the GIL, as a real index would.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.model import BenchError, Context

INDEX = "primary"


@dataclass(frozen=True)
class RequestCount:
    """What a client asked the index for between two counts."""

    total: int
    pages: int  # /<index>/simple/... project pages
    metadata: int  # PEP 658 .metadata files
    files: int  # wheels and sdists
    conditional: int  # requests carrying If-None-Match or If-Modified-Since

    def describe(self) -> str:
        return (
            f"{self.total} ({self.pages} pages, {self.metadata} metadata, {self.files} files; "
            f"{self.conditional} conditional)"
        )


class LoopbackIndex:
    """The child process serving ``tree_root`` with ``latency`` seconds added per request."""

    def __init__(self, ctx: Context, tree_root: Path, latency: float) -> None:
        argv = [str(ctx.python), "-m", "bench.loopback", str(tree_root)]
        argv += ["--latency-ms", f"{latency * 1000:g}"]
        self._process = subprocess.Popen(
            argv, cwd=ctx.repo, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self._process.stdout is not None
        urls = {}
        for line in self._process.stdout:  # "<index>: <url>" per index, then "ready"
            if line.strip() == "ready":
                break
            name, _, url = line.strip().partition(": ")
            urls[name] = url
        if INDEX not in urls:
            self.stop()
            raise BenchError(f"`{' '.join(argv)}` did not announce the {INDEX!r} index")
        self.url = urls[INDEX]

    def count(self) -> RequestCount:
        """The requests served since the previous call (or since the start)."""
        stdin, stdout = self._process.stdin, self._process.stdout
        if stdin is None or stdout is None or self._process.poll() is not None:
            raise BenchError("the loopback index server is not running")
        stdin.write("count\n")
        stdin.flush()
        line = stdout.readline()
        if not line:
            raise BenchError("the loopback index server stopped answering")
        return RequestCount(**json.loads(line))

    def stop(self) -> None:
        if self._process.stdin is not None and not self._process.stdin.closed:
            try:
                self._process.stdin.close()  # the child stops at end of input
            except OSError:
                pass
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._process.stdout is not None:
            self._process.stdout.close()


def tally(requests: Sequence[tuple[str, Mapping[str, str]]]) -> RequestCount:
    """Count (path, lower-case headers) pairs by kind."""
    pages = metadata = files = conditional = 0
    for path, headers in requests:
        bare = path.split("?", 1)[0]
        if bare.endswith(".metadata"):
            metadata += 1
        elif "/simple/" in bare:
            pages += 1
        elif "/files/" in bare:
            files += 1
        if "if-none-match" in headers or "if-modified-since" in headers:
            conditional += 1
    return RequestCount(len(requests), pages, metadata, files, conditional)


def main(argv: Sequence[str] | None = None) -> int:
    from fixtures.server import IndexServer

    parser = argparse.ArgumentParser(prog="python -m bench.loopback", description=__doc__)
    parser.add_argument("dir", type=Path, help="an index tree written by fixtures.build")
    parser.add_argument("--latency-ms", type=float, default=0, help="delay for every request")
    args = parser.parse_args(argv)
    root: Path = args.dir
    indexes = sorted(p.name for p in root.iterdir() if (p / "simple").is_dir())
    if not indexes:
        parser.error(f"{root} holds no index (expected {root}/<index>/simple/)")
    server = IndexServer(root, latency_ms=args.latency_ms).start()
    try:
        for index in indexes:
            print(f"{index}: {server.url(index)}")
        print("ready", flush=True)
        for line in sys.stdin:
            if line.strip() != "count":
                continue
            logged = server.requests
            server.clear_log()
            count = tally([(r.path, r.headers) for r in logged])
            print(json.dumps(count.__dict__), flush=True)
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
