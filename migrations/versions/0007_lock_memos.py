"""Lock memos and lock contexts: re-locking without resolving, or without parsing.

``lock_memos``: which resolution answered which inputs, and the index pages it read.
``lock_contexts``: what ``px lock`` concluded for a project in a given context
(px, interpreter, pyproject.toml bytes), so an unchanged project is answered
before anything heavy is imported.

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
    op.create_table(
        "lock_contexts",
        sa.Column("key", sa.Text, nullable=False),  # sha256 of the context (px.store.lock_contexts)
        sa.Column("input_digest", sa.Text, nullable=False),
        sa.Column("target_id", sa.Text, nullable=False),
        sa.Column("lock_sha256", sa.Text, nullable=False),  # the px.lock that answers it
        sa.Column("packages", sa.Integer, nullable=False),
        sa.Column("memo_key", sa.Text, nullable=True),  # the memo of a lock made from scratch
        sa.Column("created_at", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_lock_contexts"),
    )


def downgrade() -> None:
    op.drop_table("lock_contexts")
    op.drop_index("ix_lock_memos_lock_id", "lock_memos")
    op.drop_table("lock_memos")
