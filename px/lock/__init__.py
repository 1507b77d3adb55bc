"""The px.lock v1 model: frozen data, a byte-stable writer and a validating reader.

Public API::

    serialise(lock) -> str                      # deterministic px.lock text
    parse(text_or_bytes, source=...) -> Lock    # InputError listing every problem
    Lock, LockTarget, LockedPackage, Dependency, Artifact, Roots, RootSet,
    IndexSource, VcsSource, PathSource, target_id(...)
"""

from __future__ import annotations

from px.lock.model import (
    LOCK_VERSION,
    Artifact,
    Dependency,
    IndexSource,
    Lock,
    LockedPackage,
    LockTarget,
    PathSource,
    Roots,
    RootSet,
    Source,
    VcsSource,
    target_id,
)
from px.lock.parse import parse
from px.lock.serialise import HEADER, serialise

__all__ = [
    "HEADER",
    "LOCK_VERSION",
    "Artifact",
    "Dependency",
    "IndexSource",
    "Lock",
    "LockTarget",
    "LockedPackage",
    "PathSource",
    "RootSet",
    "Roots",
    "Source",
    "VcsSource",
    "parse",
    "serialise",
    "target_id",
]
