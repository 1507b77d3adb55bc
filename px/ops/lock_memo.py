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

It also records lock contexts (:func:`remember_context`), which let the next
`px lock` in the same context be answered before the rest of px loads.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from px import __version__
from px.errors import InputError, OfflineMiss, PxError

if TYPE_CHECKING:
    from packaging.version import Version

    from px.config import Settings
    from px.index.client import IndexClient
    from px.lock import Lock
    from px.project import Project
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


def read_or_none(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def remember_context(
    settings: Settings,
    project: Project,
    pyproject: bytes | None,
    lock: Lock,
    lock_path: Path,
    memo_key: str | None,
    store: Store | None = None,
) -> None:
    """Let the next `px lock` in this context be answered by :mod:`px.cli.fastlock`.

    Only when nothing but the context decides the answer: the interpreter
    chosen is the one running px (not --python), and pyproject.toml still holds
    the bytes the project was read from.
    """
    import sys

    from px.ops.context import choose_for, lock_target
    from px.store import lock_contexts

    if pyproject is None or settings.python != (os.environ.get("PX_PYTHON") or None):
        return
    chosen = choose_for(project, settings, lock.targets[0].python_version)
    if os.path.realpath(chosen.path) != os.path.realpath(sys.executable):
        return
    if read_or_none(project.root / "pyproject.toml") != pyproject:
        return  # edited meanwhile: what was read may not be these bytes
    body = read_or_none(lock_path)
    if body is None:
        return
    key = lock_contexts.context_key(str(project.root), pyproject, os.environ)
    context = lock_contexts.Context(
        lock.input_digest,
        lock_target(chosen).id,
        hashlib.sha256(body).hexdigest(),
        len(lock.packages),
        memo_key,
    )
    known = lock_contexts.recall(str(settings.store_path), key)
    if known is not None and known[:4] == context[:4] and memo_key in (None, known.memo_key):
        return
    try:
        if store is not None:
            lock_contexts.remember(store, key, context)
            return
        from px.store import open_store

        with open_store(settings.store_dir) as opened:
            lock_contexts.remember(opened, key, context)
    except PxError:
        return  # a cache for next time: px.lock is already right
