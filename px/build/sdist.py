"""Unpack an sdist safely: every member checked before a byte is written.

An sdist comes from an index, so it is hostile until proven otherwise. Each
member's name must be relative, free of ``..``, drive letters, backslashes and
NUL; only regular files and directories are written; a link (symbolic or
hard) is accepted only when it stays inside the archive and ends at a regular
file, and is written as a copy of that file. Devices, FIFOs and escaping links
refuse the whole archive. Sizes and counts are capped before anything is
inflated, and reads never go past a member's declared size. ``.tar.gz`` (and
the other tar compressions) and ``.zip`` are understood. Nothing is ever
written outside the destination directory.
"""

from __future__ import annotations

import functools
import os
import posixpath
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal

from px.errors import InputError

GiB = 1024**3
MAX_LINK_HOPS = 40
_TAR_SUFFIXES = (".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tar.xz", ".txz", ".tar")


@dataclass(frozen=True)
class SdistLimits:
    max_members: int = 100_000
    max_unpacked_bytes: int = 4 * GiB
    max_path_bytes: int = 1024


@dataclass(frozen=True)
class _Member:
    name: str  # normalised relative POSIX path
    kind: Literal["file", "dir", "link"]
    size: int = 0
    executable: bool = False
    target: str = ""  # for links: the normalised archive path it points to
    open: Callable[[], IO[bytes]] | None = None


def is_sdist_name(filename: str) -> bool:
    return filename.endswith((*_TAR_SUFFIXES, ".zip"))


def unpack_sdist(archive: Path, destination: Path, *, limits: SdistLimits = SdistLimits()) -> Path:
    """Unpack ``archive`` into ``destination``; return the source tree's root inside it."""
    label = archive.name
    destination.mkdir(parents=True, exist_ok=True)
    try:
        if label.endswith(".zip"):
            with zipfile.ZipFile(archive) as zipped:
                _extract(list(_zip_members(zipped, label, limits)), destination, label, limits)
        elif label.endswith(_TAR_SUFFIXES):
            with tarfile.open(archive, "r:*") as tar:
                _extract(list(_tar_members(tar, label, limits)), destination, label, limits)
        else:
            raise _refused(label, "it is neither a tar archive nor a zip file")
    except (tarfile.TarError, zipfile.BadZipFile, zlib.error, EOFError, OSError) as error:
        raise InputError(
            f"cannot unpack the sdist {label}",
            why=str(error) or type(error).__name__,
            hint="the download may be damaged: run `px cache verify`, or try again",
        ) from None
    return _source_root(destination, label)


# -- reading members -------------------------------------------------------------------


def _tar_members(tar: tarfile.TarFile, label: str, limits: SdistLimits) -> Iterator[_Member]:
    for count, info in enumerate(tar, start=1):
        if count > limits.max_members:
            raise _refused(label, f"it has more than {limits.max_members} members")
        name = _clean(info.name, label, limits)
        if name is None:
            continue  # the archive root itself ("./")
        if info.isdir():
            yield _Member(name, "dir")
        elif info.isreg():
            yield _Member(
                name,
                "file",
                info.size,
                bool(info.mode & 0o111),
                open=functools.partial(_tar_open, tar, info),
            )
        elif info.issym():
            yield _Member(name, "link", target=_link(name, info.linkname, label, relative=True))
        elif info.islnk():
            yield _Member(name, "link", target=_link(name, info.linkname, label, relative=False))
        else:
            raise _refused(label, f"{info.name} is a device or FIFO, not a file or directory")


def _tar_open(tar: tarfile.TarFile, info: tarfile.TarInfo) -> IO[bytes]:
    handle = tar.extractfile(info)
    if handle is None:
        raise OSError(f"{info.name} has no data")
    return handle


def _zip_members(zipped: zipfile.ZipFile, label: str, limits: SdistLimits) -> Iterator[_Member]:
    infos = zipped.infolist()
    if len(infos) > limits.max_members:
        raise _refused(label, f"it has more than {limits.max_members} members")
    for info in infos:
        name = _clean(info.filename, label, limits)
        if name is None:
            continue
        mode = info.external_attr >> 16
        if info.is_dir():
            yield _Member(name, "dir")
        elif stat.S_ISLNK(mode):
            with zipped.open(info) as handle:
                text = handle.read(4096).decode("utf-8", errors="replace")
            yield _Member(name, "link", target=_link(name, text, label, relative=True))
        elif stat.S_IFMT(mode) not in (0, stat.S_IFREG):  # 0: made without Unix modes
            raise _refused(label, f"{info.filename} is a device or FIFO, not a file or directory")
        else:
            yield _Member(
                name,
                "file",
                info.file_size,
                bool(mode & 0o111),
                open=functools.partial(zipped.open, info),
            )


