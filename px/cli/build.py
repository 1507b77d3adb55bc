"""`px build [--sdist] [--wheel] [--out-dir DIR]`."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING

from px.cli.app import App
from px.errors import ExitCode

if TYPE_CHECKING:
    from px.ops.build import BuildResult


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    parents: list[argparse.ArgumentParser],
) -> None:
    build = sub.add_parser(
        "build",
        parents=parents,
        help="build the project's sdist and wheel",
        description="Build the project with its PEP 517 backend in an isolated environment "
        "assembled from px's store: the sdist from the project, then the wheel from the "
        "sdist (as `python -m build` does). SOURCE_DATE_EPOCH is honoured; unset, it is "
        "the last git commit's time (else the newest file's), so builds are reproducible. "
        "The files' metadata is checked before they are written to the output directory.",
    )
    build.add_argument(
        "--sdist", action="store_true", help="build the sdist (alone, or with --wheel)"
    )
    build.add_argument(
        "--wheel",
        action="store_true",
        help="build the wheel (alone: from the project directly; with --sdist: from the sdist)",
    )
    build.add_argument(
        "--out-dir", "-o", metavar="DIR", help="where to write the files (default: <project>/dist)"
    )
    build.set_defaults(handler=handle)


def _text(r: BuildResult) -> str:
    lines = [
        f"built {r.project} {r.version} into {r.out_dir} "
        f"(SOURCE_DATE_EPOCH={r.source_date_epoch}, from {r.epoch_source})"
    ]
    lines += [f"  {Path(f.path).name}  {f.size} bytes  sha256:{f.sha256}" for f in r.files]
    return "\n".join(lines)


def handle(args: argparse.Namespace, app: App) -> int:
    from px.ops.build import build

    result = build(
        app.settings, Path.cwd(), sdist=args.sdist, wheel=args.wheel,
        out_dir=Path(args.out_dir) if args.out_dir else None, environ=os.environ,
        reporter=app.out.reporter(),
    )  # fmt: skip
    app.out.result(result, _text)
    return ExitCode.OK
