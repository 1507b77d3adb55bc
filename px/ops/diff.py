"""`px lock diff [OLD] [NEW]`: compare two locks, each a file, a git revision or a history entry.

A side is read as (first match wins):

- ``@ID``: entry ID of the store's lock history (`px lock history`, ``px_locks.id``);
  ``@latest``: this project's newest entry; ``@-N``: the N-th entry before it;
- a file (or a directory holding a px.lock);
- a git revision: ``REV`` reads the project's px.lock at REV (``git show
  REV:<path from the repository root>``); ``REV:PATH`` is passed to git as is.

OLD defaults to ``HEAD`` (the committed lock), NEW to the working px.lock.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from px.config import Settings
from px.errors import InputError, LockStale
from px.lock import Lock, parse
from px.lock.diff import LockDiff, diff_locks
from px.project import find_project, load_project

if TYPE_CHECKING:
    from px.store import Store

LOCK_NAME = "px.lock"
_HISTORY = re.compile(r"^@(?:(?P<id>\d+)|(?P<latest>latest)|-(?P<back>\d+))\Z")
_HISTORY_HINT = "name a lock of `px lock history` as @ID, @latest or @-N"


@dataclass(frozen=True)
class LockSide:
    """Where one side of a diff came from."""

    spec: str  # as given: "HEAD", "old/px.lock", "@3"
    kind: str  # "file", "git" or "history"
    label: str  # "HEAD:px.lock", "px.lock", "@3"
    path: str | None = None  # the file, or the path inside the git repository
    revision: str | None = None
    history_id: int | None = None
    packages: int = 0

    def to_json(self) -> dict[str, object]:
        return {
            "spec": self.spec,
            "kind": self.kind,
            "label": self.label,
            "path": self.path,
            "revision": self.revision,
            "history_id": self.history_id,
            "packages": self.packages,
        }


@dataclass(frozen=True)
class DiffResult:
    old: LockSide
    new: LockSide
    diff: LockDiff

    @property
    def identical(self) -> bool:
        return self.diff.identical

    def to_json(self) -> dict[str, object]:
        return {"old": self.old.to_json(), "new": self.new.to_json(), **self.diff.to_json()}


class _Context:
    """The project and store a diff may need, looked up only when a side needs them."""

    def __init__(self, settings: Settings, start: Path) -> None:
        self.settings = settings
        self.start = start.absolute()
        self._store: Store | None = None

    def project_root(self) -> Path:
        return find_project(self.start)

    def project_name(self) -> str:
        try:
            return load_project(self.project_root()).name
        except InputError:
            return "the project"

    def store(self) -> Store:
        if self._store is None:
            from px.store import open_store

            self._store = open_store(self.settings.store_dir, readonly=True)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()


def diff(
    settings: Settings, start: Path, old: str | None = None, new: str | None = None
) -> DiffResult:
    """Compare OLD (default ``HEAD``) with NEW (default the working px.lock)."""
    context = _Context(settings, start)
    try:
        old_side, old_lock = load_side(context, old or "HEAD")
        new_side, new_lock = load_side(context, new) if new else working_side(context)
    finally:
        context.close()
    lock_diff = diff_locks(old_lock, new_lock, project=context.project_name())
    return DiffResult(old_side, new_side, lock_diff)


def working_side(context: _Context) -> tuple[LockSide, Lock]:
    path = context.project_root() / LOCK_NAME
    if not path.is_file():
        raise LockStale(f"{path} is missing", hint="run `px lock` first, or name both sides")
    try:
        shown = path.relative_to(context.start)
    except ValueError:
        shown = path
    return _file_side(path, str(shown), shown)


def load_side(context: _Context, spec: str) -> tuple[LockSide, Lock]:
    if spec.startswith("@"):
        return _history_side(context, spec)
    path = Path(spec) if Path(spec).is_absolute() else context.start / spec
    shown = Path(spec)
    if path.is_dir() and (path / LOCK_NAME).is_file():
        path, shown = path / LOCK_NAME, shown / LOCK_NAME
    if path.is_file():
        return _file_side(path, spec, shown)
    return _git_side(context, spec)


def _file_side(path: Path, spec: str, shown: Path) -> tuple[LockSide, Lock]:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"cannot read {path}", why=error.strerror or str(error)) from None
    lock = parse(data, source=str(shown))
    return LockSide(spec, "file", str(shown), path=str(path), packages=len(lock.packages)), lock


def _history_side(context: _Context, spec: str) -> tuple[LockSide, Lock]:
    from px.store import locks

    match = _HISTORY.match(spec)
    if match is None:
        raise InputError(f"{spec!r} is not a lock history reference", hint=_HISTORY_HINT)
    store = context.store()
    if match.group("id") is not None:
        entry = locks.entry(store, int(match.group("id")))
        if entry is None:
            raise InputError(f"there is no lock {spec} in the store's history", hint=_HISTORY_HINT)
    else:
        project = context.project_root()
        entries = locks.history(store, str(project))
        back = 0 if match.group("latest") else int(match.group("back"))
        if back >= len(entries):
            raise InputError(
                f"there is no lock {spec} for {project}",
                why=f"the store's history holds {len(entries)} lock(s) of this project",
                hint="run `px lock history` to list them",
            )
        entry = entries[-1 - back]
    label = f"@{entry.id}"
    lock = parse(locks.body(store, entry), source=f"{label} ({entry.project})")
    side = LockSide(
        spec, "history", label, path=entry.project, history_id=entry.id, packages=len(lock.packages)
    )
    return side, lock


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, env=env, check=False)
    except FileNotFoundError:
        raise InputError(
            "cannot read a lock from git: git is not installed",
            hint="name a file or a lock of `px lock history` (@ID) instead",
        ) from None


def _first_line(result: subprocess.CompletedProcess[bytes]) -> str:
    text = result.stderr.decode("utf-8", "replace").strip()
    return text.splitlines()[0] if text else f"git exited with {result.returncode}"


def _git_side(context: _Context, spec: str) -> tuple[LockSide, Lock]:
    if spec.startswith("-"):
        raise InputError(f"{spec!r} is neither a file nor a git revision")
    cwd = context.start if context.start.is_dir() else context.start.parent
    top = _git(cwd, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        if spec == "HEAD":  # the default old side
            raise InputError(
                "px lock diff compares with the committed px.lock by default",
                why=f"{cwd} is not inside a git repository",
                hint="name the old side: @-1 (the previous lock in px's history), "
                "@ID from `px lock history`, or a file",
            )
        raise InputError(
            f"{spec!r} is neither a file nor a lock in git",
            why=f"{cwd} is not inside a git repository",
            hint="name a file, or a lock of `px lock history` (@ID, @latest, @-1)",
        )
    revision, _, inner = spec.partition(":")
    if not inner:
        root = Path(top.stdout.decode().strip())
        lock_path = context.project_root() / LOCK_NAME
        try:
            inner = lock_path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            raise InputError(
                f"cannot read {lock_path} from git",
                why=f"it is outside the git repository at {root}",
                hint="name the path inside the repository as REV:PATH",
            ) from None
    verified = _git(cwd, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    if verified.returncode != 0:
        raise InputError(
            f"{spec!r} is neither a file nor a git revision",
            why=f"git knows no revision {revision!r}",
            hint="name a file, a revision such as HEAD or main~1, or a history entry (@ID)",
        )
    shown = _git(cwd, "show", f"{revision}:{inner}")
    if shown.returncode != 0:
        raise InputError(
            f"{revision} has no {inner}",
            why=_first_line(shown),
            hint="px.lock was not committed at that revision: name another revision, a file, "
            "or a history entry (@ID)",
        )
    label = f"{revision}:{inner}"
    lock = parse(shown.stdout, source=label)
    side = LockSide(spec, "git", label, path=inner, revision=revision, packages=len(lock.packages))
    return side, lock
