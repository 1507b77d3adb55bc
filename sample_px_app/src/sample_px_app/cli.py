"""The console script: ``sample-px-app REQUIREMENT VERSION``."""

from __future__ import annotations

import sys

from pygments import highlight
from pygments.formatters import TerminalFormatter
from pygments.lexers import TextLexer

from sample_px_app.check import explain, satisfies


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: sample-px-app REQUIREMENT VERSION", file=sys.stderr)
        return 2
    line = explain(args[0], args[1])
    if sys.stdout.isatty():
        line = highlight(line, TextLexer(), TerminalFormatter()).rstrip("\n")
    print(line)
    return 0 if satisfies(args[0], args[1]) else 1
