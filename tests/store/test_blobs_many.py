"""BlobStore.get_many: many blobs in one read, each verified like get()."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from px.errors import IntegrityError, PxError
from px.store import open_store
from px.store.blobs import CHUNK_SIZE


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Any]:
    with open_store(tmp_path / "s") as s:
        yield s


def test_many_blobs_round_trip_in_order_without_duplicates(store: Any, tmp_path: Path) -> None:
    small = [b"", b"one", b"two" * 1000, os.urandom(5000)]
    keys = store.blobs.put_many(small)
    big = os.urandom(CHUNK_SIZE * 2 + 5)  # three chunks
    (tmp_path / "big").write_bytes(big)
    big_key = store.blobs.put_file(tmp_path / "big")
    asked = [keys[2], big_key, keys[0], keys[2], keys[1], keys[3]]
    found = store.blobs.get_many(asked)
    assert list(found) == [keys[2], big_key, keys[0], keys[1], keys[3]]
    assert found == {**dict(zip(keys, small, strict=True)), big_key: big}
    assert all(found[k] == store.blobs.get(k) for k in found)
    assert store.blobs.get_many([]) == {}


def test_more_keys_than_one_sql_batch(store: Any) -> None:
    items = [f"object {i}".encode() for i in range(1203)]
    keys = store.blobs.put_many(items)
    assert store.blobs.get_many(reversed(keys)) == dict(zip(keys, items, strict=True))


def test_a_missing_key_is_an_error(store: Any) -> None:
    key = store.blobs.put(b"present")
    with pytest.raises(PxError, match="0" * 64):
        store.blobs.get_many([key, "0" * 64])


def _damage(db: Path, sql: str, *args: object) -> None:
    conn = sqlite3.connect(db)
    conn.execute(sql, args)
    conn.commit()
    conn.close()


def test_a_flipped_byte_fails_the_whole_read(tmp_path: Path) -> None:
    with open_store(tmp_path / "s") as store:
        good, bad = store.blobs.put_many([b"fine", b"damaged content, compressible " * 40])
    conn = sqlite3.connect(tmp_path / "s" / "store.db")
    (data,) = conn.execute("SELECT data FROM blob_chunks WHERE key = ?", (bad,)).fetchone()
    conn.close()
    flipped = bytearray(data)
    flipped[len(flipped) // 2] ^= 0x01
    _damage(
        tmp_path / "s" / "store.db",
        "UPDATE blob_chunks SET data = ? WHERE key = ?",
        bytes(flipped),
        bad,
    )
    with open_store(tmp_path / "s") as store:
        with pytest.raises(IntegrityError) as raised:
            store.blobs.get_many([good, bad])
        assert bad in raised.value.what
        assert store.blobs.get_many([good]) == {good: b"fine"}


def test_a_substituted_chunk_is_caught_by_the_hash(tmp_path: Path) -> None:
    with open_store(tmp_path / "s") as store:
        key, other = store.blobs.put_many([b"original", b"imposter"])
    _damage(
        tmp_path / "s" / "store.db",
        "UPDATE blob_chunks SET data = (SELECT data FROM blob_chunks WHERE key = ?) WHERE key = ?",
        other,
        key,
    )
    with open_store(tmp_path / "s") as store, pytest.raises(IntegrityError, match=key):
        store.blobs.get_many([key])


def test_a_missing_chunk_is_caught(tmp_path: Path) -> None:
    data = os.urandom(CHUNK_SIZE + 10)
    (tmp_path / "two-chunks").write_bytes(data)
    with open_store(tmp_path / "s") as store:
        key = store.blobs.put_file(tmp_path / "two-chunks")
    _damage(tmp_path / "s" / "store.db", "DELETE FROM blob_chunks WHERE key = ? AND seq = 0", key)
    with open_store(tmp_path / "s") as store, pytest.raises(IntegrityError) as raised:
        store.blobs.get_many([key])
    assert "chunk 0 is missing" in (raised.value.why or "")


def test_a_truncated_blob_is_caught(tmp_path: Path) -> None:
    data = os.urandom(CHUNK_SIZE + 10)
    (tmp_path / "two-chunks").write_bytes(data)
    with open_store(tmp_path / "s") as store:
        key = store.blobs.put_file(tmp_path / "two-chunks")
    _damage(tmp_path / "s" / "store.db", "DELETE FROM blob_chunks WHERE key = ? AND seq = 1", key)
    with open_store(tmp_path / "s") as store, pytest.raises(IntegrityError) as raised:
        store.blobs.get_many([key])
    assert "expected" in (raised.value.why or "")


def test_precompressed_objects_are_stored_as_put_many_stores_them(store: Any) -> None:
    from px.store.blobs import frames_of, key_of

    data = [b"alpha" * 100, b"", b"alpha" * 100, os.urandom(3000)]
    store.blobs.put_compressed([(key_of(d), len(d), frames_of(d)) for d in data])
    assert {k: store.blobs.get(k) for k in map(key_of, data)} == dict(
        zip(map(key_of, data), data, strict=True)
    )
    with store.read() as conn:  # the repeated object once
        assert conn.scalar("SELECT count(*) FROM blobs") == 3
    assert store.blobs.put_many(data) == [key_of(d) for d in data]  # nothing stored twice
    with store.read() as conn:
        assert conn.scalar("SELECT count(*) FROM blobs") == 3


def test_a_large_precompressed_object_is_read_only_when_missing(store: Any) -> None:
    from px.store.blobs import frames_of, key_of

    big = os.urandom(CHUNK_SIZE * 2 + 5)
    read: list[int] = []

    def frames() -> Iterator[bytes]:
        for i, frame in enumerate(frames_of(big)):
            read.append(i)
            yield frame

    store.blobs.put_frames(key_of(big), len(big), frames())
    assert store.blobs.get(key_of(big)) == big
    assert read == [0, 1, 2]
    read.clear()
    store.blobs.put_frames(key_of(big), len(big), frames())  # stored already: not read
    assert read == []
    with store.read() as conn:
        assert conn.first("SELECT size, chunks FROM blobs WHERE key = ?", (key_of(big),)) == (
            len(big),
            3,
        )
