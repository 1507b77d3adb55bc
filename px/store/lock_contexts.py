"""Lock contexts: what ``px lock`` last concluded for a project, found with the stdlib alone.

A context is everything that decides whether ``px.lock`` answers a project
apart from the lock itself: px's version, the project's directory and the
bytes of its ``pyproject.toml``, the interpreter running px and the
environment variables px reads for locking. Its row keeps the input digest
computed from that ``pyproject.toml``, the id of the target px chose, the
sha256 and package count of the px.lock that answers it (px checked or wrote
exactly those bytes), and the key of the lock memo of a lock made from scratch.

``px lock`` with nothing changed (and ``px --offline lock`` after px.lock was
deleted) is then decided by :mod:`px.cli.fastlock` from one read of this table,
without importing packaging, the lock parser or the index client. This module
imports only the standard library for that reason.
"""

from __future__ import annotations

import collections
import hashlib
import sys

from px import __version__
from px.store.quick import read_row

TYPE_CHECKING = False  # not `typing`: this module is on the start-up fast path
if TYPE_CHECKING:
    from collections.abc import Mapping

    from px.store.engine import Store

ENVIRONMENT = ("PX_PYTHON", "PX_INDEX_URL")  # the variables that change what px lock decides


# input_digest, target_id, lock_sha256 (str); packages (int); memo_key (str or None)
Context = collections.namedtuple(
    "Context", ["input_digest", "target_id", "lock_sha256", "packages", "memo_key"]
)


def context_key(root: str, pyproject: bytes, env: Mapping[str, str]) -> str:
    """The key of a project's lock context (see the module docstring)."""
    digest = hashlib.sha256()
    for part in (
        __version__,
        root,
        sys.executable,
        sys.version,
        *(env.get(v, "") for v in ENVIRONMENT),
    ):
        digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
    digest.update(pyproject)
    return digest.hexdigest()


KEPT = 1024  # the newest contexts kept (one per project and pyproject.toml seen): small rows


def remember(store: Store, key: str, context: Context) -> None:
    """Record (or refresh) a context; a memo key already known is kept when none is given."""
    import datetime as dt

    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    with store.write() as conn:
        conn.execute(
            "INSERT INTO lock_contexts (key, input_digest, target_id, lock_sha256, packages, "
            "memo_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET "
            "input_digest = excluded.input_digest, target_id = excluded.target_id, "
            "lock_sha256 = excluded.lock_sha256, packages = excluded.packages, "
            "memo_key = coalesce(excluded.memo_key, memo_key), created_at = excluded.created_at",
            (key, *context, now),
        )
        conn.execute(
            "DELETE FROM lock_contexts WHERE key NOT IN "
            "(SELECT key FROM lock_contexts ORDER BY created_at DESC, key LIMIT ?)",
            (KEPT,),
        )


def recall(store_file: str, key: str) -> Context | None:
    """The context ``key`` read straight from the store file; None when unknown or unreadable."""
    row = read_row(
        store_file,
        "SELECT input_digest, target_id, lock_sha256, packages, memo_key "
        "FROM lock_contexts WHERE key = ?",
        (key,),
    )
    return None if row is None else Context(*row)
