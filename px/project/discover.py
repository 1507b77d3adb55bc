"""Find and load the project a command runs in."""

from __future__ import annotations

from pathlib import Path

from px.errors import InputError
from px.project.model import Project
from px.project.parse import parse_pyproject

PYPROJECT = "pyproject.toml"
INIT_HINT = "run `px init` to create a project, or change to a project's directory"


def find_project(start: Path) -> Path:
    """The nearest directory at or above ``start`` that holds a pyproject.toml."""
    start = start.absolute()
    if start.is_file():
        start = start.parent
    for directory in (start, *start.parents):
        if (directory / PYPROJECT).is_file():
            return directory
    raise InputError(
        f"no {PYPROJECT} found",
        why=f"neither {start} nor any directory above it holds one",
        hint=INIT_HINT,
    )


def load_project(path: Path) -> Project:
    """Read and validate the project at ``path`` (a project directory or its pyproject.toml)."""
    file = path if path.name == PYPROJECT and not path.is_dir() else path / PYPROJECT
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{file} does not exist", hint=INIT_HINT) from None
    except OSError as error:
        raise InputError(f"cannot read {file}", why=error.strerror or str(error)) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(
            f"{file} is not UTF-8 text",
            why=f"undecodable byte at offset {error.start}",
            hint="save the file as UTF-8",
        ) from None
    return parse_pyproject(text, root=file.parent, source=str(file))
