"""px built as a wheel and installed (not run from the source tree) migrates and verifies."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(out),
            str(REPO),
        ],
        check=True,
        capture_output=True,
    )
    (found,) = out.glob("px-*.whl")
    return found


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding the px wheel; its dependencies come from the test environment."""
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(venv / "bin" / "python"),
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    purelib = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import sysconfig; print(sysconfig.get_paths()['purelib'])",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    deps = sysconfig.get_paths()["purelib"]
    Path(purelib, "test-deps.pth").write_text(deps + "\n")
    return venv


def test_wheel_ships_the_migrations_and_schemas(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "px/_migrations/env.py" in names
    assert any(n.startswith("px/_migrations/versions/0001_") for n in names)
    assert "px/_schema/schema.sql" in names


def test_installed_px_creates_verifies_and_queries_a_store(installed: Path, tmp_path: Path) -> None:
    px = installed / "bin" / "px"
    env = {"PX_HOME": str(tmp_path / "store"), "PATH": "/usr/bin:/bin"}
    where = subprocess.run(
        [
            str(installed / "bin" / "python"),
            "-c",
            "import px, px.store.revisions as r; print(px.__file__); print(r.migrations_dir())",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    ).stdout.split()
    assert where[0].startswith(str(installed)) and where[1].endswith("px/_migrations")
    for argv in (
        ["cache", "info"],
        ["cache", "verify"],
        ["query", "SELECT count(*) FROM px_blobs"],
    ):
        result = subprocess.run(
            [str(px), *argv], capture_output=True, text=True, env=env, cwd=tmp_path
        )
        assert result.returncode == 0, result.stderr
    refused = subprocess.run(
        [str(px), "query", "DELETE FROM blobs"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert refused.returncode == 3


def test_installed_px_upgrades_an_old_store(installed: Path, tmp_path: Path) -> None:
    from px.store.revisions import known_revisions

    if len(known_revisions()) < 2:
        pytest.skip("only one revision so far")
    from tests.store.test_migrations import make_store_at

    make_store_at(tmp_path / "store", known_revisions()[0])
    result = subprocess.run(
        [str(installed / "bin" / "px"), "cache", "info"],
        capture_output=True,
        text=True,
        env={"PX_HOME": str(tmp_path / "store")},
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    conn = sqlite3.connect(tmp_path / "store" / "store.db")
    assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (
        known_revisions()[-1],
    )
    conn.close()
