"""The index client against the loopback index: pages, metadata, downloads, strategy, cache."""

from __future__ import annotations

import dataclasses
import logging
import shutil
from pathlib import Path
from typing import Any

import pytest

from px.errors import BuildError, InputError, OfflineMiss
from px.index import IndexConfig, NetworkSettings
from px.index.credentials import CredentialProvider
from px.index.fetch import CachedFetcher
from px.index.pages import parse_project_page
from px.index.transport import Transport
from tests.index.conftest import FAST, ClientFactory, count_rows, paths

OFFLINE = dataclasses.replace(FAST, offline=True)


def test_json_page_gives_files_hashes_yanked_and_requires_python(
    make_client: ClientFactory, index: Any, fixture_index_tree: Any
) -> None:
    files = {f.filename: f for f in make_client().project_files("Yanked_Pkg")}
    expected = {a.filename: a for a in fixture_index_tree.files("yanked-pkg")}
    assert set(files) == set(expected)
    for name, artifact in expected.items():
        info = files[name]
        assert info.sha256 == artifact.sha256
        assert info.size == artifact.size  # only the JSON form carries sizes
        assert info.requires_python == artifact.requires_python
        assert info.yanked == (artifact.yanked is not None)
        assert info.metadata_sha256 == artifact.metadata_sha256
        assert info.url == index.file_url(name)
        assert info.index == "primary"
    assert files["yanked_pkg-1.1-py3-none-any.whl"].yanked_reason == "1.1 fails on import; use 1.0"
    (request,) = index.requests
    assert request.headers["accept"].startswith("application/vnd.pypi.simple.v1+json")
    assert request.headers["user-agent"].startswith("px/")


def test_html_page_parses_to_the_same_files(store: Any, index: Any) -> None:
    transport = Transport(FAST, CredentialProvider([]))
    fetcher = CachedFetcher(store, transport, offline=False)
    url = index.url() + "pyreq/"
    pages = {}
    for accept in ("text/html", "application/vnd.pypi.simple.v1+json"):
        fetched = fetcher.page(url, accept=accept, what="pyreq")
        assert fetched is not None
        pages[accept] = parse_project_page(
            fetched.body, fetched.content_type, fetched.url, project="pyreq"
        )
    transport.close()
    html, json_page = pages["text/html"], pages["application/vnd.pypi.simple.v1+json"]
    strip = {"size": None, "upload_time": None}
    assert [dataclasses.replace(f, **strip) for f in json_page.files] == list(html.files)
    assert {f.requires_python for f in html.files} == {">=3.8", ">=3.10", ">=3.14"}


def test_metadata_comes_from_the_metadata_file(
    make_client: ClientFactory, index: Any, store: Any
) -> None:
    client = make_client()
    wheel = next(f for f in client.project_files("greet-app") if f.kind == "wheel")
    meta = client.metadata(wheel)
    assert (meta.name, meta.version) == ("greet-app", "1.0")
    assert meta.requires_python == ">=3.8"
    assert any(req.startswith("greet-lib") for req in meta.requires_dist)
    assert paths(index)[-1].endswith(".whl.metadata")
    assert not any(p.endswith(".whl") for p in paths(index))
    assert count_rows(store, "http_content") == 1


def test_metadata_without_a_metadata_file_reads_the_wheel_once(
    make_client: ClientFactory, index: Any, store: Any
) -> None:
    client = make_client()
    wheel = next(f for f in client.project_files("greet-app") if f.kind == "wheel")
    bare = dataclasses.replace(wheel, core_metadata=False, core_metadata_hashes=())
    assert client.metadata(bare).name == "greet-app"
    client.close()
    # its METADATA is kept (under the wheel's sha256), the archive is not: a lock needs
    # the one, and an install of the wheel downloads it anyway
    assert make_client().metadata(bare).name == "greet-app"
    wheel_reads = [f"/primary/files/{wheel.filename}"]
    assert [p for p in paths(index) if "/files/" in p] == wheel_reads
    assert make_client().download(wheel) == make_client().download(bare)  # stored once
    assert [p for p in paths(index) if "/files/" in p] == wheel_reads * 2


