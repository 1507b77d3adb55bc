"""Re-locking without resolving: answer from a lock memo when nothing it read changed.

``px lock`` keeps, beside each lock it writes, a memo: a digest of what the
resolution was a function of (the project's inputs, the target, the indexes,
the versions preferred, px's version) and the blob key (blake3) of every
index page it read. The next time the same digest comes up (px.lock deleted,
an install on a fresh checkout, a branch switched back), px reads those pages
again (a conditional request each, all in parallel; offline, from the store's
HTTP cache without reading a body) and, if every one reads the same, writes
the remembered lock: the resolver would have produced exactly it. Anything
else falls through to a resolution, with the pages just read already fresh in
the HTTP cache.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from px import __version__
from px.errors import InputError, OfflineMiss

if TYPE_CHECKING:
    from packaging.version import Version

    from px.index.client import IndexClient
    from px.lock import Lock
    from px.store import Store


@dataclass
class MemoSlot:
    """Filled by :func:`px.ops.lock.resolve_lock`: the memo key, and what happened."""

    key: str | None = None
    replayed: bool = False
    pages: dict[tuple[str, str], str | None] = field(default_factory=dict)
    urls: dict[tuple[str, str], str] = field(default_factory=dict)

    def keep(self, store: Store, lock_id: int, warnings: Collection[str]) -> None:
        """Remember the resolution just recorded as history row ``lock_id``."""
        from px.store.lock_memos import remember

        if self.key is not None and not self.replayed:
            remember(store, self.key, lock_id, self.pages, tuple(warnings), self.urls)


def memo_key(
    input_digest: str,
    target_id: str,
    client: IndexClient,
    preferred: Mapping[str, Version],
    *,
    upgrade: bool,
    upgrade_packages: Collection[str],
) -> str | None:
    """The digest of everything but the pages a resolution depends on; None: do not memoise."""
    from px.index.urls import redact

    if client.find_links:
        return None  # local directories are not pages px can revalidate
    inputs = {
        "px": __version__,
        "inputs": input_digest,
        "target": target_id,
        "indexes": [[i.name, redact(i.url), i.explicit] for i in client.indexes],
        "sources": sorted(client.sources.items()),
        "preferred": sorted((name, str(v)) for name, v in preferred.items()),
        "upgrade": upgrade,
        "upgrade_packages": sorted(upgrade_packages),
    }
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


def replay(store: Store, client: IndexClient, key: str) -> tuple[Lock, tuple[str, ...]] | None:
    """The remembered lock for ``key`` if every page it read reads the same now."""
    from px.lock import parse
    from px.store.lock_memos import recall

    memo = recall(store, key)
    if memo is None:
        return None
    try:
        now = client.page_keys(memo.pages)
    except OfflineMiss:
        return None  # the resolution will say what is missing
    if now != memo.pages:
        return None
    try:
        lock = parse(store.blobs.get(memo.body_key), source="the store's lock history")
    except InputError:
        return None  # written by another px: resolve instead
    return lock, memo.warnings
