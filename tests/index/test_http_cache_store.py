"""The store's HTTP cache tables (px/store/http_cache.py) on a real store."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from px.store import http_cache as hc


def test_responses_round_trip_and_refresh(store: Any) -> None:
    body = store.blobs.put(b"<html></html>")
    entry = hc.CachedResponse(
        url="https://i.example/simple/a/",
        status=200,
        fetched_at="2024-01-01T00:00:00.000000Z",
        etag='"v1"',
        content_type="text/html",
        body_key=body,
        size=13,
    )
    with store.write() as conn:
        hc.put_response(conn, entry)
        hc.put_response(conn, entry)  # an upsert, not a duplicate
        hc.refresh_response(
            conn,
            entry.url,
            fetched_at="2024-01-02T00:00:00.000000Z",
            expires_at=None,
            cache_control="no-cache",
            etag=None,
            last_modified="Mon, 01 Jan 2024 00:00:00 GMT",
        )
    with store.read() as conn:
        got = hc.get_response(conn, entry.url)
    assert got is not None
    assert (got.etag, got.cache_control, got.fetched_at) == (
        '"v1"',
        "no-cache",
        "2024-01-02T00:00:00.000000Z",
    )
    assert got.last_modified == "Mon, 01 Jan 2024 00:00:00 GMT"
    with sqlite3.connect(store.path) as raw:
        rows = raw.execute("SELECT url, status, etag, size FROM px_http_cache").fetchall()
    assert rows == [(entry.url, 200, '"v1"', 13)]


def test_content_by_sha256(store: Any) -> None:
    keys = store.blobs.put_many([b"one", b"two"])
    with store.write() as conn:
        for i, key in enumerate(keys):
            hc.record_content(
                conn, sha256=f"{i:064x}".upper(), blob_key=key, size=3, fetched_at="t"
            )
        hc.record_content(conn, sha256=f"{0:064x}", blob_key=keys[1], size=3, fetched_at="t")
    with store.read() as conn:
        found = hc.content_blobs(conn, [f"{i:064x}" for i in range(600)])
    assert found == {f"{0:064x}": keys[0], f"{1:064x}": keys[1]}  # first record wins


def test_urls_with_credentials_are_refused(store: Any) -> None:
    entry = hc.CachedResponse(url="https://u:pw@i.example/simple/a/", status=404, fetched_at="t")
    with pytest.raises(ValueError, match="credentials"), store.write() as conn:
        hc.put_response(conn, entry)
    with pytest.raises(ValueError, match="credentials"), store.write() as conn:
        hc.record_content(
            conn, sha256="ab", blob_key="k", size=1, fetched_at="t", url="https://t@h.example/f"
        )
