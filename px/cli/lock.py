"""`px lock [--check] [--upgrade] [-P NAME]`, `px lock diff [OLD] [NEW]`, `px lock history`.

`px lock` alone locks; `diff` and `history` are optional actions of it (an
optional sub-parser), so `px lock --check` keeps working.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from px.cli.app import App
from px.cli.fastlock import headline
from px.cli.fastpath import packages_phrase
from px.errors import ExitCode, UsageError

if TYPE_CHECKING:
    from px.lock.diff import Detail, PackageChange
    from px.ops.diff import DiffResult
    from px.ops.history import HistoryResult
    from px.ops.lock import LockResult


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    parents: list[argparse.ArgumentParser],
) -> None:
    lock = sub.add_parser(
        "lock",
        parents=parents,
        help="resolve the project into px.lock; diff and list locks",
        description="Resolve pyproject.toml's dependencies, extras and dependency groups for "
        "the project's interpreter and write px.lock. Versions already in px.lock are kept "
        "when they still fit (minimal change). `px lock diff` compares two locks, "
        "`px lock history` lists the locks kept in the store.",
    )
    mode = lock.add_mutually_exclusive_group()
    mode.add_argument(
        "--check",
        action="store_true",
        help="only check that px.lock exists and matches pyproject.toml (exit 8 if not)",
    )
    mode.add_argument("--upgrade", action="store_true", help="re-resolve every package")
    lock.add_argument(
        "--upgrade-package",
        "-P",
        metavar="NAME",
        action="append",
        default=[],
        help="re-resolve NAME (and what it forces); repeatable",
    )
    lock.set_defaults(handler=handle)
    actions = lock.add_subparsers(dest="lock_action", metavar="[ACTION]", required=False)
    diff = actions.add_parser(
        "diff",
        parents=parents,
        help="compare two locks and say why each package changed",
        description="Compare two locks: packages added, removed, upgraded, downgraded, changed "
        "sources, artifact hashes (a hash change without a version change is flagged), markers "
        "and dependency edges, each with the requirement change that caused it. A side is a "
        "file, a git revision of px.lock (HEAD, main~1, or REV:PATH), or a lock of the store's "
        "history (@ID, @latest, @-N = N locks before the latest). Exit 0 when identical, 9 when "
        "they differ.",
    )
    diff.add_argument("old", nargs="?", metavar="OLD", help="default: HEAD (the committed px.lock)")
    diff.add_argument("new", nargs="?", metavar="NEW", help="default: the working px.lock")
    diff.set_defaults(handler=handle_diff)
    history = actions.add_parser(
        "history",
        parents=parents,
        help="the locks of this project kept in the store",
        description="List this project's locks in the store's history, newest first: id, time, "
        "lock digest, package count, the command that wrote it, and what changed since the "
        "entry before it. Use an id as @ID with `px lock diff`.",
    )
    history.add_argument(
        "--limit", "-n", metavar="N", type=int, default=None, help="show the newest N only"
    )
    history.set_defaults(handler=handle_history)


def render(result: LockResult) -> str:
    if result.status == "fresh":
        return f"{result.path} is up to date ({packages_phrase(result.packages)}, {result.target})"
    lines = [headline(result.status, result.path, result.packages, result.target, memo=result.memo)]
    for change in result.changes:
        if change.old is None:
            lines.append(f"  + {change.name} {change.new}")
        elif change.new is None:
            lines.append(f"  - {change.name} {change.old}")
        else:
            lines.append(f"  ~ {change.name} {change.old} -> {change.new}")
    lines += [f"warning: {w}" for w in result.warnings]
    return "\n".join(lines)


def handle(args: argparse.Namespace, app: App) -> int:
    if not args.check:
        app.going_online()
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


def _no_lock_options(args: argparse.Namespace, action: str) -> None:
    if args.check or args.upgrade or args.upgrade_package:
        raise UsageError(
            f"px lock {action} takes no --check, --upgrade or --upgrade-package",
            hint=f"see `px lock {action} --help`",
        )


def handle_diff(args: argparse.Namespace, app: App) -> int:
    from px.ops.diff import diff

    _no_lock_options(args, "diff")
    result: DiffResult = diff(app.settings, Path.cwd(), args.old, args.new)
    app.out.result(result, render_diff)
    return ExitCode.OK if result.identical else ExitCode.LOCK_DIFFERS


def handle_history(args: argparse.Namespace, app: App) -> int:
    from px.ops.history import history

    _no_lock_options(args, "history")
    if args.limit is not None and args.limit < 0:
        raise UsageError("px lock history: --limit must not be negative")
    result: HistoryResult = history(app.settings, Path.cwd(), limit=args.limit)
    app.out.result(result, render_history)
    return ExitCode.OK


_MARKS = {"added": "+", "removed": "-", "upgraded": "^", "downgraded": "v", "changed": "~"}


def render_diff(result: DiffResult) -> str:
    d, old, new = result.diff, result.old, result.new
    if d.identical:
        return f"no differences: {old.label} and {new.label} lock the same {new.packages} packages"
    lines = [
        f"--- {old.label} ({old.packages} packages)",
        f"+++ {new.label} ({new.packages} packages)",
    ]
    lines += [f"WARNING: {warning}" for warning in d.warnings]
    for title, change in (
        ("requires-python", d.requires_python),
        ("input digest", d.input_digest),
        ("lock format version", d.lock_version),
    ):
        if change:
            lines.append(f"{title}: {change.old or 'none'} -> {change.new or 'none'}")
    for target in d.targets:
        verb = "added" if target.old is None else "removed" if target.new is None else "changed"
        lines.append(f"target {verb}: {target.new or target.old}")
    if d.roots:
        lines.append("root requirements:")
        for root in d.roots:
            was = f" (was {root.old})" if root.kind == "changed" else ""
            lines.append(f"  {_MARKS[root.kind]} {root.label}: {root.new or root.old}{was}")
    for kind in _MARKS:
        group = [c for c in d.packages if c.kind == kind]
        if group:
            lines.append(f"{kind} ({len(group)}):")
            lines += [line for change in group for line in _package_lines(change)]
    summary = ", ".join(f"{count} {kind}" for kind, count in d.counts().items())
    if d.hash_changed:
        summary += f"; {d.hash_changed} with an artifact hash changed but not the version"
    return "\n".join([*lines, summary])


def _package_lines(change: PackageChange) -> list[str]:
    version = {
        "added": change.new_version,
        "removed": change.old_version,
        "changed": change.new_version,
    }.get(change.kind, f"{change.old_version} -> {change.new_version}")
    mark = "!" if change.flags else _MARKS[change.kind]
    head = f"  {mark} {change.name} {version}"
    if change.kind == "removed":
        head += " (no longer required by anything)"
    if "hash-changed" in change.flags:
        head += " !! POSSIBLE TAMPERING OR RE-UPLOAD"
    lines = [head, *(f"      {_detail(detail)}" for detail in change.details)]
    for index, step in enumerate(change.why):
        if index == 0:
            lines.append(f"      why: {step.text}")
        elif step.package:
            lines.append(f"      <- {step.package} {step.change}: {step.text}")
        else:
            lines.append(f"      <- {step.text}")
    return lines


def _detail(detail: Detail) -> str:
    old, new = detail.old or "none", detail.new or "none"
    if detail.field == "dependency":
        if detail.old is None:
            return f"now requires {new}"
        if detail.new is None:
            return f"no longer requires {old}"
        return f"requires {new} (was {old})"
    if detail.field == "artifact":
        return f"new file {detail.name}" if detail.old is None else f"file {detail.name} dropped"
    if detail.field == "other":
        return "other fields changed"
    of = f" of {detail.name}" if detail.name else ""
    return f"{detail.field}{of}: {old} -> {new}"


def render_history(result: HistoryResult) -> str:
    if not result.entries:
        return f"no locks of {result.project} in the store's history yet (run `px lock`)"
    rows = [("id", "created", "sha256", "packages", "command", "changes since the one before")]
    for entry in result.entries:
        if entry.changes is None:
            changes = "first lock" if entry.previous_id is None else "unknown (unreadable lock)"
        else:
            changes = ", ".join(f"{n} {kind}" for kind, n in entry.changes.items() if n)
            changes = changes or "no package changes"
        rows.append(
            (
                f"@{entry.id}",
                entry.created_at,
                entry.lock_sha256[:12],
                str(entry.package_count),
                entry.command or "",
                changes,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = [f"lock history of {result.project} ({result.total} locks, newest first)"]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=True)]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    return "\n".join(lines)
