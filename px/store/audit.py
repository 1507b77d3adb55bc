"""The audit log: one row for every px command that changed the store."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING

from px import __version__
from px.store.tables import audit_log

if TYPE_CHECKING:
    from px.store.engine import Store


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def record(
    store: Store,
    command: str,
    *,
    started_at: str,
    outcome: str,
    exit_code: int,
    detail: Mapping[str, object] | None = None,
) -> None:
    """Append one audit row. ``detail`` must never hold a credential."""
    with store.write() as conn:
        conn.execute(
            audit_log.insert().values(
                command=command,
                started_at=started_at,
                finished_at=now(),
                outcome=outcome,
                exit_code=exit_code,
                px_version=__version__,
                detail=None if detail is None else json.dumps(detail, sort_keys=True),
            )
        )
