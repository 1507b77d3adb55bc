"""A source tree's ``[build-system]`` table (PEP 517/518), with pip's legacy default.

A tree with no ``pyproject.toml``, or one without a ``[build-system]`` table, is
built as pip builds it: by ``setuptools.build_meta:__legacy__`` with
``setuptools>=40.8.0``. A table without ``build-backend`` keeps its
``requires`` and gets the same legacy backend.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

from px.errors import BuildError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

LEGACY_BACKEND = "setuptools.build_meta:__legacy__"
LEGACY_REQUIRES = ("setuptools>=40.8.0",)


@dataclass(frozen=True)
class BuildSystem:
    """What builds a source tree: its build requirements and its backend."""

    requires: tuple[Requirement, ...]
    backend: str
    backend_path: tuple[str, ...] = ()
    declared: bool = True
    """False when the tree has no ``[build-system]`` table (the legacy default applies)."""


LEGACY = BuildSystem(
    requires=tuple(Requirement(r) for r in LEGACY_REQUIRES), backend=LEGACY_BACKEND, declared=False
)


def read_build_system(source_dir: Path, *, name: str) -> BuildSystem:
    """The build system of the tree at ``source_dir``; ``name`` labels errors."""
    path = source_dir / "pyproject.toml"
    if not path.is_file():
        return LEGACY
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise _bad(name, f"its pyproject.toml cannot be read: {error}") from None
    table = data.get("build-system")
    if table is None:
        return LEGACY
    if not isinstance(table, dict):
        raise _bad(name, "[build-system] is not a table")
    requires = table.get("requires")
    if requires is None:
        raise _bad(name, "[build-system] has no `requires` key (PEP 518 makes it mandatory)")
    if not isinstance(requires, list) or not all(isinstance(r, str) for r in requires):
        raise _bad(name, "[build-system] requires is not a list of strings")
    backend = table.get("build-backend", LEGACY_BACKEND)
    if not isinstance(backend, str) or not backend.strip():
        raise _bad(name, "[build-system] build-backend is not a non-empty string")
    backend_path = table.get("backend-path", [])
    if not isinstance(backend_path, list) or not all(isinstance(p, str) for p in backend_path):
        raise _bad(name, "[build-system] backend-path is not a list of strings")
    return BuildSystem(
        requires=parse_requirements(requires, name=name, origin="[build-system] requires"),
        backend=backend.strip(),
        backend_path=tuple(backend_path),
    )


def parse_requirements(items: list[str], *, name: str, origin: str) -> tuple[Requirement, ...]:
    """PEP 508 strings as requirements; a bad one is a BuildError naming ``origin``."""
    parsed = []
    for item in items:
        try:
            parsed.append(Requirement(item))
        except InvalidRequirement as error:
            raise _bad(name, f"{origin} holds an invalid requirement {item!r}: {error}") from None
    return tuple(parsed)


def _bad(name: str, why: str) -> BuildError:
    return BuildError(
        f"cannot build {name}",
        why=why,
        hint=f"fix the build configuration of {name}, or use a version that ships a wheel",
    )
