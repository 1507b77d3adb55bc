"""`px build`: PEP 517 through px's own environments, reproducible, checked, installable."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from px.build.runner import run_captured
from px.config import Settings
from px.ops.build import build, source_date_epoch
from tests.loop.conftest import buildable, snapshot

EPOCH = 1700000000  # even: zip times have a 2-second resolution


def _stamp(root: Path, epoch: int) -> None:
    for path in root.rglob("*"):
        if path.is_file():
            os.utime(path, (epoch, epoch))


def _zip_times(wheel: Path) -> set[tuple[int, ...]]:
    with zipfile.ZipFile(wheel) as archive:
        return {info.date_time for info in archive.infolist()}


def test_build_writes_checked_sdist_and_wheel(px, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = buildable(tmp_path / "demo", "loop-demo", "1.2")
    _stamp(root, EPOCH)
    result = px("--json", "build", cwd=root)
    assert result.code == 0, result.err
    report = result.json()
    assert (report["project"], report["version"]) == ("loop-demo", "1.2")
    assert report["out_dir"] == str(root / "dist")
    assert (report["source_date_epoch"], report["epoch_source"]) == (EPOCH, "files")
    names = [f["filename"] for f in report["files"]]
    assert names == ["loop_demo-1.2.tar.gz", "loop_demo-1.2-py3-none-any.whl"]
    for entry in report["files"]:
        data = Path(entry["path"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["size"] == len(data)
    assert sorted(p.name for p in (root / "dist").iterdir()) == sorted(names)
    wheel = root / "dist" / names[1]
    assert _zip_times(wheel) == {time.gmtime(EPOCH)[:6]}
    with zipfile.ZipFile(wheel) as archive:
        assert archive.read("loop_demo/__init__.py") == b'VALUE = "loop-demo 1.2"\n'
    text = px("build", cwd=root)
    assert "built loop-demo 1.2" in text.out and "sha256:" in text.out


def test_two_builds_are_byte_identical_and_follow_the_epoch(px, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = buildable(tmp_path / "repro", "loop-repro")
    _stamp(root, EPOCH)
    first = px("--json", "build", "--out-dir", str(tmp_path / "a"), cwd=root).json()
    time.sleep(1.1)  # a build that used the clock would differ now
    second = px("--json", "build", "--out-dir", str(tmp_path / "b"), cwd=root).json()
    assert [f["sha256"] for f in first["files"]] == [f["sha256"] for f in second["files"]]
    for entry in first["files"]:
        name = entry["filename"]
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    # touching a source file moves the epoch, and the archives with it
    _stamp(root, EPOCH + 86400)
    third = px("--json", "build", "--out-dir", str(tmp_path / "c"), cwd=root).json()
    assert third["source_date_epoch"] == EPOCH + 86400
    assert [f["sha256"] for f in third["files"]] != [f["sha256"] for f in first["files"]]


def test_source_date_epoch_is_honoured(px, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    root = buildable(tmp_path / "sde", "loop-sde")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1600000000")
    report = px("--json", "build", "--wheel", cwd=root).json()
    assert (report["source_date_epoch"], report["epoch_source"]) == (
        1600000000,
        "SOURCE_DATE_EPOCH",
    )
    assert _zip_times(Path(report["files"][0]["path"])) == {time.gmtime(1600000000)[:6]}
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    bad = px("build", cwd=root)
    assert bad.code == 3 and "SOURCE_DATE_EPOCH" in bad.err


def test_in_a_git_repository_the_last_commit_time_is_the_epoch(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = buildable(tmp_path / "repo", "loop-git")
    env = {
        **os.environ,
        "GIT_AUTHOR_DATE": "@1650000000 +0000",
        "GIT_COMMITTER_DATE": "@1650000000 +0000",
        "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid",
        "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
    }  # fmt: skip
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "one"]):
        subprocess.run(["git", *command], cwd=root, env=env, check=True)
    _stamp(root, EPOCH)  # file times no longer matter
    assert source_date_epoch(root, {}) == (1650000000, "git")
    assert source_date_epoch(root, {"SOURCE_DATE_EPOCH": "5"}) == (5, "SOURCE_DATE_EPOCH")
    assert source_date_epoch(tmp_path / "unrelated", {})[1] == "files"


class RecordingRunner:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str]] = []

    def __call__(
        self,
        cmd: Sequence[str],
        cwd: str | None = None,
        extra_environ: Mapping[str, str] | None = None,
    ) -> None:
        epoch = (extra_environ or {}).get("SOURCE_DATE_EPOCH", "")
        self.calls.append((cmd[2], str(cwd), epoch))
        run_captured(cmd, cwd, extra_environ)


def test_the_wheel_is_built_from_the_sdist(tmp_path: Path) -> None:
    root = buildable(tmp_path / "from-sdist", "loop-chain")
    _stamp(root, EPOCH)
    runner = RecordingRunner()
    settings = Settings(store_dir=tmp_path / "store")
    result = build(settings, root, environ={}, runner=runner)
    hooks = {hook: (cwd, epoch) for hook, cwd, epoch in runner.calls}
    assert hooks["build_sdist"] == (str(root), str(EPOCH))
    wheel_cwd, wheel_epoch = hooks["build_wheel"]
    assert wheel_epoch == str(EPOCH)
    assert Path(wheel_cwd).name == "loop_chain-1.0"  # the unpacked sdist, not the project
    assert not Path(wheel_cwd).exists()  # and it was a temporary directory
    assert [Path(f.path).name for f in result.files] == [
        "loop_chain-1.0.tar.gz", "loop_chain-1.0-py3-none-any.whl",
    ]  # fmt: skip
    # --wheel alone builds straight from the project
    runner.calls.clear()
    build(settings, root, wheel=True, environ={}, runner=runner)
    assert [(hook, cwd) for hook, cwd, _ in runner.calls if hook == "build_wheel"] == [
        ("build_wheel", str(root))
    ]


def test_sdist_or_wheel_alone_and_out_dir(px, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = buildable(tmp_path / "alone", "loop-alone")
    only_sdist = px("--json", "build", "--sdist", "-o", str(tmp_path / "s"), cwd=root).json()
    assert [f["kind"] for f in only_sdist["files"]] == ["sdist"]
    only_wheel = px("--json", "build", "--wheel", "-o", str(tmp_path / "w"), cwd=root).json()
    assert [f["kind"] for f in only_wheel["files"]] == ["wheel"]
    assert [p.name for p in (tmp_path / "w").iterdir()] == ["loop_alone-1.0-py3-none-any.whl"]
    assert not (root / "dist").exists()


def test_metadata_that_does_not_render_as_declared_fails_and_writes_nothing(
    px, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    # the test backend writes no description: a declared readme is then missing from it
    root = buildable(tmp_path / "noreadme", "loop-readme", project_extra='readme = "README.md"\n')
    (root / "README.md").write_text("# loop-readme\n")
    before = snapshot(root)
    result = px("--json", "build", cwd=root)
    assert result.code == 11
    error = result.json()["error"]
    assert error["code"] == "build"
    assert any("declares a readme" in line for line in error["details"])
    assert snapshot(root) == before  # no dist/


def test_build_outside_a_project_is_bad_input(px, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert px("build", cwd=tmp_path).code == 3


def test_the_built_wheel_installs_with_px(px, tmp_path: Path, index, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PX_INDEX_URL", index.url("primary"))
    root = buildable(tmp_path / "lib", "loop-installable", "2.0")
    assert px("build", cwd=root).code == 0
    consumer = tmp_path / "consumer"
    consumer.mkdir()
    (consumer / "pyproject.toml").write_text(
        '[project]\nname = "consumer"\nversion = "0"\ndependencies = ["loop-installable"]\n\n'
        f'[tool.px]\nfind-links = ["{(root / "dist").as_posix()}"]\n'
    )
    installed = px("install", cwd=consumer)
    assert installed.code == 0, installed.err
    ran = subprocess.run(
        [str(consumer / ".px" / "bin" / "python"), "-c",
         "import loop_installable; print(loop_installable.VALUE)"],
        capture_output=True, text=True, cwd=consumer, check=False,
    )  # fmt: skip
    assert ran.stdout.strip() == "loop-installable 2.0", ran.stderr


def test_the_built_wheel_installs_with_pip(px, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = buildable(tmp_path / "lib", "loop-pip", "3.0")
    report = px("--json", "build", "--wheel", cwd=root).json()
    wheel = report["files"][0]["path"]
    target = tmp_path / "target"
    env = {**os.environ, "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    pip = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--target", str(target), wheel],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert pip.returncode == 0, pip.stdout + pip.stderr
    assert (target / "loop_pip-3.0.dist-info" / "METADATA").is_file()
    ran = subprocess.run(
        [sys.executable, "-c", "import loop_pip; print(loop_pip.VALUE)"],
        capture_output=True, text=True, env={**env, "PYTHONPATH": str(target)}, check=False,
    )  # fmt: skip
    assert ran.stdout.strip() == "loop-pip 3.0", ran.stderr
