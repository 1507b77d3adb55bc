"""Materialised trees: each wheel unpacked once per interpreter, read-only, byte-compiled.

A tree lives under ``$PX_HOME/trees/<wheel sha256>-<cache tag>/`` and is built
from the wheel's manifest in the store (never from the wheel file), in a
temporary directory that is renamed into place only when complete: a tree
directory that exists is whole. Its files are made read-only because every
environment links to them; ``.px-tree.json`` lists them so an environment
is assembled without walking the tree.

Byte-compiling is kept off the critical path (it is most of a cold install's
CPU): a new tree is usable at once, and ``compile_later`` starts a detached
``python -m px.install.compile`` that compiles it with the target interpreter
and then rewrites its listing, so every later environment links the ``.pyc``
files too. Until then Python compiles what it imports, as in any fresh venv.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from px.install import layout

TYPE_CHECKING = False  # typing itself costs the fast paths milliseconds; mypy reads this as True
if TYPE_CHECKING:
    from typing import Protocol

    from px.interp import Interpreter
    from px.store import Store

    class ManifestEntry(Protocol):
        @property
        def path(self) -> str: ...
        @property
        def blob_key(self) -> str: ...
        @property
        def mode(self) -> int: ...
        @property
        def size(self) -> int: ...

    class WheelLike(Protocol):
        @property
        def sha256(self) -> str: ...
        @property
        def filename(self) -> str: ...
        @property
        def files(self) -> Sequence[ManifestEntry]: ...


MARKER = ".px-tree.json"
READ_BATCH = 256  # blobs per read, and at most about READ_BYTES of them
READ_BYTES = 1 << 20


@dataclass(frozen=True)
class Tree:
    path: Path
    files: dict[str, tuple[str, ...]]  # part -> relative paths (files only)
    compiled: bool = False  # as its listing said when it was loaded

    def part(self, name: str) -> Path:
        return self.path / name


def cache_tag(interpreter: Interpreter) -> str:
    env = interpreter.environment
    return f"{env['implementation_name']}-{env['python_version'].replace('.', '')}"


def tree_dir(root: Path, wheel: WheelLike, interpreter: Interpreter) -> Path:
    return root / f"{wheel.sha256[:40]}-{cache_tag(interpreter)}"


PARTS = (layout.SITE, layout.SCRIPTS, layout.DATA, layout.INCLUDE)


def seal(tree: Path, *, writable: bool = False) -> None:
    """Make every directory of a tree's parts read-only (``writable``: undo it).

    Environments link whole directories of a tree, so without this a program
    writing next to its own module, or ``pip uninstall`` run inside ``.px``,
    would change the tree every project shares. The tree's own directory stays
    writable: it holds the listing and the compile lock.
    """
    mode = 0o755 if writable else 0o555
    for part in PARTS:
        top = os.path.join(tree, part)
        if not os.path.isdir(top):
            continue
        for directory, _dirs, _files in os.walk(top):
            os.chmod(directory, mode)


def remove_tree(path: Path) -> None:
    """Delete a tree (or a directory of them), sealed or not.

    It is first renamed aside, so that it is gone at once for everyone (an
    environment's fast path checks that its trees directory exists) even
    while a background compile still writes into it.
    """
    try:
        doomed = path.with_name(f".{path.name}.removed-{os.getpid()}-{time.monotonic_ns()}")
        path.rename(doomed)
    except OSError:
        return  # already gone (or never there)
    for directory, _dirs, _files in os.walk(doomed):
        try:
            os.chmod(directory, 0o755)  # a sealed directory's entries cannot be removed
        except OSError:
            continue
    shutil.rmtree(doomed, ignore_errors=True)


def load_tree(path: Path) -> Tree | None:
    try:
        data = json.loads((path / MARKER).read_text())
    except (OSError, ValueError):
        return None
    files = {part: tuple(names) for part, names in data["files"].items()}
    return Tree(path, files, bool(data.get("compiled")))


def ensure_trees(
    store: Store, wheels: Sequence[WheelLike], interpreter: Interpreter, root: Path
) -> dict[str, Tree]:
    """A tree for every wheel (by sha256), building the missing ones."""
    trees: dict[str, Tree] = {}
    missing: list[WheelLike] = []
    for wheel in wheels:
        found = load_tree(tree_dir(root, wheel, interpreter))
        if found is None:
            missing.append(wheel)
        else:
            trees[wheel.sha256] = found
    if missing:
        root.mkdir(parents=True, exist_ok=True)
        _remove_abandoned_staging(root)
        import tempfile

        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=root))
        try:
            built = {w.sha256: _unpack(store, w, staging / w.sha256) for w in missing}
            for wheel in missing:
                trees[wheel.sha256] = _finish(
                    built[wheel.sha256], tree_dir(root, wheel, interpreter)
                )
        finally:
            remove_tree(staging)
    return trees


def _remove_abandoned_staging(root: Path, max_age: float = 3600) -> None:
    """Staging (and half-removed trees) left by a killed px (another px may be staging
    now: only old ones go)."""
    now = time.time()
    for leftover in [*root.glob(".staging-*"), *root.glob(".*.removed-*")]:
        try:
            if now - leftover.stat().st_mtime > max_age:
                remove_tree(leftover)
        except OSError:
            continue


def _unpack(store: Store, wheel: WheelLike, target: Path) -> tuple[Path, dict[str, list[str]]]:
    """Write the wheel's files under ``target``, read-only from the start; the listing.

    ``str`` paths and one ``mkdir`` per directory: a cold install writes
    thousands of files, and ``pathlib`` was a tenth of this step.
    """
    data_dir = _data_dir(wheel)
    root = os.fspath(target)
    files: dict[str, list[str]] = {}
    placed: list[tuple[str, str, int, int]] = []
    for entry in wheel.files:
        where = layout.destination(entry.path, data_dir)
        if where is None:
            continue
        part, relative = where
        files.setdefault(part, []).append(relative)
        placed.append((f"{root}/{part}/{relative}", entry.blob_key, entry.mode, entry.size))
    made: set[str] = set()
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for batch in _read_batches(placed):
        contents = store.blobs.get_many([key for _, key, _, _ in batch])
        for path, key, mode, _ in batch:
            parent = os.path.dirname(path)
            if parent not in made:
                os.makedirs(parent, exist_ok=True)
                made.add(parent)
            # every environment links here: read-only (the new descriptor may still write)
            readonly = 0o555 if mode & 0o111 else 0o444
            try:
                fd = os.open(path, flags, readonly)
            except FileExistsError:  # a member and a .data/purelib one landing on one path
                os.unlink(path)
                fd = os.open(path, flags, readonly)
            with open(fd, "wb", closefd=True) as out:
                out.write(contents[key])
    dist_info = _dist_info(wheel)
    if dist_info is not None and f"{dist_info}/METADATA" in files.get(layout.SITE, ()):
        installer = f"{dist_info}/INSTALLER"
        with open(os.path.join(root, layout.SITE, installer), "w") as out:
            out.write("px\n")
        os.chmod(os.path.join(root, layout.SITE, installer), 0o444)
        files[layout.SITE].append(installer)
    return target, files


def _read_batches(
    placed: list[tuple[str, str, int, int]],
) -> Iterator[list[tuple[str, str, int, int]]]:
    """Slices of ``placed`` to read at once: memory stays flat in the wheel's size."""
    batch: list[tuple[str, str, int, int]] = []
    size = 0
    for item in placed:
        if batch and (len(batch) >= READ_BATCH or size + item[3] > READ_BYTES):
            yield batch
            batch, size = [], 0
        batch.append(item)
        size += item[3]
    if batch:
        yield batch


def _dist_info(wheel: WheelLike) -> str | None:
    for entry in wheel.files:
        head = entry.path.split("/", 1)[0]
        if head.endswith(".dist-info"):
            return head
    return None


def _data_dir(wheel: WheelLike) -> str:
    dist_info = _dist_info(wheel)
    return (dist_info or "").removesuffix(".dist-info") + ".data"


def list_files(tree: Path, *, compiled: bool) -> None:
    """Make every file read-only and write the listing (atomically: it may be replaced)."""
    files: dict[str, list[str]] = {}
    for part in PARTS:
        base = tree / part
        listed: list[str] = []
        for directory, _dirs, names in os.walk(base):
            for name in names:
                path = Path(directory) / name
                listed.append(path.relative_to(base).as_posix())
                mode = path.stat().st_mode
                os.chmod(path, stat.S_IMODE(mode) & ~0o222)  # every environment links here
        if listed:
            files[part] = listed
    _write_listing(tree, files, compiled=compiled)


def _write_listing(tree: Path, files: dict[str, list[str]], *, compiled: bool) -> None:
    listing = {part: sorted(set(names)) for part, names in files.items() if names}
    tmp = tree / (MARKER + ".tmp")
    tmp.write_text(json.dumps({"files": listing, "compiled": compiled}, sort_keys=True))
    tmp.replace(tree / MARKER)


def is_compiled(path: Path) -> bool:
    try:
        return bool(json.loads((path / MARKER).read_text()).get("compiled"))
    except (OSError, ValueError):
        return False


def compile_later(interpreter: Interpreter, trees: Iterable[Tree], site: Path) -> None:
    """Byte-compile ``trees`` in a detached process, off the install's critical path,
    then link their bytecode into ``site`` (the environment that uses them)."""
    pending = [str(t.path) for t in trees if not t.compiled]  # (compile.py checks again)
    if not pending:
        return
    import subprocess

    subprocess.Popen(
        [sys.executable, "-m", "px.install.compile", interpreter.path, str(site), *pending],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _finish(unpacked: tuple[Path, dict[str, list[str]]], final: Path) -> Tree:
    staged, files = unpacked
    _write_listing(staged, files, compiled=False)
    seal(staged)
    try:
        staged.rename(final)
    except OSError:
        if load_tree(final) is None:  # not another px finishing the same tree first
            raise
    tree = load_tree(final)
    assert tree is not None
    return tree
