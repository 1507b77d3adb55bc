"""Settings of the index client: which indexes, how to talk to them.

These are plain frozen values. The caller (``px.ops`` / ``px.cli``) builds them
from ``pyproject.toml``, the command line and the environment; this package
never reads ``pyproject.toml`` itself.
"""

from __future__ import annotations

import dataclasses
import os
import platform
import sys
from collections.abc import Mapping
from pathlib import Path

from px import __version__
from px.errors import InputError

DEFAULT_INDEX_URL = "https://pypi.org/simple/"
DEFAULT_INDEX_NAME = "pypi"


@dataclasses.dataclass(frozen=True)
class IndexConfig:
    """One package index (PEP 503 / PEP 691 "simple" API).

    ``explicit`` indexes are consulted only for packages pinned to them through
    the ``sources`` mapping; the others are searched in order (first-index).
    A ``file:`` URL names a local directory laid out like a simple index
    (``<project>/index.json`` or ``<project>/index.html``).
    ``url`` may carry ``user:password@`` userinfo; it is never stored or logged
    as given (see :func:`px.index.urls.redact`).
    """

    name: str
    url: str
    explicit: bool = False

    def __post_init__(self) -> None:
        if not self.name:
            raise InputError("an index has an empty name", hint="give every index a name")
        if not self.url.startswith(("https://", "http://", "file:")):
            from px.index.urls import redact

            raise InputError(
                f"index {self.name!r} has an unsupported URL {redact(self.url)!r}",
                why="index URLs must start with https://, http:// or file:",
                hint="use find-links for a plain directory of wheels",
            )
        if not self.url.endswith("/"):
            object.__setattr__(self, "url", self.url + "/")


def default_index(url: str | None = None) -> IndexConfig:
    """The default index: PyPI, or ``url`` (from PX_INDEX_URL / [tool.px] index-url)."""
    return IndexConfig(DEFAULT_INDEX_NAME, url or DEFAULT_INDEX_URL)


@dataclasses.dataclass(frozen=True)
class NetworkSettings:
    """How px talks HTTP. Timeouts are in seconds."""

    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    retries: int = 3
    backoff: float = 0.25  # first retry waits this long, then doubles
    max_workers: int = 16
    ca_bundle: Path | None = None  # extra/replacement CA file (PEM); None: system store
    offline: bool = False


def settings_from_environ(
    environ: Mapping[str, str] | None = None, **overrides: object
) -> NetworkSettings:
    """Network settings from the user's environment, then explicit ``overrides``.

    Reads ``PX_CA_BUNDLE``, ``PX_OFFLINE`` (``1``/``true``/``yes``),
    ``PX_HTTP_TIMEOUT`` (read timeout) and ``PX_HTTP_RETRIES``.
    """
    env = os.environ if environ is None else environ
    values: dict[str, object] = {}
    if env.get("PX_CA_BUNDLE"):
        values["ca_bundle"] = Path(env["PX_CA_BUNDLE"])
    if env.get("PX_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}:
        values["offline"] = True
    for var, key, kind in (
        ("PX_HTTP_TIMEOUT", "read_timeout", float),
        ("PX_HTTP_RETRIES", "retries", int),
    ):
        if env.get(var):
            try:
                values[key] = kind(env[var])
            except ValueError:
                raise InputError(
                    f"{var}={env[var]!r} is not a valid number",
                    hint=f"set {var} to a number or unset it",
                ) from None
    values.update(overrides)
    return NetworkSettings(**values)  # type: ignore[arg-type]


def user_agent() -> str:
    """The User-Agent header: ``px/<version> (python <ver>; <platform>)``."""
    py = platform.python_version()
    impl = sys.implementation.name
    plat = f"{platform.system() or 'unknown'} {platform.machine() or 'unknown'}".strip()
    name = "python" if impl == "cpython" else f"python {impl}"
    return f"px/{__version__} ({name} {py}; {plat})"
