"""The audit log: one row for every px command that changed the store."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping

from px import __version__

TYPE_CHECKING = False  # typing itself costs the fast paths milliseconds; mypy reads this as True
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
            "INSERT INTO audit_log "
            "(command, started_at, finished_at, outcome, exit_code, px_version, detail) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                command,
                started_at,
                now(),
                outcome,
                exit_code,
                __version__,
                None if detail is None else json.dumps(detail, sort_keys=True),
            ),
        )
