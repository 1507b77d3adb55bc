"""`px env info` / `px env python`, `px run` and `px test` preparation (`px tidy`: px.ops.tidy)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from px.config import Settings
from px.errors import CommandNotFound, InstallError
from px.install import state
from px.reporter import Reporter


@dataclass(frozen=True)
class EnvInfo:
    project: str
    python: str
    base_python: str
    target: str
    generation: int | None
    site_packages: str
    bin: str
    packages: tuple[tuple[str, str], ...]
    current: bool

    def to_json(self) -> dict[str, object]:
        return {
            "project": self.project,
            "python": self.python,
            "base_python": self.base_python,
            "target": self.target,
            "generation": self.generation,
            "site_packages": self.site_packages,
            "bin": self.bin,
            "packages": [{"name": n, "version": v} for n, v in self.packages],
            "up_to_date": self.current,
        }


def _root(start: Path) -> Path:
    from px.project import find_project

    return find_project(start)


def _installed(site: Path) -> tuple[tuple[str, str], ...]:
    from packaging.utils import canonicalize_name

    found = []
    if site.is_dir():
        for entry in site.iterdir():
            if entry.name.endswith(".dist-info"):
                name, _, version = entry.name.removesuffix(".dist-info").partition("-")
                found.append((canonicalize_name(name), version))
    return tuple(sorted(found))


def info(start: Path) -> EnvInfo:
    from px.install.select import selection_key

    root = _root(start)
    px_dir = root / ".px"
    recorded = state.read(str(px_dir))
    if not recorded:
        raise InstallError(f"{root} has no environment yet", hint="run `px install`")
    site = next((px_dir / "lib").glob("*/site-packages"), px_dir / "lib")
    generation = recorded.get("generation")
    return EnvInfo(
        project=str(root),
        python=str(px_dir / "bin" / "python"),
        base_python=recorded.get("base_python", ""),
        target=recorded.get("target", ""),
        generation=int(generation) if generation and generation.isdigit() else None,
        site_packages=str(site),
        bin=str(px_dir / "bin"),
        packages=_installed(site),
        current=state.is_current(str(root), selection_key(True, [], [])),
    )


def python_path(start: Path) -> str:
    root = _root(start)
    python = root / ".px" / "bin" / "python"
    if not os.path.exists(python):
        raise InstallError(f"{root} has no environment yet", hint="run `px install`")
    return str(python)


def prepare(settings: Settings, start: Path, *, frozen: bool, reporter: Reporter) -> Path:
    """Make the environment current (install if needed) and return the project root."""
    from px.ops.install import install

    result = install(settings, start, frozen=frozen, reporter=reporter)
    return Path(result.project)


def run(root: Path, argv: list[str]) -> None:
    """Replace this process with ``argv`` in the environment (returns only by raising)."""
    from px.install.runner import exec_in

    missing = exec_in(str(root), argv)
    raise CommandNotFound(
        f"command {missing!r} not found in {root / '.px' / 'bin'} or on PATH",
        hint="declare the package that provides it with `px add`, or check the spelling",
    )
