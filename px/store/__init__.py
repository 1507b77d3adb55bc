"""The store: one SQLite database holding every piece of px state.

Import this package only inside the functions that need it: it loads SQLAlchemy.
"""

from __future__ import annotations

from px.store.engine import Store, open_store

__all__ = ["Store", "open_store"]
