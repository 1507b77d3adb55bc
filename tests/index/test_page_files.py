"""Pages read lazily: what choosing a version needs at once, a whole FileInfo when asked.

The cheap path must give exactly the answers of the full one: the versions of
``try_parse_filename``, the files of ``usable_files``, the ``FileInfo`` of
``parse_json_page``.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from packaging.version import Version

from px.index.filenames import try_parse_filename, version_of
from px.index.pages import JSON_TYPE, parse_json_page, project_page_files
from px.index.select import usable_files, usable_releases
from px.index.tags import InterpreterDescription, Target, running_target, target_for
from px.ops.candidates import IndexCandidates
from tests.index.conftest import ClientFactory

PAGE_URL = "https://pypi.example.org/simple/demo-pkg/"

NAME_PARTS = ["demo_pkg", "Demo.Pkg", "demo__pkg", "demo-pkg", "", "démo"]
VERSIONS = ["1.0", "1.0rc1", "1!2.0", "1.0+local.7", "1.0.post1", "bad version", "", "1.0_1"]
BUILDS = [None, "1", "12abc", "abc", ""]
TAGS = [
    "py3-none-any",
    "py2.py3-none-any",
    "PY3-NONE-ANY",
    "cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64",
    "cp311-abi3-win_amd64",
    "3py-none-any",
    "py3--any",
    "py3-none",
]
SUFFIXES = [".whl", ".WHL", ".tar.gz", ".TAR.GZ", ".zip", ".tar.bz2", ""]


def _name(name: str, version: str, build: str | None, tags: str, suffix: str) -> str:
    if suffix.lower() == ".whl":
        return "-".join(p for p in (name, version, build, tags) if p is not None) + suffix
    return f"{name}-{version}{suffix}"


FILENAMES = st.one_of(
    st.builds(
        _name,
        st.sampled_from(NAME_PARTS),
        st.sampled_from(VERSIONS),
        st.sampled_from(BUILDS),
        st.sampled_from(TAGS),
        st.sampled_from(SUFFIXES),
    ),
    st.text(alphabet="ab1.-_!+ whlWHLtargzip", max_size=30),
)


@given(FILENAMES)
def test_version_of_agrees_with_the_full_parse(filename: str) -> None:
    parsed = try_parse_filename(filename)
    version = version_of(filename)
    assert version == (parsed.version if parsed is not None else None)
    if version is not None:
        assert str(version) == str(parsed.version if parsed is not None else None)
    for target in TARGETS:  # with a target's tag check: also None for a wheel it cannot use
        usable = parsed is not None and (
            parsed.kind != "wheel" or target.rank(parsed.tags) is not None
        )
        expected = parsed.version if usable and parsed is not None else None
        assert version_of(filename, target.supports) == expected


def _entry(filename: str, n: int) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "filename": filename,
        "url": f"../../files/{filename}#sha256={n:064x}",
        "hashes": {"sha256": f"{n:064x}"} if n % 3 else {},
    }
    if n % 4 == 0:
        entry["requires-python"] = ">=3.12" if n % 8 == 0 else ">=3.8"
    if n % 5 == 0:
        entry["yanked"] = "broken build" if n % 10 == 0 else True
    if n % 6 == 0:
        entry["core-metadata"] = {"sha256": f"{n + 1:064x}"}
    if n % 7 == 0:
        entry["size"] = n * 100
    return entry


def _page() -> bytes:
    """A page of every kind of name and entry field, and a few malformed entries."""
    names = [
        _name(name, version, build, tags, suffix)
        for name in ("demo_pkg", "Demo.Pkg", "demo__pkg")
        for version in ("1.0", "1.1", "2.0rc1", "2.0", "bad version")
        for build in (None, "1")
        for tags in TAGS
        for suffix in (".whl", ".tar.gz", ".zip", ".egg")
    ]
    entries: list[object] = [_entry(name, n) for n, name in enumerate(dict.fromkeys(names))]
    entries += [{"filename": 7, "url": "x"}, {"filename": "demo_pkg-1.0.tar.gz"}, "not a dict"]
    page = {"meta": {"api-version": "1.1"}, "name": "demo-pkg", "files": entries}
    return json.dumps(page).encode()


TARGETS = [
    running_target(),
    target_for(InterpreterDescription("cp", "3.11.7", platforms=("manylinux2014_x86_64",))),
    target_for(InterpreterDescription("cp", "3.12.1", platforms=("win_amd64",))),
]


def test_page_files_build_the_file_infos_parse_json_page_builds() -> None:
    body = _page()
    files = project_page_files(body, JSON_TYPE, PAGE_URL, project="demo-pkg", index="primary")
    page = parse_json_page(body, PAGE_URL, project="demo-pkg", index="primary")
    assert len(files) == len(page.files) > 100
    assert all(f._info is None for f in files)  # nothing built until asked
    assert [f.info() for f in files] == list(page.files)
    for file, info in zip(files, page.files, strict=True):
        assert file.info() is file.info()  # built once
        assert (file.filename, file.requires_python, file.yanked, file.yanked_reason) == (
            info.filename,
            info.requires_python,
            info.yanked,
            info.yanked_reason,
        )


def test_usable_releases_are_usable_files_by_version() -> None:
    body = _page()
    for target in TARGETS:
        keep = target.may_install
        files = project_page_files(body, JSON_TYPE, PAGE_URL, project="demo-pkg", keep=keep)
        expected: dict[Version, list[str]] = {}
        infos = [f.info() for f in files]
        for info, parsed in usable_files(infos, target, include_yanked=True):
            expected.setdefault(parsed.version, []).append(info.filename)
        fresh = project_page_files(body, JSON_TYPE, PAGE_URL, project="demo-pkg", keep=keep)
        grouped = usable_releases(fresh, target)
        assert {v: [f.filename for f in fs] for v, fs in grouped.items()} == expected
        assert expected  # every target can use something here (the sdists at least)
        assert all(f._info is None for f in fresh)  # chosen from the names alone


def test_a_resolver_builds_only_the_versions_it_looks_at(make_client: ClientFactory) -> None:
    client = make_client()
    target: Target = running_target()
    candidates = IndexCandidates(client, target)
    try:
        versions = [v.version for v in candidates.versions("edge-versions")]
        assert len(versions) > 2
        files = client.page_files("edge-versions", keep=target.may_install)
        assert all(f._info is None for f in files)
        chosen = max(versions)
        artifacts = candidates.artifacts("edge-versions", chosen)
        built = {f.filename for f in files if f._info is not None}
        assert built == {a.filename for a in artifacts}
        assert all(version_of(name) == chosen for name in built)
    finally:
        candidates.close()
