"""A warm `px install` of files installed before, decided before argparse or any heavy import.

The normal path remembers, for the exact bytes of ``pyproject.toml`` and
``px.lock`` (and px, the interpreter running it and the variables px reads),
the plan it activated: interpreter, wheels, trees, entry points
(:mod:`px.store.install_plans`). A fresh copy of the same project (a clone, a
CI checkout, another worktree) then needs no lock parsing, no interpreter
discovery and no manifest reads: one row of the store, the trees' listings,
and :func:`px.ops.activate.activate`, the very steps the normal path ends
with, so the environment, the store's records and the output are the same.

Only ``px install [--frozen] [-q]`` and ``px run [--frozen] CMD...`` (which
syncs before it runs) come here, for the default selection. No plan, a tree
or wheel gone since, or any problem before the switch returns None and takes
the normal path, which reports errors properly.
"""

from __future__ import annotations

import os
import sys

from px.cli.fastpath import (
    DEFAULT_SELECTION,
    installed_text,
    is_plain_install,
    up_to_date_text,
)

TYPE_CHECKING = False  # typing itself costs the fast paths milliseconds; mypy reads this as True
if TYPE_CHECKING:
    from px.config import Settings
    from px.ops.activate import Plan


def try_install(argv: list[str]) -> int | None:
    if not is_plain_install(argv):
        return None
    from px.install import state

    root = state.find_root(os.getcwd())
    if root is None:
        return None
    done = _install_from_plan(root)
    if done is None:
        return None
    sys.stdout.write(done + "\n")
    return 0


def try_run(argv: list[str]) -> int | None:
    """`px run CMD...` in a project whose environment a plan can build: build it, exec CMD."""
    from px.cli.fastpath import run_command
    from px.install import state

    command = run_command(argv)
    root = state.find_root(os.getcwd())
    if command is None or root is None or _install_from_plan(root) is None:
        return None
    from px.install.runner import exec_in

    exec_in(root, command)
    return None  # not found: let the normal path report it


def _install_from_plan(root: str) -> str | None:
    """Install ``root`` from its remembered plan; what `px install` prints, or None."""
    try:
        with open(os.path.join(root, "pyproject.toml"), "rb") as f:
            pyproject = f.read()
        with open(os.path.join(root, "px.lock"), "rb") as f:
            lock = f.read()
    except OSError:
        return None
    from px.config import Settings
    from px.store import install_plans

    settings = Settings.from_environment()
    store_file = os.fspath(settings.store_path)
    key = install_plans.plan_key(
        pyproject, lock, DEFAULT_SELECTION, settings.python or "", os.environ
    )
    text = install_plans.recall(store_file, key)
    if text is None:
        return None
    from px.ops.activate import Plan

    plan = Plan.from_json(text)
    if plan is None or not install_plans.wheels_exist(store_file, plan.wheel_ids):
        return None  # a tree or a wheel pruned since: the normal path fetches them again
    return _activate(settings, root, plan)


def _activate(settings: Settings, root: str, plan: Plan) -> str | None:
    from pathlib import Path

    from px.errors import PxError
    from px.install import state
    from px.ops.activate import activate, project_lock
    from px.ops.audited import audited_store

    px_dir = Path(root) / ".px"
    try:
        with project_lock(px_dir):
            if state.is_current(root, DEFAULT_SELECTION):  # another px finished it meanwhile
                recorded = state.read(os.fspath(px_dir))
                count = int(recorded.get("packages") or 0)
                return up_to_date_text(root, recorded.get("generation", ""), count)
            with audited_store(settings, "install") as store:
                number, warnings = activate(
                    store, Path(root), plan, DEFAULT_SELECTION, settings.store_dir / "trees"
                )
    except (PxError, OSError):
        return None  # nothing switched in, or a state the normal path repairs and reports
    return installed_text(root, plan.packages, number, warnings)
