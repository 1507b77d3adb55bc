"""A large wheel's METADATA read by HTTP range requests when no metadata file is offered."""

from __future__ import annotations

import dataclasses
from typing import Any

from px.index.lazy_wheel import RANGES_FROM
from px.index.metadata import read_wheel_metadata
from px.index.models import FileInfo
from tests.index.conftest import FAST, ClientFactory


def bare_ruff_wheel(client: Any) -> FileInfo:
    """ruff's wheel (several MB) as an index without PEP 658 metadata files lists it."""
    wheel = next(f for f in client.project_files("ruff") if f.kind == "wheel")
    assert (wheel.size or 0) >= RANGES_FROM  # big enough to take the range path
    return dataclasses.replace(wheel, core_metadata=False, core_metadata_hashes=())


def test_metadata_of_a_large_wheel_takes_two_or_three_ranges(
    make_client: ClientFactory, index: Any, fixture_index_tree: Any
) -> None:
    index.serve_ranges()
    client = make_client()
    wheel = bare_ruff_wheel(client)
    index.clear_log()
    meta = client.metadata(wheel)
    assert meta.name == "ruff"
    files = [r for r in index.requests if "/files/" in r.path]
    assert 1 <= len(files) <= 3
    assert all(r.headers.get("range", "").startswith("bytes=") for r in files)
    # the same bytes as the METADATA inside the wheel file
    local = fixture_index_tree.artifact(wheel.filename).path
    stored = client._fetcher.stored_documents([f"metadata-of:{wheel.sha256}"])
    assert list(stored.values()) == [read_wheel_metadata(local, wheel.filename)]
    # kept in the store: offline, a new client answers without the network
    index.clear_log()
    offline = make_client(settings=dataclasses.replace(FAST, offline=True))
    assert offline.metadata(wheel).version == meta.version
    assert index.requests == ()


def test_a_server_ignoring_ranges_gets_the_wheel_downloaded(
    make_client: ClientFactory, index: Any
) -> None:
    client = make_client()  # the server answers a Range request with the whole file
    wheel = bare_ruff_wheel(client)
    index.clear_log()
    assert client.metadata(wheel).name == "ruff"
    files = [r for r in index.requests if "/files/" in r.path]
    assert [("range" in r.headers) for r in files] == [True, False]  # abandoned, then downloaded
    client.close()
    label = f"metadata-of:{wheel.sha256}"  # its METADATA is kept, not the archive
    assert client._fetcher.stored_documents([label])[label].startswith(b"Metadata-Version")
    assert client._fetcher.known(wheel.sha256) is None


def test_small_wheels_are_downloaded_whole(make_client: ClientFactory, index: Any) -> None:
    index.serve_ranges()
    client = make_client()
    wheel = next(f for f in client.project_files("greet-app") if f.kind == "wheel")
    bare = dataclasses.replace(wheel, core_metadata=False, core_metadata_hashes=())
    index.clear_log()
    assert client.metadata(bare).name == "greet-app"
    files = [r for r in index.requests if "/files/" in r.path]
    assert [("range" in r.headers) for r in files] == [False]
