"""``.px/state``: what the current environment was built from.

This module is the hot path of `px run` and a no-op `px install --frozen`, so
it imports nothing beyond ``os`` (no pathlib, json or re: each costs
milliseconds at start-up). The environment is current when ``px.lock`` and
``pyproject.toml`` are what was installed, the same package selection is
asked for, ``.px/current`` still points at the recorded generation, and the
store's trees it links into are still there.

"What was installed" is checked by (mtime, size) first and, only when those
moved (a git checkout rewrites files with the same bytes), by sha256.
"""

from __future__ import annotations

import os

STATE = "state"
VERSION = "1"
WATCHED = ("px.lock", "pyproject.toml")


def _stat(path: str) -> str:
    try:
        st = os.stat(path)
    except OSError:
        return "-"
    return f"{st.st_mtime_ns}:{st.st_size}"


def file_sha256(path: str) -> str:
    import hashlib

    try:
        with open(path, "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()
    except OSError:
        return "-"


def read(px_dir: str) -> dict[str, str]:
    try:
        with open(os.path.join(px_dir, STATE), encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError:
        return {}
    return dict(line.split("=", 1) for line in lines if "=" in line)


def is_current(root: str, selection: str) -> bool:
    px_dir = os.path.join(root, ".px")
    recorded = read(px_dir)
    if recorded.get("version") != VERSION or recorded.get("selection") != selection:
        return False
    try:
        if os.readlink(os.path.join(px_dir, "current")) != "gens/" + recorded.get("generation", ""):
            return False
    except OSError:
        return False
    trees = recorded.get("trees")
    if trees and not os.path.isdir(trees):
        return False  # the store the environment links into is gone: rebuild it
    for name in WATCHED:
        path = os.path.join(root, name)
        if _stat(path) == recorded.get(name + ".stat"):
            continue
        if file_sha256(path) != recorded.get(name + ".sha256"):
            return False
    return True


def write(root: str, selection: str, generation: int, extra: dict[str, str]) -> None:
    """Record the installed state atomically (temporary file, then rename)."""
    px_dir = os.path.join(root, ".px")
    values = {"version": VERSION, "selection": selection, "generation": str(generation)}
    for name in WATCHED:
        path = os.path.join(root, name)
        values[name + ".stat"] = _stat(path)
        values[name + ".sha256"] = file_sha256(path)
    values.update(extra)
    tmp = os.path.join(px_dir, "." + STATE + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write("".join(f"{k}={v}\n" for k, v in values.items()))
    os.replace(tmp, os.path.join(px_dir, STATE))


def find_root(start: str) -> str | None:
    """The nearest directory at or above ``start`` holding pyproject.toml."""
    directory = os.path.abspath(start)
    while True:
        if os.path.isfile(os.path.join(directory, "pyproject.toml")):
            return directory
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent
