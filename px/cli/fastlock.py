"""`px lock` when nothing changed, decided before argparse or any heavy import.

The normal path records, for each lock context (px, interpreter, project
directory, the bytes of pyproject.toml, the variables px reads), the sha256
of the px.lock that answers it (:mod:`px.store.lock_contexts`). When the same
context comes back and px.lock still has those bytes, the answer is the one
the normal path gave: px.lock is unchanged. That needs the standard library,
one hash of each file and one read of the store; anything else (another
option, no context yet, a px.lock that differs) returns None and takes the
normal path.
"""

from __future__ import annotations

import hashlib
import os
import sys

ACCEPTED = {"lock", "--offline"}  # `px lock` and `px --offline lock`, nothing else


def try_lock(argv: list[str]) -> int | None:
    if argv.count("lock") != 1 or not set(argv) <= ACCEPTED:
        return None
    from px.install.state import find_root

    root = find_root(os.getcwd())
    if root is None:
        return None
    pyproject = _read(os.path.join(root, "pyproject.toml"))
    lock_path = os.path.join(root, "px.lock")
    body = _read(lock_path)
    if pyproject is None or body is None:
        return None
    from px.home import STORE_FILENAME, store_dir
    from px.store.lock_contexts import context_key, recall

    store_file = os.path.join(os.path.abspath(store_dir(os.environ)), STORE_FILENAME)
    context = recall(store_file, context_key(root, pyproject, os.environ))
    if context is None or context.lock_sha256 != hashlib.sha256(body).hexdigest():
        return None
    count = context.packages
    sys.stdout.write(
        f"unchanged: {lock_path} ({count} package{'' if count == 1 else 's'} "
        f"for {context.target_id})\n"
    )
    return 0


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return None
