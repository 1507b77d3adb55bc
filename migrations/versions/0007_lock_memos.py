"""Lock memos: which resolution answered which inputs, and the index pages it read.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lock_memos",
        sa.Column("key", sa.Text, nullable=False),  # sha256 of everything the resolution read
        sa.Column("lock_id", sa.Integer, nullable=False),
        # JSON {"pages": [[index, project, page blob key or null], ...], "warnings": [...]}
        sa.Column("reads", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_lock_memos"),
        sa.ForeignKeyConstraint(
            ["lock_id"],
            ["lock_history.id"],
            name="fk_lock_memos_lock_id_lock_history",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_lock_memos_lock_id", "lock_memos", ["lock_id"])


def downgrade() -> None:
    op.drop_index("ix_lock_memos_lock_id", "lock_memos")
    op.drop_table("lock_memos")
