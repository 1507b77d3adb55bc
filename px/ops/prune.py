"""What `px cache prune` keeps: the disk and the locks, as the store's prune oracle sees them.

A wheel is **wanted**, and kept with its files, its tree and its download, when

- a generation of a project's ``.px`` holds it, the generation being recorded as
  staged or committed and its directory ``.px/gens/N`` still on disk (so the
  environment in use and the ones `px rollback` can return to keep working);
- a tool environment holds it and its directory under ``$PX_HOME/tools`` exists;
- a **wanted lock** lists it (by sha256), or lists the sdist it was built from.

A lock is wanted when it is the newest lock in the history of a project whose
directory still exists, or a generation kept above was built from it, or it is
the ``px.lock`` file now in such a project. Everything else is unwanted: old
locks stay in the history (their bodies are small), but the wheels only they
named go. Anything stored in the last ten minutes is kept regardless.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from px.errors import InputError, PxError

if TYPE_CHECKING:
    from px.store import Store
    from px.store.maintenance import GenerationRef, ToolRef


class Oracle:
    """The :class:`px.store.maintenance.PruneOracle` of a real machine."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def live_generations(self, generations: Sequence[GenerationRef]) -> Collection[int]:
        from px.install.generation import GENS

        return {
            g.id for g in generations if (Path(g.project) / ".px" / GENS / str(g.number)).is_dir()
        }

    def live_tools(self, tools: Sequence[ToolRef]) -> Collection[int]:
        from px.install.generation import CURRENT

        return {t.id for t in tools if (Path(t.path) / CURRENT).is_dir()}

    def live_projects(self, projects: Sequence[str]) -> Collection[str]:
        return {p for p in projects if Path(p).is_dir()}

    def wanted_artifacts(self, lock_keys: Sequence[str], projects: Sequence[str]) -> Iterable[str]:
        from px.lock import parse

        wanted: set[str] = set()
        bodies = self.store.blobs.get_many(lock_keys)
        for key in lock_keys:
            try:
                lock = parse(bodies[key], source=f"the stored lock {key[:12]}")
            except InputError as error:
                raise PxError(
                    "px cache prune removed nothing: a wanted lock in the store cannot be read",
                    why=error.what,
                    hint="upgrade px, or remove the project's lock history",
                    details=error.details,
                ) from error
            wanted.update(a.sha256 for p in lock.packages for a in p.artifacts)
        for project in projects:
            try:
                text = (Path(project) / "px.lock").read_bytes()
                lock = parse(text, source=str(Path(project) / "px.lock"))
            except (OSError, InputError):
                continue  # none, or malformed: the project's newest stored lock speaks for it
            wanted.update(a.sha256 for p in lock.packages for a in p.artifacts)
        return wanted


def remove_trees(root: Path, wheel_sha256s: Iterable[str], *, dry_run: bool) -> int:
    """Remove the materialised trees of these wheels (every interpreter); how many there were."""
    from px.install.tree import remove_tree

    count = 0
    for sha in sorted(set(wheel_sha256s)):
        for tree in root.glob(f"{sha[:40]}-*"):
            if not tree.is_dir():
                continue
            count += 1
            if not dry_run:
                remove_tree(tree)
    return count
