"""Which URLs px accepts for indexes (credential stripping lives in :mod:`px.urls`)."""

from __future__ import annotations

from urllib.parse import urlsplit

from px.urls import strip_credentials

__all__ = ["INDEX_SCHEMES", "index_url_problem", "strip_credentials"]

INDEX_SCHEMES = ("http", "https", "file")


def index_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be an index URL, or None when it can."""
    try:
        parts = urlsplit(url)
    except ValueError as error:
        return f"invalid URL {url!r}: {error}"
    if parts.scheme not in INDEX_SCHEMES:
        return f"invalid URL {url!r}: the scheme must be one of {', '.join(INDEX_SCHEMES)}"
    if parts.scheme != "file" and not parts.hostname:
        return f"invalid URL {url!r}: no host"
    return None
