"""`px cache ...`: look at, check, prune and empty the store."""

from __future__ import annotations

from dataclasses import dataclass, field

from px.config import Settings
from px.ops.audited import audited_store
from px.reporter import QuietReporter, Reporter

PRUNE_MIN_AGE_SECONDS = 600


@dataclass(frozen=True)
class CacheInfo:
    path: str
    revision: str
    file_bytes: int
    objects: int
    raw_bytes: int
    stored_bytes: int

    def to_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "revision": self.revision,
            "file_bytes": self.file_bytes,
            "objects": self.objects,
            "raw_bytes": self.raw_bytes,
            "stored_bytes": self.stored_bytes,
        }


@dataclass(frozen=True)
class Damage:
    key: str
    problem: str


@dataclass(frozen=True)
class VerifyResult:
    checked: int
    damaged: tuple[Damage, ...]

    @property
    def ok(self) -> bool:
        return not self.damaged

    def to_json(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "checked": self.checked,
            "damaged": [{"key": d.key, "problem": d.problem} for d in self.damaged],
        }


@dataclass(frozen=True)
class RemovalResult:
    """What `cache clean` or `cache prune` removed (or would remove, with dry_run)."""

    objects: int
    raw_bytes: int
    stored_bytes: int
    dry_run: bool = False
    keys: tuple[str, ...] = field(default=(), repr=False)

    def to_json(self) -> dict[str, object]:
        return {
            "dry_run": self.dry_run,
            "objects": self.objects,
            "raw_bytes": self.raw_bytes,
            "stored_bytes": self.stored_bytes,
        }


@dataclass(frozen=True)
class PruneResult(RemovalResult):
    """What `cache prune` removed: wheels, downloads, tool records and trees, then objects."""

    wheels: tuple[str, ...] = ()  # file names of the dropped wheels
    downloads: int = 0
    tools: int = 0
    trees: int = 0  # with the staging interrupted installs left

    def to_json(self) -> dict[str, object]:
        return {
            **super().to_json(),
            "wheels": list(self.wheels),
            "downloads": self.downloads,
            "tools": self.tools,
            "trees": self.trees,
        }


def info(settings: Settings) -> CacheInfo:
    from px.store import maintenance, open_store

    with open_store(settings.store_dir) as store:
        stats = maintenance.stats(store)
    return CacheInfo(
        path=str(settings.store_path),
        revision=stats.revision,
        file_bytes=stats.file_bytes,
        objects=stats.objects,
        raw_bytes=stats.raw_bytes,
        stored_bytes=stats.stored_bytes,
    )


def verify(settings: Settings, reporter: Reporter | None = None) -> VerifyResult:
    from px.store import open_store

    reporter = reporter or QuietReporter()
    with open_store(settings.store_dir) as store:
        damaged: list[Damage] = []
        checked = 0
        reporter.start("verifying objects", None)
        for _key, damage in store.blobs.verify():
            checked += 1
            reporter.advance()
            if damage is not None:
                damaged.append(Damage(damage.key, damage.problem))
        reporter.finish()
    return VerifyResult(checked=checked, damaged=tuple(damaged))


def clean(settings: Settings) -> RemovalResult:
    """Empty the store, and remove what is derived from it on disk (trees, downloads).

    Environments that linked to the trees are rebuilt by their next `px run` or
    `px install` (``.px/state`` names the trees directory, which is gone).
    """
    from px.index.download import DOWNLOADS
    from px.install.tree import remove_tree
    from px.store import maintenance

    with audited_store(settings, "cache clean") as store:
        removed = maintenance.empty(store)
        for derived in ("trees", DOWNLOADS):
            remove_tree(settings.store_dir / derived)
    return RemovalResult(removed.objects, removed.raw_bytes, removed.stored_bytes)


def prune(
    settings: Settings, *, dry_run: bool = False, min_age_seconds: int | None = None
) -> PruneResult:
    """Remove what no wanted lock, no environment generation and no tool environment uses.

    See :mod:`px.ops.prune` for what "wanted" means. Trees of dropped wheels are
    removed from disk after the transaction commits (they are derived from it), with
    the staging an interrupted install left (counted with the trees).
    """
    from px.install.tree import STAGING_MAX_AGE, remove_abandoned_staging
    from px.ops.prune import Oracle, remove_trees
    from px.store import maintenance

    age = PRUNE_MIN_AGE_SECONDS if min_age_seconds is None else min_age_seconds
    with audited_store(settings, "cache prune") as store:
        removed = maintenance.prune(
            store, dry_run=dry_run, min_age_seconds=age, oracle=Oracle(store)
        )
    root = settings.store_dir / "trees"
    trees = remove_trees(root, [w.sha256 for w in removed.wheels], dry_run=dry_run)
    trees += remove_abandoned_staging(root, max(age, STAGING_MAX_AGE), dry_run=dry_run)
    return PruneResult(
        objects=removed.objects,
        raw_bytes=removed.raw_bytes,
        stored_bytes=removed.stored_bytes,
        dry_run=dry_run,
        keys=removed.keys,
        wheels=tuple(w.filename for w in removed.wheels),
        downloads=removed.downloads,
        tools=removed.tools,
        trees=trees,
    )
