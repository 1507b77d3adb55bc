"""Write TOML values by hand, byte-stable: the same value always gives the same text.

px.lock must be identical on every machine and with every version of every
library, so it is not written with a TOML library whose formatting may
change. Only what the lock needs is here: basic strings, integers, booleans,
one-line arrays of those, and one-line inline tables.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TypeAlias

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")  # fullmatch: "$" would let "0\n" through
_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}
# Every other control character (U+0000-U+001F and U+007F) as \\uXXXX.
_TABLE = {
    code: _ESCAPES.get(chr(code), f"\\u{code:04x}") for code in (*range(0x20), 0x7F, 0x22, 0x5C)
}

Scalar: TypeAlias = str | int | bool
InlineTable: TypeAlias = Sequence[tuple[str, Scalar | Sequence[str]]]


def basic_string(value: str) -> str:
    """A TOML basic string: ``"..."`` with quotes, backslashes and controls escaped."""
    if any("\ud800" <= ch <= "\udfff" for ch in value):
        raise ValueError(f"lone surrogate in {value!r}: not representable in TOML")
    return '"' + value.translate(_TABLE) + '"'


def key(name: str) -> str:
    """A bare key when possible, else a quoted one."""
    return name if _BARE_KEY.fullmatch(name) else basic_string(name)


def scalar(value: Scalar | Sequence[str]) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return basic_string(value)
    return "[" + ", ".join(basic_string(item) for item in value) + "]"


def inline_table(pairs: InlineTable) -> str:
    """``{ a = 1, b = "x" }`` (``{}`` when empty)."""
    if not pairs:
        return "{}"
    return "{ " + ", ".join(f"{key(k)} = {scalar(v)}" for k, v in pairs) + " }"


def assignment(name: str, value: Scalar | Sequence[str]) -> str:
    return f"{key(name)} = {scalar(value)}\n"


def table_array(name: str, tables: Sequence[InlineTable]) -> str:
    """An array of inline tables, one per line: ``name = [\\n    { ... },\\n]``."""
    if not tables:
        return f"{key(name)} = []\n"
    lines = "".join(f"    {inline_table(table)},\n" for table in tables)
    return f"{key(name)} = [\n{lines}]\n"
