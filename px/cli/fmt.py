"""`px fmt` and `px lint`: the project's formatter and linter (ruff), from a tool environment."""

from __future__ import annotations

import argparse
from pathlib import Path

from px.cli.app import App

_PATHS_HELP = "files or directories (default: the project); arguments after -- go to the tool"


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    parents: list[argparse.ArgumentParser],
) -> None:
    fmt = sub.add_parser(
        "fmt", parents=parents, help="format the code (ruff format)",
        description="Format PATHS (default: the project) with the formatter of [tool.px] "
        "formatter (ruff, at the version px pins unless pinned there), run from a tool "
        "environment px installs on first use and keeps in the store. Options come before "
        "PATHS; arguments after -- are passed to the tool. Exits with the tool's own code.",
    )  # fmt: skip
    fmt.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 when a file would change"
    )
    fmt.add_argument("args", nargs=argparse.REMAINDER, metavar="PATHS", help=_PATHS_HELP)
    fmt.set_defaults(handler=handle_fmt)

    lint = sub.add_parser(
        "lint", parents=parents, help="lint the code (ruff check)",
        description="Lint PATHS (default: the project) with ruff from px's tool environment "
        "(the tool and version of [tool.px] formatter). Options come before PATHS; arguments "
        "after -- are passed to the tool. With --json, stdout is ruff's JSON report. Exits with "
        "the tool's own code (1: violations found).",
    )  # fmt: skip
    lint.add_argument("--fix", action="store_true", help="fix what the linter can fix")
    lint.add_argument("args", nargs=argparse.REMAINDER, metavar="PATHS", help=_PATHS_HELP)
    lint.set_defaults(handler=handle_lint)


def split_args(args: list[str]) -> tuple[list[str], list[str]]:
    """(paths, arguments for the tool): everything after the first ``--`` is the tool's."""
    if "--" in args:
        at = args.index("--")
        return args[:at], args[at + 1 :]
    return args, []


def handle_fmt(args: argparse.Namespace, app: App) -> int:
    from px.ops import tool

    paths, extra = split_args(args.args)
    invocation = tool.format_command(
        app.settings, Path.cwd(), check=args.check, paths=paths, extra=extra,
        reporter=app.out.reporter(),
    )  # fmt: skip
    return tool.run(invocation)


def handle_lint(args: argparse.Namespace, app: App) -> int:
    from px.ops import tool

    paths, extra = split_args(args.args)
    invocation = tool.lint_command(
        app.settings, Path.cwd(), fix=args.fix, paths=paths, extra=extra, json=app.out.json,
        reporter=app.out.reporter(),
    )  # fmt: skip
    return tool.run(invocation)
