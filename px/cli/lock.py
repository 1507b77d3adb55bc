"""`px lock [--check] [--upgrade] [--upgrade-package NAME]`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from px.cli.app import App
from px.errors import ExitCode

if TYPE_CHECKING:
    from px.ops.lock import LockResult


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    parents: list[argparse.ArgumentParser],
) -> None:
    lock = sub.add_parser(
        "lock", parents=parents, help="resolve the project into px.lock",
        description="Resolve pyproject.toml's dependencies, extras and dependency groups for "
        "the project's interpreter and write px.lock. Versions already in px.lock are kept "
        "when they still fit (minimal change).",
    )
    mode = lock.add_mutually_exclusive_group()
    mode.add_argument(
        "--check", action="store_true",
        help="only check that px.lock exists and matches pyproject.toml (exit 8 if not)",
    )
    mode.add_argument("--upgrade", action="store_true", help="re-resolve every package")
    lock.add_argument(
        "--upgrade-package", "-P", metavar="NAME", action="append", default=[],
        help="re-resolve NAME (and what it forces); repeatable",
    )
    lock.set_defaults(handler=handle)


def render(result: LockResult) -> str:
    if result.status == "fresh":
        return f"{result.path} is up to date ({result.packages} packages, {result.target})"
    lines = [
        f"{'wrote' if result.status == 'written' else 'unchanged:'} {result.path} "
        f"({result.packages} packages for {result.target})"
    ]
    for change in result.changes:
        if change.old is None:
            lines.append(f"  + {change.name} {change.new}")
        elif change.new is None:
            lines.append(f"  - {change.name} {change.old}")
        else:
            lines.append(f"  ~ {change.name} {change.old} -> {change.new}")
    return "\n".join(lines)


def handle(args: argparse.Namespace, app: App) -> int:
    from px.ops import lock

    if args.check:
        result = lock.check(app.settings, Path.cwd())
    else:
        result = lock.lock(
            app.settings,
            Path.cwd(),
            upgrade=args.upgrade,
            upgrade_packages=args.upgrade_package,
            reporter=app.out.reporter(),
        )
    app.out.result(result, render)
    return ExitCode.OK
