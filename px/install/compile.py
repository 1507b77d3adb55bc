"""``python -m px.install.compile INTERPRETER SITE TREE...``: byte-compile trees in the background.

Started detached by :func:`px.install.tree.compile_later` after an install.
Each tree is compiled with the target interpreter (its magic number), then its
listing is rewritten to include the ``.pyc`` files, and the new ``.pyc`` files
are hard-linked into SITE, the site-packages of the generation that was just
switched in, so that environment gets the bytecode too (Python cannot write
it there itself when PYTHONDONTWRITEBYTECODE is set, as in many containers).
A tree another process is compiling is waited for; failures are ignored: the
tree stays usable, only without shared bytecode.
"""

from __future__ import annotations

import fcntl
import sys
from pathlib import Path

from px.install import layout
from px.install.tree import is_compiled, list_files, load_tree


def compile_tree(python: str, tree: Path) -> None:
    import subprocess

    with open(tree / ".px-compile.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # another px compiling it: wait, then link
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


def link_bytecode(tree: Path, site: Path) -> None:
    """Hard-link the tree's ``.pyc`` files into an environment built before they existed."""
    import os

    loaded = load_tree(tree)
    if loaded is None:
        return
    for relative in loaded.files.get(layout.SITE, ()):
        if not relative.endswith(".pyc"):
            continue
        target = site / relative
        try:
            target.parent.mkdir(exist_ok=True)
            os.link(tree / layout.SITE / relative, target)
        except OSError:
            continue  # already there, or the generation is gone


def main(argv: list[str]) -> int:
    python, site, trees = argv[0], Path(argv[1]), argv[2:]
    for tree in trees:
        try:
            compile_tree(python, Path(tree))
            link_bytecode(Path(tree), site)
        except OSError:
            continue  # the store moved or was cleaned meanwhile
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
