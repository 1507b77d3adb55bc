"""`px fmt` and `px lint`: run the project's formatter from the tool environment px keeps.

The tool and its version come from ``[tool.px] formatter`` (ruff at the version
px pins when unset); see :mod:`px.ops.tool_env` for the environment. The tool
runs in the project's directory (so it reads the project's own configuration)
when no paths are given, else in the current directory with the paths as
written. Its output is its own and its exit code is returned unchanged.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from px.config import Settings
from px.errors import InputError
from px.reporter import Reporter

if TYPE_CHECKING:
    from px.project import Project
    from px.tools import Tool


@dataclass(frozen=True)
class Invocation:
    """A tool command ready to run."""

    argv: tuple[str, ...]
    cwd: Path


def _project(start: Path) -> Project | None:
    from px.project import find_project, load_project

    try:
        root = find_project(start)
    except InputError:
        return None  # outside any project: ruff's defaults, the default index
    return load_project(root)


def _prepare(
    settings: Settings,
    start: Path,
    paths: Sequence[str],
    command: str,
    argv: Callable[[Tool], list[str]],
    extra: Sequence[str],
    reporter: Reporter | None,
) -> Invocation:
    from px.ops.tool_env import ensure_tool, executable
    from px.tools import choose_formatter

    project = _project(start)
    tool, version = choose_formatter(project.px.formatter if project else None)
    env = ensure_tool(settings, tool, version, project=project, command=command, reporter=reporter)
    build = argv(tool)
    cwd = start if paths or project is None else project.root
    return Invocation((str(executable(env, tool)), *build, *extra), cwd)


def format_command(
    settings: Settings,
    start: Path,
    *,
    check: bool,
    paths: Sequence[str] = (),
    extra: Sequence[str] = (),
    reporter: Reporter | None = None,
) -> Invocation:
    """The formatter's command line (the tool environment made ready first)."""

    def argv(tool: Tool) -> list[str]:
        return tool.format_argv(list(paths), check=check)

    return _prepare(settings, start, paths, "fmt", argv, extra, reporter)


def lint_command(
    settings: Settings,
    start: Path,
    *,
    fix: bool,
    paths: Sequence[str] = (),
    extra: Sequence[str] = (),
    json: bool = False,
    reporter: Reporter | None = None,
) -> Invocation:
    """The linter's command line (the tool environment made ready first); ``json`` asks the
    tool for its report as JSON."""

    def argv(tool: Tool) -> list[str]:
        return tool.lint_argv(list(paths), fix=fix, json=json)

    return _prepare(settings, start, paths, "lint", argv, extra, reporter)


def run(invocation: Invocation) -> int:
    """Run the tool with this process's stdin, stdout and stderr; its exit code."""
    sys.stdout.flush()
    sys.stderr.flush()
    code = subprocess.run(list(invocation.argv), cwd=invocation.cwd, check=False).returncode
    return 128 - code if code < 0 else code  # killed by a signal: as a shell reports it
