"""Environment generations: a venv-shaped directory of links into the store's trees,
switched in atomically.

The project's ``.px/`` is what Python sees as a virtual environment::

    .px/pyvenv.cfg -> current/pyvenv.cfg
    .px/bin        -> current/bin          python (the base interpreter), scripts
    .px/lib        -> current/lib          lib/pythonX.Y/site-packages
    .px/current    -> gens/N               the one switch
    .px/gens/N/                            a complete generation

Because ``.px`` carries a ``pyvenv.cfg``, CPython itself keeps the base
interpreter's site-packages and the user site off ``sys.path`` and sets
``sys.executable`` to ``.px/bin/python``, so subprocesses started with it see
the same environment; imports run at venv speed (one site-packages directory).
That directory is the union of the packages' read-only trees, made with a
symbolic link per top-level entry (:func:`link_merged`): a generation is a few
hundred links, whatever the number of files. A new generation is built beside
the current one and becomes visible with a single ``rename`` of the
``current`` symlink: Python never sees a half-built environment, and the
previous generation stays on disk for rollback.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from px.install import layout

TYPE_CHECKING = False  # typing itself costs the fast paths milliseconds; mypy reads this as True
if TYPE_CHECKING:
    from px.install.tree import Tree
    from px.interp import Interpreter

GENS = "gens"
CURRENT = "current"
STABLE_LINKS = ("bin", "lib", "pyvenv.cfg")


@dataclass(frozen=True)
class EntryPoint:
    name: str
    module: str
    attr: str
    gui: bool = False


def site_packages(root: Path, interpreter: Interpreter) -> Path:
    env = interpreter.environment
    lib = "pypy" if env["implementation_name"] == "pypy" else "python"
    return root / "lib" / f"{lib}{env['python_version']}" / "site-packages"


def python_in(root: Path) -> Path:
    return root / "bin" / "python"


def next_number(px_dir: Path) -> int:
    gens = px_dir / GENS
    numbers = [int(p.name) for p in gens.iterdir() if p.name.isdigit()] if gens.is_dir() else []
    return max(numbers, default=0) + 1


def current_generation(px_dir: Path) -> int | None:
    try:
        target = os.readlink(px_dir / CURRENT)
    except OSError:
        return None
    name = Path(target).name
    return int(name) if name.isdigit() else None


def build(
    px_dir: Path,
    number: int,
    interpreter: Interpreter,
    trees: Sequence[Tree],
    entry_points: Sequence[EntryPoint],
) -> tuple[Path, list[str]]:
    """Assemble generation ``number`` next to the current one; return it and any warnings."""
    gens = px_dir / GENS
    gens.mkdir(parents=True, exist_ok=True)
    for leftover in gens.glob(".*.tmp"):  # staging of an interrupted install (we hold .px/.lock)
        shutil.rmtree(leftover, ignore_errors=True)
    staging = gens / f".{number}.tmp"
    staging.mkdir()
    warnings: list[str] = []
    base = os.path.realpath(interpreter.base_executable)
    (staging / "pyvenv.cfg").write_text(
        f"home = {os.path.dirname(base)}\n"
        "include-system-site-packages = false\n"
        f"version = {interpreter.version}\n"
        f"executable = {base}\n"
        f"px-generation = {number}\n"
    )
    bin_dir = staging / "bin"
    bin_dir.mkdir()
    short = interpreter.environment["python_version"]
    for name in ("python", "python3", f"python{short}"):
        os.symlink(base, bin_dir / name)
    site = site_packages(staging, interpreter)
    site.mkdir(parents=True)
    sources = [
        (os.fspath(tree.part(layout.SITE)), tree.files[layout.SITE])
        for tree in trees
        if tree.files.get(layout.SITE)
    ]
    for relative in link_merged(sources, os.fspath(site)):
        warnings.append(f"{relative} is provided by more than one package; kept the first")
    linker = _Linker()
    shebang = _shebang(python_in(px_dir))
    for tree in trees:
        linker.link_all(tree.part(layout.DATA), staging, tree.files.get(layout.DATA))
        linker.link_all(
            tree.part(layout.INCLUDE), staging / "include", tree.files.get(layout.INCLUDE)
        )
        for relative in tree.files.get(layout.SCRIPTS, ()):
            _copy_script(
                tree.part(layout.SCRIPTS) / relative, bin_dir / Path(relative).name, shebang
            )
    for entry in entry_points:
        _write_launcher(bin_dir / entry.name, entry, shebang)
    final = gens / str(number)
    shutil.rmtree(final, ignore_errors=True)  # a leftover from an interrupted install
    staging.rename(final)
    return final, warnings


def switch(px_dir: Path, number: int) -> None:
    """Make generation ``number`` current with one atomic rename."""
    link = px_dir / f".{CURRENT}.tmp"
    link.unlink(missing_ok=True)
    os.symlink(f"{GENS}/{number}", link)
    os.replace(link, px_dir / CURRENT)
    for name in STABLE_LINKS:
        stable = px_dir / name
        if not stable.is_symlink():
            if stable.exists():
                shutil.rmtree(stable) if stable.is_dir() else stable.unlink()
            os.symlink(f"{CURRENT}/{name}", stable)
    for entry in (px_dir / GENS / str(number)).iterdir():
        # .data/data top-level directories (share/, etc/ ...) are reached through current too
        if entry.name not in {*STABLE_LINKS, "include"} and not (px_dir / entry.name).exists():
            os.symlink(f"{CURRENT}/{entry.name}", px_dir / entry.name)


def remove_generations(px_dir: Path, keep: set[int]) -> list[int]:
    """Delete generations not in ``keep`` (and leftovers of interrupted builds)."""
    removed: list[int] = []
    gens = px_dir / GENS
    if not gens.is_dir():
        return removed
    for entry in gens.iterdir():
        if entry.name.isdigit() and int(entry.name) in keep:
            continue
        shutil.rmtree(entry, ignore_errors=True)
        if entry.name.isdigit():
            removed.append(int(entry.name))
    return sorted(removed)


def link_merged(sources: Sequence[tuple[str, Sequence[str]]], target: str) -> list[str]:
    """Make ``target`` the union of several trees with as few symbolic links as possible.

    ``sources`` are (directory, relative file paths) in priority order. A name
    only one source provides becomes one link to it, file or directory
    (``botocore/`` with its thousands of files is one link); a directory
    several sources provide (a namespace package, ``__pycache__``) becomes a
    real directory merged the same way one level down. A file provided again
    keeps the first: the relative paths left out are returned.
    """
    taken: list[str] = []
    _merge(sources, target, "", taken)
    return taken


def _merge(
    sources: Sequence[tuple[str, Sequence[str]]], target: str, prefix: str, taken: list[str]
) -> None:
    # name -> [(source directory, the files under name, or None when name is a file)]
    owners: dict[str, list[tuple[str, list[str] | None]]] = {}
    for directory, relatives in sources:
        here: dict[str, list[str] | None] = {}
        for relative in relatives:
            head, slash, rest = relative.partition("/")
            if not slash:
                here[head] = None
                continue
            inside = here.setdefault(head, [])
            if inside is not None:
                inside.append(rest)
        for name, inside in here.items():
            owners.setdefault(name, []).append((directory, inside))
    join = os.path.join
    for name, providers in owners.items():
        directories = [(d, files) for d, files in providers if files is not None]
        if providers[0][1] is not None and len(directories) > 1:
            os.mkdir(join(target, name))
            below = [(join(d, name), files) for d, files in directories]
            _merge(below, join(target, name), f"{prefix}{name}/", taken)
            left_out = [p for p in providers if p[1] is None]
        else:
            os.symlink(join(providers[0][0], name), join(target, name))
            left_out = providers[1:]
        for _, files in left_out:
            path = f"{prefix}{name}"
            taken.extend([path] if files is None else [f"{path}/{f}" for f in files])


class _Linker:
    """Per-file hard links (copies across file systems) for a wheel's ``.data`` files and
    headers: they land among the generation's own directories (``bin/``, ``share/``...),
    so they cannot be one link per directory as site-packages is (:func:`link_merged`).
    Makes each directory once.
    """

    def __init__(self) -> None:
        self.hard_links = True
        self._made: set[str] = set()

    def link_all(self, source: Path, target: Path, relatives: Sequence[str] | None) -> list[str]:
        """Link ``source/REL`` to ``target/REL`` for each REL; return those already taken."""
        if not relatives:
            return []
        src, dst = os.fspath(source), os.fspath(target)
        self._make_dirs(dst, {os.path.dirname(r) for r in relatives})
        taken: list[str] = []
        join, link = os.path.join, os.link
        for relative in relatives:
            to = join(dst, relative)
            try:
                if self.hard_links:
                    try:
                        link(join(src, relative), to)
                        continue
                    except FileExistsError:
                        raise
                    except OSError:
                        self.hard_links = False  # EXDEV and friends: copy from now on
                if os.path.lexists(to):
                    raise FileExistsError(to)
                shutil.copy2(join(src, relative), to)
            except FileExistsError:
                taken.append(relative)
        return taken

    def _make_dirs(self, root: str, relative_dirs: set[str]) -> None:
        wanted = set(relative_dirs)
        for relative in relative_dirs:  # and every ancestor: each is made exactly once
            parent = os.path.dirname(relative)
            while parent and parent not in wanted:
                wanted.add(parent)
                parent = os.path.dirname(parent)
        for relative in sorted(wanted):  # a parent sorts before its children
            path = os.path.join(root, relative) if relative else root
            if path not in self._made:
                try:
                    os.mkdir(path)
                except FileExistsError:
                    pass
                self._made.add(path)


def _shebang(python: Path) -> str:
    text = str(python)
    if " " not in text and len(text) < 120:
        return f"#!{text}\n"
    # Too long or spaced for the kernel: let /bin/sh start the interpreter.
    return f"#!/bin/sh\n'''exec' \"{text}\" \"$0\" \"$@\"\n' '''\n"


def _copy_script(source: Path, target: Path, shebang: str) -> None:
    data = source.read_bytes()
    if data.startswith((b"#!python", b"#!pythonw")):
        _, _, rest = data.partition(b"\n")
        data = shebang.encode() + rest
    target.write_bytes(data)
    os.chmod(target, 0o755)


def _write_launcher(target: Path, entry: EntryPoint, shebang: str) -> None:
    head, _, _tail = entry.attr.partition(".")
    call = entry.attr
    target.write_text(
        f"{shebang}# -*- coding: utf-8 -*-\n"
        "import re\n"
        "import sys\n"
        f"from {entry.module} import {head}\n"
        'if __name__ == "__main__":\n'
        '    sys.argv[0] = re.sub(r"(-script\\.pyw|\\.exe)?$", "", sys.argv[0])\n'
        f"    sys.exit({call}())\n"
    )
    os.chmod(target, 0o755)
