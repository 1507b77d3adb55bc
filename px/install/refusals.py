"""The errors a refused wheel raises: one wording, naming the wheel file and the member.

Structural problems (a malformed archive, unsafe names, missing or inconsistent
metadata, limits exceeded) are :class:`~px.errors.InputError` (exit 3); content
that does not match its CRC, its ``RECORD`` hash or size, or the sha256 it was
announced under is :class:`~px.errors.IntegrityError` (exit 5).
"""

from __future__ import annotations

from collections.abc import Sequence

from px.errors import InputError, IntegrityError

_HINT = (
    "px stored nothing from it; the file is malformed or was altered: download it again, "
    "and if it is refused again report it to the project that publishes it"
)


def _why(why: str, member: str | None) -> str:
    return why if member is None else f"member {member!r} {why}"


def refused(
    wheel: str, why: str, *, member: str | None = None, details: Sequence[str] = ()
) -> InputError:
    """A structural problem: exit code 3."""
    return InputError(
        f"refusing wheel {wheel}", why=_why(why, member), hint=_HINT, details=tuple(details)
    )


def corrupt(
    wheel: str, why: str, *, member: str | None = None, details: Sequence[str] = ()
) -> IntegrityError:
    """Content that does not match the hash or size it was declared with: exit code 5."""
    return IntegrityError(
        f"refusing wheel {wheel}: its content does not match its hashes",
        why=_why(why, member),
        hint=_HINT,
        details=tuple(details),
    )
