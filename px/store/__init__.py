"""The store: one SQLite database holding every piece of px state.

``Store``, ``Connection`` and ``open_store`` are loaded on first use, so a
start-up fast path can import one light module of this package (such as
:mod:`px.store.lock_contexts`) without the engine.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing itself costs the fast paths milliseconds; mypy reads this as True
if TYPE_CHECKING:
    from typing import Any

    from px.store.engine import Connection, Store, open_store

__all__ = ["Connection", "Store", "open_store"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from px.store import engine

        return getattr(engine, name)
    raise AttributeError(f"module 'px.store' has no attribute {name!r}")
