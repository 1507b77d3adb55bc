"""`px publish [--repository-url URL] [--token T | --username U --password P] [DIST...]`."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from px.cli.app import App
from px.errors import ExitCode, UsageError

if TYPE_CHECKING:
    from px.ops.publish import PublishResult


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    parents: list[argparse.ArgumentParser],
) -> None:
    publish = sub.add_parser(
        "publish",
        parents=parents,
        help="upload distributions to PyPI or another registry",
        description="Upload wheels and sdists (default: the project's dist/*) to a registry's "
        "legacy upload endpoint, after checking their metadata. A file the registry already "
        "has is reported as already present, not sent again. Credentials: --token, "
        "--username/--password, PX_PUBLISH_TOKEN (or PX_PUBLISH_USERNAME/PASSWORD), "
        "~/.netrc, ~/.pypirc; they are never shown. Exit 13 when the registry refuses "
        "an upload, 6 when it cannot be reached.",
    )
    publish.add_argument(
        "dists", nargs="*", metavar="DIST", help="files or directories (default: dist/)"
    )
    publish.add_argument(
        "--repository-url",
        metavar="URL",
        help="the upload endpoint (env PX_PUBLISH_URL; default https://upload.pypi.org/legacy/)",
    )
    who = publish.add_mutually_exclusive_group()
    who.add_argument(
        "--token",
        metavar="TOKEN",
        help="an API token, sent as user __token__ ('-' reads it from stdin; "
        "prefer PX_PUBLISH_TOKEN, which no process list shows)",
    )
    who.add_argument("--username", metavar="NAME", help="the registry user (with --password)")
    publish.add_argument("--password", metavar="PASSWORD", help="the password of --username")
    publish.add_argument(
        "--dry-run",
        action="store_true",
        help="check the files and show what would be uploaded; no network",
    )
    publish.set_defaults(handler=handle)


def _text(r: PublishResult) -> str:
    words = {
        "uploaded": "uploaded",
        "already-present": "already present",
        "would-upload": "would upload",
    }
    lines = [f"{words[f.status]}: {Path(f.path).name}" for f in r.files]
    via = f" with credentials from {r.credentials}" if r.credentials else " without credentials"
    lines.append(f"{'(dry run) ' if r.dry_run else ''}registry: {r.repository}{via}")
    return "\n".join(lines)


def handle(args: argparse.Namespace, app: App) -> int:
    from px.ops.publish import publish
    from px.publish.credentials import CredentialSources

    if args.token is not None and args.password is not None:
        raise UsageError("--token and --password exclude each other", hint="give one of them")
    token = args.token
    if token == "-":
        token = sys.stdin.readline().strip()
    environ = dict(os.environ)
    home = Path.home()
    sources = CredentialSources(
        token=token,
        username=args.username,
        password=args.password,
        environ=environ,
        netrc_path=Path(environ["NETRC"]) if environ.get("NETRC") else home / ".netrc",
        pypirc_path=home / ".pypirc",
    )
    result = publish(
        Path.cwd(),
        [Path(d) for d in args.dists],
        repository_url=args.repository_url or environ.get("PX_PUBLISH_URL") or None,
        sources=sources,
        dry_run=args.dry_run,
        reporter=app.out.reporter(),
    )
    app.out.result(result, _text)
    return ExitCode.OK
