"""The commands the `install` and `run` scenarios time: px install, uv sync and pip-sync,
each with its own store or cache, each round in a fresh copy of the project.

Every tool locks once, untimed, in a template directory of its own (px: ``px lock``;
uv: ``uv lock``, as ``uv sync`` needs a ``uv.lock``; pip-sync: the pins of px.lock as a
requirements file). A timed round then copies the project file and the lock into a
fresh directory and installs there:

- ``cold``: an empty store / cache (px: a fresh ``PX_HOME``; uv: a fresh
  ``--cache-dir``), so every wheel is downloaded from the index;
- ``warm``: the store / cache one untimed install filled (:meth:`prepare`);
- ``noop``: the project :meth:`prepare` installed, already up to date.

``index_url`` is the loopback index, or None for the real PyPI (each tool's default).
The commands run with the interpreter px installs for (``base_python`` of px's
``.px/state``): uv gets it as ``--python``, pip-sync's venv is made with it.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.model import BenchError, Context
from bench.tools import BIN, Measured, ensure_tool, measured_run, px_command, version_of

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

PYPI = "https://pypi.org/simple/"


def clean_env(*prefixes: str) -> dict[str, str]:
    """The harness's environment without variables that would steer the tools."""
    drop = ("VIRTUAL_ENV", "CONDA_PREFIX", "PYTHONHOME", "PYTHONPATH")
    return {k: v for k, v in os.environ.items() if not k.startswith(prefixes) and k not in drop}


def wait_for_background_compiles(timeout: float = 300) -> None:
    """Wait for px's detached byte-compiling (``python -m px.install.compile``) to end.

    px compiles new trees after an install returns; letting that run into the
    next timed command (or under a store being deleted) would skew both.
    """
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        busy = False
        for entry in Path("/proc").glob("[0-9]*/cmdline"):
            try:
                if b"px.install.compile" in entry.read_bytes():
                    busy = True
                    break
            except OSError:
                continue
        if not busy:
            return
        time.sleep(0.05)


# KEEP_ROUNDS: each round's project (and cold store or cache) is left in place
# until the scenario's teardown removes the whole work directory. Removing a
# tree of ~1,400 directories and ~6,000 hard links and then syncing made the
# next command's mkdir calls 5-8x slower here (0.7-1.0 s instead of 0.04-0.17 s
# for the same 1,374 directories): a cost of the previous round's cleanup,
# landing on whichever tool ran next, not of the install being measured.


def settle() -> None:
    """Flush what earlier commands left for the kernel to write (untimed), so that their
    writeback does not slow the next timed command: ``hyperfine --prepare sync``."""
    wait_for_background_compiles()
    if hasattr(os, "sync"):
        os.sync()


def remove(path: Path) -> None:
    """Remove a directory tree even where px left read-only files or directories."""

    def writable_and_retry(function: object, name: str, _info: object) -> None:
        for target in (Path(name).parent, Path(name)):
            try:
                target.chmod(target.stat().st_mode | stat.S_IWUSR | stat.S_IXUSR)
            except OSError:
                pass
        if callable(function):
            function(name)

    if not path.exists():
        return
    wait_for_background_compiles()
    if sys.version_info >= (3, 12):
        shutil.rmtree(path, onexc=writable_and_retry)
    else:
        shutil.rmtree(path, onerror=writable_and_retry)


@dataclass(frozen=True)
class Wheel:
    filename: str
    size: int  # bytes, as px.lock records


def locked_wheels(lock: Path) -> list[Wheel]:
    """Per package of a px.lock, its largest wheel (the one installed, when it lists one)."""
    with open(lock, "rb") as f:
        data = tomllib.load(f)
    found = []
    for package in data.get("package", []):
        wheels = [a for a in package.get("artifacts", []) if a["filename"].endswith(".whl")]
        if wheels:
            best = max(wheels, key=lambda a: int(a.get("size", 0)))
            found.append(Wheel(best["filename"], int(best.get("size", 0))))
    return found


def locked_pins(lock: Path) -> list[str]:
    """``name==version`` for every package of a px.lock."""
    with open(lock, "rb") as f:
        data = tomllib.load(f)
    return [f"{p['name']}=={p['version']}" for p in data.get("package", [])]


