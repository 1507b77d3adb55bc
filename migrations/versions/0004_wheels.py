"""Wheels as manifests of blobs, and the cache of wheels built from sdists.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "wheels",
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("filename", sa.Text, nullable=False),
        sa.Column("sha256", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("version", sa.Text, nullable=False),
        sa.Column("tags", sa.Text, nullable=False),
        sa.Column("root_is_purelib", sa.Integer, nullable=False),
        sa.Column("metadata_key", sa.Text, nullable=False),
        sa.Column("entry_points", sa.Text, nullable=True),
        sa.Column("wheel_size", sa.Integer, nullable=False),
        sa.Column("file_count", sa.Integer, nullable=False),
        sa.Column("unpacked_size", sa.Integer, nullable=False),
        sa.Column("ingested_at", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_wheels"),
        sa.UniqueConstraint("sha256", name="uq_wheels_sha256"),
        sa.ForeignKeyConstraint(
            ["metadata_key"], ["blobs.key"], name="fk_wheels_metadata_key_blobs"
        ),
    )
    op.create_index("ix_wheels_name", "wheels", ["name"])
    op.create_table(
        "wheel_files",
        sa.Column("wheel_id", sa.Integer, nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("blob_key", sa.Text, nullable=False),
        sa.Column("mode", sa.Integer, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("wheel_id", "path", name="pk_wheel_files"),
        sa.ForeignKeyConstraint(
            ["wheel_id"], ["wheels.id"], name="fk_wheel_files_wheel_id_wheels", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["blob_key"], ["blobs.key"], name="fk_wheel_files_blob_key_blobs"),
    )
    op.create_index("ix_wheel_files_blob_key", "wheel_files", ["blob_key"])
    op.create_table(
        "built_wheels",
        sa.Column("sdist_sha256", sa.Text, nullable=False),
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("wheel_id", sa.Integer, nullable=False),
        sa.Column("built_at", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("sdist_sha256", "target", name="pk_built_wheels"),
        sa.ForeignKeyConstraint(
            ["wheel_id"],
            ["wheels.id"],
            name="fk_built_wheels_wheel_id_wheels",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_built_wheels_wheel_id", "built_wheels", ["wheel_id"])
    op.execute(
        "CREATE VIEW px_wheels AS SELECT id, filename, sha256, name, version, tags, wheel_size, "
        "file_count, unpacked_size, ingested_at, source FROM wheels"
    )
    op.execute(
        "CREATE VIEW px_wheel_files AS SELECT f.wheel_id, w.filename, f.path, f.blob_key, "
        "f.mode, f.size FROM wheel_files f JOIN wheels w ON w.id = f.wheel_id"
    )


def downgrade() -> None:
    op.execute("DROP VIEW px_wheel_files")
    op.execute("DROP VIEW px_wheels")
    op.drop_index("ix_built_wheels_wheel_id", table_name="built_wheels")
    op.drop_table("built_wheels")
    op.drop_index("ix_wheel_files_blob_key", table_name="wheel_files")
    op.drop_table("wheel_files")
    op.drop_index("ix_wheels_name", table_name="wheels")
    op.drop_table("wheels")
