"""The commands the `lock` scenario times: px lock, uv lock and poetry lock, each in its own
copy of the workload project, each with its own store or cache.

Every locker runs one command per call of :meth:`run` with a mode:

- ``cold``: an empty store / cache, no lock file;
- ``warm``: a store / cache that :meth:`prepare` filled with one untimed lock, no lock file;
- ``refresh``: as warm, but the tool revalidates what it cached (uv ``--refresh``);
- ``offline``: as warm, offline, no lock file;
- ``offline-kept``: as offline, the lock file the previous command wrote left in place.

``index_url`` is the loopback index, or None for the real PyPI (each tool's default).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from bench.model import Context, ReferenceUnavailable
from bench.tools import (
    Measured,
    ensure_tool,
    measured_run,
    px_command,
    script_interpreter,
    timed_run,
    version_of,
)
from bench.workloads import copy_project

PYPI = "https://pypi.org/simple/"


def _clean_env(*prefixes: str) -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}


def lock_packages(path: Path) -> int:
    """How many packages a lock file (px.lock, uv.lock, poetry.lock) lists."""
    text = path.read_text(encoding="utf-8")
    return sum(1 for line in text.splitlines() if line.strip() == "[[package]]")


class PxLocker:
    """``px lock`` with ``PX_HOME`` at a bench store and ``PX_INDEX_URL`` at the index."""

    lock_file = "px.lock"

    def __init__(self, ctx: Context, base: Path, workload: str, index_url: str | None) -> None:
        self.argv = px_command(ctx)
        self.python = (
            ctx.python if len(self.argv) > 1 else script_interpreter(Path(self.argv[0]), ctx.python)
        )
        self.project = copy_project(ctx, workload, base / "px-project")
        self._base = base
        self._env = _clean_env("PX_")
        if index_url is not None:
            self._env["PX_INDEX_URL"] = index_url
        self._round = 0

    def prepare(self) -> None:
        self._timed("warm", [*self.argv, "lock"])  # fills the warm store

    def run(self, mode: str) -> Measured:
        lock = self.project / self.lock_file
        if mode != "offline-kept":
            lock.unlink(missing_ok=True)
        if mode == "cold":
            self._round += 1
            store = f"cold-{self._round}"
            try:
                return self._timed(store, [*self.argv, "lock"])
            finally:
                shutil.rmtree(self._base / f"px-{store}", ignore_errors=True)
        if mode in ("offline", "offline-kept"):
            return self._timed("warm", [*self.argv, "--offline", "lock"])
        return self._timed("warm", [*self.argv, "lock"])

    def _timed(self, store: str, argv: list[str]) -> Measured:
        env = {**self._env, "PX_HOME": str(self._base / f"px-{store}")}
        return measured_run(argv, env=env, cwd=self.project)


class UvLocker:
    """``uv lock --default-index URL --python <px's interpreter>``; ``--no-cache`` when cold."""

    lock_file = "uv.lock"

    def __init__(
        self, ctx: Context, base: Path, workload: str, index_url: str | None, python: Path
    ) -> None:
        uv = ensure_tool("uv", "uv", ctx)
        self.version = version_of([str(uv)])
        self.project = copy_project(ctx, workload, base / "uv-project")
        self._cache = base / "uv-cache"
        self._argv = [
            str(uv), "lock", "--no-config", "--quiet", "--python", str(python),
            "--default-index", index_url or PYPI,
        ]  # fmt: skip
        self._env = _clean_env("UV_")
        self._env.update(UV_NO_PROGRESS="1", UV_PYTHON_DOWNLOADS="never")

    def prepare(self) -> None:
        self.run("warm")

    def run(self, mode: str) -> Measured:
        if mode != "offline-kept":
            (self.project / self.lock_file).unlink(missing_ok=True)
        warm = [*self._argv, "--cache-dir", str(self._cache)]
        argv = {
            "cold": [*self._argv, "--no-cache"],
            "warm": warm,
            "refresh": [*warm, "--refresh"],
            "offline": [*warm, "--offline"],
            "offline-kept": [*warm, "--offline"],
        }[mode]
        return measured_run(argv, env=self._env, cwd=self.project)


class PoetryLocker:
    """``poetry lock`` with the index as the project's only (primary) source, its own config,
    data and cache directories; a fresh cache directory when cold. The virtualenv poetry makes
    to lock is kept between rounds: cold means an empty HTTP cache, as for px and uv.

    On the real index too the source is PyPI's simple API (PEP 503/691 + PEP 658), the API
    px and uv use, rather than poetry's built-in PyPI repository, which reads PyPI's JSON API
    (``/pypi/NAME/VERSION/json``): that API is not served where these benchmarks were made."""

    lock_file = "poetry.lock"

    def __init__(self, ctx: Context, base: Path, workload: str, index_url: str | None) -> None:
        poetry = ensure_tool("poetry", "poetry", ctx)
        self.version = version_of([str(poetry)])
        self.project = copy_project(ctx, workload, base / "poetry-project")
        pyproject = self.project / "pyproject.toml"
        text = pyproject.read_text(encoding="utf-8")
        if "[tool.poetry]" not in text:
            raise ReferenceUnavailable("the workload has no [tool.poetry] (package-mode)")
        source = (
            '\n[[tool.poetry.source]]\nname = "bench-index"\n'
            f'url = "{index_url or PYPI}"\npriority = "primary"\n'
        )
        pyproject.write_text(text + source, encoding="utf-8")
        self._base = base
        self._argv = [str(poetry), "lock", "--no-interaction"]  # -q would hide errors too
        self._env = _clean_env("POETRY_")
        for name in ("config", "data", "venvs"):
            (base / f"poetry-{name}").mkdir(parents=True, exist_ok=True)
        self._env.update(
            POETRY_CONFIG_DIR=str(base / "poetry-config"),
            POETRY_DATA_DIR=str(base / "poetry-data"),
            POETRY_VIRTUALENVS_PATH=str(base / "poetry-venvs"),
            POETRY_VIRTUALENVS_USE_POETRY_PYTHON="true",
            PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
        )
        self._round = 0

    def prepare(self) -> None:
        self.run("warm")

    def run(self, mode: str) -> float:
        (self.project / self.lock_file).unlink(missing_ok=True)
        if mode != "cold":
            return self._timed(self._base / "poetry-cache")
        self._round += 1
        cache = self._base / f"poetry-cache-cold-{self._round}"
        try:
            return self._timed(cache)
        finally:
            shutil.rmtree(cache, ignore_errors=True)

    def _timed(self, cache: Path) -> float:
        env = {**self._env, "POETRY_CACHE_DIR": str(cache)}
        return timed_run(self._argv, env=env, cwd=self.project)
