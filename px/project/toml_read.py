"""Parse TOML text with tomllib (tomli on Python 3.10), as a px error on bad syntax."""

from __future__ import annotations

import re
import sys
from typing import Any

from px.errors import InputError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")


def loads(text: str, *, label: str, source: str) -> dict[str, Any]:
    """Parse ``text``; a syntax error names ``source`` with the line and column."""
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message, line, column = decode_error_position(error)
        where = f"{source}:{line}:{column}" if line else source
        raise InputError(
            f"{label} is not valid TOML",
            why=f"{message} at line {line}, column {column}" if line else message,
            hint=f"fix the syntax of {label}",
            details=[f"{where}: {message}"],
        ) from None
    return data


def decode_error_position(error: ValueError) -> tuple[str, int, int]:
    """The message, line and column (1-based; 0 when unknown) of a TOML decode error."""
    line = getattr(error, "lineno", None)
    column = getattr(error, "colno", None)
    message = getattr(error, "msg", None)
    text = str(error)
    match = _POSITION.search(text)
    if message is None:
        message = text[: match.start()] if match else text
    if not isinstance(line, int) or not isinstance(column, int):
        line, column = (int(match.group(1)), int(match.group(2))) if match else (0, 0)
    return str(message), line, column
