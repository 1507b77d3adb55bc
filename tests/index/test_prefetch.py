"""prefetch_metadata: the store answers in one batch, the network the rest; checks stay."""

from __future__ import annotations

import dataclasses
import sqlite3
from typing import Any

import pytest

from px.errors import InputError, IntegrityError
from tests.index.conftest import ClientFactory, count_rows, paths

PROJECTS = ("diamond-a", "diamond-b", "diamond-c", "diamond-d", "bt-leaf", "bt-top")


def _wheels(client: Any) -> list[Any]:
    return [f for n in PROJECTS for f in client.project_files(n) if f.kind == "wheel"]


def test_stored_metadata_is_read_in_one_batch_and_only_the_rest_is_fetched(
    make_client: ClientFactory, index: Any, store: Any
) -> None:
    first = make_client()
    wheels = _wheels(first)
    half = wheels[::2]
    expected = {f: first.metadata(f) for f in half}
    assert count_rows(store, "http_content") == len(half)
    index.clear_log()
    again = make_client()
    found = again.prefetch_metadata(wheels)
    assert list(found) == wheels
    fetched = sorted(p for p in paths(index) if p.endswith(".metadata"))
    assert fetched == sorted(f"/primary/files/{f.filename}.metadata" for f in wheels[1::2])
    assert all(found[f] == meta for f, meta in expected.items())
    assert found == {f: make_client().metadata(f) for f in wheels}
    assert count_rows(store, "http_content") == len(wheels)


def test_a_damaged_stored_metadata_file_is_an_integrity_error(
    make_client: ClientFactory, index: Any, store: Any
) -> None:
    client = make_client()
    wheels = _wheels(client)
    client.prefetch_metadata(wheels)
    with sqlite3.connect(store.path) as conn:
        (key,) = conn.execute(
            "SELECT blob_key FROM http_content WHERE sha256 = ?", (wheels[2].metadata_sha256,)
        ).fetchone()
        conn.execute("UPDATE blob_chunks SET data = X'00' WHERE key = ?", (key,))
    index.clear_log()
    with pytest.raises(IntegrityError, match=key):
        make_client().prefetch_metadata(wheels)
    with pytest.raises(IntegrityError, match=key):
        make_client().metadata(wheels[2])
    assert not any(p.endswith(".metadata") for p in paths(index))  # nothing fetched instead


def test_the_first_failure_in_the_order_given_is_raised(
    make_client: ClientFactory, index: Any
) -> None:
    warm = make_client()
    stored, other = _wheels(warm)[:2]
    warm.metadata(stored)
    # Stored metadata that names another project than the file: refused after the batch read.
    impostor = dataclasses.replace(stored, filename=other.filename, url=other.url + "?x")
    # Not stored, fetched: the index serves bytes that do not match the announced sha256.
    wrong = dataclasses.replace(other, core_metadata_hashes=(("sha256", "0" * 64),))
    with pytest.raises(InputError, match="names another project"):
        make_client().prefetch_metadata([impostor, wrong])
    with pytest.raises(IntegrityError, match=r"\.metadata"):
        make_client().prefetch_metadata([wrong, impostor])