def write_project(directory: Path, name: str, dependencies: Sequence[str]) -> Path:
    """A minimal non-package project (only dependencies to install)."""
    directory.mkdir(parents=True)
    deps = "".join(f'    "{d}",\n' for d in dependencies)
    (directory / "pyproject.toml").write_text(
        f'[project]\nname = "{name}"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
        f"dependencies = [\n{deps}]\n",
        encoding="utf-8",
    )
    return directory


def fresh_copy(template: Path, dest: Path, lock_file: str) -> Path:
    """``dest`` holding only the template's pyproject.toml and lock file."""
    remove(dest)
    dest.mkdir(parents=True)
    for name in ("pyproject.toml", lock_file):
        shutil.copyfile(template / name, dest / name)
    return dest


class PxInstaller:
    """``px lock`` once in ``template``, then ``px install --frozen`` in fresh copies."""

    lock_file = "px.lock"

    def __init__(self, ctx: Context, base: Path, template: Path, index_url: str | None) -> None:
        self.argv = px_command(ctx)
        self.template = template
        self._base = base
        self._env = clean_env("PX_")
        if index_url is not None:
            self._env["PX_INDEX_URL"] = index_url
        self.warm_home = base / "home-warm"
        self.installed = base / "installed"  # the project prepare() installs (noop, run)
        self._round = 0
        self._run(self.warm_home, [*self.argv, "lock"], template)
        self.wheels = locked_wheels(template / self.lock_file)
        self.pins = locked_pins(template / self.lock_file)
        self.base_python = Path()

    def prepare(self) -> Measured:
        """Install into :attr:`installed` with the warm store (fills it): untimed."""
        project = fresh_copy(self.template, self.installed, self.lock_file)
        done = self._run(self.warm_home, [*self.argv, "install", "--frozen"], project)
        state = _key_values(project / ".px" / "state")
        self.base_python = Path(state.get("base_python", ""))
        if not self.base_python.is_file():
            raise BenchError(f"px install recorded no base interpreter in {project}/.px/state")
        return done

    def install(self, mode: str) -> Measured:
        if mode == "noop":
            return self._run(self.warm_home, [*self.argv, "install", "--frozen"], self.installed)
        self._round += 1
        project = fresh_copy(self.template, self._base / f"{mode}-{self._round}", self.lock_file)
        home = self.warm_home if mode == "warm" else self._base / f"home-{mode}-{self._round}"
        return self._run(home, [*self.argv, "install", "--frozen"], project)  # see KEEP_ROUNDS

    def command(self, argv: Sequence[str]) -> Measured:
        """``px ARGV...`` in the installed project (e.g. ``run python -c pass``)."""
        return self._run(self.warm_home, [*self.argv, *argv], self.installed)

    def _run(self, home: Path, argv: list[str], cwd: Path) -> Measured:
        settle()
        return measured_run(argv, env={**self._env, "PX_HOME": str(home)}, cwd=cwd)


