"""Which member names and script names a wheel may use.

Member names must be relative UTF-8 paths that stay inside the directory they
are unpacked into on every operating system px runs on: no ``..``, no absolute
path, no drive letter, no backslash, no control character. ``.`` and empty
components (``./a``, ``a//b``) are dropped, so two spellings of one path are
caught as duplicates. Script names must be plain file names that do not shadow
the interpreter, pip or px in ``.px/bin``.
"""

from __future__ import annotations

import re

_DRIVE = re.compile(r"^[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SHADOWED_SCRIPT = re.compile(
    r"^(?:python[w]?(?:3(?:\.\d+)?)?|pip(?:3(?:\.\d+)?)?|px)(?:\.exe)?$", re.I
)


def path_problem(name: str) -> str | None:
    """Why a decoded member name is unsafe, or None."""
    if not name:
        return "has an empty name"
    if "\x00" in name:
        return "has a NUL byte in its name"
    if _CONTROL.search(name):
        return "has a control character in its name"
    if "\\" in name:
        return "uses a backslash, which Windows reads as a directory separator"
    if name.startswith("/"):
        return "is an absolute path"
    if _DRIVE.match(name):
        return "starts with a drive letter"
    if ".." in name.split("/"):
        return "leaves the install directory through '..'"
    if not normalise(name):
        return "names no file"
    return None


def normalise(name: str) -> str:
    """The member's path with ``.`` and empty components dropped (no trailing slash)."""
    return "/".join(part for part in name.split("/") if part not in ("", "."))


def script_problem(name: str) -> str | None:
    """Why ``name`` cannot be a script in ``.px/bin``, or None."""
    if not name or name in (".", ".."):
        return "is not a file name"
    if "/" in name or "\\" in name:
        return "contains a path separator"
    if _CONTROL.search(name):
        return "contains a control character"
    if _SHADOWED_SCRIPT.match(name):
        return "would shadow the environment's own python, pip or px"
    return None
