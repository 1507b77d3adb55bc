"""The store: one SQLite database holding every piece of px state.

Import this package only inside the functions that need it.
"""

from __future__ import annotations

from px.store.engine import Connection, Store, open_store

__all__ = ["Connection", "Store", "open_store"]
