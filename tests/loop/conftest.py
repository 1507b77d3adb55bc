"""The solo-developer loop: projects that build offline, a real upload registry on loopback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from fixtures.editable_backend import add_backend

TOKEN = "pypi-AgEIcHlwaS5vcmcCJGLoopbackTestTokenThatMustNeverBeShown0123456789"


def buildable(root: Path, name: str, version: str = "1.0", *, project_extra: str = "") -> Path:
    """A project px builds with no network: the in-tree stdlib test backend, a src/ package."""
    package = name.replace("-", "_")
    root.mkdir(parents=True, exist_ok=True)
    build_system = add_backend(root)
    (root / "pyproject.toml").write_text(
        f'[project]\nname = "{name}"\nversion = "{version}"\nrequires-python = ">=3.10"\n'
        f"dependencies = []\n{project_extra}{build_system}"
    )
    (root / "src" / package).mkdir(parents=True, exist_ok=True)
    (root / "src" / package / "__init__.py").write_text(f'VALUE = "{name} {version}"\n')
    return root


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every path under ``root`` with its bytes (None for a directory)."""
    return {
        str(p.relative_to(root)): (None if p.is_dir() else p.read_bytes())
        for p in sorted(root.rglob("*"))
    }


def px_process(
    cwd: Path, *argv: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "px", *argv],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


@dataclass(frozen=True)
class Registry:
    """A pypiserver started for the test session: uploads need credentials, reads do not."""

    url: str  # the upload endpoint
    packages: Path
    username: str = "alice"
    password: str = "correct-horse-battery-staple"

    @property
    def simple_url(self) -> str:
        return self.url + "simple/"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"pypiserver exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(url + "simple/", timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.1)
    raise RuntimeError(f"pypiserver did not answer in time: {log.read_text(errors='replace')}")


@pytest.fixture(scope="session")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    pytest.importorskip("pypiserver")
    apache = pytest.importorskip("passlib.apache")
    home = tmp_path_factory.mktemp("registry")
    packages = home / "packages"
    packages.mkdir()
    made = Registry(url="", packages=packages)
    passwords = apache.HtpasswdFile(str(home / "htpasswd"), new=True)
    passwords.set_password(made.username, made.password)
    passwords.set_password("__token__", TOKEN)
    passwords.save()
    port = free_port()
    log = home / "server.log"
    command = [
        sys.executable, "-m", "pypiserver", "run", "--host", "127.0.0.1", "--port", str(port),
        "--authenticate", "update", "--passwords", str(home / "htpasswd"),
        "--disable-fallback", str(packages),
    ]  # fmt: skip
    with open(log, "wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_until_up(url, process, log)
        yield Registry(url=url, packages=packages)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
