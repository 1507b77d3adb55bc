"""Install plans: what the last install of a lock built, found with the stdlib alone.

A plan's key is everything that decides what ``px install`` builds apart from
the project's directory: px's version, the interpreter running px, the
environment variables px reads to pick an interpreter and an index, the
package selection, and the bytes of ``pyproject.toml`` and ``px.lock``. Its
value (JSON, written by :mod:`px.ops.activate`) names the interpreter, the
wheels and trees, and the entry points. A warm install of the same project in
a fresh directory (a clone, a CI checkout) then assembles its generation from
one read of this table (:mod:`px.cli.fastinstall`).

A plan is only a shortcut: whoever uses it checks that every tree and wheel
it names is still there, and anything missing sends px down the normal path,
which records a new plan. This module imports only the standard library.
"""

from __future__ import annotations

import hashlib
import sys

from px import __version__
from px.store.quick import read_row

TYPE_CHECKING = False  # not `typing`: this module is on the start-up fast path
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from px.store.engine import Store

# the variables besides PX_PYTHON (``python``) that change what px install uses
ENVIRONMENT = ("PX_INDEX_URL", "PATH")


def plan_key(
    pyproject: bytes, lock: bytes, selection: str, python: str, env: Mapping[str, str]
) -> str:
    """The key of an install plan (see the module docstring).

    ``python`` is the interpreter asked for (``--python`` or ``PX_PYTHON``), or "".
    """
    digest = hashlib.sha256()
    for part in (
        __version__,
        sys.executable,
        sys.version,
        selection,
        python,
        *(env.get(v, "") for v in ENVIRONMENT),
    ):
        digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
    for body in (pyproject, lock):
        digest.update(hashlib.sha256(body).digest())
    return digest.hexdigest()


KEPT = 256  # the newest plans kept: each is a few kB, and an old one costs only speed


def remember(store: Store, key: str, plan: str) -> None:
    import datetime as dt

    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    with store.write() as conn:
        conn.execute(
            "INSERT INTO install_plans (key, plan, created_at) VALUES (?, ?, ?) ON CONFLICT (key) "
            "DO UPDATE SET plan = excluded.plan, created_at = excluded.created_at",
            (key, plan, now),
        )
        conn.execute(
            "DELETE FROM install_plans WHERE key NOT IN "
            "(SELECT key FROM install_plans ORDER BY created_at DESC, key LIMIT ?)",
            (KEPT,),
        )


def recall(store_file: str, key: str) -> str | None:
    """The plan ``key`` read straight from the store file; None when unknown or unreadable."""
    row = read_row(store_file, "SELECT plan FROM install_plans WHERE key = ?", (key,))
    return None if row is None else str(row[0])


def wheels_exist(store_file: str, wheel_ids: Sequence[int]) -> bool:
    """Whether the store still holds every one of these wheels (prune may have removed some)."""
    wanted = sorted(set(wheel_ids))
    if not wanted:
        return True
    marks = ", ".join("?" * len(wanted))
    row = read_row(store_file, f"SELECT count(*) FROM wheels WHERE id IN ({marks})", tuple(wanted))
    return row is not None and row[0] == len(wanted)
