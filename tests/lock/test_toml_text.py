"""The hand-written TOML primitives read back exactly with tomllib."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from px.lock.parse import tomllib
from px.lock.toml_text import basic_string, inline_table, key, table_array


@settings(max_examples=300)
@given(st.text())
def test_any_string_round_trips(value: str) -> None:
    assert tomllib.loads(f"k = {basic_string(value)}\n")["k"] == value


@given(st.text(min_size=1), st.text())
@example(name="0\n", value="")  # a trailing newline once passed for a bare key
def test_any_key_round_trips(name: str, value: str) -> None:
    assert tomllib.loads(f"{key(name)} = {basic_string(value)}\n") == {name: value}


def test_escapes_are_the_short_forms_and_unicode_stays_literal() -> None:
    assert basic_string('a"b\\c') == '"a\\"b\\\\c"'
    assert basic_string("\t\n\r\b\f") == '"\\t\\n\\r\\b\\f"'
    assert basic_string("\x00\x1f\x7f") == '"\\u0000\\u001f\\u007f"'
    assert basic_string("café ☕") == '"café ☕"'
    assert key("plain-key_1") == "plain-key_1"
    assert key("has space") == '"has space"'


def test_lone_surrogates_are_refused() -> None:
    with pytest.raises(ValueError, match="surrogate"):
        basic_string("\ud800")


def test_inline_tables_and_arrays() -> None:
    pairs = [("name", "x"), ("size", 3), ("ok", True), ("extras", ["a", "b"])]
    assert inline_table(pairs) == '{ name = "x", size = 3, ok = true, extras = ["a", "b"] }'
    assert inline_table([]) == "{}"
    text = table_array("deps", [pairs, [("name", "y")]])
    assert text == (
        'deps = [\n    { name = "x", size = 3, ok = true, extras = ["a", "b"] },\n'
        '    { name = "y" },\n]\n'
    )
    assert tomllib.loads(text)["deps"][1] == {"name": "y"}
    assert table_array("deps", []) == "deps = []\n"
