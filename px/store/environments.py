"""Environment generations: which wheels each generation of a project's .px holds.

A generation is recorded as ``staged`` before ``.px/current`` is switched to
it and ``committed`` after, so the store always knows what is on disk and can
rebuild it; older committed generations are what `px rollback` will return to.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from px.store.engine import Store, batches, placeholders


@dataclass(frozen=True)
class Generation:
    id: int
    project: str
    number: int
    lock_sha256: str | None
    python: str
    selection: str
    state: str
    created_at: str


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


_GENERATION_COLUMNS = "id, project, number, lock_sha256, python, selection, state, created_at"


def stage(
    store: Store,
    *,
    project: str,
    number: int,
    lock_sha256: str | None,
    python: str,
    selection: str,
    wheel_ids: Sequence[int],
) -> int:
    with store.write() as conn:
        conn.execute(
            "DELETE FROM env_generations WHERE project = ? AND number = ?", (project, number)
        )  # a number reused after an interrupted install
        gen_id = conn.execute(
            "INSERT INTO env_generations "
            "(project, number, lock_sha256, python, selection, state, created_at) "
            "VALUES (?, ?, ?, ?, ?, 'staged', ?)",
            (project, number, lock_sha256, python, selection, _now()),
        ).lastrowid
        assert gen_id is not None
        if wheel_ids:
            conn.executemany(
                "INSERT INTO env_generation_wheels (generation_id, wheel_id) VALUES (?, ?)",
                [(gen_id, w) for w in sorted(set(wheel_ids))],
            )
    return int(gen_id)


def commit(store: Store, generation_id: int) -> None:
    with store.write() as conn:
        conn.execute(
            "UPDATE env_generations SET state = 'committed' WHERE id = ?", (generation_id,)
        )


def mark_removed(store: Store, project: str, numbers: Sequence[int]) -> None:
    if not numbers:
        return
    with store.write() as conn:
        for batch in batches(list(numbers)):
            conn.execute(
                "UPDATE env_generations SET state = 'removed' "
                f"WHERE project = ? AND number IN ({placeholders(len(batch))})",
                (project, *batch),
            )


def generations(store: Store, project: str) -> list[Generation]:
    with store.read() as conn:
        rows = conn.all(
            f"SELECT {_GENERATION_COLUMNS} FROM env_generations WHERE project = ? ORDER BY number",
            (project,),
        )
    return [Generation(*row) for row in rows]
