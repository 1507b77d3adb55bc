"""The index client's HTTP cache, kept in the store.

Two tables: ``http_cache`` holds responses by URL (project pages, metadata
files without a known hash) with their validators and freshness, the body in
a blob; ``http_content`` maps a sha256 (as an index announces it) to the blob
holding those bytes, so nothing content-addressed is downloaded twice.

URLs stored here never carry credentials: the index client redacts them, and
this module refuses one that still has ``user@`` in it.
"""

from __future__ import annotations

import dataclasses
import urllib.parse
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from px.store.tables import metadata

http_cache = sa.Table(
    "http_cache",
    metadata,
    sa.Column("url", sa.Text, primary_key=True),  # without credentials
    sa.Column("status", sa.Integer, nullable=False),  # 200, or 404/410 remembered as "absent"
    sa.Column("final_url", sa.Text, nullable=True),  # after redirects, when it differs
    sa.Column("etag", sa.Text, nullable=True),
    sa.Column("last_modified", sa.Text, nullable=True),
    sa.Column("cache_control", sa.Text, nullable=True),
    sa.Column("expires_at", sa.Text, nullable=True),  # ISO UTC; NULL: revalidate every time
    sa.Column("fetched_at", sa.Text, nullable=False),  # ISO UTC, last 200 or 304
    sa.Column("content_type", sa.Text, nullable=True),
    sa.Column("body_key", sa.Text, sa.ForeignKey("blobs.key", ondelete="CASCADE"), nullable=True),
    sa.Column("size", sa.Integer, nullable=True),
    sa.Index("ix_http_cache_body_key", "body_key"),
)

http_content = sa.Table(
    "http_content",
    metadata,
    sa.Column("sha256", sa.Text, primary_key=True),
    sa.Column("blob_key", sa.Text, sa.ForeignKey("blobs.key", ondelete="CASCADE"), nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("filename", sa.Text, nullable=True),
    sa.Column("url", sa.Text, nullable=True),  # where it was first fetched, without credentials
    sa.Column("fetched_at", sa.Text, nullable=False),
    sa.Index("ix_http_content_blob_key", "blob_key"),
)


@dataclasses.dataclass(frozen=True)
class CachedResponse:
    url: str
    status: int
    fetched_at: str
    final_url: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    cache_control: str | None = None
    expires_at: str | None = None
    content_type: str | None = None
    body_key: str | None = None
    size: int | None = None


def _check_url(url: str | None) -> None:
    """Refuse a URL with userinfo: credentials must never reach the store."""
    if url is not None and "@" in urllib.parse.urlsplit(url).netloc:
        raise ValueError("refusing to store a URL that carries credentials")


# Statements are built once: SQLAlchemy then only binds values (about 3x cheaper per call).
_GET = sa.select(http_cache).where(http_cache.c.url == sa.bindparam("url"))
_FIELDS = tuple(f.name for f in dataclasses.fields(CachedResponse))
_UPSERT = sqlite_insert(http_cache)
_UPSERT = _UPSERT.on_conflict_do_update(
    index_elements=["url"], set_={k: _UPSERT.excluded[k] for k in _FIELDS if k != "url"}
)
_REFRESH = (
    http_cache.update()
    .where(http_cache.c.url == sa.bindparam("key"))
    .values(
        fetched_at=sa.bindparam("new_fetched_at"),
        expires_at=sa.bindparam("new_expires_at"),
        cache_control=sa.bindparam("new_cache_control"),
        # a validator the 304 did not repeat stays as it was
        etag=sa.func.coalesce(sa.bindparam("new_etag", type_=sa.Text), http_cache.c.etag),
        last_modified=sa.func.coalesce(
            sa.bindparam("new_last_modified", type_=sa.Text), http_cache.c.last_modified
        ),
    )
)
_DELETE = http_cache.delete().where(http_cache.c.url == sa.bindparam("key"))
_CONTENT = sa.select(http_content.c.sha256, http_content.c.blob_key).where(
    http_content.c.sha256.in_(sa.bindparam("shas", expanding=True))
)
_RECORD = sqlite_insert(http_content).on_conflict_do_nothing()


def get_response(conn: sa.Connection, url: str) -> CachedResponse | None:
    _check_url(url)
    row = conn.execute(_GET, {"url": url}).first()
    return None if row is None else CachedResponse(**row._asdict())


def put_response(conn: sa.Connection, entry: CachedResponse) -> None:
    """Insert or replace the cached response for ``entry.url``."""
    _check_url(entry.url)
    _check_url(entry.final_url)
    conn.execute(_UPSERT, {k: getattr(entry, k) for k in _FIELDS})


def refresh_response(
    conn: sa.Connection,
    url: str,
    *,
    fetched_at: str,
    expires_at: str | None,
    cache_control: str | None,
    etag: str | None,
    last_modified: str | None,
) -> None:
    """Record a successful revalidation (304): new freshness, validators if sent."""
    _check_url(url)
    conn.execute(
        _REFRESH,
        {
            "key": url,
            "new_fetched_at": fetched_at,
            "new_expires_at": expires_at,
            "new_cache_control": cache_control,
            "new_etag": etag,
            "new_last_modified": last_modified,
        },
    )


def delete_response(conn: sa.Connection, url: str) -> None:
    conn.execute(_DELETE, {"key": url})


def content_blobs(conn: sa.Connection, sha256s: Iterable[str]) -> dict[str, str]:
    """``{sha256: blob key}`` for the digests the store already holds."""
    wanted = sorted({s.lower() for s in sha256s})
    found: dict[str, str] = {}
    for i in range(0, len(wanted), 500):
        rows = conn.execute(_CONTENT, {"shas": wanted[i : i + 500]})
        found.update({sha: key for sha, key in rows})
    return found


def record_content(
    conn: sa.Connection,
    *,
    sha256: str,
    blob_key: str,
    size: int,
    fetched_at: str,
    filename: str | None = None,
    url: str | None = None,
) -> None:
    """Remember that ``sha256`` is stored as ``blob_key`` (first record wins)."""
    _check_url(url)
    conn.execute(
        _RECORD,
        {
            "sha256": sha256.lower(),
            "blob_key": blob_key,
            "size": size,
            "filename": filename,
            "url": url,
            "fetched_at": fetched_at,
        },
    )
