"""Install plans: what a warm ``px install`` of a given lock builds, found with the stdlib.

``install_plans``: for a context (px, interpreter, environment variables, the
bytes of ``pyproject.toml`` and ``px.lock``, the package selection), the
interpreter, wheels, trees and entry points the last install of it used, so
the next one in a fresh directory assembles its generation without parsing
the lock or reading manifests (:mod:`px.cli.fastinstall`).

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "install_plans",
        sa.Column("key", sa.Text, nullable=False),  # sha256 of the context (px.store.install_plans)
        sa.Column("plan", sa.Text, nullable=False),  # JSON, see px.ops.activate.Plan
        sa.Column("created_at", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_install_plans"),
    )


def downgrade() -> None:
    op.drop_table("install_plans")
