"""Plain frozen values the index client hands out."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Literal

Hashes = tuple[tuple[str, str], ...]  # sorted (algorithm, lower-case hex digest) pairs


def make_hashes(pairs: dict[str, str] | None) -> Hashes:
    """Normalise a ``{algorithm: digest}`` mapping into sorted lower-case pairs."""
    if not pairs:
        return ()
    return tuple(sorted((str(k).lower(), str(v).lower()) for k, v in pairs.items() if v))


@dataclasses.dataclass(frozen=True)
class FileInfo:
    """One downloadable file of a project, as a project page announces it.

    ``url`` is absolute and carries no credentials. ``index`` names the index
    (or find-links directory) that listed it.
    """

    filename: str
    url: str
    hashes: Hashes = ()
    requires_python: str | None = None
    yanked: bool = False
    yanked_reason: str | None = None
    core_metadata: bool = False  # a PEP 658/714 ``<url>.metadata`` file is offered
    core_metadata_hashes: Hashes = ()
    size: int | None = None
    upload_time: str | None = None
    index: str = ""

    def hash(self, algorithm: str) -> str | None:
        for algo, digest in self.hashes:
            if algo == algorithm:
                return digest
        return None

    @property
    def sha256(self) -> str | None:
        return self.hash("sha256")

    @property
    def metadata_sha256(self) -> str | None:
        for algo, digest in self.core_metadata_hashes:
            if algo == "sha256":
                return digest
        return None

    @property
    def metadata_url(self) -> str:
        return self.url + ".metadata"

    @property
    def kind(self) -> Literal["wheel", "sdist", "other"]:
        name = self.filename.lower()
        if name.endswith(".whl"):
            return "wheel"
        if name.endswith((".tar.gz", ".zip")):
            return "sdist"
        return "other"


class PageFile:
    """A file as a project page lists it, before it is a :class:`FileInfo`.

    Choosing a version needs a file's name, requires-python and yank only. A
    page lists thousands of files (4,990 for botocore, every one usable) of
    which a lock keeps a few, so the rest of each entry is read off the page
    by :meth:`info` when someone asks, once.
    """

    __slots__ = ("_info", "_make", "filename", "requires_python", "yanked", "yanked_reason")

    def __init__(
        self,
        filename: str,
        requires_python: str | None,
        yanked_reason: str | None,
        make: Callable[[], FileInfo],
        *,
        yanked: bool,
    ) -> None:
        self.filename = filename
        self.requires_python = requires_python
        self.yanked = yanked
        self.yanked_reason = yanked_reason
        self._make = make
        self._info: FileInfo | None = None

    @classmethod
    def of(cls, info: FileInfo) -> PageFile:
        """One already built (HTML pages, find-links)."""
        made = cls(
            info.filename,
            info.requires_python,
            info.yanked_reason,
            lambda: info,
            yanked=info.yanked,
        )
        made._info = info
        return made

    def info(self) -> FileInfo:
        info = self._info
        if info is None:  # two threads may both build it: equal values, either is kept
            info = self._info = self._make()
        return info

    def __repr__(self) -> str:
        return f"PageFile({self.filename!r})"


@dataclasses.dataclass(frozen=True)
class ProjectPage:
    """A parsed project page (PEP 691 JSON or PEP 503 HTML)."""

    name: str
    url: str
    files: tuple[FileInfo, ...]
    versions: tuple[str, ...] = ()  # only from JSON api-version >= 1.1


@dataclasses.dataclass(frozen=True)
class CoreMetadata:
    """The parts of a distribution's core metadata a resolver needs."""

    name: str
    version: str
    requires_dist: tuple[str, ...] = ()
    requires_python: str | None = None
    provides_extra: tuple[str, ...] = ()
