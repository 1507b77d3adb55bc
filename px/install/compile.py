"""``python -m px.install.compile INTERPRETER TREE...``: byte-compile trees in the background.

Started detached by :func:`px.install.tree.compile_later` after an install.
Each tree is compiled with the target interpreter (its magic number), then its
listing is rewritten to include the ``.pyc`` files. A tree another process is
already compiling is skipped (a lock file in the tree); failures are ignored:
the tree stays usable, only without shared bytecode.
"""

from __future__ import annotations

import fcntl
import sys
from pathlib import Path

from px.install import layout
from px.install.tree import is_compiled, list_files


def compile_tree(python: str, tree: Path) -> None:
    import subprocess

    with open(tree / ".px-compile.lock", "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return
        if is_compiled(tree):
            return
        site = tree / layout.SITE
        if site.is_dir():
            subprocess.run(
                [python, "-I", "-m", "compileall", "-q", "-q", "-j", "0", str(site)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=False,
            )
        list_files(tree, compiled=True)


def main(argv: list[str]) -> int:
    python, trees = argv[0], argv[1:]
    for tree in trees:
        try:
            compile_tree(python, Path(tree))
        except OSError:
            continue  # the store moved or was cleaned meanwhile
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
