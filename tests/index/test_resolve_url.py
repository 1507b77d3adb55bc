"""`px.index.urls.resolve` answers exactly as `urllib.parse.urljoin`, fast path or not."""

from __future__ import annotations

import urllib.parse

import pytest
from hypothesis import given
from hypothesis import strategies as st

from px.index.urls import resolve

BASES = ("https://pypi.org/simple/demo/", "http://127.0.0.1:8080/primary/simple/demo/")
PIECES = st.sampled_from(
    ["https://", "http://", "HTTPS://", "h.example", ":8080", "/", "a", "..", ".", "@", "u:p",
     "?", "q=1", "#", "sha256=ab", "%20", " ", "[", "]", "files", "x.whl", "../../files/",
     "//", ";", "\\", "\t"]
)  # fmt: skip


@given(st.sampled_from(BASES), st.lists(PIECES, max_size=8).map("".join))
def test_resolve_agrees_with_urljoin(base: str, href: str) -> None:
    try:
        expected = urllib.parse.urljoin(base, href)
    except ValueError:  # e.g. an unbalanced bracket: resolve refuses it the same way
        with pytest.raises(ValueError):
            resolve(base, href)
        return
    assert resolve(base, href) == expected


def test_pypi_file_urls_take_the_fast_path_unchanged() -> None:
    href = "https://files.pythonhosted.org/packages/2f/17/ab/botocore-1.44.8-py3-none-any.whl"
    assert resolve(BASES[0], href + "#sha256=00ff") == href + "#sha256=00ff"
