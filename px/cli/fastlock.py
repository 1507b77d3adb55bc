"""`px lock` when nothing changed, decided before argparse or any heavy import.

The normal path records, for each lock context (px, interpreter, project
directory, the bytes of pyproject.toml, the variables px reads), the sha256
of the px.lock that answers it (:mod:`px.store.lock_contexts`). When the same
context comes back and px.lock still has those bytes, the answer is the one
the normal path gave: px.lock is unchanged. That needs the standard library,
one hash of each file and one read of the store.

Offline with px.lock deleted, the context's lock memo is replayed from the
store's HTTP cache alone (:mod:`px.store.lock_replay`): the same lock, history
row, audit row and output as the normal path's replay. Anything else (another
option, no context yet, a px.lock that differs, a page the cache no longer
vouches for) returns None and takes the normal path.
"""

from __future__ import annotations

import hashlib
import os
import sys

from px.cli.fastpath import packages_phrase

ACCEPTED = {"lock", "--offline"}  # `px lock` and `px --offline lock`, nothing else


def try_lock(argv: list[str]) -> int | None:
    if argv.count("lock") != 1 or not set(argv) <= ACCEPTED:
        return None
    from px.install.state import find_root

    root = find_root(os.getcwd())
    if root is None:
        return None
    pyproject = _read(os.path.join(root, "pyproject.toml"))
    if pyproject is None:
        return None
    from px.home import STORE_FILENAME, store_dir, truthy
    from px.store.lock_contexts import context_key, recall

    store_file = os.path.join(os.path.abspath(store_dir(os.environ)), STORE_FILENAME)
    context = recall(store_file, context_key(root, pyproject, os.environ))
    if context is None:
        return None
    lock_path = os.path.join(root, "px.lock")
    body = _read(lock_path)
    if body is None:
        offline = "--offline" in argv or truthy(os.environ.get("PX_OFFLINE"))
        if not offline or context.memo_key is None or os.path.lexists(lock_path):
            return None
        return _replay(store_file, context.memo_key, root, lock_path, context.target_id)
    if context.lock_sha256 != hashlib.sha256(body).hexdigest():
        return None
    sys.stdout.write(headline("unchanged", lock_path, context.packages, context.target_id) + "\n")
    return 0


def _replay(store_file: str, memo_key: str, root: str, lock_path: str, target: str) -> int | None:
    from px.store.lock_replay import replay_offline

    replayed = replay_offline(store_file, memo_key, root, lambda body: _write(lock_path, body))
    if replayed is None:
        return None
    lines = [
        headline("written", lock_path, len(replayed.packages), target, memo=True),
        *(f"  + {name} {version}" for name, version in replayed.packages),
        *(f"warning: {warning}" for warning in replayed.warnings),
    ]
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


def headline(status: str, path: str, packages: int, target: str, *, memo: bool = False) -> str:
    """The first line `px lock` prints (here and in :func:`px.cli.lock.render`)."""
    reused = "; index unchanged since this resolution, reused" if memo else ""
    verb = "wrote" if status == "written" else "unchanged:"
    return f"{verb} {path} ({packages_phrase(packages)} for {target}{reused})"


def _write(path: str, body: bytes) -> None:
    """Create ``path`` with ``body`` in one rename (as the normal path writes px.lock)."""
    directory, name = os.path.split(path)
    tmp = os.path.join(directory, f".{name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "xb") as f:
            f.write(body)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.lexists(tmp):
            os.unlink(tmp)
        raise


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return None
