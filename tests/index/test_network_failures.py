"""Misbehaving servers, integrity, redirects and credentials, over real loopback HTTP."""

from __future__ import annotations

import base64
import dataclasses
import logging
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest

from px.errors import IntegrityError, NetworkError
from px.index import CredentialProvider, IndexConfig
from tests.index.conftest import FAST, ClientFactory, count_rows, dump_store, paths

PASSWORD = "pa55-w0rd-XYZ"
TOKEN = base64.b64encode(f"alice:{PASSWORD}".encode()).decode()


def _wheel(client: Any, project: str = "greet-lib") -> Any:
    return next(f for f in client.project_files(project) if f.kind == "wheel")


def test_a_500_is_retried(make_client: ClientFactory, index: Any) -> None:
    index.fail("/simple/greet-lib/", times=1)
    assert make_client().project_files("greet-lib")
    assert paths(index) == ["/primary/simple/greet-lib/"] * 2


def test_persistent_500_is_a_network_error(make_client: ClientFactory, index: Any) -> None:
    index.fail("/simple/greet-lib/", times=10, status=503)
    with pytest.raises(NetworkError) as info:
        make_client().project_files("greet-lib")
    assert "503" in info.value.one_line()
    assert len(index.requests) == FAST.retries + 1


def test_a_hung_server_times_out_clearly(make_client: ClientFactory, index: Any) -> None:
    index.hang("/simple/greet-lib/", seconds=10, times=5)
    settings = dataclasses.replace(FAST, read_timeout=0.3, retries=0)
    started = time.monotonic()
    with pytest.raises(NetworkError) as info:
        make_client(settings=settings).project_files("greet-lib")
    assert time.monotonic() - started < 3
    assert info.value.what == f"timed out reading {index.url()}greet-lib/"
    assert "0.3 s" in (info.value.why or "")


def test_a_dead_server_is_a_network_error(make_client: ClientFactory) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    settings = dataclasses.replace(FAST, retries=0)
    url = f"http://127.0.0.1:{port}/simple/"
    with pytest.raises(NetworkError, match="cannot connect"):
        make_client([IndexConfig("dead", url)], settings=settings).project_files("x")


def test_a_truncated_download_stores_nothing(
    make_client: ClientFactory, index: Any, store: Any
) -> None:
    client = make_client()
    wheel = _wheel(client)
    index.truncate(wheel.filename, times=10)
    blobs = count_rows(store, "blobs")
    with pytest.raises(NetworkError) as info:
        client.download(wheel)
    assert "connection broke" in info.value.what and wheel.filename in info.value.what
    assert count_rows(store, "blobs") == blobs
    assert count_rows(store, "http_content") == 0
    assert len([p for p in paths(index) if p.endswith(".whl")]) == FAST.retries + 1


def test_a_truncation_once_is_retried(make_client: ClientFactory, index: Any) -> None:
    client = make_client()
    wheel = _wheel(client)
    index.truncate(wheel.filename, times=1)
    assert client.download(wheel)


@pytest.mark.parametrize("what", ["download", "metadata read from the download"])
def test_a_wrong_hash_stores_nothing(
    make_client: ClientFactory,
    index: Any,
    store: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    what: str,
) -> None:
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    client = make_client()
    wheel = _wheel(client)
    index.corrupt(wheel.filename)
    blobs = count_rows(store, "blobs")
    with pytest.raises(IntegrityError) as info:
        if what == "download":
            client.download(wheel)
        else:  # no metadata file: METADATA is read from the downloaded wheel
            client.metadata(dataclasses.replace(wheel, core_metadata=False))
    client.close()  # nothing may be left to store behind
    error = info.value
    assert wheel.filename in error.what
    assert f"expected sha256:{wheel.sha256}" in (error.why or "")
    assert "got sha256:" in (error.why or "")
    assert count_rows(store, "blobs") == blobs
    assert count_rows(store, "http_content") == 0
    assert list(temp.iterdir()) == []
    downloads = store.directory / "downloads"  # (a small wheel read for METADATA: in memory)
    assert not downloads.exists() or list(downloads.iterdir()) == []  # the download is gone


def test_a_caller_hash_is_checked_too(make_client: ClientFactory, store: Any) -> None:
    client = make_client()
    wheel = _wheel(client)
    with pytest.raises(IntegrityError, match="two different expected sha256"):
        client.download(wheel, "0" * 64)
    unannounced = dataclasses.replace(wheel, hashes=())
    blobs = count_rows(store, "blobs")
    with pytest.raises(IntegrityError) as info:
        client.download(unannounced, "sha256:" + "0" * 64)
    assert f"expected sha256:{'0' * 64}" in (info.value.why or "")
    assert count_rows(store, "blobs") == blobs
    assert client.download(unannounced, wheel.sha256)


