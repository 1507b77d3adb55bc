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

from px.store.engine import Connection, batches, placeholders


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


_FIELDS = tuple(f.name for f in dataclasses.fields(CachedResponse))
_COLUMNS = ", ".join(_FIELDS)

# Statement text is built once, at import; columns in the order of CachedResponse's fields.
_GET = f"SELECT {_COLUMNS} FROM http_cache WHERE url = ?"
_UPSERT = (
    f"INSERT INTO http_cache ({_COLUMNS}) VALUES ({', '.join(':' + k for k in _FIELDS)}) "
    "ON CONFLICT (url) DO UPDATE SET "
    + ", ".join(f"{k} = excluded.{k}" for k in _FIELDS if k != "url")
)
# a validator the 304 did not repeat stays as it was
_REFRESH = (
    "UPDATE http_cache SET fetched_at = :fetched_at, expires_at = :expires_at, "
    "cache_control = :cache_control, etag = coalesce(:etag, etag), "
    "last_modified = coalesce(:last_modified, last_modified) WHERE url = :url"
)
_DELETE = "DELETE FROM http_cache WHERE url = ?"
_CONTENT = "SELECT sha256, blob_key FROM http_content WHERE sha256 IN ({})"
_RECORD = (
    "INSERT INTO http_content (sha256, blob_key, size, filename, url, fetched_at) "
    "VALUES (:sha256, :blob_key, :size, :filename, :url, :fetched_at) ON CONFLICT DO NOTHING"
)


def get_response(conn: Connection, url: str) -> CachedResponse | None:
    _check_url(url)
    row = conn.first(_GET, (url,))
    return None if row is None else CachedResponse(*row)


def put_response(conn: Connection, entry: CachedResponse) -> None:
    """Insert or replace the cached response for ``entry.url``."""
    _check_url(entry.url)
    _check_url(entry.final_url)
    conn.execute(_UPSERT, {k: getattr(entry, k) for k in _FIELDS})


def refresh_response(
    conn: Connection,
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
            "url": url,
            "fetched_at": fetched_at,
            "expires_at": expires_at,
            "cache_control": cache_control,
            "etag": etag,
            "last_modified": last_modified,
        },
    )


def delete_response(conn: Connection, url: str) -> None:
    conn.execute(_DELETE, (url,))


def content_blobs(conn: Connection, sha256s: Iterable[str]) -> dict[str, str]:
    """``{sha256: blob key}`` for the digests the store already holds."""
    wanted = sorted({s.lower() for s in sha256s})
    found: dict[str, str] = {}
    for batch in batches(wanted):
        rows = conn.all(_CONTENT.format(placeholders(len(batch))), batch)
        found.update({sha: key for sha, key in rows})
    return found


def record_content(
    conn: Connection,
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
