"""How much a wheel may ask of px before it is refused as a zip bomb or worse.

The caps are checked against what the archive declares *before* anything is
inflated, and declared sizes are enforced while inflating, so a hostile wheel is
refused after reading at most a few bytes past a declaration, with flat memory.
The defaults are far above ordinary wheels (the 46 wheels of the benchmark
workload unpack to 76 MB, and none of their members compresses better than
25:1) and leave room for large machine-learning wheels. docs/wheels.md
explains each one.
"""

from __future__ import annotations

from dataclasses import dataclass

KiB = 1024
MiB = 1024 * KiB
GiB = 1024 * MiB


@dataclass(frozen=True)
class Limits:
    """Caps applied to one wheel. Frozen: build a new one with :func:`dataclasses.replace`."""

    max_members: int = 100_000
    """Entries in the central directory, directories included."""
    max_unpacked_bytes: int = 4 * GiB
    """Sum of the declared uncompressed sizes of all members."""
    max_member_bytes: int = 4 * GiB
    """Declared uncompressed size of any one member."""
    max_ratio: float = 200.0
    """Uncompressed / compressed size, per member and for the whole wheel ..."""
    ratio_floor_bytes: int = 8 * MiB
    """... counted only once the member (or the wheel) unpacks to at least this much."""
    max_metadata_bytes: int = 64 * MiB
    """``RECORD``, ``WHEEL``, ``METADATA`` and ``entry_points.txt``, each (read whole)."""
    max_central_directory_bytes: int = 64 * MiB
    """The archive's table of contents, read whole."""
    max_path_bytes: int = 1024
    """Length of one member name in UTF-8 bytes."""
    allow_case_collisions: bool = False
    """Accept two members whose paths differ only by case (they collide on macOS and Windows)."""


DEFAULT_LIMITS = Limits()
