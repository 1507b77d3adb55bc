"""Tool environments: the environments px keeps for the tools it runs (ruff), by version.

A tool environment lives under ``$PX_HOME/tools/<name>-<version>-<target>/``
and is assembled like a project's ``.px`` from wheels in the store. Its row
records which wheels it holds, so `px cache prune` keeps them and a deleted
directory is rebuilt from the store alone (offline).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from px.store.engine import Store

_COLUMNS = "id, name, version, target, python, path, state, created_at"
_FIND = f"SELECT {_COLUMNS} FROM tool_envs WHERE name = ? AND version = ? AND target = ?"
_WHEEL_SHAS = (
    "SELECT w.sha256 FROM wheels w JOIN tool_env_wheels tw ON tw.wheel_id = w.id"
    " WHERE tw.tool_id = ? ORDER BY w.name"
)
_UPSERT = (
    "INSERT INTO tool_envs (name, version, target, python, path, state, created_at)"
    " VALUES (?, ?, ?, ?, ?, 'committed', ?)"
    " ON CONFLICT (name, version, target) DO UPDATE SET python = excluded.python,"
    " path = excluded.path, state = excluded.state, created_at = excluded.created_at"
)
_ID = "SELECT id FROM tool_envs WHERE name = ? AND version = ? AND target = ?"


@dataclass(frozen=True)
class ToolEnv:
    id: int
    name: str
    version: str
    target: str
    python: str
    path: str
    state: str
    created_at: str
    wheel_sha256s: tuple[str, ...]  # in the order the environment was assembled


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def find_tool(store: Store, name: str, version: str, target: str) -> ToolEnv | None:
    """The recorded environment of ``name`` ``version`` for ``target``, with its wheels."""
    with store.read() as conn:
        row = conn.first(_FIND, (name, version, target))
        if row is None:
            return None
        shas = tuple(sha for (sha,) in conn.all(_WHEEL_SHAS, (row[0],)))
        return _tool(row, shas)


def record_tool(
    store: Store,
    *,
    name: str,
    version: str,
    target: str,
    python: str,
    path: str,
    wheel_ids: Sequence[int],
) -> int:
    """Record (or replace) the committed environment of ``name`` ``version`` for ``target``."""
    with store.write() as conn:
        conn.execute(_UPSERT, (name, version, target, python, path, _now()))
        tool_id = int(conn.scalar(_ID, (name, version, target)))
        conn.execute("DELETE FROM tool_env_wheels WHERE tool_id = ?", (tool_id,))
        if wheel_ids:
            conn.executemany(
                "INSERT INTO tool_env_wheels (tool_id, wheel_id) VALUES (?, ?)",
                [(tool_id, w) for w in sorted(set(wheel_ids))],
            )
    return tool_id


def _tool(row: tuple[Any, ...], shas: tuple[str, ...] = ()) -> ToolEnv:
    id_, name, version, target, python, path, state, created_at = row
    return ToolEnv(
        id=int(id_),
        name=name,
        version=version,
        target=target,
        python=python,
        path=path,
        state=state,
        created_at=created_at,
        wheel_sha256s=shas,
    )


def list_tools(store: Store) -> list[ToolEnv]:
    """Every recorded tool environment (without their wheels), oldest first."""
    with store.read() as conn:
        rows = conn.all(f"SELECT {_COLUMNS} FROM tool_envs ORDER BY id")
    return [_tool(r) for r in rows]
