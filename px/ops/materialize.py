"""Locked packages to wheels in the store, and wheels to an environment generation.

Shared by `px install` and by the isolated build environments of PEP 517 builds.
"""

from __future__ import annotations

import contextlib
import functools
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from px.errors import InstallError
from px.reporter import Reporter

T = TypeVar("T")

if TYPE_CHECKING:
    from concurrent.futures import Future

    from packaging.tags import Tag

    from px.index.client import IndexClient
    from px.index.models import FileInfo
    from px.install.generation import EntryPoint
    from px.install.tree import Tree
    from px.install.wheel import WheelRecord
    from px.install.workers import Workers
    from px.interp import Interpreter
    from px.lock import Artifact, LockedPackage
    from px.store import Store


@dataclass(frozen=True)
class Assembled:
    trees: tuple[Tree, ...]
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class Materialised:
    trees: tuple[Tree, ...]  # one per wheel, in the wheels' order
    entry_points: tuple[EntryPoint, ...]


def materialise(
    store: Store,
    interpreter: Interpreter,
    wheels: Sequence[WheelRecord],
    trees_root: Path,
    reporter: Reporter,
) -> Materialised:
    """The read-only tree of every wheel (built when missing) and their console scripts."""
    from px.install.generation import EntryPoint
    from px.install.tree import ensure_trees

    reporter.start("materialising", len(wheels))
    trees = ensure_trees(store, wheels, interpreter, trees_root)
    reporter.finish()
    entry_points = tuple(
        EntryPoint(name, module, attr, gui)
        for wheel in wheels
        for name, module, attr, gui in _entry_points(wheel)
    )
    return Materialised(tuple(trees[w.sha256] for w in wheels), entry_points)


def assemble(
    store: Store,
    interpreter: Interpreter,
    wheels: Sequence[WheelRecord],
    px_dir: Path,
    number: int,
    trees_root: Path,
    reporter: Reporter,
) -> Assembled:
    """Build generation ``number`` of ``px_dir`` from ``wheels`` (not switched in yet)."""
    from px.install import generation

    made = materialise(store, interpreter, wheels, trees_root, reporter)
    _, warnings = generation.build(px_dir, number, interpreter, made.trees, made.entry_points)
    return Assembled(made.trees, tuple(warnings))


@functools.lru_cache(maxsize=8)
def _tag_ranks(tags: tuple[str, ...]) -> dict[Tag, int]:
    """Higher is better: the interpreter's most preferred tag ranks highest."""
    from packaging.tags import Tag

    return {Tag(*t.split("-")): i for i, t in enumerate(reversed(tags))}


def _best_artifact(package: LockedPackage, interpreter: Interpreter) -> Artifact:
    from packaging.utils import parse_wheel_filename

    ranks = _tag_ranks(interpreter.tags)
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


Missing = list[tuple["LockedPackage", "Artifact"]]


def stored_wheels(
    store: Store, interpreter: Interpreter, packages: Sequence[LockedPackage]
) -> tuple[dict[str, WheelRecord], Missing]:
    """The wheels the store already holds (by the lock's sha256), and what is missing.

    Asked in one query first, and the records read with :mod:`px.install.records`:
    what ingests (px.install.wheel, 45 ms to import) is not imported before the
    downloads start."""
    from px.store.wheels import stored_sha256s

    chosen = [(package, _best_artifact(package, interpreter)) for package in packages]
    held = stored_sha256s(store, [a.sha256 for _, a in chosen if a.is_wheel])
    if held:
        from px.install.records import load_wheel
    found: dict[str, WheelRecord] = {}
    missing: Missing = []
    for package, artifact in chosen:
        stored = artifact.is_wheel and artifact.sha256 in held
        record = load_wheel(store, artifact.sha256) if stored else None
        if record is not None:  # (None too when removed meanwhile)
            found[package.name] = record
        else:
            missing.append((package, artifact))
    return found, missing


def fetch_wheels(
    store: Store,
    client: IndexClient,
    interpreter: Interpreter,
    packages: Sequence[LockedPackage],
    reporter: Reporter,
) -> list[WheelRecord]:
    """The ingested wheel of every package (downloaded, verified, built if only an sdist)."""
    found, missing = stored_wheels(store, interpreter, packages)
    found.update(fetch_missing(store, client, interpreter, missing, reporter))
    return [found[p.name] for p in packages]


