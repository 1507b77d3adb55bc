"""Blobs: round trip, dedup, chunking, corruption detection."""

from __future__ import annotations

import os
import sqlite3
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from px.errors import IntegrityError, PxError
from px.store import open_store
from px.store.blobs import CHUNK_SIZE, key_of
from px.store.frames import DEFLATE_TAG, deflate_frame


@pytest.fixture
def store(tmp_path: Path):  # type: ignore[no-untyped-def]
    with open_store(tmp_path / "s") as s:
        yield s


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=4096))
def test_round_trip_any_bytes(store, data: bytes) -> None:  # type: ignore[no-untyped-def]
    key = store.blobs.put(data)
    assert key == key_of(data)
    assert store.blobs.get(key) == data
    assert store.blobs.put(data) == key  # same key again


def test_same_content_is_stored_once(store) -> None:  # type: ignore[no-untyped-def]
    keys = store.blobs.put_many([b"a" * 100, b"b", b"a" * 100])
    assert keys[0] == keys[2]
    store.blobs.put(b"b")
    with store.read() as conn:
        assert conn.scalar("SELECT count(*) FROM blobs") == 2
        assert conn.scalar("SELECT count(*) FROM blob_chunks") == 2


def test_large_objects_are_chunked_and_stream_back(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = os.urandom(CHUNK_SIZE * 3 + 17)
    path = tmp_path / "big.bin"
    path.write_bytes(data)
    key = store.blobs.put_file(path)
    assert key == key_of(data)
    with store.read() as conn:
        chunks = conn.first(
            "SELECT count(*), max(length(data)) FROM blob_chunks WHERE key = ?", (key,)
        )
    assert chunks is not None
    assert chunks[0] == 4
    assert chunks[1] <= CHUNK_SIZE + 1024  # no row holds more than one chunk
    assert len(list(store.blobs.iter_chunks(key))) == 4
    out = tmp_path / "out.bin"
    store.blobs.write_to(key, out)
    assert out.read_bytes() == data
    assert store.blobs.put(data) == key  # bytes and file paths dedupe together


def test_empty_file_round_trips(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "e").write_bytes(b"")
    key = store.blobs.put_file(tmp_path / "e")
    assert store.blobs.get(key) == b""


def test_a_file_changed_while_it_is_stored_stores_nothing(
    store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from px.store import blobs as blobs_module

    path = tmp_path / "moving.bin"
    path.write_bytes(os.urandom(CHUNK_SIZE + 5))
    original = blobs_module._checked_frames

    def changed_between_the_passes(at: Path, key: str):  # type: ignore[no-untyped-def]
        at.write_bytes(os.urandom(CHUNK_SIZE + 5))
        return original(at, key)

    monkeypatch.setattr(blobs_module, "_checked_frames", changed_between_the_passes)
    with pytest.raises(PxError, match="changed while px was storing it"):
        store.blobs.put_file(path)
    with store.read() as conn:
        assert conn.scalar("SELECT count(*) FROM blobs") == 0
        assert conn.scalar("SELECT count(*) FROM blob_chunks") == 0


def flip_one_byte(db: Path, key: str) -> None:
    conn = sqlite3.connect(db)
    (data,) = conn.execute("SELECT data FROM blob_chunks WHERE key = ?", (key,)).fetchone()
    damaged = bytearray(data)
    damaged[len(damaged) // 2] ^= 0x01
    conn.execute("UPDATE blob_chunks SET data = ? WHERE key = ?", (bytes(damaged), key))
    conn.commit()
    conn.close()


def test_a_flipped_byte_is_an_integrity_error(tmp_path: Path) -> None:
    with open_store(tmp_path / "s") as store:
        key = store.blobs.put(b"some content that compresses " * 50)
        good = store.blobs.put(b"another object")
    flip_one_byte(tmp_path / "s" / "store.db", key)
    with open_store(tmp_path / "s") as store:
        with pytest.raises(IntegrityError) as raised:
            store.blobs.get(key)
        assert key in raised.value.what
        damaged = [k for k, d in store.blobs.verify() if d is not None]
        assert damaged == [key]
        assert store.blobs.get(good) == b"another object"


def test_a_substituted_chunk_is_caught_by_the_hash(tmp_path: Path) -> None:
    """A chunk that decompresses fine but holds other bytes must still fail."""
    with open_store(tmp_path / "s") as store:
        key = store.blobs.put(b"original")
        other = store.blobs.put(b"imposter")
    conn = sqlite3.connect(tmp_path / "s" / "store.db")
    conn.execute(
        "UPDATE blob_chunks SET data = (SELECT data FROM blob_chunks WHERE key = ?) WHERE key = ?",
        (other, key),
    )
    conn.commit()
    conn.close()
    with open_store(tmp_path / "s") as store, pytest.raises(IntegrityError):
        store.blobs.get(key)


def _deflated(data: bytes) -> bytes:
    packer = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


def test_a_deflate_frame_reads_back_as_its_bytes(store) -> None:  # type: ignore[no-untyped-def]
    """A wheel member's deflate stream is kept as it is: it reads back, checked, as the
    member's bytes, beside objects stored as zstd frames."""
    data = b"def f():\n    return 1\n" * 200
    key = key_of(data)
    store.blobs.put_compressed([(key, len(data), [deflate_frame(_deflated(data))])])
    with store.read() as conn:
        (frame,) = conn.first("SELECT data FROM blob_chunks WHERE key = ?", (key,))
    assert frame.startswith(DEFLATE_TAG)
    assert store.blobs.get(key) == data
    assert store.blobs.put(data) == key  # the same bytes from elsewhere: stored once
    assert [d for _, d in store.blobs.verify()] == [None]


@pytest.mark.parametrize(
    "stream, problem",
    [
        (_deflated(b"x" * 5000)[:-3], "cut short"),
        (_deflated(b"x" * 5000) + b"junk", "data after its end"),
        (b"\xff" * 40, "does not inflate"),
        (_deflated(b"\0" * (CHUNK_SIZE + 1)), "past the size of a chunk"),
    ],
)
def test_a_damaged_deflate_frame_is_an_integrity_error(store, stream: bytes, problem: str) -> None:  # type: ignore[no-untyped-def]
    data = b"x" * 5000
    key = key_of(data)
    store.blobs.put_compressed([(key, len(data), [deflate_frame(stream)])])
    with pytest.raises(IntegrityError) as raised:
        store.blobs.get(key)
    assert problem in (raised.value.why or "")
    assert [(k, d is not None) for k, d in store.blobs.verify()] == [(key, True)]
