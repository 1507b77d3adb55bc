"""One read of the store file with the standard library alone, for start-up fast paths."""

from __future__ import annotations

import sqlite3

from px.home import BUSY_TIMEOUT_MS, store_uri

TYPE_CHECKING = False  # not `typing`: this module is on the start-up fast path
if TYPE_CHECKING:
    from typing import Any


def read_row(store_file: str, statement: str, params: tuple[Any, ...]) -> tuple[Any, ...] | None:
    """The first row of a read-only query; None when there is none or anything goes wrong.

    A fast path only: any problem (no store, an older schema, a busy or damaged
    file) answers None and the normal path takes over, reporting it properly.
    """
    try:
        conn = sqlite3.connect(
            store_uri(store_file, "ro"), uri=True, timeout=BUSY_TIMEOUT_MS / 1000
        )
    except sqlite3.Error:
        return None
    try:
        row = conn.execute(statement, params).fetchone()
    except sqlite3.Error:
        return None
    finally:
        conn.close()
    return None if row is None else tuple(row)
