"""The argument parser: global options and one sub-parser module per command group.

Global options are accepted before or after the command name (``px --json
cache info`` and ``px cache info --json`` are the same), as uv does: they are
declared on the top parser with real defaults and again on every sub-parser
with ``SUPPRESS`` defaults, so a value given after the command overrides
without a default clobbering one given before it.
"""

from __future__ import annotations

import argparse
from typing import NoReturn

from px import __version__
from px.errors import UsageError

# Command group modules, in help order. Each has add_parser(sub, parents).
COMMAND_MODULES = (
    "px.cli.init",
    "px.cli.lock",
    "px.cli.why",
    "px.cli.edit",
    "px.cli.install",
    "px.cli.fmt",
    "px.cli.build",
    "px.cli.publish",
    "px.cli.cache",
    "px.cli.query",
)


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors become px errors (and --json objects)."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}", hint=f"see `{self.prog} --help`")


def add_global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    def default(value: object) -> object:
        return argparse.SUPPRESS if suppress else value

    group = parser.add_argument_group("global options")
    group.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=default(0),
        help="more output; -v shows tracebacks of internal errors, -vv debug logs",
    )
    group.add_argument(
        "-q", "--quiet", action="count", default=default(0), help="less output (no progress)"
    )
    group.add_argument(
        "--json",
        action="store_true",
        default=default(False),
        help="write exactly one JSON document to stdout (schemas in schema/output/)",
    )
    group.add_argument(
        "--offline",
        action="store_true",
        default=default(False),
        help="use only what the store already holds; never touch the network (env PX_OFFLINE=1)",
    )
    group.add_argument(
        "--store",
        metavar="DIR",
        default=default(None),
        help="the store directory (env PX_HOME; default ~/.local/share/px on Linux)",
    )
    group.add_argument(
        "--python",
        metavar="VERSION|PATH",
        default=default(None),
        help="the interpreter to lock and install for (env PX_PYTHON)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The whole parser (also used by argparse-manpage to write the man page)."""
    import importlib

    parser = Parser(
        prog="px",
        description="px: a Python project manager whose whole state lives in one SQLite store.",
        epilog="Exit codes are listed in docs/exit-codes.md.",
    )
    parser.add_argument("--version", action="store_true", help="print px's version and exit")
    add_global_options(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    globals_parent = Parser(add_help=False)
    add_global_options(globals_parent, suppress=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).add_parser(sub, [globals_parent])
    return parser


def version_text() -> str:
    import platform

    return f"px {__version__} (Python {platform.python_version()})"
