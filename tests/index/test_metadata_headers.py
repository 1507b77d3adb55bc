"""Core metadata is parsed from its header block only: the same fields, a fraction of the work."""

from __future__ import annotations

import email.parser
import email.policy
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from px.errors import InputError
from px.index.metadata import header_block, parse_core_metadata

HEADERS = (
    b"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nRequires-Python: >=3.8\n"
    b"Requires-Dist: requests>=2\nProvides-Extra: fast\n"
    b"Requires-Dist: ujson; extra == 'fast'\nDescription-Content-Type: text/markdown\n"
)
BODY = b"# demo\n\nRequires-Dist: not-a-header\nName: not-the-name\n\n" * 200


def _headers(data: bytes) -> list[tuple[str, str]]:
    parsed = email.parser.BytesParser(policy=email.policy.compat32).parsebytes(data)
    return parsed.items()


@given(
    st.lists(
        st.sampled_from([b"\r", b"\n", b"\r\n", b"Name: x", b" y", b"\tz", b"A:", b"junk", b":"]),
        max_size=14,
    )
)
def test_the_header_block_holds_the_same_headers(parts: list[bytes]) -> None:
    data = b"".join(parts)
    assert data.startswith(header_block(data))
    assert _headers(header_block(data)) == _headers(data)


def test_the_body_is_cut_at_the_first_empty_line_of_any_line_ending() -> None:
    for newline in (b"\n", b"\r\n", b"\r"):
        headers = HEADERS.replace(b"\n", newline)
        data = headers + newline + BODY.replace(b"\n", newline)
        assert header_block(data) == headers
    assert header_block(HEADERS) == HEADERS  # no body at all
    assert header_block(b"A: 1\r\nB: 2\r\n") == b"A: 1\r\nB: 2\r\n"  # CRLF is one line end


def test_lines_of_the_description_are_never_headers() -> None:
    with_body = parse_core_metadata(HEADERS + b"\n" + BODY, source="demo")
    assert with_body == parse_core_metadata(HEADERS, source="demo")
    assert with_body.name == "demo"
    assert with_body.requires_dist == ("requests>=2", 'ujson; extra == "fast"')
    assert with_body.provides_extra == ("fast",)


def test_an_oversized_metadata_member_is_refused_before_it_is_read(tmp_path: Path) -> None:
    import io
    import zipfile

    from px.index.metadata import MAX_METADATA, read_wheel_metadata

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bomb-1.0.dist-info/METADATA", b"\0" * (MAX_METADATA + 1))
    wheel = tmp_path / "bomb-1.0-py3-none-any.whl"
    wheel.write_bytes(buffer.getvalue())
    assert wheel.stat().st_size < 100_000  # small on the wire, huge once inflated
    with pytest.raises(InputError, match="METADATA file of"):
        read_wheel_metadata(wheel, wheel.name)