def test_a_wrong_metadata_file_hash_is_refused(
    make_client: ClientFactory, index: Any, store: Any
) -> None:
    client = make_client()
    wheel = _wheel(client)
    index.corrupt(".metadata")
    blobs = count_rows(store, "blobs")
    with pytest.raises(IntegrityError, match=r"\.metadata"):
        client.metadata(wheel)
    assert count_rows(store, "blobs") == blobs


def test_credentials_reach_only_their_origin_and_never_the_store_or_logs(
    make_client: ClientFactory,
    index: Any,
    index_server: Any,
    fixture_index_tree: Any,
    store: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from fixtures.server import IndexServer

    caplog.set_level(logging.DEBUG)
    index.require_auth("primary", "alice", PASSWORD)
    url = index.url().replace("http://", f"http://alice:{PASSWORD}@")
    with IndexServer(fixture_index_tree.root) as mirror:
        # The index sends its downloads to another origin (another port: another host).
        index.redirect("/primary/files/", mirror.base_url.rstrip("/") + "{path}", times=10)
        client = make_client([IndexConfig("primary", url)])
        wheel = _wheel(client)
        client.metadata(wheel)
        client.download(wheel)
        assert [r.path for r in mirror.requests] == [
            f"/primary/files/{wheel.filename}.metadata",
            f"/primary/files/{wheel.filename}",
        ]
        assert all("authorization" not in r.headers for r in mirror.requests)
    assert all(r.headers.get("authorization") == f"Basic {TOKEN}" for r in index.requests)
    for text in (dump_store(store), caplog.text, repr(client), repr(wheel)):
        assert PASSWORD not in text and TOKEN not in text


def test_credentials_from_the_environment_and_netrc(
    make_client: ClientFactory, index: Any, tmp_path: Path
) -> None:
    index.require_auth("primary", "alice", PASSWORD)
    config = IndexConfig("primary", index.url())
    with pytest.raises(NetworkError) as info:
        make_client([config]).project_files("greet-lib")
    assert "401" in info.value.what and "PX_INDEX_<NAME>_USERNAME" in (info.value.hint or "")
    environ = {"PX_INDEX_PRIMARY_USERNAME": "alice", "PX_INDEX_PRIMARY_PASSWORD": PASSWORD}
    by_env = CredentialProvider([config], environ=environ)
    assert make_client([config], credentials=by_env).project_files("greet-lib")
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine 127.0.0.1 login alice password {PASSWORD}\n")
    netrc.chmod(0o600)
    by_netrc = CredentialProvider([config], environ={"NETRC": str(netrc)})
    assert make_client([config], credentials=by_netrc).project_files("greet-app")


def test_redirect_to_another_port_is_followed_for_pages(
    make_client: ClientFactory, index: Any, fixture_index_tree: Any
) -> None:
    from fixtures.server import IndexServer

    with IndexServer(fixture_index_tree.root) as mirror:
        index.redirect("/simple/greet-lib/", mirror.base_url.rstrip("/") + "{path}")
        files = make_client().project_files("greet-lib")
        # file URLs resolve against the page's final address, also when read from the cache
        assert all(f.url.startswith(mirror.base_url) for f in files)
        offline = dataclasses.replace(FAST, offline=True)
        assert make_client(settings=offline).project_files("greet-lib") == files


def test_partial_downloads_stay_in_the_store_and_abandoned_ones_are_swept(
    make_client: ClientFactory, index: Any, store: Any
) -> None:
    import os

    downloads = store.directory / "downloads"
    downloads.mkdir()
    abandoned = downloads / "px-download-killed.part"  # what a SIGKILLed px leaves
    abandoned.write_bytes(b"half a wheel")
    os.utime(abandoned, (time.time() - 7200, time.time() - 7200))
    in_flight = downloads / "px-download-another-px.part"  # another px, downloading now
    in_flight.write_bytes(b"a quarter")
    client = make_client()
    wheel = _wheel(client)
    index.truncate(wheel.filename, times=10)
    with pytest.raises(NetworkError):
        client.download(wheel)  # a failed download cleans up after itself
    assert client.download(_wheel(client, "diamond-a"))  # and so does one that succeeds
    assert sorted(p.name for p in downloads.iterdir()) == [in_flight.name]
