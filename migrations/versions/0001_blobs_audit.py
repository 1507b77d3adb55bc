"""Content-addressed blobs, the audit log, and the first query views.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meta",
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_meta"),
    )
    op.create_table(
        "blobs",
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("stored_size", sa.Integer, nullable=False),
        sa.Column("chunks", sa.Integer, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_blobs"),
    )
    op.create_table(
        "blob_chunks",
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("key", "seq", name="pk_blob_chunks"),
        sa.ForeignKeyConstraint(
            ["key"], ["blobs.key"], name="fk_blob_chunks_key_blobs", ondelete="CASCADE"
        ),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("command", sa.Text, nullable=False),
        sa.Column("started_at", sa.Text, nullable=False),
        sa.Column("finished_at", sa.Text, nullable=False),
        sa.Column("outcome", sa.Text, nullable=False),
        sa.Column("exit_code", sa.Integer, nullable=False),
        sa.Column("px_version", sa.Text, nullable=False),
        sa.Column("detail", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.execute(
        "CREATE VIEW px_blobs AS SELECT key, size, stored_size, chunks, created_at FROM blobs"
    )
    op.execute(
        "CREATE VIEW px_audit AS SELECT id, command, started_at, finished_at, outcome, "
        "exit_code, px_version, detail FROM audit_log"
    )


def downgrade() -> None:
    op.execute("DROP VIEW px_audit")
    op.execute("DROP VIEW px_blobs")
    op.drop_table("audit_log")
    op.drop_table("blob_chunks")
    op.drop_table("blobs")
    op.drop_table("meta")
