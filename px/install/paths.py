"""Which member names and script names a wheel may use.

Member names must be relative UTF-8 paths that stay inside the directory they
are unpacked into on every operating system px runs on: no ``..``, no absolute
path, no drive letter, no backslash, no control character. ``.`` and empty
components (``./a``, ``a//b``) are dropped, so two spellings of one path are
caught as duplicates. Script names must be plain file names that do not shadow
the interpreter, pip or px in ``.px/bin`` (pip's and px's own wheels may
install their own scripts).
"""

from __future__ import annotations

import re

_DRIVE = re.compile(r"^[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_PYTHON_SCRIPT = re.compile(r"^pythonw?(?:3(?:\.\d+)?)?(?:\.exe)?\Z", re.IGNORECASE)
_OWN_SCRIPTS = {  # distribution -> the script names only it may install
    "pip": re.compile(r"^pip(?:3(?:\.\d+)?)?(?:\.exe)?\Z", re.IGNORECASE),
    "px": re.compile(r"^px(?:\.exe)?\Z", re.IGNORECASE),
}


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
    wrapped = f"/{name}/"
    if "//" not in wrapped and "/./" not in wrapped:  # nearly every name: already normal
        return name
    return "/".join(part for part in name.split("/") if part not in ("", "."))


def script_problem(name: str, distribution: str) -> str | None:
    """Why ``name`` cannot be a script of ``distribution`` (normalised) in ``.px/bin``, or None.

    ``python*`` is never allowed; ``pip*`` only from pip itself and ``px`` only from px.
    """
    if not name or name in (".", ".."):
        return "is not a file name"
    if "/" in name or "\\" in name:
        return "contains a path separator"
    if _CONTROL.search(name):
        return "contains a control character"
    if _PYTHON_SCRIPT.match(name):
        return "would shadow the environment's own python"
    for owner, pattern in _OWN_SCRIPTS.items():
        if owner != distribution and pattern.match(name):
            return f"would shadow {owner}, and this is not {owner}'s own wheel"
    return None
