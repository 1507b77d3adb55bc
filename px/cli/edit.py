"""`px add REQ...` and `px remove NAME...`."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from px.cli.app import App
from px.cli.lock import render as render_lock
from px.errors import ExitCode

if TYPE_CHECKING:
    from px.ops.edit import EditResult


def _where_options(parser: argparse.ArgumentParser, verb: str) -> None:
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--group", metavar="NAME", help=f"{verb} the dependency group NAME")
    where.add_argument("--dev", action="store_true", help=f"{verb} the dev dependency group")
    where.add_argument("--optional", metavar="EXTRA", help=f"{verb} the extra EXTRA")


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    parents: list[argparse.ArgumentParser],
) -> None:
    add = sub.add_parser(
        "add",
        parents=parents,
        help="declare dependencies and re-lock",
        description="Add requirements to pyproject.toml (comments and layout kept) and re-lock. "
        "A bare name gets a lower bound at the resolved version (name>=X). If resolution "
        "fails, pyproject.toml and px.lock are left exactly as they were.",
    )
    add.add_argument("requirements", nargs="+", metavar="REQ", help="PEP 508 requirement")
    _where_options(add, "add to")
    add.add_argument(
        "--no-install",
        action="store_true",
        help="only edit and lock (px has no environments yet, so this is what add does today)",
    )
    add.set_defaults(handler=handle_add)
    remove = sub.add_parser(
        "remove",
        parents=parents,
        help="drop dependencies and re-lock",
        description="Remove requirements from pyproject.toml and re-lock.",
    )
    remove.add_argument("names", nargs="+", metavar="NAME", help="a declared dependency")
    remove.add_argument(
        "--no-install", action="store_true", help="only edit pyproject.toml and px.lock"
    )
    _where_options(remove, "remove from")
    remove.set_defaults(handler=handle_remove)


def _render(verb: str) -> Callable[[EditResult], str]:
    def render(result: EditResult) -> str:
        lines = [f"{verb} {req} ({result.where})" for req in result.declared]
        lines.append(render_lock(result.lock))
        if result.install is not None:
            from px.cli.install import install_text

            lines.append(install_text(result.install))
        return "\n".join(lines)

    return render


def _sync(result: EditResult, args: argparse.Namespace, app: App) -> EditResult:
    """Bring .px in line with the new lock, as uv add/remove do (unless --no-install)."""
    if args.no_install:
        return result
    from px.ops.install import install

    return result.installed(install(app.settings, Path.cwd(), reporter=app.out.reporter()))


def handle_add(args: argparse.Namespace, app: App) -> int:
    app.going_online()
    from px.ops import edit

    result = edit.add(
        app.settings,
        Path.cwd(),
        args.requirements,
        group=args.group,
        dev=args.dev,
        optional=args.optional,
        reporter=app.out.reporter(),
    )
    app.out.result(_sync(result, args, app), _render("added"))
    return ExitCode.OK


def handle_remove(args: argparse.Namespace, app: App) -> int:
    app.going_online()
    from px.ops import edit

    result = edit.remove(
        app.settings,
        Path.cwd(),
        args.names,
        group=args.group,
        dev=args.dev,
        optional=args.optional,
        reporter=app.out.reporter(),
    )
    app.out.result(_sync(result, args, app), _render("removed"))
    return ExitCode.OK
