"""Environment generations of each project's .px, and the wheels each holds.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "env_generations",
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("project", sa.Text, nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("lock_sha256", sa.Text, nullable=True),
        sa.Column("python", sa.Text, nullable=False),
        sa.Column("selection", sa.Text, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_env_generations"),
        sa.UniqueConstraint("project", "number", name="uq_env_generations_project"),
    )
    op.create_table(
        "env_generation_wheels",
        sa.Column("generation_id", sa.Integer, nullable=False),
        sa.Column("wheel_id", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("generation_id", "wheel_id", name="pk_env_generation_wheels"),
        sa.ForeignKeyConstraint(
            ["generation_id"],
            ["env_generations.id"],
            name="fk_env_generation_wheels_generation_id_env_generations",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["wheel_id"],
            ["wheels.id"],
            name="fk_env_generation_wheels_wheel_id_wheels",
            ondelete="CASCADE",
        ),
    )
    op.execute(
        "CREATE VIEW px_generations AS SELECT id, project, number, lock_sha256, python, "
        "selection, state, created_at FROM env_generations"
    )
    op.execute(
        "CREATE VIEW px_generation_wheels AS SELECT g.project, g.number, w.name, w.version, "
        "w.filename FROM env_generation_wheels gw "
        "JOIN env_generations g ON g.id = gw.generation_id JOIN wheels w ON w.id = gw.wheel_id"
    )


def downgrade() -> None:
    op.execute("DROP VIEW px_generation_wheels")
    op.execute("DROP VIEW px_generations")
    op.drop_table("env_generation_wheels")
    op.drop_table("env_generations")
