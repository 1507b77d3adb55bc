"""Describe an interpreter: version, implementation, PEP 508 markers, supported wheel tags.

The running interpreter is described in-process. Another one is asked by
running it once with a tiny script; it imports ``packaging`` from px's own
environment (pure Python, so any supported interpreter can load it), which
keeps the answer identical to what pip would compute inside that interpreter.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

from px.errors import InputError

_SCRIPT = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
from packaging.markers import default_environment
from packaging.tags import sys_tags
print(json.dumps({
    "path": sys.executable,
    "base": getattr(sys, "_base_executable", sys.executable),
    "markers": default_environment(),
    "tags": [str(t) for t in sys_tags()],
}))
"""


@dataclass(frozen=True)
class Interpreter:
    path: str
    markers: tuple[tuple[str, str], ...]  # sorted (name, value) pairs of the PEP 508 environment
    tags: tuple[str, ...]  # supported wheel tags, most preferred first
    base: str = ""  # the installation's own executable when ``path`` is in a venv

    @property
    def base_executable(self) -> str:
        return self.base or self.path

    @property
    def environment(self) -> dict[str, str]:
        return dict(self.markers)

    @property
    def version(self) -> str:
        """The full version, e.g. ``3.11.7``."""
        return self.environment["python_full_version"]

    @property
    def implementation(self) -> str:
        return self.environment["implementation_name"]

    @property
    def short_version(self) -> str:
        return self.environment["python_version"]

    def describe(self) -> str:
        return f"{self.implementation} {self.version} ({self.path})"


def _from_json(data: dict[str, object]) -> Interpreter:
    markers = data["markers"]
    tags = data["tags"]
    assert isinstance(markers, dict) and isinstance(tags, list)
    return Interpreter(
        path=str(data["path"]),
        base=str(data.get("base") or data["path"]),
        markers=tuple(sorted((str(k), str(v)) for k, v in markers.items())),
        tags=tuple(str(t) for t in tags),
    )


def describe_running() -> Interpreter:
    from packaging.markers import default_environment
    from packaging.tags import sys_tags

    return _from_json(
        {
            "path": sys.executable,
            "base": getattr(sys, "_base_executable", sys.executable),
            "markers": dict(default_environment()),
            "tags": [str(t) for t in sys_tags()],
        }
    )


def probe(path: str | Path, *, timeout: float = 30) -> Interpreter:
    """Run the interpreter at ``path`` once to describe it."""
    import subprocess

    import packaging

    packaging_root = str(Path(packaging.__file__).resolve().parent.parent)
    try:
        result = subprocess.run(
            [str(path), "-I", "-S", "-c", _SCRIPT, packaging_root],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise InputError(f"cannot run the interpreter {path}", why=str(error)) from error
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise InputError(f"cannot run the interpreter {path}", why=last)
    try:
        return _from_json(json.loads(result.stdout))
    except (ValueError, KeyError, AssertionError) as error:
        raise InputError(f"{path} did not describe itself as a Python interpreter") from error
