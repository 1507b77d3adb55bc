"""`px init [PATH]`: a new project (pyproject.toml, src/ package, test, README, .gitignore).

Nothing is written unless everything can be: an existing ``pyproject.toml`` (an
existing project) or an existing file of the new package or test refuses the
whole command, before a byte is written. An existing ``README.md`` is kept, and
an existing ``.gitignore`` gets ``.px/`` appended when it does not ignore it yet.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from px.config import Settings
from px.errors import InputError
from px.project.templates import BUILD_BACKEND, Kind, NewProject, name_problem, project_files

if TYPE_CHECKING:
    from px.interp import Interpreter

Status = Literal["created", "kept", "updated"]
KEPT_IF_PRESENT = ("README.md",)
_PX_IGNORES = {".px", ".px/", "/.px", "/.px/", ".px/*", "/.px/*"}


@dataclass(frozen=True)
class InitFile:
    path: str  # relative to the project root, with /
    status: Status

    def to_json(self) -> dict[str, str]:
        return {"path": self.path, "status": self.status}


@dataclass(frozen=True)
class InitResult:
    root: str
    name: str
    package: str
    kind: Kind
    requires_python: str
    python: str  # the full version of the interpreter requires-python was taken from
    build_backend: str
    files: tuple[InitFile, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "path": self.root,
            "name": self.name,
            "package": self.package,
            "kind": self.kind,
            "requires_python": self.requires_python,
            "python": self.python,
            "build_backend": self.build_backend,
            "files": [f.to_json() for f in self.files],
        }


def init(settings: Settings, path: Path, *, name: str | None, kind: Kind) -> InitResult:
    root = path.expanduser().absolute()
    if root.exists() and not root.is_dir():
        raise InputError(f"cannot create a project at {root}", why="it is a file")
    if (root / "pyproject.toml").exists():
        raise InputError(
            f"{root} is already a project",
            why="it has a pyproject.toml, and px init never overwrites one",
            hint="edit that pyproject.toml, or run px init in a new directory",
        )
    chosen = name if name is not None else root.name
    problem = name_problem(chosen)
    if problem is not None:
        given = "" if name is not None else " (from the directory's name)"
        raise InputError(
            f"invalid project name {chosen!r}{given}",
            why=problem,
            hint="choose another with --name, e.g. --name my-project",
        )
    interpreter = _interpreter(settings)
    project = NewProject(
        name=chosen,
        kind=kind,
        python=interpreter.short_version,
        pin_python=settings.python is not None,
    )
    plan = _plan(root, project_files(project))
    _write(root, plan)
    return InitResult(
        root=str(root),
        name=chosen,
        package=project.package,
        kind=kind,
        requires_python=project.requires_python,
        python=interpreter.version,
        build_backend=BUILD_BACKEND,
        files=tuple(InitFile(relative, status) for relative, (status, _) in plan.items()),
    )


def _interpreter(settings: Settings) -> Interpreter:
    from px.interp import choose_interpreter, describe_running, probe
    from px.interp.discover import discover_interpreters

    return choose_interpreter(
        requested=settings.python,
        requires_python=None,
        running=describe_running(),
        discover=discover_interpreters,
        probe=probe,
    )


def _plan(root: Path, files: dict[str, str]) -> dict[str, tuple[Status, str | None]]:
    """What happens to each file: (status, text to write or None). Refuses conflicts."""
    plan: dict[str, tuple[Status, str | None]] = {}
    conflicts = []
    for relative, text in files.items():
        target = root / relative
        if not target.exists():
            plan[relative] = ("created", text)
        elif relative in KEPT_IF_PRESENT:
            plan[relative] = ("kept", None)
        elif relative == ".gitignore" and target.is_file():
            plan[relative] = _gitignore(target)
        else:
            conflicts.append(relative)
    if conflicts:
        raise InputError(
            f"px init would overwrite files in {root}",
            why=f"{', '.join(conflicts)} already exist{'s' if len(conflicts) == 1 else ''}",
            hint="move them away, or choose another directory or --name",
            details=[str(root / c) for c in conflicts],
        )
    return plan


def _gitignore(path: Path) -> tuple[Literal["kept", "updated"], str | None]:
    text = path.read_text(encoding="utf-8", errors="replace")
    if any(line.strip() in _PX_IGNORES for line in text.splitlines()):
        return "kept", None
    separator = "" if not text or text.endswith("\n") else "\n"
    return "updated", f"{text}{separator}# px: the project's environment\n.px/\n"


def _write(root: Path, plan: dict[str, tuple[Status, str | None]]) -> None:
    """Write the plan (new files first, the one update last); on a failure remove what
    this call created, then raise."""
    created: list[Path] = []
    try:
        if not root.exists():
            root.mkdir(parents=True)
            created.append(root)
        for relative, (status, text) in plan.items():
            if status != "created" or text is None:
                continue
            target = root / relative
            for parent in reversed(target.relative_to(root).parents[:-1]):
                if not (root / parent).exists():
                    (root / parent).mkdir()
                    created.append(root / parent)
            with open(target, "x", encoding="utf-8", newline="\n") as f:
                created.append(target)
                f.write(text)
        for relative, (status, text) in plan.items():
            if status == "updated" and text is not None:
                (root / relative).write_text(text, encoding="utf-8", newline="\n")
    except OSError as error:
        for path in reversed(created):
            with contextlib.suppress(OSError):
                path.rmdir() if path.is_dir() else path.unlink()
        raise InputError(
            f"cannot write the new project in {root}", why=f"{error.strerror}: {error.filename}"
        ) from None
