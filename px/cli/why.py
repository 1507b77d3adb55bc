"""`px why NAME`: the dependency paths that bring NAME into px.lock."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from px.cli.app import App
from px.errors import ExitCode

if TYPE_CHECKING:
    from px.ops.why import WhyResult


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    parents: list[argparse.ArgumentParser],
) -> None:
    why = sub.add_parser(
        "why",
        parents=parents,
        help="show why a package is in px.lock",
        description="List every dependency path in px.lock from the project's roots (its "
        "dependencies, extras and dependency groups, each named) to NAME, with the "
        "requirement along each edge and the version locked for it. Exit 3 when NAME is not "
        "locked (close names are suggested).",
    )
    why.add_argument("name", metavar="NAME", help="a package name (any spelling)")
    why.set_defaults(handler=handle)


def render(result: WhyResult) -> str:
    versions = " | ".join(result.versions)
    if not result.paths:
        return f"{result.name} {versions} is locked, but nothing in {result.project} requires it"
    count = len(result.paths)
    lines = [f"{result.name} {versions} is required through {count} path{'s' * (count != 1)}:"]
    lines += [f"  {path.text}" for path in result.paths]
    if result.truncated:
        lines.append(f"  ... (only the first {count} paths are shown)")
    return "\n".join(lines)


def handle(args: argparse.Namespace, app: App) -> int:
    from px.ops.why import why

    result = why(app.settings, Path.cwd(), args.name)
    app.out.result(result, render)
    return ExitCode.OK
