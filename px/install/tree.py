"""Materialised trees: each wheel unpacked once per interpreter, read-only, byte-compiled.

A tree lives under ``$PX_HOME/trees/<wheel sha256>-<cache tag>/``. It is built
from the wheel's manifest in the store, or, when px installs a wheel it has
just downloaded, written while that wheel is validated and moved into place
once the wheel is stored (:meth:`~px.install.spool.Spool.finish_tree`); either
way in a temporary directory renamed into place only when complete: a tree
directory that exists is whole, and its wheel is in the store. Its files are
made read-only because every environment links to them; ``.px-tree.json``
lists them so an environment is assembled without walking the tree.

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
    from typing import BinaryIO, Protocol

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
# Staging untouched this long belongs to no px still running (an install's staging
# directory gets a new entry per wheel or part it stages).
STAGING_MAX_AGE = 3600.0


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
    return tree_path(root, wheel.sha256, interpreter)


def tree_path(root: Path, wheel_sha256: str, interpreter: Interpreter) -> Path:
    return root / f"{wheel_sha256[:40]}-{cache_tag(interpreter)}"


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
        remove_abandoned_staging(root)
        import tempfile

        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=root))
        try:
            built = {w.sha256: _unpack(store, w, staging / w.sha256) for w in missing}
            for wheel in missing:
                trees[wheel.sha256] = finish(
                    built[wheel.sha256], tree_dir(root, wheel, interpreter)
                )
        finally:
            remove_tree(staging)
    return trees


def remove_abandoned_staging(
    root: Path, max_age: float = STAGING_MAX_AGE, *, dry_run: bool = False
) -> int:
    """Remove staging (and half-removed trees) a killed or failed px left under the trees
    directory ``root``; how many there were. Another px may be staging now: only those
    untouched for ``max_age`` seconds go."""
    now = time.time()
    count = 0
    for leftover in [*root.glob(".staging-*"), *root.glob(".*.removed-*")]:
        try:
            if now - leftover.stat().st_mtime > max_age:
                count += 1
                if not dry_run:
                    remove_tree(leftover)
        except OSError:
            continue
    return count


def _unpack(store: Store, wheel: WheelLike, target: Path) -> tuple[Path, dict[str, list[str]]]:
    """Write the wheel's files under ``target`` from the store; the listing."""
    writer = TreeWriter(target, _dist_info(wheel))
    placed = [(e.path, e.blob_key, e.mode, e.size) for e in wheel.files]
    for batch in _read_batches(placed):
        contents = store.blobs.get_many([key for _, key, _, _ in batch])
        for member, key, mode, _ in batch:
            created = writer.create(member, mode)
            if created is not None:
                with created[1] as out:
                    out.write(contents[key])
    writer.add_installer()
    return target, writer.files


class TreeWriter:
    """Creates a tree's files under ``root`` (where :func:`layout.destination` puts each
    member), read-only from the start, and keeps the listing.

    Used both to build a tree from the store and to stage one while a wheel is
    validated (:class:`~px.install.spool.Spool`). ``str`` paths and one ``mkdir``
    per directory: a cold install writes thousands of files, and ``pathlib`` was a
    tenth of this step.
    """

    FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)

    def __init__(self, root: Path, dist_info: str | None) -> None:
        self.root = root
        self._root = os.fspath(root)
        self.dist_info = dist_info
        self._data_dir = (dist_info or "").removesuffix(".dist-info") + ".data"
        self.files: dict[str, list[str]] = {}
        self._made: set[str] = set()

    def create(self, member: str, mode: int = 0o644) -> tuple[str, BinaryIO] | None:
        """A new file for ``member``: its path, and it open for writing; None when it has
        no place."""
        created = self._create_fd(member, mode)
        if created is None:
            return None
        path, fd = created
        return path, open(fd, "wb", closefd=True)

    def _create_fd(self, member: str, mode: int) -> tuple[str, int] | None:
        where = layout.destination(member, self._data_dir)
        if where is None:
            return None
        part, relative = where
        self.files.setdefault(part, []).append(relative)
        path = f"{self._root}/{part}/{relative}"
        parent = os.path.dirname(path)
        if parent not in self._made:
            os.makedirs(parent, exist_ok=True)
            self._made.add(parent)
        # every environment links here: read-only (the new descriptor may still write)
        readonly = 0o555 if mode & 0o111 else 0o444
        try:
            fd = os.open(path, self.FLAGS, readonly)
        except FileExistsError:  # two members on one path: a wheel stored before that was refused
            os.unlink(path)
            fd = os.open(path, self.FLAGS, readonly)
        return path, fd

    def write(self, member: str, data: bytes) -> str | None:
        """``member``'s file, created and written whole (no file object): its path, or
        None when it has no place. Execute bits are set once the wheel is validated
        (:meth:`~px.install.spool.Spool.seal_tree`)."""
        created = self._create_fd(member, 0o644)
        if created is None:
            return None
        path, fd = created
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        return path

    def add_installer(self) -> None:
        """``INSTALLER`` in the ``.dist-info`` directory, as installers write it."""
        dist_info = self.dist_info
        if dist_info is None or f"{dist_info}/METADATA" not in self.files.get(layout.SITE, ()):
            return
        installer = f"{dist_info}/INSTALLER"
        path = os.path.join(self._root, layout.SITE, installer)
        with open(path, "w") as out:
            out.write("px\n")
        os.chmod(path, 0o444)
        self.files[layout.SITE].append(installer)


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

    from px.install.workers import px_directory

    subprocess.Popen(
        [
            sys.executable,
            "-m",
            "px.install.compile",
            interpreter.path,
            os.path.abspath(site),
            *(os.path.abspath(p) for p in pending),
        ],
        cwd=px_directory(),  # not the project's: a px package there would be imported
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def finish(unpacked: tuple[Path, dict[str, list[str]]], final: Path) -> Tree:
    """Move a complete staged tree into place (another px may have done so first)."""
    prepare(unpacked)
    return place(unpacked[0], final)


def prepare(unpacked: tuple[Path, dict[str, list[str]]]) -> None:
    """Everything :func:`finish` does to a staged tree but moving it: listed, sealed."""
    staged, files = unpacked
    _write_listing(staged, files, compiled=False)
    seal(staged)


def place(staged: Path, final: Path) -> Tree:
    """Move a staged tree, listed and sealed, into place (another px may have done so
    first)."""
    try:
        staged.rename(final)
    except OSError:
        if load_tree(final) is None:  # not another px finishing the same tree first
            raise
    tree = load_tree(final)
    assert tree is not None
    return tree
