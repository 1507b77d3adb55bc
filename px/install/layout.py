"""Where each member of a wheel goes in an installed tree (PEP 427 "spreading").

A tree has four parts, mirroring an install scheme: ``site`` (purelib and
platlib), ``scripts`` (``.data/scripts``, shebangs rewritten per environment),
``data`` (``.data/data``, relative to the environment's prefix) and
``include`` (``.data/headers``).
"""

from __future__ import annotations

SITE = "site"
SCRIPTS = "scripts"
DATA = "data"
INCLUDE = "include"

_DATA_KEYS = {
    "purelib": SITE,
    "platlib": SITE,
    "scripts": SCRIPTS,
    "data": DATA,
    "headers": INCLUDE,
}


def destination(member: str, data_dir: str) -> tuple[str, str] | None:
    """(part, relative path) for a wheel member; None for a ``.data`` entry px does not know.

    ``data_dir`` is the wheel's ``{name}-{version}.data`` directory name.
    """
    prefix = data_dir + "/"
    if not member.startswith(prefix):
        return SITE, member
    rest = member[len(prefix) :]
    key, _, path = rest.partition("/")
    part = _DATA_KEYS.get(key)
    if part is None or not path:
        return None
    return part, path
