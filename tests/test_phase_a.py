"""The Phase A exit check: lock the sample app, move it to a clean machine, install, test, run.

Against the loopback index in the default run; against the real PyPI with
``make e2e`` (marker ``e2e``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SAMPLE = Path(__file__).resolve().parent.parent / "sample_px_app"


def px(cwd: Path, store: Path, *argv: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "px", *argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**env, "PX_HOME": str(store)},
        timeout=600,
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def phase_a(tmp_path: Path, env: dict[str, str]) -> None:
    first, second = tmp_path / "first" / "sample", tmp_path / "second" / "sample"
    shutil.copytree(SAMPLE, first, ignore=shutil.ignore_patterns(".px", "px.lock", "__pycache__"))
    # start from no declared dependencies: px add brings them in from the index
    pyproject = first / "pyproject.toml"
    text = pyproject.read_text()
    text = re.sub(r"dependencies = \[[^\]]*\]", "dependencies = []", text, count=1)
    text = re.sub(r"\[dependency-groups\]\ndev = \[[^\]]*\]\n", "", text)
    pyproject.write_text(text)
    store_one, store_two = tmp_path / "store-one", tmp_path / "store-two"
    ok(px(first, store_one, "add", "packaging", "pygments", "--no-install", env=env))
    ok(px(first, store_one, "add", "--dev", "pytest", "--no-install", env=env))
    ok(px(first, store_one, "lock", env=env))
    assert "packaging>=" in pyproject.read_text() and "pytest>=" in pyproject.read_text()
    # a second machine: the project only (no store, no .px)
    shutil.copytree(first, second, ignore=shutil.ignore_patterns(".px"))
    ok(px(second, store_two, "install", "--frozen", env=env))
    tested = px(second, store_two, "test", "-q", env=env)
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "3 passed" in tested.stdout
    ran = px(second, store_two, "run", "sample-px-app", "flask>=3", "3.0.2", env=env)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == "flask 3.0.2 satisfies >=3"
    refused = px(second, store_two, "run", "sample-px-app", "flask>=3", "2.0", env=env)
    assert refused.returncode == 1  # the app's own exit code comes through
    assert (second / "px.lock").read_bytes() == (first / "px.lock").read_bytes()


def test_phase_a_on_the_loopback_index(tmp_path: Path, index) -> None:  # type: ignore[no-untyped-def]
    phase_a(tmp_path, {**os.environ, "PX_INDEX_URL": index.url("primary")})


@pytest.mark.e2e
def test_phase_a_on_the_real_pypi(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PX_INDEX_URL"}
    phase_a(tmp_path, env)
