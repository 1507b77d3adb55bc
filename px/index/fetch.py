"""Fetching through the store: the HTTP cache for pages, sha256 dedup for content.

:class:`CachedFetcher` is the only code that both talks HTTP and reads or
writes the store's HTTP cache. Offline it answers from the store alone. Its
writes go through a :class:`~px.index.store_writes.StoreWriter`, so the writes
of many threads finishing at once share transactions instead of queueing on
SQLite's lock; small documents (metadata files) stay in memory end to end.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, TypeVar

from px.errors import OfflineMiss
from px.index import caching
from px.index.download import (
    CHECKED_ALGORITHMS,
    DOWNLOADS,
    PARTIAL_PREFIX,
    PARTIAL_SUFFIX,
    HashingFileSink,
    check_digest,
    hash_file,
    sweep_partial_downloads,
)
from px.index.pages import JSON_TYPE
from px.index.store_writes import Rows, StoreWriter
from px.index.urls import redact
from px.store import http_cache
from px.store.blobs import key_of

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from px.index.transport import Transport
    from px.store import Connection, Store


log = logging.getLogger("px.index")
T = TypeVar("T")
Reader = Callable[[Path | IO[bytes]], T]  # reads what it needs from a downloaded file
# A download read for what it holds (a small wheel's METADATA at lock time) stays in
# memory up to this size: no temporary file to create, write and remove, no blake3.
IN_MEMORY = 1 << 20
ABSENT = {404, 410}


@dataclasses.dataclass(frozen=True)
class Fetched:
    """A cached or fresh 200 response: its final URL (no credentials), type and body."""

    url: str
    content_type: str
    body: bytes
    key: str | None = None  # the body's blob key (blake3), when known


def local_path(url: str) -> Path:
    """The path a ``file:`` URL names."""
    import urllib.parse
    import urllib.request  # with http.client: 30 ms that only file: URLs need

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
        self.writer = StoreWriter(store)
        self._downloads: Path | None = None

    def _download_dir(self) -> Path:
        """Where bodies stream to before they are stored: inside the store directory, so
        what a killed px leaves is found and swept here, never left in the system's /tmp."""
        if self._downloads is None:  # threads racing here all make it: harmless
            downloads = self.store.directory / DOWNLOADS
            downloads.mkdir(exist_ok=True)
            sweep_partial_downloads(downloads)
            self._downloads = downloads  # only once it exists: another thread may use it
        return self._downloads

    # -- pages and other URL-keyed documents --------------------------------------

    def page(self, url: str, *, accept: str, what: str, body: bool = True) -> Fetched | None:
        """GET ``url`` honouring the HTTP cache; ``None`` when the server says 404/410.

        ``body=False``: the caller wants the body's blob key only; a page served
        from the cache (fresh, offline, or revalidated by a 304) is then not read.
        """
        if url.startswith("file:"):
            local = local_page(url)
            return None if local is None else dataclasses.replace(local, key=key_of(local.body))
        key = redact(url)
        with self.store.read() as conn:
            cached = http_cache.get_response(conn, key)
        now = caching.now_utc()
        if self.offline or (cached is not None and caching.is_fresh(cached.expires_at, now)):
            if cached is None:
                raise offline_miss(what, url)
            log.debug("cache hit for %s (%s)", key, "offline" if self.offline else "fresh")
            return self._from_cache(cached, body)
        headers = {"Accept": accept, "Accept-Encoding": "gzip, deflate"}
        if cached is not None and cached.status == 200 and cached.body_key is not None:
            if cached.etag:
                headers["If-None-Match"] = cached.etag
            if cached.last_modified:
                headers["If-Modified-Since"] = cached.last_modified
        assert self.transport is not None
        from px.index.transport import MemorySink

        sink = MemorySink()
        response = self.transport.get(url, sink, headers)
        fresh = caching.freshness(response.headers, now)
        expires = caching.to_iso(fresh.expires_at) if fresh.expires_at else None
        stamp = caching.to_iso(now)
        if response.status == 304 and cached is not None and cached.body_key is not None:

            def refresh(conn: Connection, _keys: Sequence[str]) -> None:
                http_cache.refresh_response(
                    conn,
                    key,
                    fetched_at=stamp,
                    expires_at=expires,
                    cache_control=response.headers.get("cache-control"),
                    etag=response.headers.get("etag"),
                    last_modified=response.headers.get("last-modified"),
                )

            self.writer.write((), refresh)
            log.debug("revalidated %s (304)", key)
            return self._from_cache(cached, body)
        if response.status == 304:
            from px.errors import NetworkError

            raise NetworkError(f"the index answered 304 for {key} to an unconditional request")
        data = sink.getvalue() if response.status == 200 else b""
        content_type = response.headers.get("content-type", "")
        body_key: str | None = None
        if not fresh.storable:
            self.writer.write((), lambda conn, _keys: http_cache.delete_response(conn, key))
        else:
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
            )

            def store(conn: Connection, keys: Sequence[str]) -> None:
                blob = keys[0] if keys else None
                stored = dataclasses.replace(entry, body_key=blob, size=len(data) if blob else None)
                http_cache.put_response(conn, stored)

            keys = self.writer.write((data,) if response.status == 200 else (), store)
            body_key = keys[0] if keys else None  # its blake3, once: a page is up to 7 MB
        if response.status in ABSENT:
            return None
        return Fetched(response.url, content_type, data, body_key or key_of(data))

    def _from_cache(self, cached: http_cache.CachedResponse, read: bool = True) -> Fetched | None:
        if cached.status in ABSENT or cached.body_key is None:
            return None
        body = self.store.blobs.get_many([cached.body_key])[cached.body_key] if read else b""
        url = cached.final_url or cached.url
        return Fetched(url, cached.content_type or "", body, cached.body_key)

    # -- content known by its sha256 ----------------------------------------------

    def known(self, sha256: str | None) -> str | None:
        """The blob key of content with this sha256, if the store has it."""
        if not sha256:
            return None
        return self.known_many([sha256]).get(sha256.lower())

    def known_many(self, sha256s: Iterable[str]) -> dict[str, str]:
        """``{sha256 (lower case): blob key}`` of the digests the store holds, in one read."""
        wanted = [s for s in sha256s if s]
        if not wanted:
            return {}
        with self.store.read() as conn:
            return http_cache.content_blobs(conn, wanted)

    def stored_documents(self, sha256s: Iterable[str]) -> dict[str, bytes]:
        """``{sha256 (lower case): bytes}`` of the small documents the store already holds.

        Two reads for any number of digests; every blob is verified (blake3) on the way.
        """
        keys = self.known_many(sha256s)
        if not keys:
            return {}
        bodies = self.store.blobs.get_many(keys.values())
        return {sha: bodies[key] for sha, key in keys.items()}

    def document(
        self,
        url: str,
        *,
        filename: str,
        expected: dict[str, str],
        what: str,
        look_in_store: bool = True,
    ) -> bytes | None:
        """A small file known by its sha256 (a metadata file): from the store, else fetched.

        Like :meth:`content` but kept in memory and returned as bytes: no temporary
        file, and no second read of what was just stored. ``None``: 404/410.
        ``look_in_store=False``: the caller has just looked (:meth:`stored_documents`).
        """
        sha256 = expected.get("sha256")
        if sha256 and look_in_store:
            found = self.stored_documents([sha256]).get(sha256.lower())
            if found is not None:
                log.debug("%s already in the store (sha256)", filename)
                return found
        if url.startswith("file:") or self.offline:
            key = self.content(url, filename=filename, expected=expected, what=what)
            return None if key is None else self.store.blobs.get_many([key])[key]
        assert self.transport is not None
        from px.index.transport import MemorySink

        sink = MemorySink()
        response = self.transport.get(url, sink, {"Accept": "*/*"})
        if response.status != 200:
            return None
        body = sink.getvalue()
        checked = {"sha256", *(a for a in expected if a in CHECKED_ALGORITHMS)}
        digests = {a: hashlib.new(a, body).hexdigest() for a in checked}
        for algorithm, digest in sorted(expected.items()):
            if algorithm in CHECKED_ALGORITHMS:
                check_digest(filename, algorithm, digest, digests[algorithm])
        self.writer.write((body,), self._record(digests["sha256"], len(body), filename, url))
        log.debug("downloaded %s (%d bytes)", filename, len(body))
        return body

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
        with self._download(url, filename, expected) as sink:
            if sink is None:
                return None
            return self._store_download(sink, filename, url)

    def fetch_file(
        self, url: str, *, filename: str, expected: dict[str, str], what: str
    ) -> Path | None:
        """A verified copy of ``url`` in a temporary file that the caller owns and removes.

        For a wheel about to be installed: the store keeps it as its files (a
        manifest of blobs), so storing the archive as well would only lengthen a
        cold install. A copy the store already holds is written out; ``file:``
        URLs and offline runs go through the store as :meth:`content` does.
        ``None``: 404/410. What a killed px leaves is swept like any download.
        """
        key = self.known(expected.get("sha256"))
        if key is None and not (url.startswith("file:") or self.offline):
            with self._download(url, filename, expected, keyed=False) as sink:
                if sink is None:
                    return None
                log.debug("downloaded %s (%d bytes), not kept", filename, sink.size)
                return sink.detach().path
        if key is None:
            key = self.content(url, filename=filename, expected=expected, what=what)
            if key is None:
                return None
        import tempfile

        fd, name = tempfile.mkstemp(
            prefix=PARTIAL_PREFIX, suffix=PARTIAL_SUFFIX, dir=self._download_dir()
        )
        os.close(fd)
        try:
            self.store.blobs.write_to(key, Path(name))
        except BaseException:
            Path(name).unlink(missing_ok=True)
            raise
        return Path(name)

    def read_download(
        self,
        url: str,
        *,
        filename: str,
        expected: dict[str, str],
        what: str,
        read: Reader[T],
        size: int | None = None,
    ) -> T | None:
        """Download ``url`` (checked like :meth:`content`), return ``read(file)``, keep nothing.

        For a wheel read for its METADATA at lock time: storing the archive as well
        cost a cold lock 8% of its time (compressed and written behind the resolver,
        then waited for at the end), and an install, which needs the archive, keeps
        none either (:meth:`fetch_file`). The caller keeps what it read. ``None``: 404/410.

        ``size``, as the index announces it: at most :data:`IN_MEMORY` bytes, and the
        file is read in memory (34 small wheels of a cold lock: 50 ms less CPU). A
        body larger than that after all is downloaded again into a file.
        """
        if self.offline:
            raise offline_miss(what, url)
        if size is not None and size <= IN_MEMORY:
            from px.index.transport import SinkFull

            try:
                body = self._download_in_memory(url, filename, expected)
            except SinkFull:
                log.debug("%s: larger than its index says, downloaded again to a file", filename)
            else:
                return None if body is None else read(io.BytesIO(body))
        with self._download(url, filename, expected, keyed=False) as sink:
            if sink is None:
                return None
            return read(sink.path)

    def _download_in_memory(
        self, url: str, filename: str, expected: dict[str, str]
    ) -> bytes | None:
        from px.index.transport import CappedSink

        assert self.transport is not None
        sink = CappedSink(IN_MEMORY)
        response = self.transport.get(url, sink, {"Accept": "*/*"})
        if response.status != 200:
            return None
        body = sink.getvalue()
        for algorithm, digest in sorted(expected.items()):
            if algorithm in CHECKED_ALGORITHMS:
                check_digest(filename, algorithm, digest, hashlib.new(algorithm, body).hexdigest())
        return body

    @contextlib.contextmanager
    def _download(
        self, url: str, filename: str, expected: dict[str, str], *, keyed: bool = True
    ) -> Iterator[HashingFileSink | None]:
        """A finished, verified download in a temporary file; None when the server has none.
        ``keyed``: also its blake3, to store it."""
        assert self.transport is not None
        with HashingFileSink(self._download_dir(), algorithms=expected, keyed=keyed) as sink:
            response = self.transport.get(url, sink, {"Accept": "*/*"})
            sink.finish()
            if response.status != 200:
                yield None
                return
            for algorithm, digest in sorted(expected.items()):
                if algorithm in CHECKED_ALGORITHMS:
                    check_digest(filename, algorithm, digest, sink.digest(algorithm))
            yield sink

    def _store_download(self, sink: HashingFileSink, filename: str, url: str) -> str:
        # The blake3 computed while streaming is the blob key: skip the write if present.
        key = sink.blake3
        if not self.store.blobs.has(key):
            with self.writer.exclusive():
                key = self.store.blobs.put_file(sink.path)
        self.writer.write((), self._record(sink.sha256, sink.size, filename, url, key))
        log.debug("downloaded %s (%d bytes)", filename, sink.size)
        return key

    def _local(self, url: str, *, filename: str, expected: dict[str, str]) -> str | None:
        path = local_path(url)
        if not path.is_file():
            return None
        actual = hash_file(path)
        if "sha256" in expected:
            check_digest(filename, "sha256", expected["sha256"], actual)
        with self.writer.exclusive():
            key = self.store.blobs.put_file(path)
        self.writer.write((), self._record(actual, path.stat().st_size, filename, url, key))
        return key

    def remember_document(self, label: str, data: bytes, *, filename: str, url: str) -> None:
        """Keep ``data`` in the store under ``label`` (found again by :meth:`stored_documents`).

        For documents the index announces no hash for, such as a wheel's METADATA
        read by range requests: ``label`` is ``metadata-of:<wheel sha256>``, which
        no real digest can equal.
        """
        self.writer.write((data,), self._record(label, len(data), filename, url))

    @staticmethod
    def _record(sha256: str, size: int, filename: str, url: str, key: str | None = None) -> Rows:
        """The rows of a download: ``sha256`` is stored as ``key`` (else the written blob)."""
        fetched_at = caching.to_iso(caching.now_utc())

        def record(conn: Connection, keys: Sequence[str]) -> None:
            http_cache.record_content(
                conn,
                sha256=sha256,
                blob_key=key if key is not None else keys[0],
                size=size,
                fetched_at=fetched_at,
                filename=filename,
                url=redact(url),
            )

        return record
