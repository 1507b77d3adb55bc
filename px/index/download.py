"""Streaming a body to a temporary file while hashing it, and checking the hashes."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

import blake3

from px.errors import IntegrityError

# Digests px checks when an index announces them (weak ones like md5 are ignored).
CHECKED_ALGORITHMS = frozenset({"sha224", "sha256", "sha384", "sha512"})
DOWNLOADS = "downloads"  # the store directory's folder for bodies being downloaded
PARTIAL_PREFIX, PARTIAL_SUFFIX = "px-download-", ".part"
ABANDONED_AFTER = 3600  # seconds: a download this old belongs to a px that was killed


def sweep_partial_downloads(directory: Path, max_age: float = ABANDONED_AFTER) -> int:
    """Remove the partial downloads a killed px left in ``directory``; how many there were.

    Another px may be downloading now: only files untouched for ``max_age`` go.
    """
    import time

    removed, now = 0, time.time()
    for path in directory.glob(f"{PARTIAL_PREFIX}*{PARTIAL_SUFFIX}"):
        try:
            if now - path.stat().st_mtime > max_age:
                path.unlink()
                removed += 1
        except OSError:
            continue
    return removed


class HashingFileSink:
    """A temporary file that hashes what is written: sha256, any announced sha2, and blake3
    (the store's key) unless ``keyed`` is false: a wheel downloaded to be installed is
    not stored as a blob, and 32 MB of them took 30 ms of blake3 for nothing."""

    def __init__(
        self, directory: Path | None = None, algorithms: Iterable[str] = (), *, keyed: bool = True
    ) -> None:
        fd, name = tempfile.mkstemp(prefix=PARTIAL_PREFIX, suffix=PARTIAL_SUFFIX, dir=directory)
        os.close(fd)
        self.path = Path(name)
        self._algorithms = sorted({"sha256", *(a for a in algorithms if a in CHECKED_ALGORITHMS)})
        self._file = open(self.path, "wb")  # noqa: SIM115 - closed by close()
        self._detached = False
        self._keyed = keyed
        self.reset()

    def reset(self) -> None:
        self._file.seek(0)
        self._file.truncate()
        self._hashes = {algo: hashlib.new(algo) for algo in self._algorithms}
        self._blake3 = blake3.blake3() if self._keyed else None
        self.size = 0

    def write(self, chunk: bytes) -> None:
        self._file.write(chunk)
        for hasher in self._hashes.values():
            hasher.update(chunk)
        if self._blake3 is not None:
            self._blake3.update(chunk)
        self.size += len(chunk)

    def finish(self) -> None:
        self._file.close()

    def digest(self, algorithm: str) -> str:
        return self._hashes[algorithm].hexdigest()

    @property
    def sha256(self) -> str:
        return self.digest("sha256")

    @property
    def blake3(self) -> str:
        assert self._blake3 is not None, "a sink made with keyed=False has no blake3"
        return str(self._blake3.hexdigest())

    def detach(self) -> HashingFileSink:
        """Keep the file when the ``with`` block ends: the caller owns it now and calls
        :meth:`discard` when done with it."""
        self._detached = True
        return self

    def discard(self) -> None:
        if not self._file.closed:
            self._file.close()
        self.path.unlink(missing_ok=True)

    def __enter__(self) -> HashingFileSink:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if not self._detached:
            self.discard()


def hash_file(path: Path, algorithm: str = "sha256") -> str:
    hasher = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            hasher.update(block)
    return hasher.hexdigest()


def check_digest(what: str, algorithm: str, expected: str, actual: str) -> None:
    """Raise :class:`IntegrityError` naming ``what`` when the digests differ."""
    if expected.lower() != actual.lower():
        raise IntegrityError(
            f"{what} does not match its expected {algorithm}",
            why=f"expected {algorithm}:{expected.lower()}, got {algorithm}:{actual.lower()}",
            hint="nothing was stored; the file may have been tampered with or the index or "
            "lock is wrong. Try again, and report it to the index operator if it persists",
        )
