"""URL helpers: the one :func:`redact`, origins, and the redirect policy.

Every URL that leaves this package for a log line, an error message, the store
or a lock goes through :func:`redact` first.
"""

from __future__ import annotations

import dataclasses
import re
import urllib.parse

from packaging.utils import canonicalize_name

from px.errors import NetworkError


def redact(url: str) -> str:
    """``url`` without its ``user:password@`` part (and nothing else changed).

    The only function px uses to make a URL safe to store, log or show.
    """
    if "@" not in url and url.isascii() and "[" not in url and "]" not in url:
        # No userinfo without "@"; and urlsplit raises only on brackets or non-ASCII hosts,
        # so this answer is the one below, without parsing (pages list thousands of URLs).
        return url
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return "<unparseable URL>"
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urllib.parse.urlunsplit(parts._replace(netloc=host))


@dataclasses.dataclass(frozen=True)
class Origin:
    """scheme + host + port: the unit credentials belong to."""

    scheme: str
    host: str
    port: int

    def __str__(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"


def origin(url: str) -> Origin:
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is None:
        port = 443 if scheme == "https" else 80
    return Origin(scheme, (parts.hostname or "").lower(), port)


def split_userinfo(url: str) -> tuple[str, str | None, str | None]:
    """``(url without userinfo, username, password)``; names are percent-decoded."""
    parts = urllib.parse.urlsplit(url)
    if "@" not in parts.netloc:
        return url, None, None
    username = urllib.parse.unquote(parts.username) if parts.username else None
    password = urllib.parse.unquote(parts.password) if parts.password is not None else None
    return redact(url), username, password


def project_page_url(index_url: str, project: str) -> str:
    """The PEP 503 page of ``project`` on the index at ``index_url``."""
    base = index_url if index_url.endswith("/") else index_url + "/"
    return f"{base}{canonicalize_name(project)}/"


_PLAIN_ABSOLUTE = re.compile(r"https?://[^/?#@\[\];\\\s]+(/[^?#;\\\s]*)?(#[^\s]+)?", re.ASCII)


def resolve(base: str, href: str) -> str:
    """``href`` resolved against the page it appears on.

    An absolute http(s) URL without a query, dot segments or userinfo (what
    PyPI's pages list, thousands a page) is its own answer, as ``urljoin``
    would give it; anything else goes through ``urljoin``, which costs about
    30 us a call.
    """
    if _PLAIN_ABSOLUTE.fullmatch(href) and "/." not in href:
        return href
    return urllib.parse.urljoin(base, href)


def strip_fragment(url: str) -> tuple[str, str]:
    """``(url without #fragment, fragment)``."""
    url, _, fragment = url.partition("#")
    return url, fragment


def check_redirect(from_url: str, to_url: str) -> None:
    """Refuse a redirect that would leave TLS (https -> anything else)."""
    src = urllib.parse.urlsplit(from_url).scheme.lower()
    dst = urllib.parse.urlsplit(to_url).scheme.lower()
    if dst not in {"http", "https"}:
        raise NetworkError(
            f"refused redirect from {redact(from_url)} to {redact(to_url)}",
            why=f"the target scheme {dst!r} is not http or https",
        )
    if src == "https" and dst != "https":
        raise NetworkError(
            f"refused redirect from {redact(from_url)} to {redact(to_url)}",
            why="it would downgrade HTTPS to plain HTTP",
            hint="ask the index operator to fix the redirect, or use the https:// URL directly",
        )