def _clean(raw: str, label: str, limits: SdistLimits) -> str | None:
    """The member name as a safe relative path, None for the root itself."""
    if len(raw.encode("utf-8", errors="replace")) > limits.max_path_bytes:
        raise _refused(label, f"a member name is longer than {limits.max_path_bytes} bytes")
    if "\x00" in raw or "\\" in raw:
        raise _refused(label, f"the member name {raw!r} holds a NUL or a backslash")
    if raw.startswith("/") or (len(raw) > 1 and raw[1] == ":"):
        raise _refused(label, f"the member {raw!r} has an absolute path")
    parts = [p for p in raw.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise _refused(label, f"the member {raw!r} climbs out of the archive with '..'")
    return "/".join(parts) or None


def _link(name: str, target: str, label: str, *, relative: bool) -> str:
    """Where a link member points, as an archive path; refused when it leaves the archive."""
    if target.startswith("/") or "\x00" in target or "\\" in target:
        raise _refused(label, f"the link {name} points outside the archive ({target!r})")
    joined = posixpath.join(posixpath.dirname(name), target) if relative else target
    normal = posixpath.normpath(joined)
    if normal in (".", "..") or normal.startswith("../"):
        raise _refused(label, f"the link {name} points outside the archive ({target!r})")
    return normal


# -- writing ---------------------------------------------------------------------------


def _extract(members: list[_Member], root: Path, label: str, limits: SdistLimits) -> None:
    total = sum(m.size for m in members if m.kind == "file")
    if total > limits.max_unpacked_bytes:
        raise _refused(label, f"it unpacks to more than {limits.max_unpacked_bytes} bytes")
    files = {m.name: m for m in members if m.kind == "file"}
    links = {m.name: m for m in members if m.kind == "link"}
    base = os.path.realpath(root)
    for member in members:
        path = _inside(root, base, member.name, label)
        if member.kind == "dir":
            path.mkdir(parents=True, exist_ok=True)
        elif member.kind == "file":
            _write(member, path, label)
    for member in links.values():
        source = _final_target(member, files, links, label)
        path = _inside(root, base, member.name, label)
        _write(source, path, label)


def _final_target(
    link: _Member, files: dict[str, _Member], links: dict[str, _Member], label: str
) -> _Member:
    current = link
    for _ in range(MAX_LINK_HOPS):
        if current.target in files:
            return files[current.target]
        if current.target not in links:
            raise _refused(label, f"the link {link.name} does not point at a file in the archive")
        current = links[current.target]
    raise _refused(label, f"the link {link.name} is part of a loop")


def _inside(root: Path, base: str, name: str, label: str) -> Path:
    path = root / name
    parent = os.path.realpath(path.parent)
    if parent != base and not parent.startswith(base + os.sep):
        raise _refused(label, f"the member {name} would be written outside the archive's directory")
    return path


def _write(member: _Member, path: Path, label: str) -> None:
    assert member.open is not None
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_symlink() or path.is_file():
        path.unlink()  # a duplicate member: the later one wins, as tar does
    elif path.exists():
        raise _refused(label, f"the member {member.name} is both a file and a directory")
    written = 0
    with member.open() as source, open(path, "xb") as target:
        while chunk := source.read(1024 * 1024):
            written += len(chunk)
            if written > member.size:
                raise _refused(label, f"the member {member.name} is larger than it declares")
            target.write(chunk)
    path.chmod(0o755 if member.executable else 0o644)


def _source_root(destination: Path, label: str) -> Path:
    entries = list(destination.iterdir())
    root = entries[0] if len(entries) == 1 and entries[0].is_dir() else destination
    if not ((root / "pyproject.toml").is_file() or (root / "setup.py").is_file()):
        raise _refused(label, "it has no pyproject.toml or setup.py at its top")
    return root


def _refused(label: str, why: str) -> InputError:
    return InputError(
        f"refused to unpack the sdist {label}",
        why=why,
        hint="the archive is damaged or hostile; report it to the package's maintainers",
    )
