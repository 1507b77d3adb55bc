"""Environment generations: which wheels each generation of a project's .px holds.

A generation is recorded as ``staged`` before ``.px/current`` is switched to
it and ``committed`` after, so the store always knows what is on disk and can
rebuild it; older committed generations are what `px rollback` will return to.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from px.store.engine import Store
from px.store.tables import metadata

env_generations = sa.Table(
    "env_generations",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("project", sa.Text, nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("lock_sha256", sa.Text, nullable=True),
    sa.Column("python", sa.Text, nullable=False),
    sa.Column("selection", sa.Text, nullable=False),
    sa.Column("state", sa.Text, nullable=False),  # staged | committed | removed
    sa.Column("created_at", sa.Text, nullable=False),
    sa.UniqueConstraint("project", "number", name="uq_env_generations_project"),
)

env_generation_wheels = sa.Table(
    "env_generation_wheels",
    metadata,
    sa.Column(
        "generation_id",
        sa.Integer,
        sa.ForeignKey("env_generations.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column(
        "wheel_id", sa.Integer, sa.ForeignKey("wheels.id", ondelete="CASCADE"), primary_key=True
    ),
)


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
            env_generations.delete().where(
                (env_generations.c.project == project) & (env_generations.c.number == number)
            )
        )  # a number reused after an interrupted install
        gen_id = conn.execute(
            env_generations.insert()
            .values(
                project=project,
                number=number,
                lock_sha256=lock_sha256,
                python=python,
                selection=selection,
                state="staged",
                created_at=_now(),
            )
            .returning(env_generations.c.id)
        ).scalar_one()
        if wheel_ids:
            conn.execute(
                env_generation_wheels.insert(),
                [{"generation_id": gen_id, "wheel_id": w} for w in sorted(set(wheel_ids))],
            )
    return int(gen_id)


def commit(store: Store, generation_id: int) -> None:
    with store.write() as conn:
        conn.execute(
            env_generations.update()
            .where(env_generations.c.id == generation_id)
            .values(state="committed")
        )


def mark_removed(store: Store, project: str, numbers: Sequence[int]) -> None:
    if not numbers:
        return
    with store.write() as conn:
        conn.execute(
            env_generations.update()
            .where(
                (env_generations.c.project == project) & env_generations.c.number.in_(list(numbers))
            )
            .values(state="removed")
        )


def generations(store: Store, project: str) -> list[Generation]:
    with store.read() as conn:
        rows = conn.execute(
            sa.select(env_generations)
            .where(env_generations.c.project == project)
            .order_by(env_generations.c.number)
        )
        return [
            Generation(
                r.id,
                r.project,
                r.number,
                r.lock_sha256,
                r.python,
                r.selection,
                r.state,
                r.created_at,
            )
            for r in rows
        ]
