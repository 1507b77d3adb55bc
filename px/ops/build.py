"""`px build`: the project's sdist and wheel, built as `python -m build` builds them.

Each hook runs in an isolated environment that px assembles from its own store
(:func:`px.ops.build_env.build_environment`): ``[build-system] requires``
resolved against the project's indexes, plus whatever the backend's
``get_requires_for_build_*`` hook adds. By default the sdist is built from the
project and the wheel **from the unpacked sdist**, so a file the sdist forgets
shows up as a broken wheel now rather than on a user's machine.

Reproducible output: every hook gets ``SOURCE_DATE_EPOCH`` -- the caller's when
set, else the time of the last git commit that touched the project directory,
else the modification time of the newest file of the project (caches, ``.px``,
``dist`` and VCS directories aside). Backends that honour it (hatchling,
setuptools, flit, pdm-backend) then write byte-identical archives.

Before anything lands in the output directory the built files are read back and
checked (:mod:`px.publish.checks`); any problem is a BuildError and the output
directory is left as it was.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from px.config import Settings
from px.errors import BuildError, InputError
from px.reporter import QuietReporter, Reporter

if TYPE_CHECKING:
    from packaging.requirements import Requirement

    from px.build.runner import HookRunner
    from px.build.system import BuildSystem
    from px.index.client import IndexClient
    from px.interp import Interpreter
    from px.project import Project
    from px.publish.distfile import DistFile
    from px.store import Store

EpochSource = Literal["SOURCE_DATE_EPOCH", "git", "files"]
_SKIPPED_DIRS = frozenset(
    {".git", ".hg", ".svn", ".px", "dist", "build", "__pycache__", ".venv", "venv", ".tox",
     ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache", "node_modules"}
)  # fmt: skip


@dataclass(frozen=True)
class BuiltFile:
    path: str
    kind: Literal["sdist", "wheel"]
    sha256: str
    size: int

    def to_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "filename": Path(self.path).name,
            "kind": self.kind,
            "sha256": self.sha256,
            "size": self.size,
        }


@dataclass(frozen=True)
class BuildResult:
    project: str
    version: str
    out_dir: str
    source_date_epoch: int
    epoch_source: EpochSource
    files: tuple[BuiltFile, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "project": self.project,
            "version": self.version,
            "out_dir": self.out_dir,
            "source_date_epoch": self.source_date_epoch,
            "epoch_source": self.epoch_source,
            "files": [f.to_json() for f in self.files],
        }


def build(
    settings: Settings,
    start: Path,
    *,
    sdist: bool = False,
    wheel: bool = False,
    out_dir: Path | None = None,
    environ: Mapping[str, str] | None = None,
    runner: HookRunner | None = None,
    reporter: Reporter | None = None,
) -> BuildResult:
    """Build the project at or above ``start``; neither flag given means both."""
    from px.build.system import read_build_system
    from px.ops.audited import audited_store
    from px.ops.context import choose_for, index_client
    from px.ops.lock import read_lock
    from px.project import find_project, load_project

    if not sdist and not wheel:
        sdist = wheel = True
    reporter = reporter or QuietReporter()
    project = load_project(find_project(start))
    root = project.root
    target_dir = (out_dir if out_dir is not None else root / "dist").absolute()
    label = f"{project.name} {project.version}" if project.version else project.name
    system = read_build_system(root, name=label)
    epoch, epoch_source = source_date_epoch(root, os.environ if environ is None else environ)
    hooks = _with_epoch(epoch, runner)
    lock = read_lock(root / "px.lock")
    locked_python = lock.targets[0].python_version if lock and lock.targets else None
    with audited_store(settings, "build") as store:
        interpreter = choose_for(project, settings, locked_python)
        client = index_client(store, project, settings)
        envs = _Environments(store, client, interpreter, reporter)
        try:
            with tempfile.TemporaryDirectory(prefix="px-build-") as tmp:
                work = Path(tmp)
                built = _build_all(envs, root, system, label, work, sdist, wheel, hooks, reporter)
                dists = _checked(built, project)
                files = _deliver(dists, target_dir)
        finally:
            client.close()
    return BuildResult(
        project=project.name_as_written,
        version=dists[0].version,
        out_dir=str(target_dir),
        source_date_epoch=epoch,
        epoch_source=epoch_source,
        files=files,
    )


# -- SOURCE_DATE_EPOCH ---------------------------------------------------------------------


def source_date_epoch(root: Path, environ: Mapping[str, str]) -> tuple[int, EpochSource]:
    """The timestamp every build of ``root`` gets, and where it came from."""
    given = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if given:
        if not given.isdigit():
            raise InputError(
                f"SOURCE_DATE_EPOCH={given!r} is not a number of seconds",
                hint="set it to a Unix timestamp, e.g. $(git log -1 --format=%ct), or unset it",
            )
        return int(given), "SOURCE_DATE_EPOCH"
    committed = _git_commit_time(root)
    if committed is not None:
        return committed, "git"
    return _newest_mtime(root), "files"


def _git_commit_time(root: Path) -> int | None:
    """The committer time of the last commit touching ``root``, when it is in a git work tree."""
    try:
        done = subprocess.run(
            ["git", "log", "-1", "--format=%ct", "--", "."],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    value = done.stdout.strip()
    return int(value) if done.returncode == 0 and value.isdigit() else None


def _newest_mtime(root: Path) -> int:
    newest = 0.0
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = [
            d for d in dirnames if d not in _SKIPPED_DIRS and not d.endswith(".egg-info")
        ]
        for filename in filenames:
            if filename.endswith((".pyc", ".pyo")):
                continue
            try:
                newest = max(newest, (Path(directory) / filename).stat().st_mtime)
            except OSError:
                continue
    return int(newest)


def _with_epoch(epoch: int, inner: HookRunner | None) -> HookRunner:
    from px.build.runner import run_captured

    base = inner or run_captured

    def run(
        cmd: Sequence[str], cwd: str | None = None, extra_environ: Mapping[str, str] | None = None
    ) -> None:
        base(cmd, cwd, {**(extra_environ or {}), "SOURCE_DATE_EPOCH": str(epoch)})

    return run


# -- the builds ----------------------------------------------------------------------------


class _Environments:
    """Build environments by requirement set, assembled once per `px build`."""

    def __init__(
        self, store: Store, client: IndexClient, interpreter: Interpreter, reporter: Reporter
    ) -> None:
        self.store, self.client, self.interpreter = store, client, interpreter
        self.reporter = reporter
        self._made: dict[tuple[str, ...], Path] = {}

    def python(self, requirements: Sequence[Requirement], work: Path) -> Path:
        from px.install.generation import python_in
        from px.ops.build_env import build_environment

        key = tuple(sorted(str(r) for r in requirements))
        if key not in self._made:
            self._made[key] = build_environment(
                self.store, self.client, self.interpreter, list(requirements),
                parent=work / "envs", reporter=self.reporter,
            )  # fmt: skip
        return python_in(self._made[key])


def _build_all(
    envs: _Environments,
    root: Path,
    system: BuildSystem,
    label: str,
    work: Path,
    sdist: bool,
    wheel: bool,
    hooks: HookRunner,
    reporter: Reporter,
) -> list[Path]:
    from px.build.sdist import unpack_sdist
    from px.build.system import read_build_system

    built: list[Path] = []
    if sdist:
        reporter.note(f"building the sdist of {label}")
        built.append(_hook(envs, root, system, label, "sdist", work, hooks))
    if wheel:
        source = root
        if sdist:
            source = unpack_sdist(built[0], work / "unpacked")
            system = read_build_system(source, name=f"the sdist of {label}")
        reporter.note(f"building the wheel of {label}" + (" from its sdist" if sdist else ""))
        built.append(_hook(envs, source, system, label, "wheel", work, hooks))
    return built


def _hook(
    envs: _Environments,
    source: Path,
    system: BuildSystem,
    label: str,
    kind: Literal["sdist", "wheel"],
    work: Path,
    hooks: HookRunner,
) -> Path:
    from px.build.hooks import Backend

    def backend(python: Path) -> Backend:
        return Backend(source, system, python, name=label, runner=hooks)

    first = backend(envs.python(system.requires, work))
    asked: Callable[[], tuple[Requirement, ...]] = (
        first.get_requires_for_build_sdist
        if kind == "sdist"
        else first.get_requires_for_build_wheel
    )
    extra = asked()
    chosen = backend(envs.python([*system.requires, *extra], work)) if extra else first
    out = work / f"{kind}-out"
    return chosen.build_sdist(out) if kind == "sdist" else chosen.build_wheel(out)


# -- checks and delivery -------------------------------------------------------------------


def _checked(built: list[Path], project: Project) -> list[DistFile]:
    from px.publish.checks import distribution_problems
    from px.publish.distfile import read_distribution

    declared = readme_declared(project.pyproject)
    try:
        dists = [read_distribution(path) for path in built]
    except InputError as error:
        raise BuildError(
            f"building {project.name} produced a broken distribution",
            why=error.one_line(),
            hint="check the build backend's configuration",
        ) from None
    problems: list[str] = []
    for dist in dists:
        problems += distribution_problems(
            dist,
            project_name=project.name,
            project_version=project.version,
            readme_declared=declared,
        )
    if len({d.version for d in dists}) > 1:
        versions = ", ".join(f"{d.filename}: {d.version}" for d in dists)
        problems.append(f"the sdist and the wheel disagree on the version ({versions})")
    if problems:
        raise BuildError(
            f"the distributions built for {project.name} are not fit to publish",
            why=problems[0] if len(problems) == 1 else f"{len(problems)} problems",
            hint="fix [project] in pyproject.toml or the build backend's configuration",
            details=problems,
        )
    return dists


def readme_declared(pyproject: Path) -> bool:
    """Whether ``[project]`` declares a readme (or leaves it to the backend: dynamic)."""
    from px.project.toml_read import loads

    text = pyproject.read_text(encoding="utf-8")
    table = loads(text, label="pyproject.toml", source=str(pyproject)).get("project", {})
    return "readme" in table or "readme" in (table.get("dynamic") or [])


def _deliver(dists: list[DistFile], target_dir: Path) -> tuple[BuiltFile, ...]:
    """Copy the checked files into ``target_dir``, each in one rename."""
    try:
        target_dir.mkdir(parents=True, exist_ok=True)
        delivered = []
        for dist in dists:
            final = target_dir / dist.filename
            partial = target_dir / f".{dist.filename}.part"
            shutil.copyfile(dist.path, partial)
            partial.replace(final)
            delivered.append(BuiltFile(str(final), dist.kind, dist.sha256, dist.size))
    except OSError as error:
        raise BuildError(
            f"cannot write the built files into {target_dir}",
            why=f"{error.strerror}: {error.filename}",
            hint="choose a writable directory with --out-dir",
        ) from None
    return tuple(delivered)
