"""`px install` / `px run` / `px env` / `px tidy` against the loopback index, end to end."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

PYPROJECT = """\
[project]
name = "demo"
version = "0.1.0"
requires-python = ">=3.10"
dependencies = ["greet-app", "diamond-a", "nspkg-a", "nspkg-b", "datafiles"]

[dependency-groups]
dev = ["markers-pkg"]
"""

# typing too: importing it costs a no-op `px run` about 12 ms, a good part of its budget
HEAVY = (
    "sqlalchemy",
    "alembic",
    "resolvelib",
    "urllib3",
    "zstandard",
    "blake3",
    "tomlkit",
    "typing",
)


@pytest.fixture
def project(tmp_path: Path, index, monkeypatch: pytest.MonkeyPatch) -> Path:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PX_INDEX_URL", index.url("primary"))
    root = tmp_path / "demo"
    root.mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT)
    return root


def env_python(root: Path, code: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(root / ".px" / "bin" / "python"), "-c", code],
        capture_output=True,
        text=True,
        cwd=root,
        **kwargs,  # type: ignore[call-overload]
    )


def px_subprocess(
    root: Path, *argv: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "px", *argv],
        capture_output=True,
        text=True,
        cwd=root,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


def test_install_then_everything_sees_the_environment(px, project: Path) -> None:  # type: ignore[no-untyped-def]
    result = px("install", "--json", cwd=project)
    assert result.code == 0, result.err
    assert result.json()["status"] == "installed"
    # console script, python -m, and a subprocess started with sys.executable
    assert px_subprocess(project, "run", "greet-app").stdout.strip() == "Hello, world!"
    probe = env_python(
        project,
        "import subprocess, sys; "
        "print(subprocess.run([sys.executable, '-c', 'import diamond_a, nsroot.a, nsroot.b; "
        "print(diamond_a.__file__)'], capture_output=True, text=True).stdout)",
    )
    assert probe.returncode == 0, probe.stderr
    assert str(project / ".px") in probe.stdout
    module = px_subprocess(project, "run", "python", "-m", "greet_app.main")
    assert module.returncode == 0, module.stderr


def test_base_and_user_site_packages_do_not_leak_in(px, project: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert px("install", cwd=project).code == 0
    user_base = tmp_path / "userbase"
    user_site = Path(
        sysconfig.get_path("purelib", f"{os.name}_user", vars={"userbase": str(user_base)})
    )
    user_site.mkdir(parents=True)
    (user_site / "leaky_user_module.py").write_text("")
    out = env_python(
        project,
        "import json, site, sys; "
        "print(json.dumps({'path': sys.path, 'user': site.ENABLE_USER_SITE}))",
        env={**os.environ, "PYTHONUSERBASE": str(user_base)},
    )
    data = json.loads(out.stdout)
    base = sysconfig.get_paths(vars={"base": sys.base_prefix, "platbase": sys.base_prefix})
    assert base["purelib"] not in data["path"] and base["platlib"] not in data["path"]
    assert not data["user"]
    assert (
        env_python(
            project,
            "import leaky_user_module",
            env={**os.environ, "PYTHONUSERBASE": str(user_base)},
        ).returncode
        != 0
    )
    # a package the base interpreter has but the lock does not must not be importable
    base_names = (
        sorted(
            p.name
            for p in Path(base["purelib"]).iterdir()
            if p.is_dir() and p.name.isidentifier() and not p.name.startswith("_")
        )
        if Path(base["purelib"]).is_dir()
        else []
    )
    for name in base_names[:3]:
        assert env_python(project, f"import {name}").returncode != 0, name


def test_data_files_and_scripts_are_placed_per_the_wheel_spec(px, project: Path) -> None:  # type: ignore[no-untyped-def]
    assert px("install", cwd=project).code == 0
    tree = {
        p.relative_to(project / ".px" / "current").as_posix()
        for p in (project / ".px" / "current").rglob("*")
        if p.is_file() or p.is_symlink()
    }
    assert any(t.startswith("bin/") and "datafiles" in t for t in tree), sorted(tree)[:20]
    assert any(t.startswith("share/") for t in tree)


def test_noop_install_and_run_import_nothing_heavy(px, project: Path) -> None:  # type: ignore[no-untyped-def]
    assert px("install", cwd=project).code == 0
    probe = (
        "import os, sys\n"
        "def fake_exec(path, argv, env):\n"
        f"    print(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))\n"
        "    print(path)\n"
        "    os._exit(0)\n"
        "os.execve = fake_exec\n"
        "from px.cli.main import main\n"
        "main(['run', 'python', '-c', 'pass'])\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=project)
    lines = out.stdout.splitlines()
    assert lines[0] == "[]", out.stdout + out.stderr
    assert lines[1].endswith(".px/bin/python")
    noop = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys\nfrom px.cli.main import main\ncode = main(['install', '--frozen'])\n"
            f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))\n",
        ],
        capture_output=True,
        text=True,
        cwd=project,
    )
    assert "up to date" in noop.stdout and noop.stdout.strip().endswith("[]"), noop.stdout


def test_frozen_refuses_missing_or_stale_locks(px, project: Path) -> None:  # type: ignore[no-untyped-def]
    missing = px("install", "--frozen", cwd=project)
    assert missing.code == 8 and not (project / "px.lock").exists()
    assert not (project / ".px" / "current").exists()
    assert px("lock", cwd=project).code == 0
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"datafiles"', '"datafiles", "yanked-pkg"'))
    lock_before = (project / "px.lock").read_bytes()
    stale = px("install", "--frozen", "--json", cwd=project)
    assert stale.code == 8 and stale.json()["error"]["code"] == "lock-stale"
    assert (project / "px.lock").read_bytes() == lock_before
    synced = px("install", cwd=project)  # without --frozen it re-locks first
    assert synced.code == 0 and b"yanked-pkg" in (project / "px.lock").read_bytes()


def test_run_syncs_after_a_lock_change_and_reports_missing_commands(px, project: Path) -> None:  # type: ignore[no-untyped-def]
    assert px("install", cwd=project).code == 0
    assert px_subprocess(project, "run", "no-such-command-anywhere").returncode == 127
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"datafiles"', '"datafiles", "gui-tool"'))
    ran = px_subprocess(project, "run", "python", "-c", "import gui_tool; print('ok')")
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == "ok"


@pytest.mark.parametrize("processes", [False, True], ids=["thread", "processes"])
def test_a_cold_install_keeps_each_wheel_as_its_files_not_its_archive(  # type: ignore[no-untyped-def]
    px, project: Path, store_dir: Path, monkeypatch: pytest.MonkeyPatch, processes: bool
) -> None:
    import sqlite3

    from px.install import workers

    started: list[int] = []

    class Counted(workers.Workers):
        def __init__(self, count: int) -> None:
            super().__init__(count)
            if count:
                started.append(count)

    monkeypatch.setattr(workers, "Workers", Counted)
    if processes:  # the fixture wheels are too small for them otherwise
        monkeypatch.setenv("PX_INSTALL_WORKERS", "2")
    assert px("lock", cwd=project).code == 0
    shutil.rmtree(store_dir)  # a cold install: every wheel comes from the index
    assert px("install", "--frozen", cwd=project).code == 0
    assert started == ([2] if processes else [])
    assert env_python(project, "import diamond_a, datafiles, greet_app").returncode == 0
    db = sqlite3.connect(store_dir / "store.db")
    try:
        installed = {r[0] for r in db.execute("SELECT sha256 FROM wheels")}
        archives = {r[0] for r in db.execute("SELECT sha256 FROM http_content")}
        files = db.execute("SELECT count(*) FROM wheel_files").fetchone()[0]
    finally:
        db.close()
    assert len(installed) >= 5 and files > len(installed)  # manifests of blobs
    assert not installed & archives  # the archives were validated, ingested and removed
    assert [p.name for p in (store_dir / "downloads").iterdir()] == []
    # installing again elsewhere, offline, needs only what the store kept
    other = project.parent / "other"
    shutil.copytree(project, other, ignore=shutil.ignore_patterns(".px"))
    again = px_subprocess(other, "--offline", "install", "--frozen")
    assert again.returncode == 0, again.stderr
    assert env_python(other, "import diamond_a, datafiles").returncode == 0


def test_a_download_failing_its_lock_hash_leaves_no_file_behind(  # type: ignore[no-untyped-def]
    px, project: Path, store_dir: Path
) -> None:
    import re

    assert px("lock", cwd=project).code == 0
    shutil.rmtree(store_dir)
    lock = project / "px.lock"
    text = lock.read_text()
    first = re.search(r'sha256 = "([0-9a-f]{64})"', text)
    assert first is not None
    lock.write_text(text.replace(first.group(1), "0" * 64))
    result = px("install", "--frozen", cwd=project)
    assert result.code != 0 and "sha256" in result.err
    assert "Traceback" not in result.err
    assert not (project / ".px" / "state").exists()  # no environment was switched in
    assert [p.name for p in (store_dir / "downloads").iterdir()] == []


def test_an_environment_whose_store_is_gone_is_rebuilt(px, project: Path, store_dir: Path) -> None:  # type: ignore[no-untyped-def]
    assert px("install", cwd=project).code == 0
    code = "import diamond_a, nsroot.a, nsroot.b; print('ok')"
    assert px_subprocess(project, "run", "python", "-c", code).stdout.strip() == "ok"
    wait_for_compiled_trees(store_dir)  # the detached compiler writes into the trees
    shutil.rmtree(store_dir)  # the generation's links now point nowhere
    assert env_python(project, "import diamond_a").returncode != 0
    again = px_subprocess(project, "run", "python", "-c", code)
    assert again.returncode == 0, again.stderr  # not the fast path: synced from the index first
    assert again.stdout.strip() == "ok"
    assert (store_dir / "trees").is_dir()


def test_cache_clean_removes_the_trees_and_the_environment_is_rebuilt(
    px, project: Path, store_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    assert px("install", cwd=project).code == 0
    assert px("cache", "clean", "--yes", cwd=project).code == 0  # compiling may still run
    assert not (store_dir / "trees").exists()
    assert not [p for p in store_dir.iterdir() if ".removed-" in p.name]
    code = "import diamond_a, nsroot.a; print('ok')"
    again = px_subprocess(project, "run", "python", "-c", code)
    assert again.returncode == 0, again.stderr  # rebuilt from the index, not a dangling link
    assert again.stdout.strip() == "ok"


def wait_for_compiled_trees(store_dir: Path, timeout: float = 60) -> None:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        markers = [json.loads(m.read_text()) for m in (store_dir / "trees").glob("*/.px-tree.json")]
        if markers and all(m["compiled"] for m in markers):
            return
        time.sleep(0.05)
    raise AssertionError("the trees were not byte-compiled in time")


def test_a_px_package_in_the_project_does_not_stop_byte_compiling(  # type: ignore[no-untyped-def]
    px, project: Path, store_dir: Path
) -> None:
    shadow = project / "px"
    shadow.mkdir()
    (shadow / "__init__.py").write_text("raise SystemExit('a px of the project')\n")
    assert px("install", cwd=project).code == 0
    wait_for_compiled_trees(store_dir)  # the detached compile imported px, not this one


def test_groups_and_tidy(px, project: Path) -> None:  # type: ignore[no-untyped-def]
    assert px("install", "--no-dev", cwd=project).code == 0
    assert env_python(project, "import markers_pkg").returncode != 0
    assert px("install", cwd=project).code == 0
    assert env_python(project, "import markers_pkg").returncode == 0
    gens = sorted(p.name for p in (project / ".px" / "gens").iterdir())
    assert gens == ["1", "2"]
    tidy = px("tidy", "--json", cwd=project)
    assert tidy.code == 0 and tidy.json()["removed_generations"] == [1]
    assert sorted(p.name for p in (project / ".px" / "gens").iterdir()) == ["2"]
    assert env_python(project, "import markers_pkg").returncode == 0


def test_env_info_and_python(px, project: Path) -> None:  # type: ignore[no-untyped-def]
    assert px("env", "python", cwd=project).code == 12  # no environment yet
    assert px("install", cwd=project).code == 0
    info = px("env", "info", "--json", cwd=project).json()
    assert info["up_to_date"] and info["generation"] == 1
    assert {"name": "greet-app", "version": "1.0"} in info["packages"]
    path = px("env", "python", cwd=project).out.strip()
    assert path == str(project / ".px" / "bin" / "python")


def test_store_trees_are_shared_and_read_only(
    px, project: Path, tmp_path: Path, store_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    assert px("install", cwd=project).code == 0
    second = tmp_path / "second"
    second.mkdir()
    (second / "pyproject.toml").write_text(PYPROJECT.replace('"demo"', '"second"'))
    assert px("install", cwd=second).code == 0
    site_a = next((project / ".px" / "current").rglob("site-packages"))
    site_b = next((second / ".px" / "current").rglob("site-packages"))
    a, b = site_a / "diamond_a" / "__init__.py", site_b / "diamond_a" / "__init__.py"
    assert os.stat(a).st_ino == os.stat(b).st_ino  # one tree, linked from both
    assert (site_a / "diamond_a").is_symlink()  # a whole package is one link into the store
    assert os.path.realpath(site_a / "diamond_a").startswith(str(store_dir / "trees"))
    assert not (os.stat(a).st_mode & 0o222)
    # byte-compiling runs after the install, detached; then later environments link the .pyc
    import time

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        pyc = list((store_dir / "trees").rglob("diamond_a/__pycache__/*.pyc"))
        markers = [json.loads(m.read_text()) for m in (store_dir / "trees").glob("*/.px-tree.json")]
        if pyc and all(m["compiled"] for m in markers):
            break
        time.sleep(0.1)
    assert pyc, "trees are byte-compiled once, in the store"
    for package in (site_a / "diamond_a", site_a / "diamond_a" / "__pycache__"):
        mode = os.stat(os.path.realpath(package)).st_mode  # sealed: nothing added or removed
        assert not (mode & 0o222), oct(mode)
    # the environment that was installed before the bytecode existed sees it too
    early = list((site_a / "diamond_a" / "__pycache__").glob("*.pyc"))
    assert early and os.stat(early[0]).st_ino in {os.stat(p).st_ino for p in pyc}
    third = tmp_path / "third"
    third.mkdir()
    (third / "pyproject.toml").write_text(PYPROJECT.replace('"demo"', '"third"'))
    assert px("install", cwd=third).code == 0
    linked = next((third / ".px" / "current").rglob("diamond_a/__pycache__/*.pyc"))
    assert os.stat(linked).st_ino in {os.stat(p).st_ino for p in pyc}


def test_fast_path_selection_matches_the_installer() -> None:
    from px.cli.fastpath import DEFAULT_SELECTION
    from px.install.select import selection_key

    assert selection_key(True, [], []) == DEFAULT_SELECTION


def test_project_is_installed_editable_and_pth_files_are_audited(
    px, tmp_path: Path, index, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from fixtures.editable_backend import add_backend

    monkeypatch.setenv("PX_INDEX_URL", index.url("primary"))
    root = tmp_path / "mine"
    (root / "src" / "mine").mkdir(parents=True)
    (root / "src" / "mine" / "__init__.py").write_text("VALUE = 1\n")
    (root / "pyproject.toml").write_text(
        '[project]\nname = "mine"\nversion = "0.1"\ndependencies = ["greet-lib"]\n'
        + add_backend(root)
    )
    assert px("install", cwd=root).code == 0
    first = env_python(root, "import mine; print(mine.VALUE, mine.__file__)")
    assert first.stdout.split()[0] == "1" and str(root / "src") in first.stdout
    (root / "src" / "mine" / "__init__.py").write_text("VALUE = 2\n")  # edits show at once
    assert env_python(root, "import mine; print(mine.VALUE)").stdout.strip() == "2"
    audit = px(
        "query",
        "SELECT detail FROM px_audit WHERE command = 'install: .pth file'",
        "--json",
        cwd=root,
    ).json()["rows"]
    assert audit and all('"file": "' in row[0] and ".pth" in row[0] for row in audit)


def test_everything_after_px_test_goes_to_pytest(
    px, tmp_path: Path, index, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from px.cli.main import split_passthrough

    assert split_passthrough(["-v", "--store", "test", "test", "-q", "--json"]) == (
        ["-v", "--store", "test", "test"],
        ["-q", "--json"],
    )
    assert split_passthrough(["test", "--", "-x"]) == (["test"], ["-x"])
    assert split_passthrough(["run", "test", "-q"]) == (["run", "test", "-q"], None)
    monkeypatch.setenv("PX_INDEX_URL", index.url("primary"))
    root = tmp_path / "t"
    (root / "tests").mkdir(parents=True)
    (root / "tests" / "test_one.py").write_text("def test_one():\n    assert True\n")
    (root / "pyproject.toml").write_text(
        '[project]\nname = "t"\nversion = "1"\n\n[dependency-groups]\ndev = ["pytest"]\n'
    )
    quiet = px_subprocess(root, "test", "-q")
    assert quiet.returncode == 0, quiet.stderr
    assert "1 passed" in quiet.stdout and "test session starts" not in quiet.stdout
    failing = px_subprocess(root, "test", "-q", "-k", "nothing_matches")
    assert failing.returncode == 5  # pytest's own "no tests collected" code comes through
