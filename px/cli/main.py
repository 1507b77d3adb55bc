"""Entry point: parse, run one handler, render its result or error, return the exit code.

This is the only place that catches :class:`~px.errors.PxError`. The hot paths
(`px run`, a no-op `px install`, a warm `px install` of files installed
before, `px lock` with nothing changed) are tried first, before argparse and
the rest of px are imported.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

TYPE_CHECKING = False  # typing itself costs the fast paths milliseconds; mypy reads this as True
if TYPE_CHECKING:
    from typing import NoReturn


def entry() -> NoReturn:
    """The ``px`` command: :func:`main`, then exit without the interpreter's teardown.

    When ``main`` returns, every store, file and thread px opened is closed and
    every child it waits for has finished. What the teardown would add is freeing
    the run's objects one by one and clearing every module: 80-100 ms after a
    cold ``px lock``, whose parsed pages are still in memory (uv has no such step).
    Output is flushed first. A reader that went away (``px ... | head``) ends the
    command as :func:`main` ends one it catches doing so: exit code 1, no traceback;
    this also covers what runs before main's handler (``--version``, the fast paths).

    The cyclic garbage collector runs only after 500,000 new objects (700 by
    default): a command is short, and a cold ``px lock`` parses megabytes of
    JSON into objects that live to its end, which the collector walked again and
    again, holding the GIL (13 times, 40-45 ms, even at 20,000; 25 ms of a cold
    install). Neither makes 500,000 now, and the cycles they leave are few:
    about 2,000 unreachable objects at the end of each. A runaway resolution
    is still collected.
    """
    import gc

    gc.set_threshold(500_000, 50, 100)
    try:
        code = main()
    except BrokenPipeError:
        from px.errors import ExitCode

        code = ExitCode.FAILURE
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (px ... | head), or a closed stream
            pass
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv == ["--version"]:  # answered before argparse and the rest of px load
        from px import __version__

        v = sys.version_info
        sys.stdout.write(f"px {__version__} (Python {v.major}.{v.minor}.{v.micro})\n")
        return 0
    if argv[:1] in (["run"], ["install"]):
        from px.cli.fastpath import try_fast

        code = try_fast(argv)
        if code is not None:
            return code
    if argv[:1] in (["run"], ["install"]):
        from px.cli.fastinstall import try_install, try_run

        code = try_install(argv) if argv[0] == "install" else try_run(argv)
        if code is not None:
            return code
    if "lock" in argv[:2]:
        from px.cli.fastlock import try_lock

        code = try_lock(argv)
        if code is not None:
            return code
    return _main(argv)


def _main(argv: list[str]) -> int:
    from px.cli.app import App
    from px.cli.output import Output
    from px.config import Settings
    from px.errors import ExitCode, PxError

    out = Output(json="--json" in argv, verbosity=_prescan_verbosity(argv))
    try:
        from px.cli.parser import build_parser, version_text

        parser = build_parser()
        own, passthrough = split_passthrough(argv)
        args = parser.parse_args(own)
        if passthrough is not None:
            args.pytest_args = passthrough
        out.json = args.json
        out.verbosity = args.verbose - args.quiet
        _configure_logging(out.verbosity)
        if args.version:
            out.result(_Version(version_text()), lambda r: r.text)
            return ExitCode.OK
        handler = getattr(args, "handler", None)
        if handler is None:
            parser.print_help(sys.stderr)
            return ExitCode.USAGE
        settings = Settings.from_environment(
            store=args.store,
            offline=args.offline,
            verbosity=out.verbosity,
            python=args.python,
        )
        return int(handler(args, App(settings, out)))
    except PxError as error:
        out.error(error, traceback_text=_traceback())
        return error.exit_code
    except KeyboardInterrupt:
        out.stderr.write("interrupted\n")
        return ExitCode.INTERRUPTED
    except BrokenPipeError:
        return ExitCode.FAILURE
    except Exception as exc:  # a bug: say so, traceback only with -v
        return out.internal(exc).exit_code


# px options that take a value, so their value is not mistaken for the command name.
_VALUED = {"--store", "--python"}
# Commands whose arguments all belong to the program they run (px's own options go before).
PASSTHROUGH = {"test"}


def split_passthrough(argv: list[str]) -> tuple[list[str], list[str] | None]:
    """``px -v test -q -x`` -> (``[-v, test]``, ``[-q, -x]``): pytest gets its own options."""
    skip = False
    for i, arg in enumerate(argv):
        if skip:
            skip = False
        elif arg in _VALUED:
            skip = True
        elif not arg.startswith("-"):
            if arg in PASSTHROUGH:
                rest = argv[i + 1 :]
                return argv[: i + 1], rest[1:] if rest[:1] == ["--"] else rest
            break
    return argv, None


class _Version:
    def __init__(self, text: str) -> None:
        self.text = text

    def to_json(self) -> dict[str, str]:
        from px import __version__

        return {"version": __version__, "text": self.text}


def _prescan_verbosity(argv: list[str]) -> int:
    level = 0
    for arg in argv:
        if arg == "--verbose":
            level += 1
        elif arg.startswith("-") and not arg.startswith("--"):
            level += arg.count("v")
    return level


def _traceback() -> str:
    import traceback

    return traceback.format_exc()


def _configure_logging(verbosity: int) -> None:
    if verbosity <= 0:
        return  # warnings still reach stderr through logging's last-resort handler
    import logging

    level = logging.DEBUG if verbosity >= 2 else logging.INFO
    logging.basicConfig(level=level, stream=sys.stderr, format="%(name)s: %(message)s")
