"""`px install`, `px run`, `px test`, `px env info|python`, `px tidy`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from px.cli.app import App
from px.errors import ExitCode, InstallError

if TYPE_CHECKING:
    from px.ops.env import EnvInfo
    from px.ops.install import InstallResult
    from px.ops.tidy import TidyResult


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    parents: list[argparse.ArgumentParser],
) -> None:
    install = sub.add_parser(
        "install",
        parents=parents,
        help="make .px match px.lock",
        description="Install px.lock into the project's environment (.px/). Locks first when "
        "px.lock is missing or stale, unless --frozen. Installs the dependencies and the dev "
        "group; --no-dev leaves the dev group out, --group adds others.",
    )
    install.add_argument(
        "--frozen",
        action="store_true",
        help="install exactly px.lock; never resolve or write it (exit 8 if missing or stale)",
    )
    install.add_argument("--no-dev", action="store_true", help="leave out the dev group")
    install.add_argument(
        "--group", action="append", default=[], metavar="NAME", help="also install group NAME"
    )
    install.add_argument(
        "--extra", action="append", default=[], metavar="EXTRA", help="also install EXTRA"
    )
    install.set_defaults(handler=handle_install)

    run = sub.add_parser(
        "run",
        parents=parents,
        help="run a command in the project's environment",
        description="Run CMD with the project's packages importable and its scripts on PATH, "
        "without activation. Syncs the environment first when px.lock changed (not with "
        "--frozen). Exits with CMD's own exit code; 127 when CMD is not found.",
    )
    run.add_argument("--frozen", action="store_true", help="do not lock; fail if stale")
    run.add_argument("command", nargs=argparse.REMAINDER, metavar="CMD", help="command and args")
    run.set_defaults(handler=handle_run)

    test = sub.add_parser(
        "test",
        parents=parents,
        help="run pytest from the dev group",
        description="Run pytest (from the project's dev group) in the environment; arguments "
        "are passed to pytest.",
    )
    test.add_argument("pytest_args", nargs=argparse.REMAINDER, metavar="ARGS")
    test.set_defaults(handler=handle_test)

    env = sub.add_parser("env", parents=parents, help="the project's environment")
    actions = env.add_subparsers(dest="env_command", metavar="ACTION", required=True)
    actions.add_parser(
        "info", parents=parents, help="interpreter, paths, generation, packages"
    ).set_defaults(handler=handle_env_info)
    actions.add_parser(
        "python", parents=parents, help="the interpreter path an IDE should use"
    ).set_defaults(handler=handle_env_python)

    tidy = sub.add_parser(
        "tidy", parents=parents,
        help="sync .px, drop old generations, report unused and undeclared dependencies",
        description="Make .px exactly px.lock and remove every generation but the current "
        "one; then report declared dependencies nothing imports and imported modules no "
        "declared dependency provides (runtime dependencies are checked against the code, "
        "the dev group against the tests too). --fix removes the unused declarations (px "
        "remove, which re-locks) and syncs again.",
    )  # fmt: skip
    tidy.add_argument(
        "--fix", action="store_true", help="remove the unused declarations and re-lock"
    )
    tidy.set_defaults(handler=handle_tidy)


def install_text(r: InstallResult) -> str:
    from px.cli.fastpath import installed_text, up_to_date_text

    if r.status == "up-to-date":
        return up_to_date_text(r.project, r.generation, r.packages)
    return installed_text(r.project, r.packages, r.generation, r.warnings)


def handle_install(args: argparse.Namespace, app: App) -> int:
    app.going_online()  # (a no-op install was answered before px got here)
    from px.ops.install import install

    result = install(
        app.settings,
        Path.cwd(),
        frozen=args.frozen,
        no_dev=args.no_dev,
        groups=args.group,
        extras=args.extra,
        reporter=app.out.reporter(),
    )
    app.out.result(result, install_text)
    return ExitCode.OK


def _command(args: list[str]) -> list[str]:
    return args[1:] if args[:1] == ["--"] else args


def handle_run(args: argparse.Namespace, app: App) -> int:
    from px.errors import UsageError

    command = _command(args.command)
    if not command:
        raise UsageError("px run needs a command", hint="e.g. `px run python -m mypkg`")
    app.going_online()  # the environment is not current, or the fast path would have run it
    from px.ops import env

    root = env.prepare(app.settings, Path.cwd(), frozen=args.frozen, reporter=app.out.reporter())
    env.run(root, command)
    return ExitCode.INTERNAL  # pragma: no cover - run() execs or raises


def handle_test(args: argparse.Namespace, app: App) -> int:
    app.going_online()  # as `px run`
    from px.ops import env

    root = env.prepare(app.settings, Path.cwd(), frozen=False, reporter=app.out.reporter())
    if not (root / ".px" / "bin" / "pytest").exists():
        raise InstallError(
            "pytest is not in the project's environment",
            hint="add it to the dev group: `px add --dev pytest`",
        )
    env.run(root, ["python", "-m", "pytest", *_command(args.pytest_args)])
    return ExitCode.INTERNAL  # pragma: no cover


def _env_text(r: EnvInfo) -> str:
    lines = [
        f"project:     {r.project}",
        f"python:      {r.python} -> {r.base_python}",
        f"target:      {r.target}",
        f"generation:  {r.generation}{'' if r.current else ' (out of date: run px install)'}",
        f"site:        {r.site_packages}",
        f"scripts:     {r.bin}",
        f"packages:    {len(r.packages)}",
    ]
    return "\n".join(lines + [f"  {n} {v}" for n, v in r.packages])


def handle_env_info(args: argparse.Namespace, app: App) -> int:
    from px.ops import env

    app.out.result(env.info(Path.cwd()), _env_text)
    return ExitCode.OK


class _Path:
    def __init__(self, path: str) -> None:
        self.path = path

    def to_json(self) -> dict[str, str]:
        return {"python": self.path}


def handle_env_python(args: argparse.Namespace, app: App) -> int:
    from px.ops import env

    app.out.result(_Path(env.python_path(Path.cwd())), lambda r: r.path)
    return ExitCode.OK


def _tidy_text(r: TidyResult) -> str:
    removed = ", ".join(map(str, r.removed_generations)) or "none"
    lines = [
        f"{r.project}: environment matches px.lock (generation {r.generation}); "
        f"removed generations: {removed}"
    ]
    for u in r.fixed:
        lines.append(f"removed unused {u.name} from {u.where}")
    for u in r.unused:
        note = " (only the tests import it: move it to the dev group)" if u.tests_only else ""
        lines.append(f"unused: {u.name} in {u.where}{note}")
    for m in r.undeclared:
        where = f"{m.files[0]}" + (f" and {len(m.files) - 1} more" if len(m.files) > 1 else "")
        via = f", installed through {m.provided_by}" if m.provided_by else ""
        scope = "the tests" if m.tests else "the code"
        lines.append(f"undeclared: {m.module} (imported by {scope}: {where}{via})")
    lines += [f"warning: {f} does not parse; its imports were not read" for f in r.unreadable]
    if r.unused and not r.fixed:
        lines.append("run `px tidy --fix` to remove the unused declarations")
    return "\n".join(lines)


def handle_tidy(args: argparse.Namespace, app: App) -> int:
    from px.ops.tidy import tidy

    result = tidy(app.settings, Path.cwd(), fix=args.fix, reporter=app.out.reporter())
    app.out.result(result, _tidy_text)
    return ExitCode.OK
