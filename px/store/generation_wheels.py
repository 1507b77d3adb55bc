"""Which wheels a project's environment generation holds (what `px tidy` reads)."""

from __future__ import annotations

import sqlalchemy as sa

from px.store.engine import Store
from px.store.environments import env_generation_wheels, env_generations
from px.store.wheels import wheels


def generation_wheel_sha256s(store: Store, project: str, number: int) -> tuple[str, ...]:
    """The sha256 of every wheel in generation ``number`` of ``project``, by name."""
    query = (
        sa.select(wheels.c.sha256)
        .join(env_generation_wheels, env_generation_wheels.c.wheel_id == wheels.c.id)
        .join(env_generations, env_generations.c.id == env_generation_wheels.c.generation_id)
        .where(env_generations.c.project == project, env_generations.c.number == number)
        .order_by(wheels.c.name, wheels.c.id)
    )
    with store.read() as conn:
        return tuple(conn.execute(query).scalars())
