"""Which wheels a project's environment generation holds (what `px tidy` reads)."""

from __future__ import annotations

from px.store.engine import Store

_SHA256S = (
    "SELECT w.sha256 FROM wheels w "
    "JOIN env_generation_wheels gw ON gw.wheel_id = w.id "
    "JOIN env_generations g ON g.id = gw.generation_id "
    "WHERE g.project = ? AND g.number = ? ORDER BY w.name, w.id"
)


def generation_wheel_sha256s(store: Store, project: str, number: int) -> tuple[str, ...]:
    """The sha256 of every wheel in generation ``number`` of ``project``, by name."""
    with store.read() as conn:
        return tuple(sha256 for (sha256,) in conn.all(_SHA256S, (project, number)))
