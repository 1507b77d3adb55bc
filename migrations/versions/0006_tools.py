"""Tool environments (ruff for `px fmt`/`px lint`), and the wheels each holds.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tool_envs",
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("version", sa.Text, nullable=False),
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("python", sa.Text, nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_tool_envs"),
        sa.UniqueConstraint("name", "version", "target", name="uq_tool_envs_name"),
    )
    op.create_table(
        "tool_env_wheels",
        sa.Column("tool_id", sa.Integer, nullable=False),
        sa.Column("wheel_id", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("tool_id", "wheel_id", name="pk_tool_env_wheels"),
        sa.ForeignKeyConstraint(
            ["tool_id"],
            ["tool_envs.id"],
            name="fk_tool_env_wheels_tool_id_tool_envs",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["wheel_id"],
            ["wheels.id"],
            name="fk_tool_env_wheels_wheel_id_wheels",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_tool_env_wheels_wheel_id", "tool_env_wheels", ["wheel_id"])
    op.execute(
        "CREATE VIEW px_tools AS SELECT id, name, version, target, python, path, state, "
        "created_at FROM tool_envs"
    )
    op.execute(
        "CREATE VIEW px_tool_wheels AS SELECT t.id AS tool_id, t.name AS tool, "
        "t.version AS tool_version, w.name, w.version, w.filename FROM tool_env_wheels tw "
        "JOIN tool_envs t ON t.id = tw.tool_id JOIN wheels w ON w.id = tw.wheel_id"
    )


def downgrade() -> None:
    op.execute("DROP VIEW px_tool_wheels")
    op.execute("DROP VIEW px_tools")
    op.drop_index("ix_tool_env_wheels_wheel_id", table_name="tool_env_wheels")
    op.drop_table("tool_env_wheels")
    op.drop_table("tool_envs")
