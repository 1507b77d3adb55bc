"""The modules a project's code imports, found by parsing its ``.py`` files with :mod:`ast`.

Files are split in two: **test code** (any file under a ``tests``/``test``
directory, ``test_*.py``, ``*_test.py``, ``conftest.py``) and **code** (every
other ``.py`` file of the project). Hidden directories, ``__pycache__``,
``build``, ``dist``, ``node_modules``, ``*.egg-info`` and virtual environments
(a directory holding ``pyvenv.cfg``, such as ``.px``) are not read. Relative
imports are the project's own and are skipped; ``importlib.import_module("x")``
and ``__import__("x")`` with a literal name count as imports.

The project's **own modules** are the top-level modules and packages found at
its root, in ``src/`` and beside its test files (where pytest puts them on
``sys.path``).
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SKIPPED_DIRS = frozenset({"__pycache__", "build", "dist", "node_modules", "site-packages"})
TEST_DIRS = frozenset({"tests", "test", "testing"})


@dataclass(frozen=True)
class Imports:
    code: dict[str, tuple[str, ...]]  # dotted module -> files (relative, sorted) importing it
    tests: dict[str, tuple[str, ...]]
    local: frozenset[str]  # the project's own top-level module names
    unreadable: tuple[str, ...] = ()  # files that do not parse (relative)


def is_test_file(relative: Path) -> bool:
    name = relative.name
    return (
        any(part in TEST_DIRS for part in relative.parts[:-1])
        or name == "conftest.py"
        or name.startswith("test_")
        or name.endswith("_test.py")
    )


def python_files(root: Path) -> Iterator[Path]:
    """Every ``.py`` file of the project (paths relative to ``root``), sorted."""
    for directory, dirs, files in os.walk(root):
        here = Path(directory)
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".")
            and d not in SKIPPED_DIRS
            and not d.endswith(".egg-info")
            and not (here / d / "pyvenv.cfg").exists()
        )
        for name in sorted(files):
            if name.endswith(".py"):
                yield (here / name).relative_to(root)


def imported_modules(tree: ast.AST) -> set[str]:
    """The absolute modules ``tree`` imports (``from a import b`` gives ``a.b``)."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            # ``from a import b``: ``a.b`` (a submodule or an attribute: either way it
            # tells apart the portions of a namespace package ``a``)
            found.update(
                node.module if a.name == "*" else f"{node.module}.{a.name}" for a in node.names
            )
        elif isinstance(node, ast.Call) and _dynamic_import(node):
            argument = node.args[0]
            assert isinstance(argument, ast.Constant) and isinstance(argument.value, str)
            if argument.value and not argument.value.startswith("."):
                found.add(argument.value)
    return found


def _dynamic_import(node: ast.Call) -> bool:
    func = node.func
    named = (isinstance(func, ast.Name) and func.id == "__import__") or (
        isinstance(func, ast.Attribute)
        and func.attr == "import_module"
        and isinstance(func.value, ast.Name)
        and func.value.id == "importlib"
    )
    return (
        named
        and bool(node.args)
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    )


def _module_names(directory: Path) -> set[str]:
    names: set[str] = set()
    try:
        entries = list(directory.iterdir())
    except OSError:
        return names
    for entry in entries:
        if entry.is_file() and entry.suffix == ".py":
            names.add(entry.stem)
        elif entry.is_dir() and entry.name.isidentifier() and any(entry.glob("**/*.py")):
            names.add(entry.name)
    return names


def scan_imports(root: Path) -> Imports:
    code: dict[str, set[str]] = {}
    tests: dict[str, set[str]] = {}
    local_dirs = {root, root / "src"}
    unreadable = []
    for relative in python_files(root):
        test = is_test_file(relative)
        if test:
            local_dirs.add(root / relative.parent)
        try:
            tree = ast.parse((root / relative).read_bytes(), filename=str(relative))
        except (SyntaxError, ValueError, OSError):
            unreadable.append(relative.as_posix())
            continue
        into = tests if test else code
        for module in imported_modules(tree):
            into.setdefault(module, set()).add(relative.as_posix())
    local = set().union(*(_module_names(d) for d in local_dirs))
    return Imports(
        code={m: tuple(sorted(f)) for m, f in sorted(code.items())},
        tests={m: tuple(sorted(f)) for m, f in sorted(tests.items())},
        local=frozenset(local),
        unreadable=tuple(unreadable),
    )
