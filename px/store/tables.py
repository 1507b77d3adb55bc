"""The live SQLAlchemy Core tables of the store.

These mirror what the alembic revisions create (a test compares a store
upgraded to head with ``schema/schema.sql``). Revisions never import this
module: each spells out its own table shapes.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
)

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

meta = Table(
    "meta",
    metadata,
    Column("key", Text, primary_key=True),
    Column("value", Text, nullable=False),
)

blobs = Table(
    "blobs",
    metadata,
    Column("key", Text, primary_key=True),  # blake3 hex of the raw bytes
    Column("size", Integer, nullable=False),  # raw bytes
    Column("stored_size", Integer, nullable=False),  # compressed bytes, all chunks
    Column("chunks", Integer, nullable=False),
    Column("created_at", Text, nullable=False),
)

blob_chunks = Table(
    "blob_chunks",
    metadata,
    Column(
        "key",
        Text,
        ForeignKey("blobs.key", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("seq", Integer, primary_key=True),
    Column("data", LargeBinary, nullable=False),  # one zstd frame
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("command", Text, nullable=False),
    Column("started_at", Text, nullable=False),
    Column("finished_at", Text, nullable=False),
    Column("outcome", Text, nullable=False),  # "ok" or an error code
    Column("exit_code", Integer, nullable=False),
    Column("px_version", Text, nullable=False),
    Column("detail", Text, nullable=True),  # JSON
)