def fetch_missing(
    store: Store,
    client: IndexClient,
    interpreter: Interpreter,
    missing: Missing,
    reporter: Reporter,
    *,
    workers: int | Workers | None = None,
) -> dict[str, WheelRecord]:
    """Download (checking the lock's sha256), validate and ingest; build sdists.

    ``workers``: the processes that validate the wheels, started by the caller (who
    stops them), or how many to start (``PX_INSTALL_WORKERS``); ``None``: as
    :func:`~px.install.workers.worker_count` decides."""
    from px.index.models import FileInfo

    if not missing:
        return {}
    files = [
        FileInfo(filename=a.filename, url=a.url, hashes=(("sha256", a.sha256),), size=a.size)
        for _, a in missing
    ]
    reporter.start("downloading", len(files))
    try:
        return _ingest_as_they_arrive(store, client, interpreter, missing, files, workers)
    finally:
        reporter.finish()


def _ingest_as_they_arrive(
    store: Store,
    client: IndexClient,
    interpreter: Interpreter,
    missing: Missing,
    files: list[FileInfo],
    requested: int | Workers | None,
) -> dict[str, WheelRecord]:
    """Wheels are validated once their downloads land (the largest first), straight from
    the downloaded file (the store keeps their files, not the archives), and their trees
    written as they are validated; sdists are stored, then built.

    Order matters here: the validating workers (when there is enough to validate) start
    first, then the downloads, and only then does this thread import what validates and
    stores wheels (about 90 ms), while both are under way."""
    from px.install.workers import Workers, worker_count

    wheels = [i for i, (_, artifact) in enumerate(missing) if artifact.is_wheel]
    sdists = [i for i, (_, artifact) in enumerate(missing) if not artifact.is_wheel]
    if isinstance(requested, Workers):  # started early by the caller, who stops them
        given: Workers | contextlib.nullcontext[Workers] = contextlib.nullcontext(requested)
    else:
        count = worker_count(sum(files[i].size or 0 for i in wheels), len(wheels), requested)
        given = Workers(count)
    with given as workers:
        arriving = client.download_files_each([files[i] for i in wheels])
        stored = client.download_each([files[i] for i in sdists])  # all downloads start now
        from px.install.tree import tree_path
        from px.install.wheel import WheelFile, ingest_wheels

        trees = store.directory / "trees"  # each tree is staged while its wheel is validated

        def downloaded() -> Iterator[WheelFile]:
            of = dict(zip(arriving, wheels, strict=True))
            for future in largest_done_first({f: files[i].size or 0 for f, i in of.items()}):
                artifact = missing[of[future]][1]
                path = future.result()  # a failed download stops the ingest here
                tree = tree_path(trees, artifact.sha256, interpreter)
                # downloads are checked against the lock's sha256 as they are written
                yield WheelFile(path, artifact.filename, artifact.sha256, tree=tree, verified=True)

        try:
            ingested = ingest_wheels(store, downloaded(), workers=workers)
        finally:
            for future in arriving:  # every downloaded file goes, also those never used
                future.add_done_callback(_remove_download)
    name_of = {artifact.sha256.lower(): package.name for package, artifact in missing}
    records = {name_of[record.sha256]: record for record in ingested}
    if sdists:
        from px.ops.build_env import wheel_from_sdist

        with tempfile.TemporaryDirectory(prefix="px-install-") as tmp:
            for i, sdist in zip(sdists, stored, strict=True):
                package, artifact = missing[i]
                path = Path(tmp) / artifact.filename
                store.blobs.write_to(sdist.result(), path)
                records[package.name] = wheel_from_sdist(
                    store, client, path, artifact.sha256, interpreter
                )
    return records


def largest_done_first(sizes: Mapping[Future[T], int]) -> Iterator[Future[T]]:
    """Each future once: the largest of those done so far, else the first to finish.

    The order a cold install validates its downloads in. In lock order, every wheel
    after botocore (the largest, the last to arrive) waited for it; in arrival order,
    its validation and storing (0.3 s each) came last, alone. Taken as soon as it
    lands they overlap the small wheels' work. Ties go to the earlier future.
    """
    from concurrent.futures import FIRST_COMPLETED, wait

    order = {future: i for i, future in enumerate(sizes)}
    waiting = set(sizes)
    while waiting:
        done = [f for f in waiting if f.done()] or wait(waiting, return_when=FIRST_COMPLETED)[0]
        chosen = max(done, key=lambda f: (sizes[f], -order[f]))
        waiting.remove(chosen)
        yield chosen


def _remove_download(future: Future[Path]) -> None:
    if not future.cancelled() and future.exception() is None:
        future.result().unlink(missing_ok=True)


def _entry_points(wheel: object) -> list[tuple[str, str, str, bool]]:
    points = getattr(wheel, "entry_points", None)
    if points is None:
        return []
    out = [(n, m, a, False) for n, m, a in getattr(points, "console", ())]
    out += [(n, m, a, True) for n, m, a in getattr(points, "gui", ())]
    return out
