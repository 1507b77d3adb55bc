"""Small URL checks: which URLs px accepts for indexes, and credential stripping.

Credentials in an index URL are needed to talk to the index, but they must
never reach the lock, the store or a digest, so everything that records a URL
goes through :func:`strip_credentials`.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

INDEX_SCHEMES = ("http", "https", "file")


def strip_credentials(url: str) -> str:
    """``https://user:token@host/simple`` -> ``https://host/simple``; other URLs unchanged."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


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