class UvInstaller:
    """``uv lock`` once in a template, then ``uv sync --frozen`` in fresh copies; each with
    ``--default-index`` the index and ``--python`` px's interpreter."""

    lock_file = "uv.lock"

    def __init__(
        self, ctx: Context, base: Path, pyproject: Path, index_url: str | None, python: Path
    ) -> None:
        uv = ensure_tool("uv", "uv", ctx)
        self.version = version_of([str(uv)])
        self._base = base
        self.template = base / "uv-template"
        remove(self.template)
        self.template.mkdir(parents=True)
        shutil.copyfile(pyproject, self.template / "pyproject.toml")
        self.warm_cache = base / "uv-cache"
        common = [
            "--no-config", "--quiet", "--python", str(python),
            "--default-index", index_url or PYPI,
        ]  # fmt: skip
        self._uv = str(uv)
        self._common = common
        self._env = clean_env("UV_")
        self._env.update(UV_NO_PROGRESS="1", UV_PYTHON_DOWNLOADS="never")
        self._run([self._uv, "lock", *common, "--cache-dir", str(self.warm_cache)], self.template)
        self.installed = base / "uv-installed"
        self._round = 0

    def prepare(self, *, compile_bytecode: bool = False) -> Measured:
        """Sync :attr:`installed` with the warm cache (fills it): untimed."""
        project = fresh_copy(self.template, self.installed, self.lock_file)
        extra = ["--compile-bytecode"] if compile_bytecode else []
        return self._run(self._sync(self.warm_cache, *extra), project)

    def sync(self, mode: str) -> Measured:
        """``mode``: cold, cold-compile (``--compile-bytecode``), warm, noop."""
        if mode == "noop":
            return self._run(self._sync(self.warm_cache), self.installed)
        self._round += 1
        project = fresh_copy(self.template, self._base / f"uv-{mode}-{self._round}", "uv.lock")
        cold = mode.startswith("cold")
        cache = self._base / f"uv-cache-{mode}-{self._round}" if cold else self.warm_cache
        extra = ["--compile-bytecode"] if mode == "cold-compile" else []
        return self._run(self._sync(cache, *extra), project)  # see KEEP_ROUNDS

    def run(self, argv: Sequence[str]) -> Measured:
        """``uv run ARGV...`` in the installed project."""
        cache = ["--cache-dir", str(self.warm_cache)]
        return self._run([self._uv, "run", *self._common, *cache, *argv], self.installed)

    def _sync(self, cache: Path, *extra: str) -> list[str]:
        return [self._uv, "sync", *self._common, "--frozen", "--cache-dir", str(cache), *extra]

    def _run(self, argv: list[str], cwd: Path) -> Measured:
        settle()
        return measured_run(argv, env=self._env, cwd=cwd)


class FloorInstaller:
    """``bench/floor_install.py``: px.lock's wheels downloaded and unpacked with nothing
    else, by the interpreter the harness runs under, each round into a fresh directory."""

    def __init__(self, ctx: Context, base: Path, lock: Path) -> None:
        self._script = ctx.repo / "bench" / "floor_install.py"
        self._python = str(ctx.python)
        self._base = base
        self._lock = lock
        self._env = clean_env("PX_")
        self._round = 0

    def install(self) -> Measured:
        self._round += 1
        project = self._base / f"floor-{self._round}"
        remove(project)
        project.mkdir(parents=True)
        argv = [self._python, str(self._script), str(self._lock), str(project)]
        settle()
        return measured_run(argv, env=self._env, cwd=project)  # see KEEP_ROUNDS


class PipSyncInstaller:
    """``pip-sync`` (pip-tools) of px.lock's pins into a fresh venv made with px's
    interpreter (made untimed: pip-sync needs an environment with pip), with a pip cache
    one untimed sync filled."""

    def __init__(
        self, ctx: Context, base: Path, pins: Sequence[str], index_url: str | None, python: Path
    ) -> None:
        self._pip_sync = ensure_tool("pip-sync", "pip-tools", ctx)
        self.version = version_of([str(self._pip_sync)])
        self._base = base
        self._python = python
        self._requirements = base / "pip-requirements.txt"
        self._requirements.parent.mkdir(parents=True, exist_ok=True)
        self._requirements.write_text("\n".join(pins) + "\n", encoding="utf-8")
        self._index = ["--index-url", index_url] if index_url is not None else []
        self._env = clean_env("PIP_")
        self._env.update(PIP_CACHE_DIR=str(base / "pip-cache"), PIP_DISABLE_PIP_VERSION_CHECK="1")
        self._round = 0

    def prepare(self) -> Measured:
        return self.sync()

    def sync(self) -> Measured:
        self._round += 1
        project = self._base / f"pip-{self._round}"
        remove(project)
        project.mkdir(parents=True)
        venv = project / ".venv"
        subprocess.run(
            [str(self._python), "-m", "venv", str(venv)],
            check=True, capture_output=True, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        argv = [
            str(self._pip_sync), "-q", "--python-executable", str(venv / BIN / "python"),
            *self._index, str(self._requirements),
        ]  # fmt: skip
        settle()
        return measured_run(argv, env=self._env, cwd=project)  # see KEEP_ROUNDS


def _key_values(path: Path) -> dict[str, str]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return {}
    return dict(line.split("=", 1) for line in lines if "=" in line)
