"""Run a command inside a project's environment (standard library only: the `px run` hot path)."""

from __future__ import annotations

import os
import sys


def environment(root: str) -> dict[str, str]:
    """The process environment of a command run in the project at ``root``."""
    px_dir = os.path.join(root, ".px")
    env = dict(os.environ)
    env["PATH"] = os.path.join(px_dir, "bin") + os.pathsep + env.get("PATH", "")
    env["VIRTUAL_ENV"] = px_dir
    env.pop("PYTHONHOME", None)
    env.pop("__PYVENV_LAUNCHER__", None)
    return env


def which(command: str, path: str) -> str | None:
    if os.sep in command:
        return command if os.access(command, os.X_OK) else None
    for directory in path.split(os.pathsep):
        candidate = os.path.join(directory, command)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def exec_in(root: str, argv: list[str]) -> str:
    """Replace this process with ``argv`` run in the environment; returns only on failure.

    The return value names the command that was not found.
    """
    env = environment(root)
    program = which(argv[0], env["PATH"])
    if program is None:
        return argv[0]
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(program, argv, env)
    raise AssertionError("unreachable")  # pragma: no cover
