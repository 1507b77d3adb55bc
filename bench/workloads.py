"""The shared benchmark workloads (shared/workloads/) and the wheels they resolve to.

The workload projects live outside the repository, in ``shared/workloads/``
beside it (``PX_BENCH_WORKLOADS`` overrides). Scenarios copy a project into
their scratch directory before any tool runs on it. The wheels of a workload's
resolution for CPython 3.11 on this platform are downloaded from PyPI once with
pip, into ``bench/.cache/workloads/<name>/wheels/``, and reused by later runs.

Tools that lock for every platform at once (``uv lock``, ``poetry lock``) also
need the projects only other platforms use (colorama, for Windows): their
wheels, at the versions a universal resolution constrained by those pins picks,
are downloaded once into ``bench/.cache/workloads/<name>/universal/``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from bench.model import Context, ReferenceUnavailable, Skip

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

PYTHON_VERSION = "3.11"
COMPLETE = ".complete"


@dataclass(frozen=True)
class Pin:
    name: str  # canonical (PEP 503) name
    version: str
    filename: str


def workloads_dir(ctx: Context) -> Path:
    override = os.environ.get("PX_BENCH_WORKLOADS")
    return Path(override) if override else ctx.repo.parent / "shared" / "workloads"


def copy_project(ctx: Context, name: str, dest: Path) -> Path:
    """A private copy of workload ``name``'s directory (tools may write next to it)."""
    source = workloads_dir(ctx) / name
    if not (source / "pyproject.toml").is_file():
        raise Skip(f"workload {name!r} not found at {source} (set PX_BENCH_WORKLOADS)")
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(source, dest)
    for path in dest.rglob("*"):  # shared/ is read-only; the copy must not be
        path.chmod(path.stat().st_mode | 0o200)
    dest.chmod(dest.stat().st_mode | 0o200)
    return dest


def top_level_requirements(pyproject: Path) -> list[str]:
    with open(pyproject, "rb") as f:
        data = tomllib.load(f)
    return [str(r) for r in data.get("project", {}).get("dependencies", [])]


def wheels(ctx: Context, name: str) -> tuple[Path, list[Pin]]:
    """The directory of the wheels ``name`` resolves to (downloaded once), and their pins."""
    directory = ctx.cache / "workloads" / name / "wheels"
    if not (directory / COMPLETE).is_file():
        _download(ctx, name, directory)
    return directory, pins(directory)


def universal_extras(ctx: Context, name: str, uv: Path) -> Path:
    """The directory of the wheels a universal resolution of ``name`` adds to :func:`wheels`
    (downloaded once): ``uv pip compile --universal`` on PyPI, constrained by the pins.
    Only the reference tools need them: a failure is :class:`ReferenceUnavailable`."""
    directory = ctx.cache / "workloads" / name / "universal"
    if (directory / COMPLETE).is_file():
        return directory
    base, base_pins = wheels(ctx, name)
    project = copy_project(ctx, name, ctx.work / f"workload-{name}")
    constraints = base.parent / "requirements.txt"
    ctx.log(f"finding the projects a universal lock of workload {name!r} adds (PyPI, once)")
    compile_argv = [
        str(uv), "pip", "compile", str(project / "pyproject.toml"), "--universal",
        "--python-version", PYTHON_VERSION, "--no-config", "--no-header", "--no-annotate",
        "--quiet", "--constraint", str(constraints),
    ]  # fmt: skip
    compiled = _run(compile_argv, f"cannot resolve workload {name!r} universally (needs PyPI)")
    have = {pin.name for pin in base_pins}
    extra = sorted({line.split(";")[0].strip() for line in compiled.splitlines()} - {""})
    extra = [r for r in extra if _canonical(r.split("==")[0]) not in have]
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    if extra:
        ctx.log(f"downloading {', '.join(extra)} (once) into {directory}")
        download_argv = [
            str(ctx.python), "-m", "pip", "download", "-q", "--disable-pip-version-check",
            "--no-deps", "--only-binary=:all:", "--python-version", PYTHON_VERSION,
            "-d", str(directory), *extra,
        ]  # fmt: skip
        _run(download_argv, f"cannot download {', '.join(extra)} (needs PyPI)")
    (directory / COMPLETE).write_text("", encoding="utf-8")
    return directory


def _canonical(name: str) -> str:
    from packaging.utils import canonicalize_name

    return str(canonicalize_name(name))


def _run(argv: list[str], failure: str) -> str:
    done = subprocess.run(argv, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise ReferenceUnavailable(f"{failure}: {last}")
    return done.stdout


def pins(directory: Path) -> list[Pin]:
    from packaging.utils import parse_wheel_filename

    found = []
    for path in sorted(directory.glob("*.whl")):
        project, version, _build, _tags = parse_wheel_filename(path.name)
        found.append(Pin(str(project), str(version), path.name))
    return found


def _download(ctx: Context, name: str, directory: Path) -> None:
    project = copy_project(ctx, name, ctx.work / f"workload-{name}")
    requirements = top_level_requirements(project / "pyproject.toml")
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    ctx.log(f"downloading the wheels of workload {name!r} from PyPI (once) into {directory}")
    argv = [
        str(ctx.python), "-m", "pip", "download", "-q", "--disable-pip-version-check",
        "--only-binary=:all:", "--python-version", PYTHON_VERSION, "-d", str(directory),
        *requirements,
    ]  # fmt: skip
    done = subprocess.run(argv, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        shutil.rmtree(directory, ignore_errors=True)
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise Skip(f"cannot download the wheels of workload {name!r} (needs PyPI): {last}")
    lines = [f"{p.name}=={p.version}" for p in pins(directory)]
    (directory.parent / "requirements.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (directory / COMPLETE).write_text("", encoding="utf-8")
