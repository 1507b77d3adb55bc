"""Reading one member: whole in one step (small members) or streamed in chunks (large
ones). Both hold a member to what the directory declares, with the same refusals."""

from __future__ import annotations

import io
import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from px.errors import PxError
from px.install import zipstream
from px.install.ziparchive import DEFLATED, STORED, ZipMember

CONTENT = b"print('hello')\n" * 300


def _deflated(data: bytes) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


def _member(stream: bytes, *, size: int = len(CONTENT), crc: int | None = None,
            method: int = DEFLATED) -> tuple[io.BytesIO, ZipMember]:  # fmt: skip
    """``stream`` as a member's data, after 7 bytes of something else."""
    member = ZipMember(
        name="demo/m.py",
        flags=0,
        method=method,
        crc=zlib.crc32(CONTENT) if crc is None else crc,
        compressed_size=len(stream),
        size=size,
        header_offset=0,
        data_offset=7,
        unix_mode=0o644,
    )
    return io.BytesIO(b"header!" + stream + b"next member"), member


def _both(f: io.BytesIO, m: ZipMember) -> tuple[bytes | str, bytes | str]:
    """What each way of reading gives: the bytes, or the refusal's one line."""
    results: list[bytes | str] = []
    for read in (
        lambda: zipstream.member_bytes(f, m, "demo-1.0-py3-none-any.whl")[0],
        lambda: b"".join(zipstream.member_chunks(f, m, "demo-1.0-py3-none-any.whl")),
    ):
        try:
            results.append(read())
        except PxError as error:
            results.append(error.one_line())
    return results[0], results[1]


GOOD = _deflated(CONTENT)
CASES = {
    "deflated": (_member(GOOD), CONTENT),
    "stored": (_member(CONTENT, method=STORED), CONTENT),
    "empty": (_member(_deflated(b""), size=0, crc=0), b""),
    "truncated stream": (_member(GOOD[: len(GOOD) // 2]), "has a truncated deflate stream"),
    "data after the stream": (_member(GOOD + b"junk"), "has data after the end of its deflate"),
    "broken stream": (_member(b"\xff" * 40), "has a broken deflate stream"),
    "larger than declared": (_member(GOOD, size=100), "inflates past its declared size of 100"),
    "smaller than declared": (_member(GOOD, size=len(CONTENT) + 5), "inflates to 4500 bytes"),
    "stored, larger": (_member(CONTENT, size=100, method=STORED), "inflates past its declared"),
    "crc": (_member(GOOD, crc=1), "does not match its CRC-32"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_whole_and_streamed_reads_agree(case: str) -> None:
    (f, member), expected = CASES[case]
    whole, streamed = _both(f, member)
    assert whole == streamed
    if isinstance(expected, bytes):
        assert whole == expected
    else:
        assert isinstance(whole, str) and expected in whole and "demo/m.py" in whole


def test_a_small_member_comes_with_its_deflate_stream_to_keep_as_it_is() -> None:
    """(The store keeps that stream as the member's frame: it must be exactly the member's
    data, no byte of the next member, and a stored member has none.)"""
    f, member = _member(GOOD)
    assert zipstream.member_bytes(f, member, "demo-1.0-py3-none-any.whl") == (CONTENT, GOOD)
    f, member = _member(CONTENT, method=STORED)
    assert zipstream.member_bytes(f, member, "demo-1.0-py3-none-any.whl") == (CONTENT, None)


def test_a_file_cut_short_is_refused_both_ways() -> None:
    f, member = _member(GOOD)
    f = io.BytesIO(f.getvalue()[: 7 + len(GOOD) // 2])
    whole, streamed = _both(f, member)
    assert whole == streamed
    assert isinstance(whole, str) and "is cut short" in whole


@given(st.lists(st.sampled_from(["", ".", "..", "a", "b.py", "ü", " "]), max_size=7))
def test_a_member_name_is_normalised_by_dropping_empty_and_dot_parts(parts: list[str]) -> None:
    """(The shortcut for names already normal must not change any result.)"""
    from px.install.paths import normalise

    name = "/".join(parts)
    assert normalise(name) == "/".join(p for p in parts if p not in ("", "."))
