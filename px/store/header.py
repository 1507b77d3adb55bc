"""A cheap sanity check of ``store.db`` before SQLite touches it.

SQLite happily opens some damaged files and only fails on the first query, and
a wrongly created file could be overwritten. Reading the 100-byte header first
lets px refuse garbage and truncated stores with a clear error and leave them
exactly as they were.
"""

from __future__ import annotations

import struct
from pathlib import Path

from px.errors import StoreDamaged, StoreError

MAGIC = b"SQLite format 3\x00"
HEADER_SIZE = 100


def check(path: Path) -> None:
    """Raise :class:`StoreDamaged` when ``path`` exists but is not a whole SQLite file."""
    try:
        with open(path, "rb") as f:
            head = f.read(HEADER_SIZE)
            size = f.seek(0, 2)
    except (FileNotFoundError, NotADirectoryError):
        return  # creating the directory will say what is wrong
    except OSError as error:
        raise StoreError(
            f"cannot read the store at {path}",
            why=error.strerror,
            hint="check its permissions, or point PX_HOME elsewhere",
        ) from error
    if size == 0:
        return  # a store whose creation was interrupted: SQLite initialises it
    problem = _problem(head, size, _wal_in_use(path))
    if problem:
        raise StoreDamaged(
            f"the store at {path} is damaged",
            why=problem,
            hint="px left it untouched; move it aside to start a new store, "
            "or restore a backup (store.db.bak-*)",
        )


def _wal_in_use(path: Path) -> bool:
    wal = path.with_name(path.name + "-wal")
    try:
        return wal.stat().st_size > 0
    except FileNotFoundError:
        return False


def _problem(head: bytes, size: int, wal_in_use: bool) -> str | None:
    if len(head) < HEADER_SIZE or not head.startswith(MAGIC):
        return "it is not an SQLite database (bad header)"
    (page_size,) = struct.unpack(">H", head[16:18])
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        return f"its header gives an impossible page size ({page_size})"
    change_counter, pages = struct.unpack(">II", head[24:32])
    (valid_for,) = struct.unpack(">I", head[92:96])
    # The in-header size is only trustworthy when no checkpoint is under way.
    if not wal_in_use and pages and change_counter == valid_for and size < pages * page_size:
        return f"it is truncated ({size} bytes, its header says {pages * page_size})"
    if size % page_size:
        return f"its size ({size} bytes) is not a whole number of {page_size}-byte pages"
    return None
