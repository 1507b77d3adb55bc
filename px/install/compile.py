"""``python -m px.install.compile INTERPRETER SITE TREE...``: byte-compile trees in the background.

Started detached by :func:`px.install.tree.compile_later` after an install.
Each tree is compiled with the target interpreter (its magic number), then its
listing is rewritten to include the ``.pyc`` files. SITE, the site-packages of
the generation that was just switched in, sees most of them at once through
its links to whole directories; those in directories several trees share are
linked in one by one, so that environment gets all the bytecode (Python cannot
write it there itself when PYTHONDONTWRITEBYTECODE is set, as in containers).
A tree another process is compiling is waited for; failures are ignored: the
tree stays usable, only without shared bytecode.
"""

from __future__ import annotations

import fcntl
import sys
from pathlib import Path

from px.install import layout
from px.install.tree import is_compiled, list_files, load_tree, seal


def compile_tree(python: str, tree: Path) -> None:
    import subprocess

    with open(tree / ".px-compile.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # another px compiling it: wait, then link
        if is_compiled(tree):
            return
        site = tree / layout.SITE
        seal(tree, writable=True)  # __pycache__ directories are made now
        try:
            if site.is_dir():
                subprocess.run(
                    [python, "-I", "-m", "compileall", "-q", "-q", "-j", "0", str(site)],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    check=False,
                )
        finally:
            seal(tree)
        list_files(tree, compiled=True)  # last: "compiled" is only said of a sealed tree


def link_bytecode(tree: Path, site: Path) -> None:
    """Link the tree's ``.pyc`` files into an environment built before they existed.

    Most need nothing: a package only this tree provides is one link to the
    tree's directory, so its ``__pycache__`` is already there. Only bytecode in
    a directory several trees share (top-level modules, namespace packages)
    is linked one file at a time.
    """
    import contextlib
    import os

    loaded = load_tree(tree)
    if loaded is None:
        return
    source = os.fspath(tree / layout.SITE)
    target_root = os.fspath(site)
    for relative in loaded.files.get(layout.SITE, ()):
        if not relative.endswith(".pyc"):
            continue
        target = os.path.join(target_root, relative)
        if os.path.lexists(target):
            continue
        try:
            with contextlib.suppress(FileExistsError):
                os.mkdir(os.path.dirname(target))  # never its parents: the generation may be gone
            os.symlink(os.path.join(source, relative), target)
        except OSError:
            continue  # made meanwhile, or the generation is gone


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
