"""Parsing recorded project pages (PEP 691 JSON and PEP 503 HTML) and core metadata."""

from __future__ import annotations

from pathlib import Path

import pytest

from px.errors import InputError, NetworkError
from px.index.metadata import parse_core_metadata
from px.index.pages import parse_project_page

PAGES = Path(__file__).parent / "pages"
PAGE_URL = "https://index.example.org/simple/demo-pkg/"


def _parse(name: str, content_type: str) -> dict[str, object]:
    page = parse_project_page(
        (PAGES / name).read_bytes(), content_type, PAGE_URL, project="Demo_Pkg", index="main"
    )
    assert page.name == "demo-pkg"
    return {f.filename: f for f in page.files}


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("demo.json", "application/vnd.pypi.simple.v1+json"),
        ("demo.html", "text/html; charset=utf-8"),
        ("demo.html", "application/vnd.pypi.simple.v1+html"),
    ],
)
def test_json_and_html_pages_agree(name: str, content_type: str) -> None:
    files = _parse(name, content_type)
    assert list(files) == [
        "demo_pkg-1.0-py3-none-any.whl",
        "demo_pkg-1.0.tar.gz",
        "demo_pkg-1.1-py3-none-any.whl",
        "demo_pkg-2.0-cp311-cp311-manylinux_2_17_x86_64.whl",
    ]
    wheel = files["demo_pkg-1.0-py3-none-any.whl"]
    # relative URL resolved against the page, hash lower-cased
    assert wheel.url == "https://index.example.org/packages/ab/cd/demo_pkg-1.0-py3-none-any.whl"
    assert wheel.sha256 == "aaaa1111" * 8
    assert wheel.requires_python == ">=3.8"
    assert wheel.core_metadata and wheel.metadata_sha256 == "bbbb2222" * 8
    assert wheel.metadata_url == wheel.url + ".metadata"
    assert not wheel.yanked and wheel.index == "main"

    sdist = files["demo_pkg-1.0.tar.gz"]
    assert sdist.kind == "sdist" and sdist.sha256 == "cccc3333" * 8  # from the URL fragment
    assert sdist.url == "https://files.example.org/packages/demo_pkg-1.0.tar.gz"
    assert not sdist.core_metadata

    yanked = files["demo_pkg-1.1-py3-none-any.whl"]
    assert yanked.yanked and yanked.yanked_reason == "broken on Windows"
    assert yanked.core_metadata and yanked.metadata_sha256 is None  # old key, no hash
    assert "s3cret" not in yanked.url and "user@" not in yanked.url

    absolute = files["demo_pkg-2.0-cp311-cp311-manylinux_2_17_x86_64.whl"]
    assert absolute.url.startswith("https://index.example.org/packages/")
    assert absolute.yanked and absolute.yanked_reason is None
    assert absolute.requires_python == ">=3.11"


def test_json_only_fields() -> None:
    page = parse_project_page(
        (PAGES / "demo.json").read_bytes(),
        "application/vnd.pypi.simple.v1+json",
        PAGE_URL,
        project="demo-pkg",
    )
    files = {f.filename: f for f in page.files}
    assert page.versions == ("1.0", "1.1", "2.0")
    wheel = files["demo_pkg-1.0-py3-none-any.whl"]
    assert wheel.size == 1234 and wheel.upload_time == "2024-01-02T03:04:05.000000Z"
    assert files["demo_pkg-1.1-py3-none-any.whl"].hashes == (
        ("md5", "0123"),
        ("sha256", "dddd4444" * 8),
    )
    # PEP 714: the new key wins over the old one, even when it says false
    assert not files["demo_pkg-2.0-cp311-cp311-manylinux_2_17_x86_64.whl"].core_metadata


def test_html_base_href_and_unknown_files() -> None:
    page = parse_project_page(
        (PAGES / "based.html").read_bytes(), "text/html", PAGE_URL, project="demo-pkg"
    )
    urls = {f.filename: f.url for f in page.files}
    assert urls["demo_pkg-3.0.zip"] == "https://mirror.example.org/files/demo_pkg-3.0.zip"
    assert urls["release notes"] == "https://mirror.example.org/files/notes.txt"


def test_newer_api_major_version_is_refused() -> None:
    with pytest.raises(NetworkError) as info:
        parse_project_page(
            (PAGES / "future.json").read_bytes(), "application/json", PAGE_URL, project="demo"
        )
    assert "repository API version 2.0" in info.value.one_line()


@pytest.mark.parametrize(
    ("body", "content_type", "match"),
    [
        (b"{not json", "application/vnd.pypi.simple.v1+json", "not valid JSON"),
        (b'{"meta": {}}', "application/vnd.pypi.simple.v1+json", "no 'files' list"),
        (b"%PDF", "application/pdf", "neither JSON nor HTML"),
    ],
)
def test_unusable_pages_are_clear_errors(body: bytes, content_type: str, match: str) -> None:
    with pytest.raises(NetworkError) as info:
        parse_project_page(
            body, content_type, "https://u:pw@index.example.org/simple/x/", project="x"
        )
    assert match in info.value.one_line()
    assert "pw" not in info.value.one_line()


def test_core_metadata_parsing() -> None:
    meta = parse_core_metadata((PAGES / "demo.METADATA").read_bytes(), source="demo")
    assert meta.name == "Demo.Pkg" and meta.version == "1.0"
    assert meta.requires_python == ">=3.8"
    assert meta.provides_extra == ("fast",)
    assert meta.requires_dist == (
        "requests>=2",
        'ujson; extra == "fast"',
        'tomli; python_version < "3.11"',
    )


def test_core_metadata_without_name_is_an_input_error() -> None:
    with pytest.raises(InputError, match=r"unreadable core metadata in broken\.whl"):
        parse_core_metadata(b"Metadata-Version: 2.1\nVersion: 1.0\n\n", source="broken.whl")
