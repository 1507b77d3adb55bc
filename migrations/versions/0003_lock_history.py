"""Lock history: every px.lock written, with its packages and dependency edges.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lock_history",
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("project", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("body_key", sa.Text, nullable=False),
        sa.Column("lock_sha256", sa.Text, nullable=False),
        sa.Column("input_digest", sa.Text, nullable=False),
        sa.Column("lock_version", sa.Integer, nullable=False),
        sa.Column("package_count", sa.Integer, nullable=False),
        sa.Column("command", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_lock_history"),
        sa.ForeignKeyConstraint(["body_key"], ["blobs.key"], name="fk_lock_history_body_key_blobs"),
    )
    op.create_index("ix_lock_history_project", "lock_history", ["project"])
    op.create_table(
        "lock_packages",
        sa.Column("lock_id", sa.Integer, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("version", sa.Text, nullable=False),
        sa.Column("major", sa.Integer, nullable=True),
        sa.Column("minor", sa.Integer, nullable=True),
        sa.Column("micro", sa.Integer, nullable=True),
        sa.Column("source_kind", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("lock_id", "name", "version", name="pk_lock_packages"),
        sa.ForeignKeyConstraint(
            ["lock_id"],
            ["lock_history.id"],
            name="fk_lock_packages_lock_id_lock_history",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_lock_packages_name", "lock_packages", ["name"])
    op.create_table(
        "lock_edges",
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("lock_id", sa.Integer, nullable=False),
        sa.Column("parent", sa.Text, nullable=False),
        sa.Column("child", sa.Text, nullable=False),
        sa.Column("specifier", sa.Text, nullable=False),
        sa.Column("marker", sa.Text, nullable=True),
        sa.Column("extras", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_lock_edges"),
        sa.ForeignKeyConstraint(
            ["lock_id"],
            ["lock_history.id"],
            name="fk_lock_edges_lock_id_lock_history",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_lock_edges_lock_id", "lock_edges", ["lock_id"])
    op.execute(
        "CREATE VIEW px_locks AS SELECT id, project, created_at, lock_sha256, input_digest, "
        "lock_version, package_count, command FROM lock_history"
    )
    op.execute(
        "CREATE VIEW px_lock_packages AS SELECT p.lock_id, h.project, p.name, p.version, "
        "p.major, p.minor, p.micro, p.source_kind, p.source "
        "FROM lock_packages p JOIN lock_history h ON h.id = p.lock_id"
    )
    op.execute(
        "CREATE VIEW px_lock_edges AS SELECT e.lock_id, h.project, e.parent, e.child, "
        "e.specifier, e.marker, e.extras "
        "FROM lock_edges e JOIN lock_history h ON h.id = e.lock_id"
    )


def downgrade() -> None:
    op.execute("DROP VIEW px_lock_edges")
    op.execute("DROP VIEW px_lock_packages")
    op.execute("DROP VIEW px_locks")
    op.drop_index("ix_lock_edges_lock_id", table_name="lock_edges")
    op.drop_table("lock_edges")
    op.drop_index("ix_lock_packages_name", table_name="lock_packages")
    op.drop_table("lock_packages")
    op.drop_index("ix_lock_history_project", table_name="lock_history")
    op.drop_table("lock_history")