def test_a_small_wheel_read_for_its_metadata_is_checked_in_memory_and_falls_back_to_a_file(
    make_client: ClientFactory, index: Any, store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from px.errors import IntegrityError
    from px.index import fetch

    wheel = next(f for f in make_client().project_files("greet-app") if f.kind == "wheel")
    bare = dataclasses.replace(wheel, core_metadata=False, core_metadata_hashes=())
    assert bare.size is not None and bare.size <= fetch.IN_MEMORY  # read in memory
    index.corrupt(wheel.filename)  # one byte flipped: the sha256 no longer matches
    with pytest.raises(IntegrityError):
        make_client().metadata(bare)
    assert count_rows(store, "http_content") == 0  # nothing kept from it
    # a body larger than the bound (the index announced less): read again into a file
    monkeypatch.setattr(fetch, "IN_MEMORY", 64)
    assert make_client().metadata(dataclasses.replace(bare, size=10)).name == "greet-app"
    reads = [p for p in paths(index) if p.endswith(wheel.filename)]
    assert len(reads) == 3  # corrupt, too large for memory, then into a file
    assert [p.name for p in (store.directory / "downloads").iterdir()] == []


def test_sdist_metadata_needs_a_build_unless_static(
    make_client: ClientFactory, tmp_path: Path
) -> None:
    client = make_client()
    (sdist,) = client.project_files("sdist-only")
    with pytest.raises(BuildError, match="only known after building"):
        client.metadata(sdist)  # its PKG-INFO is Metadata-Version 2.1


def test_prefetch_metadata_in_parallel(make_client: ClientFactory, index: Any) -> None:
    client = make_client()
    wheels = [
        f
        for name in ("diamond-a", "diamond-b", "diamond-c", "diamond-d", "bt-leaf", "bt-top")
        for f in client.project_files(name)
        if f.kind == "wheel"
    ]
    found = client.prefetch_metadata(wheels)
    assert set(found) == set(wheels)
    for info, meta in found.items():
        assert info.filename.startswith(meta.name.replace("-", "_") + "-" + meta.version)


def test_first_index_never_asks_a_later_index(make_client: ClientFactory, index: Any) -> None:
    client = make_client(
        [IndexConfig("primary", index.url()), IndexConfig("secondary", index.url("secondary"))]
    )
    files = client.project_files("internal-tool")
    assert {f.index for f in files} == {"primary"}
    assert not any("99.0" in f.filename for f in files)
    assert paths(index) == ["/primary/simple/internal-tool/"]


def test_a_404_falls_through_to_the_next_index(make_client: ClientFactory, index: Any) -> None:
    client = make_client(
        [IndexConfig("secondary", index.url("secondary")), IndexConfig("primary", index.url())]
    )
    files = client.project_files("yanked-pkg")
    assert files and {f.index for f in files} == {"primary"}
    assert paths(index) == ["/secondary/simple/yanked-pkg/", "/primary/simple/yanked-pkg/"]
    assert client.project_files("no-such-project") == []


def test_explicit_index_serves_only_pinned_packages(make_client: ClientFactory, index: Any) -> None:
    indexes = [
        IndexConfig("primary", index.url()),
        IndexConfig("secondary", index.url("secondary"), explicit=True),
    ]
    client = make_client(indexes, sources={"Internal_Tool": "secondary"})
    pinned = client.project_files("internal-tool")
    assert {f.index for f in pinned} == {"secondary"}
    assert any("99.0" in f.filename for f in pinned)
    client.project_files("nothing-here")
    assert paths(index) == ["/secondary/simple/internal-tool/", "/primary/simple/nothing-here/"]
    with pytest.raises(InputError) as info:
        make_client(indexes, sources={"internal-tool": "tertiary"})
    assert "tertiary" in info.value.details[0]


def test_find_links_directory(
    make_client: ClientFactory, index: Any, fixture_index_tree: Any, tmp_path: Path
) -> None:
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    artifact = fixture_index_tree.artifact("greet_lib-1.0-py3-none-any.whl")
    shutil.copy(artifact.path, wheels / artifact.filename)
    (wheels / "unrelated-1.0-py3-none-any.whl").write_bytes(b"")
    client = make_client(find_links=[wheels])
    local = [f for f in client.project_files("greet-lib") if f.url.startswith("file:")]
    assert [f.filename for f in local] == [artifact.filename]
    assert local[0].sha256 == artifact.sha256
    assert client.metadata(local[0]).name == "greet-lib"
    assert client.download(local[0], artifact.sha256)
    assert not any("/files/" in p for p in paths(index))


def test_offline_after_one_online_run(make_client: ClientFactory, index: Any, store: Any) -> None:
    online = make_client()
    wheel = next(f for f in online.project_files("greet-app") if f.kind == "wheel")
    meta = online.metadata(wheel)
    key = online.download(wheel)
    index.clear_log()
    offline = make_client(settings=OFFLINE)
    again = next(f for f in offline.project_files("greet-app") if f.kind == "wheel")
    assert again == wheel and offline.metadata(again) == meta and offline.download(again) == key
    assert index.requests == ()
    with pytest.raises(OfflineMiss) as info:
        offline.project_files("greet-lib")
    message = info.value.one_line()
    assert index.url() + "greet-lib/" in message and "once online" in message
    sdist = next(f for f in offline.project_files("greet-app") if f.kind == "sdist")
    with pytest.raises(OfflineMiss, match=sdist.filename):
        offline.download(sdist)
    assert index.requests == ()


def test_warm_run_revalidates_with_etag_and_downloads_no_metadata(
    make_client: ClientFactory, index: Any, caplog: pytest.LogCaptureFixture
) -> None:
    names = ("diamond-a", "diamond-b", "greet-app")
    cold = make_client()
    cold.prefetch_metadata(f for n in names for f in cold.project_files(n) if f.kind == "wheel")
    index.clear_log()
    caplog.set_level(logging.DEBUG, logger="px.index")
    warm = make_client()
    warm.prefetch_metadata(f for n in names for f in warm.project_files(n) if f.kind == "wheel")
    assert sorted(paths(index)) == sorted(f"/primary/simple/{n}/" for n in names)
    assert all("if-none-match" in r.headers for r in index.requests)
    assert caplog.text.count("(304)") == len(names)


def test_no_caching_headers_refetch_pages_but_never_content(
    make_client: ClientFactory, index: Any
) -> None:
    index.set_caching(validators=False)
    for _ in range(2):
        index.clear_log()
        client = make_client()
        wheel = next(f for f in client.project_files("greet-lib") if f.kind == "wheel")
        client.metadata(wheel)
        client.download(wheel)
    assert paths(index) == ["/primary/simple/greet-lib/"]
    assert "if-none-match" not in index.requests[0].headers


def test_max_age_pages_are_not_asked_for_again(make_client: ClientFactory, index: Any) -> None:
    index.set_caching(max_age=600)
    make_client().project_files("greet-lib")
    index.clear_log()
    assert make_client().project_files("greet-lib")
    assert index.requests == ()


def test_client_settings_validation(store: Any) -> None:
    from px.index import IndexClient

    with pytest.raises(InputError, match="used more than once"):
        IndexClient(
            store,
            [IndexConfig("a", "https://a.example/"), IndexConfig("a", "https://b.example/")],
            settings=NetworkSettings(offline=True),
        )


def test_a_file_index_is_read_from_disk(
    make_client: ClientFactory, fixture_index_tree: Any, store: Any
) -> None:
    url = (fixture_index_tree.root / "primary" / "simple").as_uri()
    client = make_client([IndexConfig("local", url)], settings=OFFLINE)  # no network needed
    files = client.project_files("greet-app")
    assert {f.filename for f in files} == {
        a.filename for a in fixture_index_tree.files("greet-app")
    }
    wheel = next(f for f in files if f.kind == "wheel")
    assert wheel.url.startswith("file:") and wheel.core_metadata
    assert client.metadata(wheel).name == "greet-app"
    assert client.download(wheel)
    assert client.project_files("no-such-project") == []
    assert count_rows(store, "http_cache") == 0  # local pages are not cached


def test_find_links_urls(
    make_client: ClientFactory, index: Any, fixture_index_tree: Any, tmp_path: Path
) -> None:
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    artifact = fixture_index_tree.artifact("greet_lib-1.0-py3-none-any.whl")
    shutil.copy(artifact.path, wheels / artifact.filename)
    flat_page = index.url("secondary") + "internal-tool/"  # any page of links will do
    client = make_client(
        [IndexConfig("primary", index.url())], find_links=[flat_page, wheels.as_uri()]
    )
    files = client.project_files("internal-tool")
    assert {f.index for f in files} == {"primary", flat_page}
    assert any("99.0" in f.filename for f in files)  # offered by the find-links page
    assert [f.filename for f in client.project_files("greet-lib") if f.url.startswith("file:")] == [
        artifact.filename
    ]
    assert paths(index).count("/secondary/simple/internal-tool/") == 1  # fetched once
