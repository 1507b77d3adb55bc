"""Unpacking sdists: good archives unpack; hostile ones are refused with nothing outside."""

from __future__ import annotations

import io
import os
import tarfile
import zipfile
from pathlib import Path

import pytest

from px.build.sdist import SdistLimits, unpack_sdist
from px.errors import InputError
from tests.build.conftest import write_tar_gz

GOOD = {
    "demo-1.0/pyproject.toml": "[project]\nname = 'demo'\n",
    "demo-1.0/PKG-INFO": "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n",
    "demo-1.0/src/demo/__init__.py": "X = 1\n",
}


def _tar(path: Path, entries: list[tuple[tarfile.TarInfo, bytes | None]]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for info, data in entries:
            if data is not None:
                info.size = len(data)
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return path


def _file(name: str, data: bytes = b"x", mode: int = 0o644) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.mode = mode
    return info, data


def _link(name: str, target: str, kind: bytes = tarfile.SYMTYPE) -> tuple[tarfile.TarInfo, None]:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    return info, None


def _snapshot(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def test_a_tar_gz_unpacks_to_its_top_directory(tmp_path: Path) -> None:
    archive = write_tar_gz(tmp_path / "demo-1.0.tar.gz", GOOD)
    root = unpack_sdist(archive, tmp_path / "out")
    assert root == tmp_path / "out" / "demo-1.0"
    assert (root / "src" / "demo" / "__init__.py").read_text() == "X = 1\n"


def test_a_zip_unpacks_and_keeps_the_executable_bit(tmp_path: Path) -> None:
    archive = tmp_path / "demo-1.0.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for name, text in GOOD.items():
            zipped.writestr(name, text)
        info = zipfile.ZipInfo("demo-1.0/run.sh")
        info.external_attr = 0o100755 << 16
        zipped.writestr(info, "#!/bin/sh\n")
    root = unpack_sdist(archive, tmp_path / "out")
    assert (root / "pyproject.toml").is_file()
    assert os.access(root / "run.sh", os.X_OK)
    assert not os.access(root / "pyproject.toml", os.X_OK)


def test_a_link_inside_the_archive_becomes_a_copy_of_its_file(tmp_path: Path) -> None:
    archive = _tar(
        tmp_path / "demo-1.0.tar.gz",
        [
            _file("demo-1.0/pyproject.toml", b"[project]\n"),
            _file("demo-1.0/LICENSE", b"MIT\n"),
            _link("demo-1.0/docs/LICENSE", "../LICENSE"),
            _link("demo-1.0/COPYING", "demo-1.0/LICENSE", tarfile.LNKTYPE),
        ],
    )
    root = unpack_sdist(archive, tmp_path / "out")
    for copy in (root / "docs" / "LICENSE", root / "COPYING"):
        assert not copy.is_symlink()
        assert copy.read_text() == "MIT\n"


HOSTILE = {
    "parent": [_file("demo-1.0/pyproject.toml"), _file("demo-1.0/../../escaped.txt")],
    "absolute": [_file("demo-1.0/pyproject.toml"), _file("{outside}/escaped.txt")],
    "symlink-out": [
        _file("demo-1.0/pyproject.toml"),
        _link("demo-1.0/evil", "../../"),
        _file("demo-1.0/evil/escaped.txt"),
    ],
    "absolute-symlink": [_file("demo-1.0/pyproject.toml"), _link("demo-1.0/evil", "{outside}")],
    "hardlink-out": [
        _file("demo-1.0/pyproject.toml"),
        _link("demo-1.0/passwd", "/etc/passwd", tarfile.LNKTYPE),
    ],
    "hardlink-parent": [
        _file("demo-1.0/pyproject.toml"),
        _link("demo-1.0/x", "../escaped.txt", tarfile.LNKTYPE),
    ],
    "device": [_file("demo-1.0/pyproject.toml"), _link("demo-1.0/tty", "", tarfile.CHRTYPE)],
    "fifo": [_file("demo-1.0/pyproject.toml"), _link("demo-1.0/pipe", "", tarfile.FIFOTYPE)],
    "link-loop": [
        _file("demo-1.0/pyproject.toml"),
        _link("demo-1.0/a", "b"),
        _link("demo-1.0/b", "a"),
    ],
    "backslash": [_file("demo-1.0/pyproject.toml"), _file("demo-1.0\\..\\..\\escaped.txt")],
}

WHY = {
    "parent": "climbs out of the archive",
    "absolute": "has an absolute path",
    "symlink-out": "points outside the archive",
    "absolute-symlink": "points outside the archive",
    "hardlink-out": "points outside the archive",
    "hardlink-parent": "points outside the archive",
    "device": "is a device or FIFO",
    "fifo": "is a device or FIFO",
    "link-loop": "is part of a loop",
    "backslash": "holds a NUL or a backslash",
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_sdist_is_refused_and_nothing_lands_outside(tmp_path: Path, case: str) -> None:
    sandbox = tmp_path / "sandbox"
    work = sandbox / "work"
    work.mkdir(parents=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    entries = []
    for info, data in HOSTILE[case]:
        copy = tarfile.TarInfo(info.name.format(outside=outside))
        copy.type, copy.mode = info.type, info.mode
        copy.linkname = info.linkname.format(outside=outside)
        entries.append((copy, data))
    archive = _tar(tmp_path / "demo-1.0.tar.gz", entries)
    before = _snapshot(tmp_path)
    with pytest.raises(InputError) as caught:
        unpack_sdist(archive, work / "out")
    assert "refused to unpack the sdist demo-1.0.tar.gz" in caught.value.what
    assert WHY[case] in (caught.value.why or "")
    after = _snapshot(tmp_path)
    assert {p for p in after - before if not p.startswith("sandbox/work/out")} == set()
    assert not list(outside.iterdir())
    assert not (sandbox / "escaped.txt").exists() and not (tmp_path / "escaped.txt").exists()
    out = work / "out"
    assert not [p for p in out.rglob("*") if p.is_symlink() or not (p.is_file() or p.is_dir())]


def test_a_zip_with_a_parent_path_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "demo-1.0.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("demo-1.0/pyproject.toml", "")
        zipped.writestr("../escaped.txt", "owned")
    with pytest.raises(InputError) as caught:
        unpack_sdist(archive, tmp_path / "work" / "out")
    assert "refused" in caught.value.one_line()
    assert not (tmp_path / "work" / "escaped.txt").exists()
    assert not (tmp_path / "escaped.txt").exists()


def test_a_zip_symlink_out_of_the_archive_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "demo-1.0.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("demo-1.0/pyproject.toml", "")
        info = zipfile.ZipInfo("demo-1.0/evil")
        info.external_attr = 0o120777 << 16
        zipped.writestr(info, "../../../etc")
    with pytest.raises(InputError) as caught:
        unpack_sdist(archive, tmp_path / "out")
    assert "points outside the archive" in caught.value.one_line()


def test_an_archive_bigger_than_the_limit_is_refused_before_writing(tmp_path: Path) -> None:
    archive = write_tar_gz(tmp_path / "demo-1.0.tar.gz", {**GOOD, "demo-1.0/big": "0" * 5000})
    with pytest.raises(InputError) as caught:
        unpack_sdist(archive, tmp_path / "out", limits=SdistLimits(max_unpacked_bytes=4096))
    assert "more than 4096 bytes" in caught.value.one_line()
    assert list((tmp_path / "out").iterdir()) == []


def test_too_many_members_are_refused(tmp_path: Path) -> None:
    archive = write_tar_gz(tmp_path / "demo-1.0.tar.gz", GOOD)
    with pytest.raises(InputError) as caught:
        unpack_sdist(archive, tmp_path / "out", limits=SdistLimits(max_members=2))
    assert "more than 2 members" in caught.value.one_line()


def test_an_archive_without_a_build_file_is_not_an_sdist(tmp_path: Path) -> None:
    archive = write_tar_gz(tmp_path / "demo-1.0.tar.gz", {"demo-1.0/README": "hi"})
    with pytest.raises(InputError) as caught:
        unpack_sdist(archive, tmp_path / "out")
    assert "no pyproject.toml or setup.py" in caught.value.one_line()


def test_a_damaged_archive_is_a_clear_error(tmp_path: Path) -> None:
    archive = tmp_path / "demo-1.0.tar.gz"
    archive.write_bytes(b"\x1f\x8b\x08\x00not really gzip")
    with pytest.raises(InputError) as caught:
        unpack_sdist(archive, tmp_path / "out")
    assert "cannot unpack the sdist demo-1.0.tar.gz" in caught.value.one_line()


def test_an_unknown_archive_kind_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "demo-1.0.rar"
    archive.write_bytes(b"Rar!")
    with pytest.raises(InputError) as caught:
        unpack_sdist(archive, tmp_path / "out")
    assert "neither a tar archive nor a zip" in caught.value.one_line()
