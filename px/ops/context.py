"""What lock, add, remove and install share: the interpreter, the target, the index client.

The lock target is made machine-independent on purpose: on Linux the wheel
platforms considered are the whole manylinux family of the architecture (up to
a fixed glibc ceiling), not this machine's glibc, so the same pyproject.toml
locks to the same bytes on any Linux machine of that architecture; the
installer later picks the best locked wheel the machine supports.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from px.config import Settings
from px.interp import Interpreter, choose_interpreter, describe_running, probe
from px.lock import LockTarget, target_id

if TYPE_CHECKING:
    from px.index.client import IndexClient
    from px.index.tags import Target as TagTarget
    from px.project import Project
    from px.resolve import Target
    from px.store import Store

GLIBC_CEILING = 40  # manylinux_2_40: newer than any glibc a wheel targets today
_MANYLINUX = re.compile(r"^manylinux_(\d+)_(\d+)_(.+)\Z")
# Values that differ between machines of one target and never matter to a lock.
_MACHINE_MARKERS = {"platform_release", "platform_version", "implementation_version"}


def choose_for(project: Project, settings: Settings, locked_python: str | None) -> Interpreter:
    """The interpreter: --python/PX_PYTHON, [tool.px] python, the lock's, or the running one."""
    from px.interp.discover import discover_interpreters

    requested = settings.python or project.px.python or locked_python
    return choose_interpreter(
        requested=requested,
        requires_python=project.requires_python,
        running=describe_running(),
        discover=discover_interpreters,
        probe=probe,
    )


def _platforms(interpreter: Interpreter) -> list[str]:
    """The platform tags the lock considers for this interpreter (best first)."""
    seen: list[str] = []
    for tag in interpreter.tags:
        platform = tag.split("-")[2]
        if platform not in seen:
            seen.append(platform)
    arch = next((m.group(3) for p in seen if (m := _MANYLINUX.match(p))), None)
    if arch is None:
        return seen  # not glibc Linux: this machine's own platform tags
    family = [f"manylinux_2_{minor}_{arch}" for minor in range(GLIBC_CEILING, 4, -1)]
    legacy = [f"manylinux2014_{arch}", f"manylinux2010_{arch}", f"manylinux1_{arch}"]
    return [*family, *legacy, f"linux_{arch}"]


def tag_target(interpreter: Interpreter) -> TagTarget:
    from px.index.tags import InterpreterDescription, target_for

    env = interpreter.environment
    impl = {"cpython": "cp", "pypy": "pp"}.get(env["implementation_name"], "py")
    return target_for(
        InterpreterDescription(
            implementation=impl,
            version=interpreter.version,
            platforms=tuple(_platforms(interpreter)),
        )
    )


def resolve_target(interpreter: Interpreter) -> Target:
    from px.resolve import Target

    env = {k: v for k, v in interpreter.environment.items() if k not in _MACHINE_MARKERS}
    return Target.from_environment(env)


def lock_target(interpreter: Interpreter) -> LockTarget:
    env = interpreter.environment
    markers = {
        k: v for k, v in env.items() if k not in _MACHINE_MARKERS and k != "python_full_version"
    }
    platforms = _platforms(interpreter)
    return LockTarget(
        id=target_id(
            implementation_name=env["implementation_name"],
            python_version=env["python_version"],
            sys_platform=env["sys_platform"],
            platform_machine=env["platform_machine"],
        ),
        implementation=env["implementation_name"],
        python_version=env["python_version"],
        markers=tuple(markers.items()),
        platform_tags=(platforms[0], platforms[-1]) if len(platforms) > 1 else tuple(platforms),
    )


def index_client(
    store: Store, project: Project, settings: Settings, env: Mapping[str, str] | None = None
) -> IndexClient:
    """The index client for ``project``: its declared indexes first, the default index last."""
    from px.index.client import IndexClient
    from px.index.config import IndexConfig, default_index, settings_from_environ

    env = os.environ if env is None else env
    declared = [
        IndexConfig(i.name, i.url, explicit=i.explicit) for i in project.px.indexes if not i.default
    ]
    url = env.get("PX_INDEX_URL") or project.px.default_index_url()
    marked = next((i for i in project.px.indexes if i.default), None)
    default = IndexConfig(marked.name, url) if marked else default_index(url)
    find_links: list[Path | str] = [
        link if "://" in link else (project.root / link).resolve() for link in project.px.find_links
    ]
    return IndexClient(
        store,
        [*declared, default],
        sources={s.package: s.index for s in project.px.sources},
        find_links=find_links,
        settings=settings_from_environ(env, offline=settings.offline),
    )


def lock_path(project: Project) -> Path:
    return project.root / "px.lock"
