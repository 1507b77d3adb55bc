"""A loopback index serving exactly the wheels of a workload's resolution.

Shared by the scenarios that lock or install a workload against a slow local
index (``lock``, ``install``, ``run``): the wheels :func:`bench.workloads.wheels`
downloaded once (one version per project), plus the projects only other
platforms need (:func:`bench.workloads.universal_extras`: colorama for
``medium``), so that tools locking for every platform at once (``uv lock``,
``poetry lock``) can lock from it too. Served by :class:`bench.loopback.LoopbackIndex`
(a child process that counts requests) with a fixed latency per request.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from bench.loopback import INDEX, LoopbackIndex
from bench.model import Context, ReferenceUnavailable
from bench.tools import ensure_tool
from bench.workloads import universal_extras, wheels


def serve_workload(
    ctx: Context, base: Path, workload: str, latency: float, *, label: str
) -> tuple[LoopbackIndex, int]:
    """Stage the workload's wheels under ``base`` and serve them; returns the server and
    the number of files it serves. ``label`` prefixes the log line of a missing extra."""
    from fixtures.build import build_index_from_wheels

    wheels_dir, _pins = wheels(ctx, workload)
    staged = base / "wheels"
    staged.mkdir(parents=True)
    sources = list(wheels_dir.glob("*.whl"))
    try:
        extras = universal_extras(ctx, workload, ensure_tool("uv", "uv", ctx))
        sources += extras.glob("*.whl")
    except ReferenceUnavailable as missing:  # uv and poetry will fail to lock: say why
        ctx.log(f"[{label}] no universal extras: {missing.why}")
    for source in sources:
        shutil.copyfile(source, staged / source.name)
    tree = build_index_from_wheels(staged, base / "index", INDEX)
    return LoopbackIndex(ctx, tree.root, latency), len(sources)
