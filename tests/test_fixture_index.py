"""The test package index itself: reproducible builds, the traits it promises, and a server
that negotiates, caches, authenticates and misbehaves on request (stdlib urllib only)."""

from __future__ import annotations

import base64
import configparser
import hashlib
import http.client
import importlib.machinery
import importlib.metadata
import json
import os
import shutil
import socket
import subprocess
import sys
import tarfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Mapping
from email.message import Message
from email.parser import BytesHeaderParser
from html.parser import HTMLParser
from pathlib import Path

import pytest
from packaging.tags import sys_tags
from packaging.utils import parse_wheel_filename

from fixtures.artifacts import IndexTree
from fixtures.build import build_index, build_index_from_wheels, source_date_epoch
from fixtures.rewheel import (
    DEFAULT_TOOLS,
    fallback_tags,
    requirement_closure,
    restore_shebang,
    rewheel,
)
from fixtures.server import IndexServer

REPO = Path(__file__).resolve().parent.parent
TOOL_PROJECTS = frozenset(requirement_closure(DEFAULT_TOOLS))  # re-wheeled from this venv
JSON_V1 = "application/vnd.pypi.simple.v1+json"
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy


def fetch(
    url: str, headers: Mapping[str, str] | None = None, timeout: float = 5.0
) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=dict(headers or {}))
    try:
        with OPENER.open(request, timeout=timeout) as response:
            return response.status, _lower(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, _lower(error.headers), error.read()


def _lower(headers: Message) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


def metadata_of(tree: IndexTree, filename: str, index: str = "primary") -> Message:
    return BytesHeaderParser().parsebytes(tree.artifact(filename, index).metadata_path.read_bytes())


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.anchors: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.anchors.append(dict(attrs))


# -- the build -------------------------------------------------------------------------


def test_two_builds_are_byte_identical(fixture_index_tree: IndexTree, tmp_path: Path) -> None:
    again = build_index(tmp_path / "again", tools=DEFAULT_TOOLS)

    def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
        return {
            path.relative_to(root).as_posix(): (path.read_bytes(), int(path.stat().st_mtime))
            for path in sorted(root.rglob("*"))
            if path.is_file()
        }

    first, second = snapshot(fixture_index_tree.root), snapshot(again.root)
    assert len(first) > 100
    assert first == second

    def announced(tree: IndexTree) -> list[tuple[str, str, str, str | None]]:
        return [(a.index, a.filename, a.sha256, a.metadata_sha256) for a in tree.artifacts]

    assert announced(again) == announced(fixture_index_tree)


def test_the_promised_traits_are_published(fixture_index_tree: IndexTree) -> None:
    tree = fixture_index_tree
    assert tree.indexes == ("primary", "secondary")
    assert 18 <= len(set(tree.projects()) - TOOL_PROJECTS) <= 26
    assert set(tree.projects()) >= TOOL_PROJECTS >= {"pytest", "hatchling", "ruff", "pluggy"}

    def files(project: str, index: str = "primary") -> set[str]:
        return {artifact.filename for artifact in tree.files(project, index)}

    assert {a.version for a in tree.files("edge-versions")} == {
        "1.0",
        "1.0+local",
        "1.0.post1",
        "2.0.0b1",
    }
    assert files("sdist-only") == {"sdist_only-1.0.tar.gz"}
    assert files("platform-pkg") == {
        "platform_pkg-1.0-py3-none-macosx_11_0_arm64.whl",
        "platform_pkg-1.0-py3-none-manylinux_2_17_aarch64.manylinux2014_aarch64.whl",
        "platform_pkg-1.0-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
        "platform_pkg-1.0-py3-none-win_amd64.whl",
    }
    yanked = {a.filename: a.yanked for a in tree.files("yanked-pkg") if a.yanked is not None}
    assert yanked == {
        "yanked_pkg-1.1-py3-none-any.whl": "1.1 fails on import; use 1.0",
        "yanked_pkg-1.1.tar.gz": "1.1 fails on import; use 1.0",
    }
    requires_python = {a.filename: a.requires_python for a in tree.files("pyreq")}
    assert requires_python["pyreq-2.0-py3-none-any.whl"] == ">=3.14"
    assert requires_python["pyreq-2.0.tar.gz"] == ">=3.14"
    assert requires_python["pyreq-1.1-py3-none-any.whl"] == ">=3.14"
    assert requires_python["pyreq-1.1-py310-none-any.whl"] == ">=3.10"
    assert requires_python["pyreq-1.0-py3-none-any.whl"] == ">=3.8"
    # Dependency confusion: same file name, other bytes, and a higher version on "secondary".
    genuine = tree.artifact("internal_tool-1.0-py3-none-any.whl")
    impostor = tree.artifact("internal_tool-1.0-py3-none-any.whl", "secondary")
    assert genuine.sha256 != impostor.sha256
    assert files("internal-tool", "secondary") >= {"internal_tool-99.0-py3-none-any.whl"}
    assert metadata_of(tree, "foo_bar_baz-1.0-py3-none-any.whl")["Name"] == "Foo_Bar.baz"
    assert tree.files("Foo_Bar.baz")[0].project == "foo-bar-baz"


def test_dependencies_markers_and_extras_reach_the_metadata(fixture_index_tree: IndexTree) -> None:
    def requires(filename: str) -> list[str]:
        return metadata_of(fixture_index_tree, filename).get_all("Requires-Dist") or []

    assert requires("diamond_a-1.0-py3-none-any.whl") == ["diamond-b", "diamond-c"]
    assert requires("diamond_b-1.0-py3-none-any.whl") == ["diamond-d>=1.0"]
    assert requires("diamond_c-1.0-py3-none-any.whl") == ["diamond-d<2"]
    assert requires("bt_top-2.0-py3-none-any.whl") == ["bt-leaf>=2"]
    assert requires("bt_top-1.0-py3-none-any.whl") == []
    assert requires("bt_mid-1.0-py3-none-any.whl") == ["bt-leaf<2"]
    markers = " ".join(requires("markers_pkg-1.0-py3-none-any.whl"))
    for variable in ("python_version", "sys_platform", "platform_machine"):
        assert variable in markers
    extras = metadata_of(fixture_index_tree, "extras_pkg-1.0-py3-none-any.whl")
    assert extras.get_all("Provides-Extra") == ["fast", "greet", "all"]
    assert extras.get_all("Requires-Dist") == [
        'diamond-d>=1.0; extra == "fast"',
        'greet-lib>=1.0; python_version >= "3.8" and extra == "greet"',
        'extras-pkg[fast,greet]; extra == "all"',
    ]


def test_wheels_are_valid_and_match_their_metadata_files(fixture_index_tree: IndexTree) -> None:
    wheels = [a for a in fixture_index_tree.artifacts if a.is_wheel]
    assert len(wheels) > 30
    for artifact in wheels:
        with zipfile.ZipFile(artifact.path) as archive:
            dist_info = assert_record_matches(archive)
            metadata = archive.read(f"{dist_info}/METADATA")
            wheel = archive.read(f"{dist_info}/WHEEL").decode()
        assert artifact.metadata_path.read_bytes() == metadata
        assert artifact.metadata_sha256 == sha256(metadata)
        tags = parse_wheel_filename(artifact.filename)[3]
        wheel_tags = {line[5:] for line in wheel.splitlines() if line.startswith("Tag: ")}
        assert wheel_tags == {str(tag) for tag in tags}, artifact.filename
        if artifact.project not in TOOL_PROJECTS:
            assert "Metadata-Version: 2.1" in metadata.decode()


def assert_record_matches(archive: zipfile.ZipFile) -> str:
    """RECORD is last and lists every other member with its sha256 and size; the
    .dist-info directory name is returned."""
    names = archive.namelist()
    dist_info = next(n.split("/")[0] for n in names if n.endswith(".dist-info/RECORD"))
    assert names[-1] == f"{dist_info}/RECORD", archive.filename
    rows = archive.read(f"{dist_info}/RECORD").decode().splitlines()
    recorded = {row.rsplit(",", 2)[0]: row.rsplit(",", 2)[1:] for row in rows}
    assert set(recorded) == set(names), archive.filename
    for name in names:
        if name.endswith("/RECORD"):
            continue
        data = archive.read(name)
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
        assert recorded[name] == [f"sha256={digest.decode()}", str(len(data))], name
    return dist_info


def test_wheel_layout_traits(fixture_index_tree: IndexTree) -> None:
    def members(filename: str) -> dict[str, zipfile.ZipInfo]:
        with zipfile.ZipFile(fixture_index_tree.artifact(filename).path) as archive:
            return {info.filename: info for info in archive.infolist()}

    nspkg = members("nspkg_a-1.0-py3-none-any.whl")
    assert "nsroot/a/__init__.py" in nspkg and "nsroot/__init__.py" not in nspkg
    data = members("datafiles-1.0-py3-none-any.whl")
    script = data["datafiles-1.0.data/scripts/datafiles-hello"]
    assert script.external_attr >> 16 == 0o100755
    assert "datafiles-1.0.data/data/share/datafiles/notes.txt" in data
    with zipfile.ZipFile(fixture_index_tree.artifact("greet_app-1.0-py3-none-any.whl").path) as z:
        assert (
            "[console_scripts]\ngreet-app = greet_app.main:main"
            in z.read("greet_app-1.0.dist-info/entry_points.txt").decode()
        )
    with zipfile.ZipFile(fixture_index_tree.artifact("gui_tool-1.0-py3-none-any.whl").path) as z:
        assert "[gui_scripts]" in z.read("gui_tool-1.0.dist-info/entry_points.txt").decode()


def test_sdists_are_normalised_tarballs(fixture_index_tree: IndexTree) -> None:
    sdists = [a for a in fixture_index_tree.artifacts if a.filename.endswith(".tar.gz")]
    for artifact in sdists:
        raw = artifact.path.read_bytes()
        assert raw[4:8] == b"\0\0\0\0", "gzip header mtime must be 0"
        with tarfile.open(artifact.path) as tar:
            infos = tar.getmembers()
        top = artifact.filename[: -len(".tar.gz")]
        assert [i.name for i in infos] == sorted(i.name for i in infos)
        assert all(i.name.startswith(f"{top}/") and i.uid == i.gid == 0 for i in infos)
        assert f"{top}/PKG-INFO" in {i.name for i in infos}
    with tarfile.open(fixture_index_tree.artifact("bt_top-1.0.tar.gz").path) as tar:
        member = tar.extractfile("bt_top-1.0/pyproject.toml")
        assert member is not None
        pyproject = member.read().decode()
    assert 'version = "1.0"' in pyproject and "dependencies = []" in pyproject


def test_sdist_only_builds_offline_with_its_in_tree_backend(
    fixture_index_tree: IndexTree, tmp_path: Path
) -> None:
    with tarfile.open(fixture_index_tree.artifact("sdist_only-1.0.tar.gz").path) as tar:
        for member in tar.getmembers():  # (extractall's filter= is missing on early 3.10s)
            extracted = tar.extractfile(member)
            assert extracted is not None and ".." not in member.name
            (tmp_path / member.name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / member.name).write_bytes(extracted.read())
    source = tmp_path / "sdist_only-1.0"
    assert 'backend-path = ["_backend"]' in (source / "pyproject.toml").read_text()
    out = tmp_path / "dist"
    out.mkdir()
    hook = "import sys; sys.path.insert(0, '_backend'); import fixture_backend as b; "
    hook += "print(b.get_requires_for_build_wheel(), b.build_wheel(sys.argv[1]))"
    result = subprocess.run(
        [sys.executable, "-I", "-c", hook, str(out)],
        cwd=source,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert result.stdout.split() == ["[]", "sdist_only-1.0-py3-none-any.whl"]
    with zipfile.ZipFile(out / "sdist_only-1.0-py3-none-any.whl") as archive:
        assert "sdist_only/__init__.py" in archive.namelist()
        metadata = archive.read("sdist_only-1.0.dist-info/METADATA").decode()
    assert "Requires-Dist: greet-lib>=1.0" in metadata


# -- real tools, re-wheeled from this environment -------------------------------------------


def tool_wheel(tree: IndexTree, project: str) -> Path:
    (artifact,) = tree.files(project)  # one wheel, no sdist
    assert artifact.is_wheel and artifact.metadata_sha256 is not None
    return artifact.path


def console_scripts(entry_points: str) -> dict[str, str]:
    parser = configparser.ConfigParser(delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment, method-assign]
    parser.read_string(entry_points)
    return dict(parser["console_scripts"])


def test_closure_follows_markers_for_this_interpreter_and_no_extras() -> None:
    closure = set(requirement_closure(["pytest"]))
    assert closure >= {"pytest", "iniconfig", "pluggy", "packaging", "pygments"}
    assert "hypothesis" not in closure  # only in pytest[dev] (and installed here)
    assert "colorama" not in closure  # sys_platform == "win32" only
    assert ("exceptiongroup" in closure) == (sys.version_info < (3, 11))
    hatchling = set(requirement_closure(["hatchling"]))
    assert hatchling >= {"hatchling", "pathspec", "trove-classifiers", "pluggy", "packaging"}
    assert requirement_closure(["Ruff"]) == ("ruff",)
    with pytest.raises(LookupError, match="no-such-dist-anywhere is not installed"):
        requirement_closure(["no-such-dist-anywhere"])


def test_rewheeled_pytest_is_a_faithful_wheel(fixture_index_tree: IndexTree) -> None:
    dist = importlib.metadata.distribution("pytest")
    stem = f"pytest-{dist.version}"
    path = tool_wheel(fixture_index_tree, "pytest")
    assert path.name == f"{stem}-py3-none-any.whl"
    installed_metadata = Path(str(dist.locate_file(f"{stem}.dist-info/METADATA"))).read_bytes()
    with zipfile.ZipFile(path) as archive:
        assert assert_record_matches(archive) == f"{stem}.dist-info"
        names = archive.namelist()
        metadata = archive.read(f"{stem}.dist-info/METADATA")
        entry_points = archive.read(f"{stem}.dist-info/entry_points.txt").decode()
        wheel = archive.read(f"{stem}.dist-info/WHEEL").decode().splitlines()
        stamps = {info.date_time for info in archive.infolist()}
    assert metadata == installed_metadata
    assert fixture_index_tree.files("pytest")[0].metadata_path.read_bytes() == metadata
    scripts = console_scripts(entry_points)
    assert set(scripts) == {"pytest", "py.test"}
    assert scripts == {e.name: e.value for e in dist.entry_points if e.group == "console_scripts"}
    assert "Root-Is-Purelib: true" in wheel and "Tag: py3-none-any" in wheel
    assert stamps == {time.gmtime(source_date_epoch())[:6]}
    # the package files exactly (no launcher: the RECORD's ../../../bin/pytest is left out)
    installed = {
        entry.as_posix()
        for entry in dist.files or []
        if not entry.as_posix().startswith(("..", f"{stem}.dist-info/"))
        and "__pycache__" not in entry.parts
    }
    package = [n for n in names if not n.startswith(f"{stem}.dist-info/")]
    assert package == sorted(installed) and "_pytest/python.py" in package
    meta = {n.split("/", 1)[1] for n in names if n.startswith(f"{stem}.dist-info/")}
    assert {"METADATA", "WHEEL", "RECORD", "entry_points.txt"} <= meta
    assert not meta & {"INSTALLER", "REQUESTED", "direct_url.json"}


def test_rewheeled_pytest_and_its_dependencies_import_and_run(
    fixture_index_tree: IndexTree, tmp_path: Path
) -> None:
    target = tmp_path / "unpacked"
    for project in requirement_closure(["pytest"]):
        with zipfile.ZipFile(tool_wheel(fixture_index_tree, project)) as archive:
            archive.extractall(target)
    work = tmp_path / "work"
    work.mkdir()
    (work / "pytest.ini").write_text("[pytest]\n")
    (work / "test_probe.py").write_text("def test_probe():\n    assert 1 + 1 == 2\n")
    # -S: no site-packages at all, so everything must come from the unpacked wheels
    python = [sys.executable, "-S", "-B"]
    env = {"PYTHONPATH": str(target), "PATH": os.environ.get("PATH", "")}
    probe = "import pytest, pluggy, pygments; print(pytest.__version__, pytest.__file__)"
    shown = subprocess.run(
        [*python, "-c", probe], env=env, cwd=work, capture_output=True, text=True, timeout=60
    )
    assert shown.returncode == 0, shown.stderr
    version, module = shown.stdout.split()
    assert version == importlib.metadata.version("pytest")
    assert Path(module).is_relative_to(target)
    ran = subprocess.run(
        [*python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_probe.py"],
        env=env,
        cwd=work,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ran.returncode == 0 and "1 passed" in ran.stdout, ran.stdout + ran.stderr
    alone = subprocess.run([*python, "-c", "import pytest"], cwd=work, capture_output=True)
    assert alone.returncode != 0  # without PYTHONPATH it is not importable: the probe is real


def test_rewheeled_ruff_keeps_its_native_binary_executable(
    fixture_index_tree: IndexTree, tmp_path: Path
) -> None:
    dist = importlib.metadata.distribution("ruff")
    installed_wheel = (dist.read_text("WHEEL") or "").splitlines()
    path = tool_wheel(fixture_index_tree, "ruff")
    tags = {str(tag) for tag in parse_wheel_filename(path.name)[3]}
    assert tags == {line[5:] for line in installed_wheel if line.startswith("Tag: ")}
    assert not path.name.endswith("-any.whl") and path.name.startswith("ruff-")
    (binary_entry,) = [e for e in dist.files or [] if e.as_posix().startswith("../")]
    name = f"ruff-{dist.version}.data/scripts/{binary_entry.name}"
    with zipfile.ZipFile(path) as archive:
        assert_record_matches(archive)
        info = archive.getinfo(name)
        binary = archive.read(name)
        wheel = archive.read(f"ruff-{dist.version}.dist-info/WHEEL").decode()
    assert info.external_attr >> 16 == 0o100755
    assert binary == Path(str(dist.locate_file(binary_entry))).read_bytes()
    assert "Root-Is-Purelib: false" in wheel
    extracted = tmp_path / binary_entry.name
    extracted.write_bytes(binary)
    extracted.chmod((info.external_attr >> 16) & 0o777)
    shown = subprocess.run([extracted, "--version"], capture_output=True, text=True, timeout=60)
    assert shown.stdout.strip() == f"ruff {dist.version}"


def test_rewheel_drops_launchers_and_keeps_data_files(
    fixture_index_tree: IndexTree, tmp_path: Path
) -> None:
    hatchling = importlib.metadata.distribution("hatchling")
    assert any(e.as_posix().endswith("bin/hatchling") for e in hatchling.files or [])
    with zipfile.ZipFile(tool_wheel(fixture_index_tree, "hatchling")) as archive:
        names = archive.namelist()
        entry_points = archive.read(f"hatchling-{hatchling.version}.dist-info/entry_points.txt")
    assert not [n for n in names if ".data/" in n]  # the launcher comes back from:
    assert console_scripts(entry_points.decode()) == {"hatchling": "hatchling.cli:hatchling"}
    try:  # a dev dependency that installs a man page under <prefix>/share
        manpage = importlib.metadata.distribution("argparse-manpage")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("argparse-manpage is not installed")
    path = rewheel("argparse-manpage", tmp_path, 1704067200)
    with zipfile.ZipFile(path) as archive:
        data = {i.filename: i for i in archive.infolist() if ".data/" in i.filename}
    stem = f"argparse_manpage-{manpage.version}"
    assert set(data) == {f"{stem}.data/data/share/man/man1/argparse-manpage.1"}
    assert {info.external_attr >> 16 for info in data.values()} == {0o100644}


def test_restore_shebang_undoes_the_installer_rewrite() -> None:
    assert restore_shebang(b"#!/venv/bin/python3.11 -u\nrun()\n") == b"#!python -u\nrun()\n"
    trampoline = b"#!/bin/sh\n'''exec' \"/a/very/long/bin/python\" \"$0\" \"$@\"\n' '''\nrun()\n"
    assert restore_shebang(trampoline) == b"#!python\nrun()\n"
    for untouched in (b"#!/bin/sh\necho hi\n", b"\x7fELF\x02\x01", b"#!/usr/bin/env perl\n"):
        assert restore_shebang(untouched) == untouched


def test_tags_without_a_wheel_file_come_from_the_files() -> None:
    first = next(iter(sys_tags()))
    native = next(t for t in sys_tags() if t.interpreter == "py3" and t.platform != "any")
    assert fallback_tags([("pkg/__init__.py", b"", 0o644)]) == (["py3-none-any"], True)
    binary = ("x-1.0.data/scripts/x", b"\x7fELF\x02\x01\x01", 0o755)
    assert fallback_tags([binary]) == ([str(native)], False)
    module = f"pkg/_speed{importlib.machinery.EXTENSION_SUFFIXES[0]}"
    assert fallback_tags([binary, (module, b"", 0o755)]) == ([str(first)], False)
    if ".abi3.so" in importlib.machinery.EXTENSION_SUFFIXES:
        (tag,), _ = fallback_tags([("pkg/_speed.abi3.so", b"", 0o755)])
        assert tag.split("-")[1] == "abi3"


def test_fixture_names_must_not_clash_with_the_tools(tmp_path: Path) -> None:
    package = tmp_path / "packages" / "fake-pluggy"
    (package / "src" / "pluggy").mkdir(parents=True)
    (package / "src" / "pluggy" / "__init__.py").write_text("")
    (package / "pyproject.toml").write_text('[project]\nname = "Pluggy"\nversion = "1.0"\n')
    with pytest.raises(ValueError, match=r"fixture package\(s\) pluggy clash"):
        build_index(tmp_path / "out", packages_dir=tmp_path / "packages", tools=["pytest"])
    alone = build_index(tmp_path / "out", packages_dir=tmp_path / "packages")
    assert alone.projects() == ("pluggy",)


def test_build_command_with_tools(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "fixtures.build", str(tmp_path), "--with-tools"]
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    pages = tmp_path / "primary" / "simple"
    assert {"ruff", "pytest", "hatchling", "greet-lib"} <= {p.name for p in pages.iterdir()}
    (wheel,) = (tmp_path / "primary" / "files").glob("pytest-*.whl")
    assert Path(f"{wheel}.metadata").is_file()


# -- the server -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "content_type"),
    [
        (None, "text/html"),
        ("text/html", "text/html"),
        ("*/*", "text/html"),
        (JSON_V1, JSON_V1),
        ("application/vnd.pypi.simple.latest+json", JSON_V1),
        ("application/vnd.pypi.simple.v1+html", "application/vnd.pypi.simple.v1+html"),
        (f"{JSON_V1}, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01", JSON_V1),
        (f"text/html;q=0.9, {JSON_V1};q=0.5", "text/html"),
        (f"text/html, {JSON_V1}", "text/html"),
        (f"{JSON_V1};q=0.8, */*;q=0.1", JSON_V1),
        (f"{JSON_V1};q=0, */*", "text/html"),
        ("application/json", None),
        (f"{JSON_V1};q=0", None),
    ],
)
def test_pages_are_negotiated(index: IndexServer, accept: str | None, content_type: str) -> None:
    headers = {} if accept is None else {"Accept": accept}
    status, response_headers, body = fetch(index.url() + "diamond-d/", headers)
    if content_type is None:
        assert status == 406
        return
    assert status == 200
    assert response_headers["content-type"].split(";")[0] == content_type
    assert response_headers["vary"] == "Accept"
    if content_type == JSON_V1:
        assert json.loads(body)["name"] == "diamond-d"
    else:
        assert body.startswith(b"<!DOCTYPE html>")


def test_json_and_html_pages_announce_the_same_files(index: IndexServer) -> None:
    _, _, raw_json = fetch(index.url() + "yanked-pkg/", {"Accept": JSON_V1})
    _, _, raw_html = fetch(index.url() + "yanked-pkg/")
    page = json.loads(raw_json)
    assert page["meta"]["api-version"] == "1.1" and page["versions"] == ["1.0", "1.1"]
    parser = _Anchors()
    parser.feed(raw_html.decode())
    assert len(parser.anchors) == len(page["files"]) == 4
    for anchor, entry in zip(parser.anchors, page["files"], strict=True):
        href = anchor["href"] or ""
        assert href == f"{entry['url']}#sha256={entry['hashes']['sha256']}"
        assert anchor["data-requires-python"] == entry["requires-python"] == ">=3.8"
        yanked = anchor.get("data-yanked")
        assert (yanked or False) == entry["yanked"]
        if entry["core-metadata"]:
            expected = f"sha256={entry['core-metadata']['sha256']}"
            assert anchor["data-core-metadata"] == anchor["data-dist-info-metadata"] == expected
        assert set(entry) >= {"size", "upload-time", "dist-info-metadata"}
    assert b'data-requires-python="&gt;=3.8"' in raw_html
    _, _, root = fetch(index.url(), {"Accept": JSON_V1})
    assert {"name": "foo-bar-baz"} in json.loads(root)["projects"]


def test_files_and_metadata_files_match_the_announced_hashes(index: IndexServer) -> None:
    for project in ("greet-app", "Foo_Bar.baz", "edge-versions"):
        page_url = index.url() + project + "/"
        status, _, raw = fetch(page_url, {"Accept": JSON_V1})
        assert status == 200
        for entry in json.loads(raw)["files"]:
            file_url = urllib.parse.urljoin(page_url, entry["url"])
            _, _, data = fetch(file_url)
            assert sha256(data) == entry["hashes"]["sha256"] and len(data) == entry["size"]
            if entry["core-metadata"]:
                _, _, metadata = fetch(file_url + ".metadata")
                assert sha256(metadata) == entry["core-metadata"]["sha256"]


def test_unnormalised_project_names_redirect(index: IndexServer) -> None:
    status, _, body = fetch(index.url() + "Foo_Bar.baz/", {"Accept": JSON_V1})
    assert status == 200 and json.loads(body)["name"] == "foo-bar-baz"
    assert [r.path for r in index.requests] == [
        "/primary/simple/Foo_Bar.baz/",
        "/primary/simple/foo-bar-baz/",
    ]
    assert fetch(index.url() + "no-such-project/")[0] == 404


def test_etag_and_last_modified_answer_304(index: IndexServer) -> None:
    url = index.url() + "diamond-d/"
    status, headers, _ = fetch(url)
    assert status == 200 and "cache-control" not in headers
    etag, last_modified = headers["etag"], headers["last-modified"]
    assert fetch(url, {"If-None-Match": etag})[0] == 304
    assert fetch(url, {"If-None-Match": '"other"'})[0] == 200
    assert fetch(url, {"If-Modified-Since": last_modified})[0] == 304
    json_etag = fetch(url, {"Accept": JSON_V1})[1]["etag"]
    assert json_etag != etag  # one URL, two representations
    file_headers = fetch(index.file_url("diamond_d-1.0.tar.gz"))[1]
    assert (
        fetch(index.file_url("diamond_d-1.0.tar.gz"), {"If-None-Match": file_headers["etag"]})[0]
        == 304
    )


def test_caching_headers_can_be_switched(index: IndexServer) -> None:
    url = index.url() + "diamond-d/"
    etag = fetch(url)[1]["etag"]
    index.set_caching(validators=False)
    status, headers, _ = fetch(url, {"If-None-Match": etag})
    assert status == 200
    assert not {"etag", "last-modified", "cache-control"} & set(headers)
    index.set_caching(max_age=600)
    assert fetch(url)[1]["cache-control"] == "max-age=600"


def test_fail_then_recover(index: IndexServer) -> None:
    index.fail("/diamond-d/", times=2)
    url = index.url() + "diamond-d/"
    assert [fetch(url)[0] for _ in range(3)] == [500, 500, 200]
    assert fetch(index.url() + "diamond-c/")[0] == 200
    index.fail(".metadata", status=503)
    assert fetch(index.file_url("diamond_d-1.0-py3-none-any.whl.metadata"))[0] == 503


def test_hang_delays_the_answer(index: IndexServer) -> None:
    index.hang("/bt-leaf/", seconds=30)
    started = time.monotonic()
    with pytest.raises((TimeoutError, socket.timeout, urllib.error.URLError)):
        fetch(index.url() + "bt-leaf/", timeout=0.3)
    assert time.monotonic() - started < 5
    index.hang("/bt-mid/", seconds=0.2)
    started = time.monotonic()
    assert fetch(index.url() + "bt-mid/")[0] == 200
    assert time.monotonic() - started >= 0.2


def test_truncated_body_is_detected(index: IndexServer) -> None:
    index.truncate("greet_lib-1.0.tar.gz")
    request = urllib.request.Request(index.file_url("greet_lib-1.0.tar.gz"))
    with OPENER.open(request, timeout=5) as response, pytest.raises(http.client.IncompleteRead):
        response.read()
    assert fetch(index.file_url("greet_lib-1.0.tar.gz"))[0] == 200


def test_corrupt_body_has_the_wrong_hash(index: IndexServer, fixture_index_tree: IndexTree) -> None:
    artifact = fixture_index_tree.artifact("greet_lib-1.0-py3-none-any.whl")
    index.corrupt(artifact.filename)
    corrupted = fetch(index.file_url(artifact.filename))[2]
    assert len(corrupted) == artifact.size and sha256(corrupted) != artifact.sha256
    assert sha256(fetch(index.file_url(artifact.filename))[2]) == artifact.sha256


def test_redirect_to_another_host(index: IndexServer) -> None:
    index.redirect("/greet-lib/", f"http://localhost:{index.port}{{path}}")
    with OPENER.open(index.url() + "greet-lib/", timeout=5) as response:
        assert response.url == f"http://localhost:{index.port}/primary/simple/greet-lib/"
    hosts = [r.headers["host"] for r in index.requests]
    assert hosts == [f"127.0.0.1:{index.port}", f"localhost:{index.port}"]


def test_basic_auth_per_index(index: IndexServer) -> None:
    index.require_auth("secondary", "alice", "s3cret")
    url = index.url("secondary") + "internal-tool/"
    status, headers, _ = fetch(url)
    assert status == 401 and headers["www-authenticate"].startswith("Basic ")
    token = base64.b64encode(b"alice:wrong").decode()
    assert fetch(url, {"Authorization": f"Basic {token}"})[0] == 401
    token = base64.b64encode(b"alice:s3cret").decode()
    assert fetch(url, {"Authorization": f"Basic {token}"})[0] == 200
    assert fetch(index.url("primary") + "internal-tool/")[0] == 200


def test_latency_log_and_reset(index: IndexServer) -> None:
    index.set_latency(150)
    started = time.monotonic()
    fetch(index.url(), {"Accept": JSON_V1, "X-Probe": "1"})
    assert time.monotonic() - started >= 0.15
    (logged,) = index.requests
    assert (logged.method, logged.path) == ("GET", "/primary/simple/")
    assert logged.headers["accept"] == JSON_V1 and logged.headers["x-probe"] == "1"
    index.clear_log()
    assert index.requests == ()
    index.fail("/", times=5)
    index.require_auth("primary", "u", "p")
    index.set_caching(validators=False)
    index.reset()
    started = time.monotonic()
    status, headers, _ = fetch(index.url())
    assert status == 200 and "etag" in headers and time.monotonic() - started < 0.15


def test_index_from_a_directory_of_wheels(fixture_index_tree: IndexTree, tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    for artifact in fixture_index_tree.files("greet-app") + fixture_index_tree.files("Foo_Bar.baz"):
        shutil.copy(artifact.path, wheels / artifact.filename)
    (wheels / "notes.txt").write_text("not a distribution")
    tree = build_index_from_wheels(wheels, tmp_path / "out", index="pypi")
    assert tree.indexes == ("pypi",) and tree.projects("pypi") == ("foo-bar-baz", "greet-app")
    wheel = tree.artifact("greet_app-1.0-py3-none-any.whl", "pypi")
    assert wheel.metadata_path.read_bytes() == metadata_bytes(wheel.path)
    assert tree.artifact("greet_app-1.0.tar.gz", "pypi").requires_python == ">=3.8"
    with IndexServer(tree.root) as server:
        status, _, body = fetch(server.url("pypi") + "greet-app/", {"Accept": JSON_V1})
    files = {entry["filename"]: entry for entry in json.loads(body)["files"]}
    assert status == 200 and files[wheel.filename]["core-metadata"] == {
        "sha256": wheel.metadata_sha256
    }


def metadata_bytes(wheel: Path) -> bytes:
    with zipfile.ZipFile(wheel) as archive:
        return archive.read("greet_app-1.0.dist-info/METADATA")


def test_serve_command_builds_and_serves(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "fixtures.serve", str(tmp_path / "tree"), "--latency-ms", "1"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=REPO)
    try:
        assert process.stdout is not None
        primary = process.stdout.readline().split()
        assert primary[0] == "primary:"
        status, _, body = fetch(primary[1] + "greet-lib/", {"Accept": JSON_V1})
        assert status == 200 and json.loads(body)["name"] == "greet-lib"
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert (tmp_path / "tree" / "secondary" / "simple" / "index.json").is_file()
