"""The whole loop with the backend `px init` chooses: hatchling, served by the loopback index.

The fixture index re-wheels hatchling (and what it needs) from the dev environment onto the
primary index; px resolves it from there like any build requirement.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.loop.conftest import px_process


@pytest.fixture
def tools_url(fixture_index_tree, index, monkeypatch) -> str:  # type: ignore[no-untyped-def]
    served = [a for a in fixture_index_tree.artifacts if a.project == "hatchling"]
    assert served, "the loopback index does not serve hatchling (fixtures.rewheel)"
    url = str(index.url(served[0].index))
    monkeypatch.setenv("PX_INDEX_URL", url)
    return url


def test_init_build_install_run_with_hatchling(px, tmp_path: Path, tools_url: str) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "hello-app"
    assert px("init", str(root), "--app").code == 0
    first = px("--json", "build", "-o", str(tmp_path / "a"), cwd=root)
    assert first.code == 0, first.err
    second = px("--json", "build", "-o", str(tmp_path / "b"), cwd=root)
    assert second.code == 0, second.err
    names = [f["filename"] for f in first.json()["files"]]
    assert names == ["hello_app-0.1.0.tar.gz", "hello_app-0.1.0-py3-none-any.whl"]
    for name in names:  # reproducible, with hatchling too
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    target = tmp_path / "target"
    pip = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--target", str(target),
         str(tmp_path / "a" / names[1])],
        capture_output=True, text=True, env={**os.environ, "PIP_NO_INDEX": "1"}, check=False,
    )  # fmt: skip
    assert pip.returncode == 0, pip.stderr
    assert (target / "hello_app" / "__main__.py").is_file()
    # the project itself installs editable through hatchling's PEP 660 hook
    ran = px_process(root, "run", "hello-app", env={"PX_INDEX_URL": tools_url})
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout == "Hello from hello-app!\n"
