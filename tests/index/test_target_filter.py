"""A resolver for one target parses only the files that target could install."""

from __future__ import annotations

from typing import Any

import pytest

from px.index.tags import InterpreterDescription, target_for
from px.ops.candidates import IndexCandidates, ProjectNotFound
from tests.index.conftest import ClientFactory

LINUX_X86 = "platform_pkg-1.0-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"


def test_keep_drops_the_files_before_they_are_parsed(make_client: ClientFactory) -> None:
    client = make_client()
    linux = target_for(InterpreterDescription("cp", "3.11.7", platforms=("manylinux2014_x86_64",)))
    kept = client.project_files("platform-pkg", keep=linux.may_install)
    assert [f.filename for f in kept] == [LINUX_X86]
    assert len(client.project_files("platform-pkg")) == 4  # kept apart: every file, unfiltered
    assert [f.filename for f in client.project_files("platform-pkg", keep=linux.may_install)] == [
        LINUX_X86
    ]
    # sdists are never dropped by a wheel-tag test
    assert any(
        f.filename.endswith(".tar.gz")
        for f in client.project_files("greet-lib", keep=linux.may_install)
    )


def test_a_project_with_nothing_for_the_target_is_not_called_missing(
    make_client: ClientFactory, index: Any
) -> None:
    windows = target_for(InterpreterDescription("cp", "3.11.7", platforms=("win32",)))
    candidates = IndexCandidates(make_client(), windows)
    try:
        assert candidates.versions("platform-pkg") == []  # exists, nothing usable here
        with pytest.raises(ProjectNotFound):
            candidates.versions("no-such-project-anywhere")
    finally:
        candidates.close()
