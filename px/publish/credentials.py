"""Which credentials an upload sends, and where they came from.

First match wins:

1. the command line: ``--token`` (sent as user ``__token__``), or ``--username`` and
   ``--password``;
2. the environment: ``PX_PUBLISH_TOKEN``, or ``PX_PUBLISH_USERNAME`` and
   ``PX_PUBLISH_PASSWORD``;
3. ``~/.netrc`` (or the file ``NETRC`` names): the entry of the repository's host;
4. ``~/.pypirc``: the section whose ``repository`` is the repository URL (the
   ``pypi`` and ``testpypi`` sections stand for PyPI's and TestPyPI's upload URLs
   when they name no repository).

A password never appears in a ``repr``, a log line or an error: :func:`redact_secret`
is applied to anything shown that may have passed through the registry.
"""

from __future__ import annotations

import base64
import configparser
import netrc
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from px.errors import InputError

TOKEN_USERNAME = "__token__"
PYPI_UPLOAD_URL = "https://upload.pypi.org/legacy/"
TESTPYPI_UPLOAD_URL = "https://test.pypi.org/legacy/"
_DEFAULT_REPOSITORIES = {"pypi": PYPI_UPLOAD_URL, "testpypi": TESTPYPI_UPLOAD_URL}


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str = field(repr=False)
    source: str = ""  # where they were found, for messages: "--token", "~/.netrc", ...

    def header(self) -> str:
        pair = f"{self.username}:{self.password}".encode()
        return "Basic " + base64.b64encode(pair).decode("ascii")


@dataclass(frozen=True)
class CredentialSources:
    """What the command line and the user's environment offer (the CLI gathers it)."""

    token: str | None = field(default=None, repr=False)
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    environ: Mapping[str, str] = field(default_factory=dict, repr=False)
    netrc_path: Path | None = None
    pypirc_path: Path | None = None


def find_credentials(repository_url: str, sources: CredentialSources) -> Credentials | None:
    """The credentials for ``repository_url``, or None when nothing offers any."""
    if sources.token is not None:
        return Credentials(TOKEN_USERNAME, sources.token, "--token")
    if sources.username is not None or sources.password is not None:
        if sources.username is None or sources.password is None:
            raise InputError(
                "--username and --password go together",
                hint="give both, or use --token for an API token",
            )
        return Credentials(sources.username, sources.password, "--username/--password")
    env = sources.environ
    if env.get("PX_PUBLISH_TOKEN"):
        return Credentials(TOKEN_USERNAME, env["PX_PUBLISH_TOKEN"], "PX_PUBLISH_TOKEN")
    if env.get("PX_PUBLISH_USERNAME") and env.get("PX_PUBLISH_PASSWORD") is not None:
        return Credentials(
            env["PX_PUBLISH_USERNAME"],
            env["PX_PUBLISH_PASSWORD"],
            "PX_PUBLISH_USERNAME/PX_PUBLISH_PASSWORD",
        )
    found = _from_netrc(repository_url, sources.netrc_path)
    if found is None:
        found = _from_pypirc(repository_url, sources.pypirc_path)
    return found


def redact_secret(text: str, credentials: Credentials | None) -> str:
    """``text`` with the password (and its Basic form) replaced by ``***``."""
    if credentials is None or not credentials.password:
        return text
    for secret in (credentials.header().split(" ", 1)[1], credentials.password):
        text = text.replace(secret, "***")
    return text


def same_repository(left: str, right: str) -> bool:
    """Whether two repository URLs name the same endpoint (case of host, final slash aside)."""

    def key(url: str) -> tuple[str, str, int | None, str]:
        parts = urlsplit(url.strip())
        try:
            port = parts.port
        except ValueError:
            port = None
        host = (parts.hostname or "").lower()
        return parts.scheme.lower(), host, port, parts.path.rstrip("/")

    return key(left) == key(right)


def _from_netrc(repository_url: str, path: Path | None) -> Credentials | None:
    host = urlsplit(repository_url).hostname or ""
    if path is None or not host or not path.is_file():
        return None
    try:
        entry = netrc.netrc(str(path)).authenticators(host)
    except (netrc.NetrcParseError, OSError) as error:
        line = getattr(error, "lineno", None)  # never the message: it may quote a password
        raise InputError(
            f"cannot read {path}",
            why=f"{type(error).__name__}" + (f" at line {line}" if line else ""),
            hint="fix the netrc file, or pass credentials with --token",
        ) from None
    if entry is None or not entry[2]:
        return None
    return Credentials(entry[0] or TOKEN_USERNAME, entry[2], str(path))


def _from_pypirc(repository_url: str, path: Path | None) -> Credentials | None:
    if path is None or not path.is_file():
        return None
    parser = configparser.RawConfigParser()
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, OSError, UnicodeDecodeError) as error:
        raise InputError(
            f"cannot read {path}",
            why=type(error).__name__,
            hint="fix the file, or pass credentials with --token",
        ) from None
    for section in parser.sections():
        if section == "distutils":
            continue
        repository = parser.get(section, "repository", fallback=_DEFAULT_REPOSITORIES.get(section))
        if repository is None or not same_repository(repository, repository_url):
            continue
        password = parser.get(section, "password", fallback=None)
        if password:
            username = parser.get(section, "username", fallback=None) or TOKEN_USERNAME
            return Credentials(username, password, f"{path} [{section}]")
    return None
