"""Where the store lives and how SQLite is pointed at it: standard library only.

The start-up fast paths (``px lock`` with nothing changed) read the store with
the ``sqlite3`` module directly; :mod:`px.store.engine` uses the same helpers.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

STORE_FILENAME = "store.db"
BUSY_TIMEOUT_MS = 60_000  # how long a connection waits for another process's lock


def default_store_dir(env: Mapping[str, str]) -> str:
    """The store directory when neither ``--store`` nor ``PX_HOME`` is given.

    Linux and other Unixes: ``$XDG_DATA_HOME/px`` (``~/.local/share/px``);
    macOS: ``~/Library/Application Support/px``; Windows: ``%LOCALAPPDATA%\\px``.
    """
    home = env.get("HOME") or os.path.expanduser("~")
    if sys.platform == "win32":
        base = env.get("LOCALAPPDATA")
        return os.path.join(base, "px") if base else os.path.join(home, "AppData", "Local", "px")
    if sys.platform == "darwin":
        return os.path.join(home, "Library", "Application Support", "px")
    xdg = env.get("XDG_DATA_HOME")
    return os.path.join(xdg if xdg else os.path.join(home, ".local", "share"), "px")


def store_dir(env: Mapping[str, str]) -> str:
    """``PX_HOME`` when set, else :func:`default_store_dir` (``--store`` is handled by argparse)."""
    return os.path.expanduser(env["PX_HOME"]) if env.get("PX_HOME") else default_store_dir(env)


def truthy(value: str | None) -> bool:
    """How px reads a yes/no environment variable (``PX_OFFLINE=1``)."""
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def store_uri(path: str, mode: str) -> str:
    """An SQLite ``file:`` URI for ``path`` opened with ``mode`` (``ro``, ``rw``, ``rwc``)."""
    escaped = path.replace("%", "%25").replace("?", "%3f").replace("#", "%23")
    return f"file:{escaped}?mode={mode}"
