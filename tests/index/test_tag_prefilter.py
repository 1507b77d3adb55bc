"""`Target.may_install` (a string check) never drops a wheel the full parse would keep."""

from __future__ import annotations

import pytest

from px.index.filenames import try_parse_filename
from px.index.tags import running_target

NAMES = [
    "demo-1.0-py3-none-any.whl",
    "demo-1.0-py2.py3-none-any.whl",
    "demo-1.0-1build-py3-none-any.whl",
    "demo-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
    "demo-1.0-cp311-cp311-manylinux_2_17_aarch64.manylinux2014_aarch64.whl",
    "demo-1.0-cp312-cp312-manylinux_2_17_x86_64.whl",
    "demo-1.0-cp311-abi3-manylinux_2_17_x86_64.whl",
    "demo-1.0-cp38-abi3-manylinux_2_17_x86_64.whl",
    "demo-1.0-cp311-cp311-win_amd64.whl",
    "demo-1.0-cp311-cp311-macosx_11_0_arm64.whl",
    "demo-1.0-pp310-pypy310_pp73-manylinux_2_17_x86_64.whl",
    "demo-1.0-PY3-NONE-ANY.whl",
    "demo-1.0-py3-none-linux_x86_64.whl",
    "demo-1.0.tar.gz",
    "not-a-wheel.whl",
]


@pytest.mark.parametrize("filename", NAMES)
def test_the_prefilter_agrees_with_the_full_parse(filename: str) -> None:
    target = running_target()
    parsed = try_parse_filename(filename)
    keeps = parsed is not None and (parsed.kind != "wheel" or target.rank(parsed.tags) is not None)
    if keeps:
        assert target.may_install(filename)  # never drops what the full check keeps
    if not target.may_install(filename):
        assert not keeps
    if filename.endswith(".whl") and parsed is not None:
        assert target.may_install(filename) == keeps  # and for a real wheel, exactly it
