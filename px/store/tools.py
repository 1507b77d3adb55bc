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

import sqlalchemy as sa
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from px.store.engine import Store
from px.store.tables import metadata
from px.store.wheels import wheels

tool_envs = sa.Table(
    "tool_envs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.Text, nullable=False),  # normalised distribution name
    sa.Column("version", sa.Text, nullable=False),
    sa.Column("target", sa.Text, nullable=False),  # the lock target id of the interpreter
    sa.Column("python", sa.Text, nullable=False),
    sa.Column("path", sa.Text, nullable=False),
    sa.Column("state", sa.Text, nullable=False),  # committed
    sa.Column("created_at", sa.Text, nullable=False),
    sa.UniqueConstraint("name", "version", "target", name="uq_tool_envs_name"),
)

tool_env_wheels = sa.Table(
    "tool_env_wheels",
    metadata,
    sa.Column(
        "tool_id", sa.Integer, sa.ForeignKey("tool_envs.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column(
        "wheel_id",
        sa.Integer,
        sa.ForeignKey("wheels.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


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
        row = conn.execute(
            sa.select(tool_envs).where(
                tool_envs.c.name == name,
                tool_envs.c.version == version,
                tool_envs.c.target == target,
            )
        ).first()
        if row is None:
            return None
        shas = conn.execute(
            sa.select(wheels.c.sha256)
            .join(tool_env_wheels, tool_env_wheels.c.wheel_id == wheels.c.id)
            .where(tool_env_wheels.c.tool_id == row.id)
            .order_by(wheels.c.name)
        ).scalars()
        return _tool(row, tuple(shas))


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
    statement = sqlite_insert(tool_envs).values(
        name=name, version=version, target=target, python=python, path=path,
        state="committed", created_at=_now(),
    )  # fmt: skip
    statement = statement.on_conflict_do_update(
        index_elements=["name", "version", "target"],
        set_={key: statement.excluded[key] for key in ("python", "path", "state", "created_at")},
    )
    with store.write() as conn:
        conn.execute(statement)
        tool_id = conn.execute(
            sa.select(tool_envs.c.id).where(
                tool_envs.c.name == name,
                tool_envs.c.version == version,
                tool_envs.c.target == target,
            )
        ).scalar_one()
        conn.execute(tool_env_wheels.delete().where(tool_env_wheels.c.tool_id == tool_id))
        if wheel_ids:
            conn.execute(
                tool_env_wheels.insert(),
                [{"tool_id": tool_id, "wheel_id": w} for w in sorted(set(wheel_ids))],
            )
    return int(tool_id)


def _tool(row: sa.Row[Any], shas: tuple[str, ...] = ()) -> ToolEnv:
    return ToolEnv(
        id=int(row.id),
        name=row.name,
        version=row.version,
        target=row.target,
        python=row.python,
        path=row.path,
        state=row.state,
        created_at=row.created_at,
        wheel_sha256s=shas,
    )


def list_tools(store: Store) -> list[ToolEnv]:
    """Every recorded tool environment (without their wheels), oldest first."""
    with store.read() as conn:
        rows = conn.execute(sa.select(tool_envs).order_by(tool_envs.c.id)).all()
    return [_tool(r) for r in rows]
