"""Lock memos: a resolution remembered with everything it read.

A resolution is a pure function of the project's inputs, the target, the
indexes, the versions preferred, px's own version and the index pages it read
(metadata files are immutable: they are known by the hash of the file they
describe). A memo keys a lock in the history by a digest of all but the pages
and keeps the blob key (and HTTP cache key) of every page read; when all
those pages read the same again, the lock is the answer the resolver would
give, without running it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from px.store.engine import Store

# (index name, project name) -> blob key of the page body, or None: the index has no such project
Pages = Mapping[tuple[str, str], "str | None"]


@dataclass(frozen=True)
class Memo:
    lock_id: int
    body_key: str
    pages: dict[tuple[str, str], str | None]
    warnings: tuple[str, ...]


def remember(
    store: Store,
    key: str,
    lock_id: int,
    pages: Pages,
    warnings: Sequence[str],
    urls: Mapping[tuple[str, str], str],
) -> None:
    """Keep (or replace) the memo ``key``: lock ``lock_id`` answered it, having read ``pages``.

    ``warnings`` are what the resolver said on the way, said again on a replay;
    ``urls`` are the pages' HTTP cache keys (credentials removed), for an
    offline replay that reads only the cache (:mod:`px.store.lock_replay`).
    """
    encoded = json.dumps(
        {
            "pages": sorted(
                [index, name, digest, urls.get((index, name))]
                for (index, name), digest in pages.items()
            ),
            "warnings": list(warnings),
        }
    )
    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    with store.write() as conn:
        conn.execute(
            "INSERT INTO lock_memos (key, lock_id, reads, created_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (key) DO UPDATE SET lock_id = excluded.lock_id, "
            "reads = excluded.reads, created_at = excluded.created_at",
            (key, lock_id, encoded, now),
        )


def recall(store: Store, key: str) -> Memo | None:
    """The memo ``key`` with the body of its lock, or None."""
    with store.read() as conn:
        row = conn.first(
            "SELECT m.lock_id, h.body_key, m.reads FROM lock_memos AS m "
            "JOIN lock_history AS h ON h.id = m.lock_id WHERE m.key = ?",
            (key,),
        )
    if row is None:
        return None
    lock_id, body_key, encoded = row
    data = json.loads(encoded)
    pages = {(page[0], page[1]): page[2] for page in data["pages"]}
    return Memo(int(lock_id), str(body_key), pages, tuple(data["warnings"]))
