"""`px cache info|verify|clean|prune`."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from px.cli.app import App
from px.errors import ExitCode, UsageError

if TYPE_CHECKING:
    from px.ops.cache import CacheInfo, PruneResult, RemovalResult, VerifyResult


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], parents: list[argparse.ArgumentParser]
) -> None:
    cache = sub.add_parser(
        "cache",
        parents=parents,
        help="inspect and maintain the store",
        description="Inspect and maintain the store (objects, caches, history).",
    )
    actions = cache.add_subparsers(dest="cache_command", metavar="ACTION", required=True)
    info = actions.add_parser(
        "info",
        parents=parents,
        help="where the store is and what it holds",
        description="Show the store's path, size on disk, object count and bytes.",
    )
    info.set_defaults(handler=handle_info)
    verify = actions.add_parser(
        "verify",
        parents=parents,
        help="re-hash every object; fail if any is damaged",
        description="Re-hash every stored object. Exits 5 and lists them when any is damaged.",
    )
    verify.set_defaults(handler=handle_verify)
    clean = actions.add_parser(
        "clean",
        parents=parents,
        help="empty the store",
        description="Remove everything the store holds (asks first unless --yes).",
    )
    clean.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")
    clean.set_defaults(handler=handle_clean)
    prune = actions.add_parser(
        "prune",
        parents=parents,
        help="remove what no wanted lock, environment or tool uses",
        description="Remove the wheels that no wanted lock, no environment generation on disk "
        "and no tool environment uses (with their files, downloads and trees), then every "
        "object nothing references. Wanted locks: the newest lock of each project that still "
        "exists, and the locks of its generations. Anything stored in the last 10 minutes is "
        "kept.",
    )
    prune.add_argument("--dry-run", action="store_true", help="only report what would go")
    prune.set_defaults(handler=handle_prune)


def _size(n: int) -> str:
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError  # pragma: no cover


def _info_text(r: CacheInfo) -> str:
    ratio = f" ({r.stored_bytes / r.raw_bytes:.0%} after compression)" if r.raw_bytes else ""
    return "\n".join(
        [
            f"store:    {r.path}",
            f"schema:   revision {r.revision}",
            f"on disk:  {_size(r.file_bytes)}",
            f"objects:  {r.objects}",
            f"content:  {_size(r.raw_bytes)} raw, {_size(r.stored_bytes)} stored{ratio}",
        ]
    )


def handle_info(args: argparse.Namespace, app: App) -> int:
    from px.ops import cache

    app.out.result(cache.info(app.settings), _info_text)
    return ExitCode.OK


def _verify_text(r: VerifyResult) -> str:
    if r.ok:
        return f"all {r.checked} objects are intact"
    lines = [f"{len(r.damaged)} of {r.checked} objects are damaged:"]
    lines += [f"  {d.key}: {d.problem}" for d in r.damaged]
    lines.append("remove them with `px cache clean` (or restore the store from a backup)")
    return "\n".join(lines)


def handle_verify(args: argparse.Namespace, app: App) -> int:
    from px.ops import cache

    result = cache.verify(app.settings, app.out.reporter())
    app.out.result(result, _verify_text)
    return ExitCode.OK if result.ok else ExitCode.INTEGRITY


def _removal_text(r: RemovalResult) -> str:
    verb = "would remove" if r.dry_run else "removed"
    return f"{verb} {r.objects} objects ({_size(r.raw_bytes)} raw, {_size(r.stored_bytes)} stored)"


def handle_clean(args: argparse.Namespace, app: App) -> int:
    from px.ops import cache

    if not args.yes and not app.out.confirm(f"empty the store at {app.settings.store_path}?"):
        raise UsageError(
            "px cache clean needs confirmation", hint="answer y at the prompt, or pass --yes"
        )
    app.out.result(cache.clean(app.settings), _removal_text)
    return ExitCode.OK


def _prune_text(r: PruneResult) -> str:
    verb = "would remove" if r.dry_run else "removed"
    lines = [f"{verb} {len(r.wheels)} wheels:"] if r.wheels else []
    lines += [f"  {name}" for name in r.wheels]
    extra = [f"{r.downloads} downloads", f"{r.trees} trees", f"{r.tools} stale tool records"]
    lines.append(f"{_removal_text(r)}; {', '.join(extra)}")
    return "\n".join(lines)


def handle_prune(args: argparse.Namespace, app: App) -> int:
    from px.ops import cache

    result = cache.prune(app.settings, dry_run=args.dry_run)
    app.out.result(result, _prune_text)
    return ExitCode.OK
