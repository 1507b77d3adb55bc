"""`px init [PATH] [--name NAME] [--app | --lib]`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from px.cli.app import App
from px.errors import ExitCode

if TYPE_CHECKING:
    from px.ops.init import InitResult


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    parents: list[argparse.ArgumentParser],
) -> None:
    init = sub.add_parser(
        "init",
        parents=parents,
        help="start a new project",
        description="Create a project in PATH (default: the current directory): a PEP 621 "
        "pyproject.toml built by hatchling, src/<package>/, a test, README.md and a "
        ".gitignore that ignores .px/. requires-python is '>=X.Y' of the interpreter "
        "(--python picks another, and pins it in [tool.px]). A library unless --app. "
        "Never overwrites: an existing pyproject.toml is refused (exit 3).",
    )
    init.add_argument("path", nargs="?", default=".", metavar="PATH", help="project directory")
    init.add_argument("--name", help="the project name (default: the directory's name)")
    kind = init.add_mutually_exclusive_group()
    kind.add_argument(
        "--app",
        dest="kind",
        action="store_const",
        const="app",
        help="an application: a console script [project.scripts] and a __main__",
    )
    kind.add_argument(
        "--lib",
        dest="kind",
        action="store_const",
        const="lib",
        help="a library (the default): a package with py.typed",
    )
    init.set_defaults(handler=handle, kind="lib")


def _text(r: InitResult) -> str:
    lines = [
        f"created {r.kind} {r.name} in {r.root} "
        f"(requires-python {r.requires_python}, built by {r.build_backend})"
    ]
    lines += [f"  {f.status:8} {f.path}" for f in r.files]
    lines.append("next: px add NAME, px install, px run; px add --dev pytest for px test")
    return "\n".join(lines)


def handle(args: argparse.Namespace, app: App) -> int:
    from px.ops.init import init

    result = init(app.settings, Path(args.path), name=args.name, kind=args.kind)
    app.out.result(result, _text)
    return ExitCode.OK
