"""The files `px init` writes: a PEP 621 project built by hatchling, with a src/ layout.

Pure: a :class:`NewProject` in, ``{relative path: text}`` out. The name rules are
PEP 508's (what ``[project] name`` accepts) plus one of Python's: the import
package (the name lower-cased, ``-`` and ``.`` as ``_``) must be an identifier.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass
from typing import Literal

BUILD_REQUIRES = "hatchling>=1.26"
BUILD_BACKEND = "hatchling.build"
Kind = Literal["lib", "app"]

_ALLOWED = re.compile(r"^[A-Za-z0-9._-]+\Z")
_ENDS = re.compile(r"^[A-Za-z0-9](?:.*[A-Za-z0-9])?\Z", re.DOTALL)
DESCRIPTION = "Add a short description here"


@dataclass(frozen=True)
class NewProject:
    name: str  # as the user spelt it (valid: see name_problem)
    kind: Kind
    python: str  # "3.12": requires-python becomes ">=3.12"
    pin_python: bool = False  # also write [tool.px] python = "3.12"

    @property
    def package(self) -> str:
        return import_name(self.name)

    @property
    def requires_python(self) -> str:
        return f">={self.python}"


def import_name(name: str) -> str:
    """``My-Project.core`` -> ``my_project_core``: the package under ``src/``."""
    return re.sub(r"[-_.]+", "_", name).lower()


def name_problem(name: str) -> str | None:
    """The rule ``name`` breaks, or None when it can name a new project."""
    if not name:
        return "a project name cannot be empty"
    if not _ALLOWED.match(name):
        bad = "".join(sorted({c for c in name if not re.match(r"[A-Za-z0-9._-]", c)}))
        return (
            "names may contain only ASCII letters, digits, '.', '-' and '_' "
            f"(PEP 508); it has {bad!r}"
        )
    if not _ENDS.match(name):
        return "names must start and end with a letter or digit (PEP 508)"
    package = import_name(name)
    if not package.isidentifier() or keyword.iskeyword(package):
        return (
            f"its import package {package!r} would not be a Python identifier "
            "(it must not start with a digit or be a keyword)"
        )
    return None


def project_files(project: NewProject) -> dict[str, str]:
    """Every file of the new project, by path relative to its root."""
    pkg = project.package
    files = {
        "pyproject.toml": _pyproject(project),
        "README.md": _readme(project),
        ".gitignore": GITIGNORE,
        f"src/{pkg}/__init__.py": _init_module(project),
        f"tests/test_{pkg}.py": _test(project),
    }
    if project.kind == "app":
        files[f"src/{pkg}/__main__.py"] = (
            f'"""`python -m {pkg}`."""\n\nfrom {pkg} import main\n\nmain()\n'
        )
    else:
        files[f"src/{pkg}/py.typed"] = ""  # PEP 561: the library ships its type hints
    return files


def _pyproject(project: NewProject) -> str:
    lines = [
        "[project]",
        f'name = "{project.name}"',
        'version = "0.1.0"',
        f'description = "{DESCRIPTION}"',
        'readme = "README.md"',
        f'requires-python = "{project.requires_python}"',
        "dependencies = []",
        "",
    ]
    if project.kind == "app":
        lines += ["[project.scripts]", f'{project.name} = "{project.package}:main"', ""]
    lines += [
        "[build-system]",
        f'requires = ["{BUILD_REQUIRES}"]',
        f'build-backend = "{BUILD_BACKEND}"',
    ]
    if project.pin_python:
        lines += ["", "[tool.px]", f'python = "{project.python}"']
    return "\n".join(lines) + "\n"


def _readme(project: NewProject) -> str:
    run = (
        (f"px run {project.name}", "the console script")
        if project.kind == "app"
        else (f'px run python -c "import {project.package}"', "the package")
    )
    steps = [
        ("px install", "lock, then install into .px/"),
        run,
        ("px add --dev pytest", "once"),
        ("px test", "run the tests"),
        ("px build", "sdist and wheel into dist/"),
    ]
    width = max(len(command) for command, _ in steps) + 2
    lines = "".join(f"{command.ljust(width)}# {why}\n" for command, why in steps)
    return f"# {project.name}\n\n{DESCRIPTION}.\n\n## Develop\n\n```sh\n{lines}```\n"


GITIGNORE = """\
# px: the project's environment, rebuilt from px.lock (commit px.lock, not .px/)
.px/
# px build output
dist/
# Python's caches
__pycache__/
*.py[cod]
"""


def _init_module(project: NewProject) -> str:
    if project.kind == "app":
        return (
            f'"""{project.name}."""\n\n\n'
            "def main() -> None:\n"
            f'    """The `{project.name}` command."""\n'
            f'    print("Hello from {project.name}!")\n'
        )
    return (
        f'"""{project.name}."""\n\n\n'
        'def hello(name: str = "world") -> str:\n'
        '    return f"Hello, {name}!"\n'
    )


def _test(project: NewProject) -> str:
    pkg = project.package
    if project.kind == "app":
        return (
            "import pytest\n\n"
            f"from {pkg} import main\n\n\n"
            "def test_main_greets(capsys: pytest.CaptureFixture[str]) -> None:\n"
            "    main()\n"
            f'    assert capsys.readouterr().out == "Hello from {project.name}!\\n"\n'
        )
    return (
        f"from {pkg} import hello\n\n\n"
        "def test_hello() -> None:\n"
        '    assert hello("px") == "Hello, px!"\n'
    )
