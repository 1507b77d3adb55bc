"""Credentials for indexes, and the rule that they go only where they belong.

Sources, first match wins: the index URL's ``user:password@`` part, the
environment (``PX_INDEX_<NAME>_USERNAME`` / ``PX_INDEX_<NAME>_PASSWORD``), then
``~/.netrc`` (or the file ``NETRC`` names). A credential is bound to an
origin (scheme, host, port) and is only ever sent to that origin.
"""

from __future__ import annotations

import base64
import dataclasses
import logging
import netrc
import os
import re
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path

from px.index.config import IndexConfig
from px.index.urls import Origin, origin, split_userinfo

log = logging.getLogger("px.index")


@dataclasses.dataclass(frozen=True)
class Credential:
    username: str
    password: str = dataclasses.field(repr=False)

    def header(self) -> str:
        token = base64.b64encode(f"{self.username}:{self.password}".encode()).decode("ascii")
        return f"Basic {token}"


def env_prefix(index_name: str) -> str:
    """``PX_INDEX_<NAME>_``: the name upper-cased, anything not alphanumeric -> ``_``."""
    return "PX_INDEX_" + re.sub(r"[^A-Za-z0-9]", "_", index_name).upper() + "_"


def _from_environ(index: IndexConfig, environ: Mapping[str, str]) -> Credential | None:
    prefix = env_prefix(index.name)
    username = environ.get(prefix + "USERNAME")
    password = environ.get(prefix + "PASSWORD")
    if username is None and password is None:
        return None
    return Credential(username or "", password or "")


class CredentialProvider:
    """Answers "which Authorization header, if any, may this URL get?"."""

    def __init__(
        self,
        indexes: Iterable[IndexConfig] = (),
        *,
        environ: Mapping[str, str] | None = None,
        netrc_path: Path | None = None,
    ) -> None:
        env = os.environ if environ is None else environ
        self._bound: list[tuple[Origin, str, Credential]] = []
        for index in indexes:
            base, username, password = split_userinfo(index.url)
            cred = (
                Credential(username or "", password or "")
                if username is not None or password is not None
                else _from_environ(index, env)
            )
            if cred is not None:
                path = split_path(base)
                self._bound.append((origin(base), path, cred))
        if netrc_path is None:
            netrc_path = Path(env["NETRC"]) if env.get("NETRC") else Path.home() / ".netrc"
        self._netrc_path = netrc_path
        self._netrc: netrc.netrc | None = None
        self._netrc_loaded = False
        self._lock = threading.Lock()

    def for_url(self, url: str) -> Credential | None:
        """The credential for ``url``'s origin: the most specific configured one, else netrc."""
        target = origin(url)
        path = split_path(url)
        best: tuple[int, Credential] | None = None
        for bound_origin, prefix, cred in self._bound:
            if bound_origin != target:
                continue
            score = len(prefix) if path.startswith(prefix) else -1
            if best is None or score > best[0]:
                best = (score, cred)
        if best is not None:
            return best[1]
        return self._from_netrc(target.host)

    def authorization(self, url: str) -> str | None:
        cred = self.for_url(url)
        return cred.header() if cred is not None else None

    def _from_netrc(self, host: str) -> Credential | None:
        with self._lock:
            if not self._netrc_loaded:
                self._netrc_loaded = True
                if self._netrc_path.is_file():
                    try:
                        self._netrc = netrc.netrc(str(self._netrc_path))
                    except (netrc.NetrcParseError, OSError) as exc:
                        log.warning(
                            "ignoring unreadable netrc file %s (%s)",
                            self._netrc_path,
                            type(exc).__name__,
                        )
            data = self._netrc
        if data is None or not host:
            return None
        entry = data.authenticators(host)
        if entry is None:
            return None
        login, _account, password = entry
        return Credential(login or "", password or "")


def split_path(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).path or "/"
