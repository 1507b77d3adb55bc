"""Holding a wheel's files between validation and storing them.

Validation streams every member once; the bytes it checks are kept here so
the store is written only after the whole wheel passed. Small members stay in
memory up to a budget; large members and anything past the budget go to
temporary files (in a directory made on first need under ``parent``, beside
the store, and removed by :meth:`Spool.close`), so memory stays bounded for
any wheel the limits allow.

A spool made with ``tree=True`` (``parent`` is then the trees directory) writes
every member straight to its place in a staged tree instead: a cold install
then writes each file once, stores it from there, and moves the tree into
place (:meth:`Spool.finish_tree`) instead of unpacking it again from the store.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from px.install.tree import TreeWriter
    from px.store import Store

# Peak memory must not grow with the wheel (botocore unpacks to about 80 MB):
# past a small budget members wait in temporary files, and they are stored in
# batches of a few MB read back one batch at a time.
MEMORY_BUDGET = 1 << 20  # bytes of member data held in memory per wheel
LARGE_MEMBER = 1 << 20  # a member this big always goes to a temporary file (put_file)
# Staging a tree, the bytes held are only a shortcut (they are on disk too): a smaller budget
# keeps the peak of a large wheel near that of a small one (botocore's tree reads back).
STAGED_BUDGET = 256 << 10
BATCH_BYTES = 1 << 20  # raw bytes per put_many transaction


class Spool:
    """A :class:`~px.install.validate.MemberSink` that can then put everything into a store."""

    def __init__(
        self, parent: Path, memory_budget: int = MEMORY_BUDGET, *, tree: bool = False
    ) -> None:
        self._parent = parent
        self._directory: Path | None = None
        self._tree = tree
        self._writer: TreeWriter | None = None
        self._budget = min(memory_budget, STAGED_BUDGET) if tree else memory_budget
        self._in_memory = 0
        self._held: dict[str, bytes] = {}
        self._spilled: dict[str, Path] = {}
        self._staged: dict[str, str] = {}  # member -> its file in the staged tree
        self._path = ""
        self._parts: list[bytes] = []
        self._file: IO[bytes] | None = None
        self._keep = False  # the member being written to a file is also held in memory

    def start(self, dist_info: str) -> None:
        if self._tree:
            from px.install.tree import TreeWriter

            self._directory = Path(tempfile.mkdtemp(prefix=".staging-", dir=self._parent))
            self._writer = TreeWriter(self._directory / "tree", dist_info)

    def begin(self, path: str, size: int) -> None:
        self._path = path
        self._parts = []
        self._keep = False
        created = None if self._writer is None else self._writer.create(path)
        if created is not None:
            self._staged[path], self._file = created
            if size <= LARGE_MEMBER and self._in_memory + size <= self._budget:
                self._in_memory += size
                self._keep = True  # stored from memory, not read back from the tree
            else:
                self._spilled[path] = Path(created[0])
        elif size > LARGE_MEMBER or self._in_memory + size > self._budget:
            if self._directory is None:
                self._directory = Path(tempfile.mkdtemp(prefix=".ingest-", dir=self._parent))
            target = self._directory / str(len(self._spilled))
            self._spilled[path] = target
            self._file = open(target, "wb")  # noqa: SIM115 - closed in end()
        else:
            self._in_memory += size

    def write(self, chunk: bytes) -> None:
        if self._file is not None:
            self._file.write(chunk)
        if self._file is None or self._keep:
            self._parts.append(chunk)

    def end(self) -> None:
        held = self._file is None or self._keep
        if self._file is not None:
            self._file.close()
            self._file = None
        if held:
            self._held[self._path] = b"".join(self._parts)
        self._parts = []

    def store(self, store: Store) -> dict[str, str]:
        """Put every file into the store, in batches of at most about :data:`BATCH_BYTES`.

        Returns blob keys by member path. Spilled members are read back one batch
        at a time, so memory stays within the budget plus one batch.
        """
        keys: dict[str, str] = {}
        batch: list[tuple[str, bytes]] = []
        size = 0

        def flush() -> None:
            nonlocal batch, size
            if batch:
                stored = store.blobs.put_many([data for _, data in batch])
                keys.update(zip((path for path, _ in batch), stored, strict=True))
            batch, size = [], 0

        for path, data in self._held.items():
            batch.append((path, data))
            size += len(data)
            if size >= BATCH_BYTES:
                flush()
        for path, spilled in self._spilled.items():
            if spilled.stat().st_size > LARGE_MEMBER:
                keys[path] = store.blobs.put_file(spilled)
                continue
            batch.append((path, spilled.read_bytes()))
            size += len(batch[-1][1])
            if size >= BATCH_BYTES:
                flush()
        flush()
        return keys

    def finish_tree(self, final: Path, executable: Iterable[str]) -> None:
        """Move the staged tree (complete, stored) to ``final``: read-only, listed, sealed.

        ``executable``: the members whose mode has execute bits (known once validated).
        """
        from px.install.tree import finish

        writer = self._writer
        assert writer is not None, "finish_tree needs a spool made with tree=True"
        for member in executable:
            if member in self._staged:
                os.chmod(self._staged[member], 0o555)
        writer.add_installer()
        finish((writer.root, writer.files), final)

    def close(self) -> None:
        """Drop everything held and remove the temporary files (and a tree not moved out)."""
        if self._file is not None:
            self._file.close()
            self._file = None
        self._held.clear()
        if self._directory is not None:
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
