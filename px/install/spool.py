"""Holding a wheel's files between validation and storing them.

Validation streams every member once; the bytes it checks are hashed (blake3,
the store's key) and compressed (the store's zstd frames) here, as they pass, or,
for a small member, kept as the wheel compressed them (a deflate frame),
so the store is written only after the whole wheel passed, with exactly the
bytes that were checked, and the thread that stores them only inserts rows.
Compressed members stay in memory up to a budget; large members and anything
past the budget go to one temporary file of frames (in a directory made on
first need under ``parent``, beside the store, and removed by
:meth:`Spool.close`), so memory stays bounded for any wheel the limits allow.

A spool made with ``tree=True`` (``parent`` is then the trees directory) also
writes every member straight to its place in a staged tree: a cold install
then writes each file once and moves the tree into place
(:meth:`Spool.finish_tree`) instead of unpacking it again from the store.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, NamedTuple

from px.store.blobs import compress_frame, key_hasher, key_of
from px.store.frames import CHUNK_SIZE, deflate_frame

if TYPE_CHECKING:
    from px.install.tree import TreeWriter
    from px.store import Store

# Peak memory must not grow with the wheel (botocore unpacks to about 80 MB):
# past a small budget, compressed members wait in a temporary file, and they are
# stored in batches of a quarter megabyte read back one batch at a time. At 512
# KiB and 1 MiB, the peak of installing botocore (+4) was 1.24-1.26x that of
# requests (+4); at 256 KiB each, 1.17-1.20x, with cold installs as fast.
MEMORY_BUDGET = 256 << 10  # compressed bytes held in memory per wheel
LARGE_MEMBER = 1 << 20  # a member this big (raw) always goes to the file, frame by frame
BATCH_BYTES = 256 << 10  # compressed bytes per put_compressed transaction


class _Member(NamedTuple):
    key: str  # blake3 of the raw bytes
    size: int  # raw bytes
    frames: list[bytes] | None  # held in memory; None when spilled
    spilled: list[tuple[int, int]]  # (offset, length) of each frame in the spill file


class Spool:
    """A :class:`~px.install.validate.MemberSink` that can then put everything into a store."""

    def __init__(
        self,
        parent: Path,
        memory_budget: int = MEMORY_BUDGET,
        *,
        tree: bool = False,
        shared: Path | None = None,
    ) -> None:
        self._parent = parent
        self._directory: Path | None = shared
        # A spool for one part of a wheel (px.install.validate.share) writes its files into
        # the ``shared`` staging directory the caller made, beside the other parts' spools:
        # it never removes that directory (the spool that joins them does: joined()).
        self._owns_directory = shared is None
        self._spill_name = "frames" if shared is None else f"frames-{os.getpid()}-{id(self)}"
        self._tree = tree
        self._writer: TreeWriter | None = None
        self._budget = memory_budget
        self._in_memory = 0
        self._members: dict[str, _Member] = {}
        self._keys: dict[str, str] | None = None  # once stored
        self._sealed = False  # the staged tree, once sealed (seal_tree)
        self._staged: dict[str, str] = {}  # member -> its file in the staged tree
        self._spill: IO[bytes] | None = None  # frames past the budget, appended
        self._spilled_bytes = 0
        # the member being written
        self._path = ""
        self._hasher = key_hasher()
        self._size = 0
        self._parts: list[bytes] = []
        self._pending = 0  # raw bytes in _parts, not compressed yet
        self._frames: list[bytes] = []
        self._to_file = False
        self._placed: list[tuple[int, int]] = []  # its frames already in the file
        self._file: IO[bytes] | None = None  # its file in the staged tree
        self._joined: list[Spool] = []  # joined(): the spools of a wheel's parts

    def start(self, dist_info: str) -> None:
        if self._tree:
            from px.install.tree import TreeWriter

            if self._directory is None:
                self._directory = Path(tempfile.mkdtemp(prefix=".staging-", dir=self._parent))
            self._writer = TreeWriter(self._directory / "tree", dist_info)

    def whole(self, path: str, data: bytes, deflated: bytes | None = None) -> None:
        """A member held whole (validated): :meth:`begin`, :meth:`write` and :meth:`end`
        in one step, for one that fits a frame. Its ``deflated`` stream (checked to
        inflate to ``data``), when there is one, is its frame as it is: no zstd."""
        if len(data) > CHUNK_SIZE:
            self.begin(path, len(data))
            self.write(data)
            self.end()
            return
        if self._writer is not None:
            staged = self._writer.write(path, data)
            if staged is not None:
                self._staged[path] = staged
        frame = compress_frame(data) if deflated is None else deflate_frame(deflated)
        self._keep(path, key_of(data), len(data), [frame], [], to_file=False)

    def begin(self, path: str, size: int) -> None:
        self._path = path
        self._hasher = key_hasher()
        self._size = self._pending = 0
        self._parts, self._frames, self._placed = [], [], []
        self._to_file = size > LARGE_MEMBER  # frame by frame, so memory stays flat
        created = None if self._writer is None else self._writer.create(path)
        if created is not None:
            self._staged[path], self._file = created

    def write(self, chunk: bytes) -> None:
        if self._file is not None:
            self._file.write(chunk)
        self._parts.append(chunk)
        self._pending += len(chunk)
        if self._pending >= CHUNK_SIZE:
            data = b"".join(self._parts)
            whole = len(data) - len(data) % CHUNK_SIZE
            for i in range(0, whole, CHUNK_SIZE):
                self._add_frame(data[i : i + CHUNK_SIZE])
            self._parts = [data[whole:]] if whole < len(data) else []
            self._pending = len(data) - whole

    def end(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        if self._pending or self._size == 0:  # an empty file is one empty frame
            self._add_frame(b"".join(self._parts))
        self._parts, self._pending = [], 0
        key = self._hasher.hexdigest()
        self._keep(self._path, key, self._size, self._frames, self._placed, to_file=self._to_file)
        self._frames, self._placed = [], []

    def _keep(
        self,
        path: str,
        key: str,
        size: int,
        frames: list[bytes],
        placed: list[tuple[int, int]],
        *,
        to_file: bool,
    ) -> None:
        """Hold a member's ``frames`` in memory while the budget allows, else append them
        to the spill file after those ``placed`` there already."""
        compressed = sum(len(f) for f in frames)
        if not to_file and self._in_memory + compressed <= self._budget:
            self._in_memory += compressed
            self._members[path] = _Member(key, size, frames, [])
        else:
            placed.extend(self._append(frame) for frame in frames)
            self._members[path] = _Member(key, size, None, placed)

    def _add_frame(self, raw: bytes) -> None:
        self._hasher.update(raw)
        self._size += len(raw)
        frame = compress_frame(raw)
        if self._to_file:
            self._placed.append(self._append(frame))
        else:
            self._frames.append(frame)

    def _append(self, frame: bytes) -> tuple[int, int]:
        """Put ``frame`` at the end of the spill file; return where it is."""
        if self._spill is None:
            if self._directory is None:
                self._directory = Path(tempfile.mkdtemp(prefix=".ingest-", dir=self._parent))
            self._spill = open(self._directory / self._spill_name, "w+b")  # noqa: SIM115 - close()
        self._spill.write(frame)
        offset = self._spilled_bytes
        self._spilled_bytes += len(frame)
        return offset, len(frame)

    def store(self, store: Store) -> dict[str, str]:
        """Put every file into the store, in transactions of about :data:`BATCH_BYTES`.

        Returns blob keys by member path. Spilled members are read back one batch
        at a time (a large one frame by frame), so memory stays within the budget
        plus one batch. Then the compressed bytes are let go (the spill file too): the
        spool keeps its keys (:meth:`keys`) and its staged tree.
        """
        if self._keys is not None:
            return self._keys
        if self._joined:  # a wheel validated in parts: each part's files, then all keys
            keys: dict[str, str] = {}
            for part in self._joined:
                keys.update(part.store(store))
                part.close()
            self._keys = keys
            return keys
        if self._spill is not None:
            self._spill.flush()
        batch: list[tuple[str, int, list[bytes]]] = []
        size = 0
        for member in self._members.values():
            if member.frames is not None:
                frames = member.frames
            elif len(member.spilled) == 1:
                frames = list(self._read(member.spilled))
            else:  # large: one transaction of its own, frame by frame
                store.blobs.put_frames(member.key, member.size, self._read(member.spilled))
                continue
            batch.append((member.key, member.size, frames))
            size += sum(len(f) for f in frames)
            if size >= BATCH_BYTES:
                store.blobs.put_compressed(batch)
                batch, size = [], 0
        if batch:
            store.blobs.put_compressed(batch)
        self._keys = {path: member.key for path, member in self._members.items()}
        self._members.clear()
        self._in_memory = 0
        if self._spill is not None:
            self._spill.close()
            self._spill = None
            assert self._directory is not None
            (self._directory / self._spill_name).unlink(missing_ok=True)
        return self._keys

    @property
    def spilled(self) -> int:
        """Compressed bytes that went to the temporary file (past the memory budget)."""
        return self._spilled_bytes

    @property
    def keys(self) -> dict[str, str] | None:
        """Blob keys by member path once :meth:`store` has stored them, else None."""
        return self._keys

    def _read(self, where: Iterable[tuple[int, int]]) -> Iterator[bytes]:
        assert self._spill is not None
        fd = self._spill.fileno()
        for offset, length in where:
            yield os.pread(fd, length, offset)

    @classmethod
    def joined(cls, parts: list[Spool], directory: Path) -> Spool:
        """One spool for a wheel validated in parts, from the parts' spools (every part
        passed): their files, stored by :meth:`store`, and their staged files and
        listings, in part order. It owns the staging ``directory`` they shared (its
        :meth:`close` removes it, with what the parts left there)."""
        from px.install.tree import TreeWriter

        whole = cls(parts[0]._parent, tree=True)
        whole._directory = directory
        whole._joined = parts
        for part in parts:
            whole._staged.update(part._staged)
        writers = [part._writer for part in parts if part._writer is not None]
        if writers:
            writer = TreeWriter(writers[0].root, writers[0].dist_info)
            for other in writers:
                for section, names in other.files.items():
                    writer.files.setdefault(section, []).extend(names)
            whole._writer = writer
        return whole

    def seal_tree(self, executable: Iterable[str]) -> None:
        """Make the staged tree (complete, validated) what it will be, but for its place:
        execute bits, ``INSTALLER``, listed, read-only. A worker does this for the wheels
        it validated, so that the process recording them only moves each tree.

        ``executable``: the members whose mode has execute bits (known once validated).
        """
        from px.install.tree import prepare

        writer = self._writer
        assert writer is not None, "a staged tree needs a spool made with tree=True"
        if self._sealed:
            return
        for member in executable:
            if member in self._staged:
                os.chmod(self._staged[member], 0o555)
        writer.add_installer()
        prepare((writer.root, writer.files))
        self._sealed = True

    def finish_tree(self, final: Path, executable: Iterable[str]) -> None:
        """Move the staged tree (complete, stored) to ``final``, sealed first if it is not."""
        from px.install.tree import place

        self.seal_tree(executable)
        assert self._writer is not None
        place(self._writer.root, final)

    def __getstate__(self) -> dict[str, object]:
        """A spool filled in a worker process travels to the one that stores it: its
        members, the spill file's name (closed here, opened again there), its staged tree;
        or, once the worker stored the members, only their keys and the staged tree."""
        assert self._file is None, "a spool travels between members, not within one"
        if self._spill is not None:
            self._spill.close()
        state = dict(self.__dict__)
        state.update(_spill=None, _hasher=None, _has_spill=self._spill is not None)
        self._spill = None
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        has_spill = state.pop("_has_spill")
        self.__dict__.update(state)
        self._hasher = key_hasher()
        if has_spill:
            assert self._directory is not None
            self._spill = open(self._directory / self._spill_name, "rb")  # noqa: SIM115 - close()

    def close(self) -> None:
        """Drop everything held and remove the temporary files (and a tree not moved out)."""
        for handle in (self._file, self._spill):
            if handle is not None:
                handle.close()
        self._file = self._spill = None
        self._members.clear()
        for part in self._joined:
            part.close()
        if self._directory is not None and not self._owns_directory:
            (self._directory / self._spill_name).unlink(missing_ok=True)
            self._directory = None
        if self._directory is not None:
            try:
                os.rmdir(self._directory)  # empty once stored and its tree moved out
            except OSError:
                if self._tree:
                    from px.install.tree import remove_tree

                    remove_tree(self._directory)  # a staged tree may be sealed already
                else:
                    shutil.rmtree(self._directory, ignore_errors=True)
            self._directory = None

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
