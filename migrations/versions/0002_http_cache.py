"""The HTTP cache of the index client: pages by URL, downloads by sha256.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "http_cache",
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("status", sa.Integer, nullable=False),
        sa.Column("final_url", sa.Text, nullable=True),
        sa.Column("etag", sa.Text, nullable=True),
        sa.Column("last_modified", sa.Text, nullable=True),
        sa.Column("cache_control", sa.Text, nullable=True),
        sa.Column("expires_at", sa.Text, nullable=True),
        sa.Column("fetched_at", sa.Text, nullable=False),
        sa.Column("content_type", sa.Text, nullable=True),
        sa.Column("body_key", sa.Text, nullable=True),
        sa.Column("size", sa.Integer, nullable=True),
        sa.PrimaryKeyConstraint("url", name="pk_http_cache"),
        sa.ForeignKeyConstraint(
            ["body_key"], ["blobs.key"], name="fk_http_cache_body_key_blobs", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_http_cache_body_key", "http_cache", ["body_key"])
    op.create_table(
        "http_content",
        sa.Column("sha256", sa.Text, nullable=False),
        sa.Column("blob_key", sa.Text, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("filename", sa.Text, nullable=True),
        sa.Column("url", sa.Text, nullable=True),
        sa.Column("fetched_at", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("sha256", name="pk_http_content"),
        sa.ForeignKeyConstraint(
            ["blob_key"], ["blobs.key"], name="fk_http_content_blob_key_blobs", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_http_content_blob_key", "http_content", ["blob_key"])
    op.execute(
        "CREATE VIEW px_http_cache AS SELECT url, status, final_url, etag, last_modified, "
        "cache_control, expires_at, fetched_at, content_type, size FROM http_cache"
    )
    op.execute(
        "CREATE VIEW px_downloads AS SELECT sha256, filename, url, size, blob_key, fetched_at "
        "FROM http_content"
    )


def downgrade() -> None:
    op.execute("DROP VIEW px_downloads")
    op.execute("DROP VIEW px_http_cache")
    op.drop_index("ix_http_content_blob_key", table_name="http_content")
    op.drop_table("http_content")
    op.drop_index("ix_http_cache_body_key", table_name="http_cache")
    op.drop_table("http_cache")
