"""File names, interpreter tags and picking the best file per version."""

from __future__ import annotations

import pytest
from packaging.tags import Tag
from packaging.version import Version

from px.errors import InputError
from px.index.filenames import parse_filename
from px.index.models import FileInfo
from px.index.select import best_per_version, usable_files
from px.index.tags import InterpreterDescription, Target, running_target, target_for

LINUX_311 = InterpreterDescription(
    "cp", "3.11.7", platforms=("manylinux_2_28_x86_64", "manylinux_2_17_x86_64", "linux_x86_64")
)


def _file(name: str, **kw: object) -> FileInfo:
    return FileInfo(filename=name, url=f"https://files.example.org/{name}", **kw)  # type: ignore[arg-type]


def test_parse_wheel_and_sdist_names() -> None:
    wheel = parse_filename("Demo_Pkg-1.0-2-cp311-cp311-manylinux_2_17_x86_64.whl")
    assert (wheel.kind, wheel.name, wheel.version, wheel.build) == (
        "wheel",
        "demo-pkg",
        Version("1.0"),
        (2, ""),
    )
    assert Tag("cp311", "cp311", "manylinux_2_17_x86_64") in wheel.tags
    sdist = parse_filename("demo_pkg-1.0.tar.gz")
    assert (sdist.kind, sdist.name, sdist.version) == ("sdist", "demo-pkg", Version("1.0"))


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("demo-1.0.whl", "invalid distribution file name"),
        ("demo_pkg-notaversion-py3-none-any.whl", "invalid distribution file name"),
        ("demo-1.0.egg", "unsupported distribution file"),
        ("demo.tar.gz", "invalid distribution file name"),
    ],
)
def test_bad_names_are_input_errors(name: str, why: str) -> None:
    with pytest.raises(InputError, match=why):
        parse_filename(name)


def test_running_target_accepts_pure_python_wheels() -> None:
    target = running_target()
    assert target.rank(frozenset({Tag("py3", "none", "any")})) is not None
    assert target.rank(frozenset({Tag("py2", "none", "any")})) is None


def test_target_for_another_interpreter() -> None:
    target = target_for(LINUX_311)
    assert target.python_version == "3.11.7"
    best = target.rank(frozenset({Tag("cp311", "cp311", "manylinux_2_28_x86_64")}))
    abi3 = target.rank(frozenset({Tag("cp38", "abi3", "manylinux_2_17_x86_64")}))
    pure = target.rank(frozenset({Tag("py3", "none", "any")}))
    assert best is not None and abi3 is not None and pure is not None
    assert best < abi3 < pure
    assert target.rank(frozenset({Tag("cp312", "cp312", "manylinux_2_17_x86_64")})) is None
    assert target.rank(frozenset({Tag("cp311", "cp311", "win_amd64")})) is None
    pypy = target_for(InterpreterDescription("pp", "3.10.14", platforms=("linux_x86_64",)))
    assert pypy.rank(frozenset({Tag("pp310", "pypy310_pp73", "linux_x86_64")})) is None
    assert pypy.rank(frozenset({Tag("py3", "none", "any")})) is not None


def test_requires_python_check() -> None:
    target = Target("3.11.7", ())
    assert target.allows_python(">=3.8")
    assert not target.allows_python(">=3.12")
    assert target.allows_python(None)
    assert target.allows_python("not a specifier")  # unparseable: do not hide the file


def test_best_file_per_version() -> None:
    target = target_for(LINUX_311)
    files = [
        _file("demo-1.0.tar.gz"),
        _file("demo-1.0.zip"),
        _file("demo-1.0-py3-none-any.whl"),
        _file("demo-1.0-cp311-cp311-manylinux_2_17_x86_64.whl"),
        _file("demo-1.0-1-cp311-cp311-manylinux_2_17_x86_64.whl"),
        _file("demo-1.0-cp311-cp311-win_amd64.whl"),
        _file("demo-2.0-cp312-cp312-manylinux_2_17_x86_64.whl"),
        _file("demo-2.0.tar.gz", requires_python=">=3.12"),
        _file("demo-1.5.tar.gz"),
        _file("demo-1.5.zip"),
        _file("demo-3.0-py3-none-any.whl", yanked=True),
        _file("demo-1.0.exe"),
    ]
    best = best_per_version(files, target)
    assert [str(v) for v in best] == ["1.5", "1.0"]  # newest first; 2.0 and 3.0 unusable
    assert best[Version("1.0")].filename == "demo-1.0-1-cp311-cp311-manylinux_2_17_x86_64.whl"
    assert best[Version("1.5")].filename == "demo-1.5.tar.gz"
    with_yanked = best_per_version(files, target, include_yanked=True)
    assert with_yanked[Version("3.0")].filename == "demo-3.0-py3-none-any.whl"
    assert len(usable_files(files, target)) == 7
