"""Fetching through the store: the HTTP cache for pages, sha256 dedup for content.

:class:`CachedFetcher` is the only code that both talks HTTP and reads or
writes the store's HTTP cache. Offline it answers from the store alone.
"""

from __future__ import annotations

import dataclasses
import logging
import urllib.parse
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

from px.errors import OfflineMiss
from px.index import caching
from px.index.download import HashingFileSink, check_digest, hash_file
from px.index.pages import JSON_TYPE
from px.index.transport import MemorySink, Transport
from px.index.urls import redact
from px.store import http_cache

if TYPE_CHECKING:
    from px.store import Store

log = logging.getLogger("px.index")
ABSENT = {404, 410}


@dataclasses.dataclass(frozen=True)
class Fetched:
    """A cached or fresh 200 response: its final URL (no credentials), type and body."""

    url: str
    content_type: str
    body: bytes


def local_path(url: str) -> Path:
    """The path a ``file:`` URL names."""
    return Path(urllib.request.url2pathname(urllib.parse.urlsplit(url).path))


def local_page(url: str) -> Fetched | None:
    """A page of a ``file:`` index: a file, or a directory's index.json / index.html."""
    path = local_path(url)
    if path.is_dir():
        for name, content_type in (("index.json", JSON_TYPE), ("index.html", "text/html")):
            if (path / name).is_file():
                base = url if url.endswith("/") else url + "/"
                return Fetched(base, content_type, (path / name).read_bytes())
        return None
    if path.is_file():
        content_type = JSON_TYPE if path.suffix == ".json" else "text/html"
        return Fetched(url, content_type, path.read_bytes())
    return None


def offline_miss(what: str, url: str) -> OfflineMiss:
    return OfflineMiss(
        f"{what} is not in the store ({redact(url)})",
        why="px is running offline (--offline or PX_OFFLINE=1)",
        hint="run the same command once online to fill the store, then offline works",
    )


class CachedFetcher:
    def __init__(self, store: Store, transport: Transport | None, *, offline: bool) -> None:
        self.store = store
        self.transport = transport
        self.offline = offline

    # -- pages and other URL-keyed documents --------------------------------------

    def page(self, url: str, *, accept: str, what: str) -> Fetched | None:
        """GET ``url`` honouring the HTTP cache; ``None`` when the server says 404/410."""
        if url.startswith("file:"):
            return local_page(url)
        key = redact(url)
        with self.store.read() as conn:
            cached = http_cache.get_response(conn, key)
        now = caching.now_utc()
        if self.offline or (cached is not None and caching.is_fresh(cached.expires_at, now)):
            if cached is None:
                raise offline_miss(what, url)
            log.debug("cache hit for %s (%s)", key, "offline" if self.offline else "fresh")
            return self._from_cache(cached)
        headers = {"Accept": accept, "Accept-Encoding": "gzip, deflate"}
        if cached is not None and cached.status == 200 and cached.body_key is not None:
            if cached.etag:
                headers["If-None-Match"] = cached.etag
            if cached.last_modified:
                headers["If-Modified-Since"] = cached.last_modified
        assert self.transport is not None
        sink = MemorySink()
        response = self.transport.get(url, sink, headers)
        fresh = caching.freshness(response.headers, now)
        expires = caching.to_iso(fresh.expires_at) if fresh.expires_at else None
        stamp = caching.to_iso(now)
        if response.status == 304 and cached is not None and cached.body_key is not None:
            with self.store.write() as conn:
                http_cache.refresh_response(
                    conn,
                    key,
                    fetched_at=stamp,
                    expires_at=expires,
                    cache_control=response.headers.get("cache-control"),
                    etag=response.headers.get("etag"),
                    last_modified=response.headers.get("last-modified"),
                )
            log.debug("revalidated %s (304)", key)
            return self._from_cache(cached)
        if response.status == 304:
            from px.errors import NetworkError

            raise NetworkError(f"the index answered 304 for {key} to an unconditional request")
        body = sink.getvalue() if response.status == 200 else b""
        content_type = response.headers.get("content-type", "")
        if not fresh.storable:
            with self.store.write() as conn:
                http_cache.delete_response(conn, key)
        else:
            blob = self.store.blobs.put(body) if response.status == 200 else None
            entry = http_cache.CachedResponse(
                url=key,
                status=response.status,
                fetched_at=stamp,
                final_url=response.url if response.url != key else None,
                etag=response.headers.get("etag"),
                last_modified=response.headers.get("last-modified"),
                cache_control=response.headers.get("cache-control"),
                expires_at=expires,
                content_type=content_type,
                body_key=blob,
                size=len(body) if blob else None,
            )
            with self.store.write() as conn:
                http_cache.put_response(conn, entry)
        if response.status in ABSENT:
            return None
        return Fetched(response.url, content_type, body)

    def _from_cache(self, cached: http_cache.CachedResponse) -> Fetched | None:
        if cached.status in ABSENT or cached.body_key is None:
            return None
        body = self.store.blobs.get(cached.body_key)
        return Fetched(cached.final_url or cached.url, cached.content_type or "", body)

    # -- content known by its sha256 ----------------------------------------------

    def known(self, sha256: str | None) -> str | None:
        """The blob key of content with this sha256, if the store has it."""
        if not sha256:
            return None
        with self.store.read() as conn:
            return http_cache.content_blobs(conn, [sha256]).get(sha256.lower())

    def content(
        self,
        url: str,
        *,
        filename: str,
        expected: dict[str, str],
        what: str,
    ) -> str | None:
        """Download ``url`` into the store (once per sha256); return the blob key.

        ``expected`` maps hash algorithms to digests; a mismatch stores nothing.
        ``None``: the server says the file does not exist (404/410).
        """
        found = self.known(expected.get("sha256"))
        if found is not None:
            log.debug("%s already in the store (sha256)", filename)
            return found
        if url.startswith("file:"):
            return self._local(url, filename=filename, expected=expected)
        if self.offline:
            raise offline_miss(what, url)
        assert self.transport is not None
        with HashingFileSink(algorithms=expected) as sink:
            response = self.transport.get(url, sink, {"Accept": "*/*"})
            sink.finish()
            if response.status != 200:
                return None
            for algorithm, digest in sorted(expected.items()):
                if algorithm in {"sha224", "sha256", "sha384", "sha512"}:
                    check_digest(filename, algorithm, digest, sink.digest(algorithm))
            # The blake3 computed while streaming is the blob key: skip the write if present.
            key = sink.blake3
            if not self.store.blobs.has(key):
                key = self.store.blobs.put_file(sink.path)
            self._remember(sink.sha256, key, sink.size, filename, url)
            log.debug("downloaded %s (%d bytes)", filename, sink.size)
            return key

    def _local(self, url: str, *, filename: str, expected: dict[str, str]) -> str | None:
        path = local_path(url)
        if not path.is_file():
            return None
        actual = hash_file(path)
        if "sha256" in expected:
            check_digest(filename, "sha256", expected["sha256"], actual)
        key = self.store.blobs.put_file(path)
        self._remember(actual, key, path.stat().st_size, filename, url)
        return key

    def _remember(self, sha256: str, key: str, size: int, filename: str, url: str) -> None:
        with self.store.write() as conn:
            http_cache.record_content(
                conn,
                sha256=sha256,
                blob_key=key,
                size=size,
                fetched_at=caching.to_iso(caching.now_utc()),
                filename=filename,
                url=redact(url),
            )
