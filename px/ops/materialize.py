"""Locked packages to wheels in the store, and wheels to an environment generation.

Shared by `px install` and by the isolated build environments of PEP 517 builds.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from px.errors import InstallError
from px.reporter import Reporter

if TYPE_CHECKING:
    from px.index.client import IndexClient
    from px.install.wheel import WheelRecord
    from px.interp import Interpreter
    from px.lock import Artifact, LockedPackage
    from px.store import Store


def assemble(
    store: Store,
    interpreter: Interpreter,
    wheels: Sequence[WheelRecord],
    px_dir: Path,
    number: int,
    trees_root: Path,
    reporter: Reporter,
) -> list[str]:
    """Build generation ``number`` of ``px_dir`` from ``wheels`` (not switched in yet)."""
    from px.install import generation
    from px.install.tree import ensure_trees

    reporter.start("materialising", len(wheels))
    trees = ensure_trees(store, wheels, interpreter, trees_root)
    reporter.finish()
    entry_points = [
        generation.EntryPoint(name, module, attr, gui)
        for wheel in wheels
        for name, module, attr, gui in _entry_points(wheel)
    ]
    _, warnings = generation.build(
        px_dir, number, interpreter, [trees[w.sha256] for w in wheels], entry_points
    )
    return warnings


def _best_artifact(package: LockedPackage, interpreter: Interpreter) -> Artifact:
    from packaging.tags import Tag
    from packaging.utils import parse_wheel_filename

    ranks = {Tag(*t.split("-")): i for i, t in enumerate(reversed(interpreter.tags))}
    best: tuple[int, Artifact] | None = None
    for artifact in package.artifacts:
        if not artifact.is_wheel:
            continue
        tags = parse_wheel_filename(artifact.filename)[3]
        rank = max((ranks.get(t, -1) for t in tags), default=-1)
        if rank >= 0 and (best is None or rank > best[0]):
            best = (rank, artifact)
    if best is not None:
        return best[1]
    sdists = [a for a in package.artifacts if not a.is_wheel]
    if sdists:
        return sdists[0]
    raise InstallError(
        f"no artifact of {package.name} {package.version} in px.lock fits this machine",
        hint="run `px lock` on this machine, or use an interpreter the lock's wheels support",
    )


def fetch_wheels(
    store: Store,
    client: IndexClient,
    interpreter: Interpreter,
    packages: Sequence[LockedPackage],
    reporter: Reporter,
) -> list[WheelRecord]:
    """The ingested wheel of every package (downloaded, verified, built if only an sdist)."""
    from px.index.models import FileInfo
    from px.install.wheel import ingest_wheel, load_wheel

    chosen = [(p, _best_artifact(p, interpreter)) for p in packages]
    records: dict[str, WheelRecord] = {}
    todo = []
    for package, artifact in chosen:
        found = load_wheel(store, artifact.sha256) if artifact.is_wheel else None
        if found is not None:
            records[package.name] = found
        else:
            todo.append((package, artifact))
    files = [
        FileInfo(filename=a.filename, url=a.url, hashes=(("sha256", a.sha256),), size=a.size)
        for _, a in todo
    ]
    reporter.start("downloading", len(files))
    keys = client.download_many(files)
    reporter.finish()
    with tempfile.TemporaryDirectory(prefix="px-install-") as tmp:
        for (package, artifact), file in zip(todo, files, strict=True):
            path = Path(tmp) / artifact.filename
            store.blobs.write_to(keys[file], path)
            if artifact.is_wheel:
                records[package.name] = ingest_wheel(
                    store, path, filename=artifact.filename, expected_sha256=artifact.sha256
                )
            else:
                from px.ops.build_env import wheel_from_sdist

                records[package.name] = wheel_from_sdist(
                    store, client, path, artifact.sha256, interpreter
                )
    return [records[p.name] for p in packages]


def _entry_points(wheel: object) -> list[tuple[str, str, str, bool]]:
    points = getattr(wheel, "entry_points", None)
    if points is None:
        return []
    out = [(n, m, a, False) for n, m, a in getattr(points, "console", ())]
    out += [(n, m, a, True) for n, m, a in getattr(points, "gui", ())]
    return out
