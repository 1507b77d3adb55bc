"""HTTP caching rules for project pages (a small, private-cache subset of RFC 9111).

Pure functions over header values and times. ``max-age`` (or ``Expires``)
gives a freshness lifetime; ``no-cache`` means "store, but revalidate every
time"; ``no-store`` means "do not keep it". A response without any caching
header is kept for revalidation and offline use but never treated as fresh.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import email.utils
from collections.abc import Mapping

ISO_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def to_iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime(ISO_FORMAT)


def from_iso(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, ISO_FORMAT).replace(tzinfo=dt.timezone.utc)


def parse_cache_control(value: str | None) -> dict[str, str | None]:
    """``"max-age=60, no-cache"`` -> ``{"max-age": "60", "no-cache": None}``."""
    directives: dict[str, str | None] = {}
    for part in (value or "").split(","):
        name, sep, arg = part.strip().partition("=")
        if name:
            directives[name.strip().lower()] = arg.strip().strip('"') if sep else None
    return directives


@dataclasses.dataclass(frozen=True)
class Freshness:
    storable: bool
    expires_at: dt.datetime | None  # None: revalidate before every use


def freshness(headers: Mapping[str, str], received_at: dt.datetime) -> Freshness:
    """How long a response with ``headers`` may be used without asking again."""
    directives = parse_cache_control(headers.get("cache-control"))
    if "no-store" in directives:
        return Freshness(storable=False, expires_at=None)
    if "no-cache" in directives:
        return Freshness(storable=True, expires_at=None)
    max_age = directives.get("max-age")
    if max_age is not None:
        try:
            seconds = int(max_age)
        except ValueError:
            return Freshness(storable=True, expires_at=None)
        age = _int_or_zero(headers.get("age"))
        lifetime = max(seconds - age, 0)
        return Freshness(True, received_at + dt.timedelta(seconds=lifetime) if lifetime else None)
    expires = headers.get("expires")
    if expires:
        try:
            when = email.utils.parsedate_to_datetime(expires)
        except (TypeError, ValueError):
            return Freshness(storable=True, expires_at=None)
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.timezone.utc)
        return Freshness(True, when if when > received_at else None)
    return Freshness(storable=True, expires_at=None)


def is_fresh(expires_at: str | None, moment: dt.datetime) -> bool:
    if expires_at is None:
        return False
    try:
        return from_iso(expires_at) > moment
    except ValueError:
        return False


def _int_or_zero(value: str | None) -> int:
    try:
        return max(int(value or 0), 0)
    except ValueError:
        return 0
