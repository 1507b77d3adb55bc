"""Tool environments: a tool (ruff) at one version, assembled from the store like a ``.px``.

``$PX_HOME/tools/<name>-<version>-<target>/`` has the generation layout of a
project's ``.px`` (``bin/``, ``lib/``, ``current -> gens/N``). The first use
resolves ``<name>==<version>`` with px's resolver for the interpreter running
px, fetches and ingests the wheels, links them from the shared trees, switches
the generation in and records the environment and its wheels in the store (so
`px cache prune` keeps them). After that:

- the directory with its ``.px-tool.json`` marker is used as it is, without
  opening the store or touching the network;
- a deleted directory is rebuilt from the wheels the store recorded for it,
  offline.

The marker is written last, after the store has recorded the environment, so
a directory that carries one is complete.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

from px.config import Settings
from px.reporter import QuietReporter, Reporter

if TYPE_CHECKING:
    from px.install.wheel import WheelRecord
    from px.interp import Interpreter
    from px.project import Project
    from px.store import Store
    from px.tools import Tool

MARKER = ".px-tool.json"
TOOLS_DIR = "tools"


def tool_dir(settings: Settings, tool: Tool, version: str, target: str) -> Path:
    return settings.store_dir / TOOLS_DIR / f"{tool.name}-{version}-{target}"


def executable(path: Path, tool: Tool) -> Path:
    return path / "bin" / tool.executable


def _ready(path: Path, tool: Tool) -> bool:
    return (path / MARKER).is_file() and os.access(executable(path, tool), os.X_OK)


def ensure_tool(
    settings: Settings,
    tool: Tool,
    version: str,
    *,
    project: Project | None,
    command: str,
    reporter: Reporter | None = None,
) -> Path:
    """The directory of ``tool`` ``version``'s environment, assembled when it is not yet."""
    from px.interp import describe_running
    from px.ops.context import lock_target

    interpreter = describe_running()
    target = lock_target(interpreter).id
    path = tool_dir(settings, tool, version, target)
    if _ready(path, tool):
        return path
    from px.ops.activate import project_lock

    path.parent.mkdir(parents=True, exist_ok=True)
    with project_lock(path):  # a second px waits, then finds it ready
        if not _ready(path, tool):
            _assemble(settings, tool, version, target, path, project, interpreter, command,
                      reporter or QuietReporter())  # fmt: skip
    return path


def _assemble(
    settings: Settings,
    tool: Tool,
    version: str,
    target: str,
    path: Path,
    project: Project | None,
    interpreter: Interpreter,
    command: str,
    reporter: Reporter,
) -> None:
    from px.install import generation
    from px.ops.audited import audited_store
    from px.ops.materialize import assemble
    from px.store.tools import record_tool

    (path / MARKER).unlink(missing_ok=True)
    with audited_store(settings, command) as store:
        wheels = _recorded_wheels(store, tool, version, target)
        if wheels is None:
            wheels = _fetch(store, settings, tool, version, project, interpreter, reporter)
        number = generation.next_number(path)
        assemble(store, interpreter, wheels, path, number, settings.store_dir / "trees", reporter)
        generation.switch(path, number)
        record_tool(
            store, name=tool.name, version=version, target=target,
            python=interpreter.base_executable, path=str(path), wheel_ids=[w.id for w in wheels],
        )  # fmt: skip
    generation.remove_generations(path, {number})
    marker = {"name": tool.name, "version": version, "target": target}
    (path / MARKER).write_text(json.dumps(marker, sort_keys=True) + "\n")


def _recorded_wheels(
    store: Store, tool: Tool, version: str, target: str
) -> list[WheelRecord] | None:
    """The wheels the store recorded for this environment, when it still holds them all."""
    from px.install.wheel import load_wheel
    from px.store.tools import find_tool

    found = find_tool(store, tool.name, version, target)
    if found is None or not found.wheel_sha256s:
        return None
    wheels = [load_wheel(store, sha) for sha in found.wheel_sha256s]
    return None if any(w is None for w in wheels) else [w for w in wheels if w is not None]


def _fetch(
    store: Store,
    settings: Settings,
    tool: Tool,
    version: str,
    project: Project | None,
    interpreter: Interpreter,
    reporter: Reporter,
) -> list[WheelRecord]:
    """Resolve ``tool==version`` for ``interpreter`` on the project's indexes; its wheels."""
    from packaging.requirements import Requirement

    from px.ops.context import index_client
    from px.ops.materialize import fetch_wheels
    from px.ops.resolved import resolve_packages
    from px.project import Project

    where = project or Project(root=Path.cwd(), name="px-tools", name_as_written="px-tools")
    client = index_client(store, where, settings)
    try:
        packages = resolve_packages(
            store, client, interpreter, [Requirement(tool.requirement(version))],
            label=f"px's {tool.name} environment",
        )  # fmt: skip
        return fetch_wheels(store, client, interpreter, packages, reporter)
    finally:
        client.close()
