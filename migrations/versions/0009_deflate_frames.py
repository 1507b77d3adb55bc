"""Objects may be stored as the deflate streams wheels hold: no table changes.

A blob chunk's frame is either a zstd frame or the tag ``DFL\\x01`` and a raw
deflate stream (``px/store/frames.py``, ``docs/store.md``). A px that knows
only zstd frames would take those for damage; this revision makes it refuse
the store as one from a newer px instead. Going back re-encodes every deflate
frame as a zstd frame, so the older px reads the same objects.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import zlib

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

DEFLATE_TAG = b"DFL\x01"


def upgrade() -> None:
    pass  # the frames a px of this revision writes are new; the tables are as they were


def downgrade() -> None:
    import zstandard

    conn = op.get_bind()
    chunks = sa.table("blob_chunks", sa.column("key"), sa.column("seq"), sa.column("data"))
    blobs = sa.table("blobs", sa.column("key"), sa.column("stored_size"))
    tagged = sa.func.substr(chunks.c.data, 1, len(DEFLATE_TAG)) == DEFLATE_TAG
    found = conn.execute(sa.select(chunks.c.key, chunks.c.seq).where(tagged)).all()
    compressor = zstandard.ZstdCompressor(level=1, write_content_size=True)
    for key, seq in found:  # one frame in memory at a time: at most 1 MiB raw
        where = (chunks.c.key == key) & (chunks.c.seq == seq)
        frame = bytes(conn.execute(sa.select(chunks.c.data).where(where)).scalar_one())
        packed = compressor.compress(zlib.decompress(frame[len(DEFLATE_TAG) :], -zlib.MAX_WBITS))
        conn.execute(sa.update(chunks).where(where).values(data=packed))
        conn.execute(
            sa.update(blobs)
            .where(blobs.c.key == key)
            .values(stored_size=blobs.c.stored_size + len(packed) - len(frame))
        )
