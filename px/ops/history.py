"""`px lock history`: the locks of this project kept in the store, and what each changed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from px.config import Settings
from px.errors import InputError
from px.lock import Lock, parse
from px.lock.diff import diff_locks
from px.project import find_project


@dataclass(frozen=True)
class HistoryEntry:
    id: int
    created_at: str
    lock_sha256: str
    input_digest: str
    package_count: int
    command: str | None
    previous_id: int | None  # the project's entry before this one
    changes: dict[str, int] | None  # counts by kind vs previous_id; None for the first one

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "created_at": self.created_at,
            "lock_sha256": self.lock_sha256,
            "input_digest": self.input_digest,
            "package_count": self.package_count,
            "command": self.command,
            "previous_id": self.previous_id,
            "changes": self.changes,
        }


@dataclass(frozen=True)
class HistoryResult:
    project: str
    entries: tuple[HistoryEntry, ...]  # newest first
    total: int  # entries of the project in the store (``entries`` may be limited)

    def to_json(self) -> dict[str, object]:
        return {
            "project": self.project,
            "total": self.total,
            "entries": [e.to_json() for e in self.entries],
        }


def history(settings: Settings, start: Path, *, limit: int | None = None) -> HistoryResult:
    """This project's lock history, newest first; ``limit`` keeps the newest ones only."""
    from px.store import locks, open_store

    project = find_project(start)
    name = _project_name(project)
    with open_store(settings.store_dir, readonly=True) as store:
        rows = locks.history(store, str(project))
        shown = rows if limit is None else rows[max(0, len(rows) - limit - 1) :]
        parsed = [_parse(locks.body(store, row), row.id) for row in shown]
    entries = []
    for index, row in enumerate(shown):
        previous = shown[index - 1] if index > 0 else None
        changes = None
        if index > 0 and parsed[index - 1] is not None and parsed[index] is not None:
            old, new = parsed[index - 1], parsed[index]
            assert old is not None and new is not None
            changes = diff_locks(old, new, project=name).counts()
        entries.append(
            HistoryEntry(
                id=row.id,
                created_at=row.created_at,
                lock_sha256=row.lock_sha256,
                input_digest=row.input_digest,
                package_count=row.package_count,
                command=row.command,
                previous_id=previous.id if previous else None,
                changes=changes,
            )
        )
    if limit is not None:
        entries = entries[-limit:] if limit else []
    return HistoryResult(str(project), tuple(reversed(entries)), len(rows))


def _parse(body: bytes, lock_id: int) -> Lock | None:
    try:
        return parse(body, source=f"@{lock_id}")
    except InputError:
        return None  # a lock this px cannot read: its changes are unknown


def _project_name(root: Path) -> str:
    from px.project import load_project

    try:
        return load_project(root).name
    except InputError:
        return "the project"
