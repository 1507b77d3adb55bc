"""Find the Python interpreters on this machine: PATH, pyenv, /usr/bin, /usr/local/bin."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from px.interp.probe import Interpreter

_NAME = re.compile(r"^python3(\.\d+)?\Z")


def candidate_paths(env: Mapping[str, str] | None = None) -> list[Path]:
    """Executables that may be interpreters, de-duplicated by their real path, in search order."""
    env = os.environ if env is None else env
    seen: set[Path] = set()
    found: list[Path] = []
    for path in _walk(env):
        try:
            real = path.resolve()
        except OSError:
            continue
        if real in seen or not os.access(path, os.X_OK) or "shims" in path.parts:
            continue
        seen.add(real)
        found.append(path)
    return found


def _walk(env: Mapping[str, str]) -> Iterator[Path]:
    directories = [Path(p) for p in env.get("PATH", "").split(os.pathsep) if p]
    pyenv_root = Path(env.get("PYENV_ROOT") or Path(env.get("HOME") or "~").expanduser() / ".pyenv")
    versions = pyenv_root / "versions"
    if versions.is_dir():
        directories += sorted(p / "bin" for p in versions.iterdir())
    directories += [Path("/usr/local/bin"), Path("/usr/bin")]
    for directory in directories:
        try:
            names = sorted(os.listdir(directory))
        except OSError:
            continue
        for name in names:
            if _NAME.match(name):
                yield directory / name


def discover_interpreters(env: Mapping[str, str] | None = None) -> list[Interpreter]:
    """Describe every interpreter found (in parallel); ones that fail to run are skipped."""
    from concurrent.futures import ThreadPoolExecutor

    from px.errors import PxError
    from px.interp.probe import probe

    def attempt(path: Path) -> Interpreter | None:
        try:
            return probe(path, timeout=10)
        except PxError:
            return None

    with ThreadPoolExecutor(max_workers=4) as pool:
        return [i for i in pool.map(attempt, candidate_paths(env)) if i is not None]
