"""The registry's HTTP side: the project page it serves, and the legacy upload endpoint.

One urllib3 pool manager; TLS is verified against the system store or the CA
bundle given. An upload is one ``multipart/form-data`` POST, never retried and
never redirected (a redirect is reported, as twine does: re-sending a file to a
place the user did not name is not px's call). Credentials go to the repository
URL, and to the project page only when it is on the same origin.

How an answer is reported:

- 2xx: uploaded;
- 409, or a 400/403 whose message says the file already exists: already present;
- any other 3xx or 4xx: :class:`~px.errors.UploadRejected` (exit 13) with the
  registry's own message on one line;
- 5xx and transport failures: :class:`~px.errors.NetworkError` (exit 6).
"""

from __future__ import annotations

import ipaddress
import logging
import re
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urljoin, urlsplit, urlunsplit

from px.errors import NetworkError, PxError, UploadRejected
from px.publish.credentials import Credentials, redact_secret
from px.publish.messages import registry_message

if TYPE_CHECKING:
    import urllib3

log = logging.getLogger("px.publish")

MAX_REDIRECTS = 5
PAGE_ACCEPT = (
    "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, "
    "text/html;q=0.01"
)
_EXISTS = re.compile(r"already exist|file exists|overwrite", re.IGNORECASE)


@dataclass(frozen=True)
class Page:
    url: str
    content_type: str
    body: bytes


@dataclass(frozen=True)
class UploadAnswer:
    status: Literal["uploaded", "already-present"]
    message: str  # the registry's own words, one line ("" when it said nothing)


def simple_index_url(repository_url: str) -> str:
    """Where the registry lists files (PEP 503) for an upload URL.

    PyPI's and TestPyPI's upload URLs map to their ``/simple/``; an upload URL
    ending in ``/legacy/`` to the ``/simple/`` beside it; any other to
    ``<url>/simple/`` (pypiserver's layout).
    """
    parts = urlsplit(repository_url)
    host = (parts.hostname or "").lower()
    if host == "upload.pypi.org":
        return "https://pypi.org/simple/"
    path = parts.path.rstrip("/")
    if path.endswith("/legacy"):
        path = path[: -len("/legacy")]
    return urlunsplit((parts.scheme, parts.netloc, f"{path}/simple/", "", ""))


class Registry:
    """Talks to one repository URL with (optionally) one set of credentials."""

    def __init__(
        self,
        url: str,
        credentials: Credentials | None,
        *,
        ca_bundle: Path | None = None,
        timeout: float = 300.0,
        user_agent: str = "px",
    ) -> None:
        import urllib3

        from px.index import tls

        self.url = url
        self.credentials = credentials
        self._user_agent = user_agent
        context = tls.context(ca_bundle)  # a bundle that is not PEM: an InputError, one line
        self._pool = urllib3.PoolManager(
            ssl_context=context, timeout=urllib3.Timeout(connect=10.0, read=timeout)
        )
        if credentials is not None and urlsplit(url).scheme != "https" and not _loopback(url):
            log.warning("sending credentials to %s over plain HTTP", url)

    def close(self) -> None:
        self._pool.clear()

    def project_page(self, page_url: str) -> Page | None:
        """The project's page, or None when the registry has no such project (404).

        Redirects are followed on the page's own origin only: a registry that sends
        unknown projects elsewhere (pypiserver's fallback to PyPI) does not have it.
        """
        import urllib3

        base = {"Accept": PAGE_ACCEPT, "User-Agent": self._user_agent}
        retries = urllib3.Retry(total=3, redirect=False, backoff_factor=0.2)
        url = page_url
        for _hop in range(MAX_REDIRECTS + 1):
            headers = dict(base)
            if self.credentials is not None and _origin(url) == _origin(self.url):
                headers["Authorization"] = self.credentials.header()
            response = self._send("GET", url, headers=headers, retries=retries)
            log.info("GET %s -> %d", url, response.status)
            location = response.headers.get("Location")
            if response.status in (301, 302, 303, 307, 308) and location:
                target = urljoin(url, location)
                if _origin(target) != _origin(page_url):
                    log.info("%s sends %s elsewhere: not on this registry", page_url, target)
                    return None
                url = target
                continue
            if response.status in (404, 410):
                return None
            if response.status != 200:
                raise self._refusal(response, f"reading {page_url}")
            return Page(url, response.headers.get("Content-Type", ""), response.data)
        return None  # a redirect loop: let the upload's answer decide

    def upload(self, fields: Sequence[tuple[str, str]], path: Path) -> UploadAnswer:
        """POST ``fields`` and the file at ``path`` as ``content``."""
        import urllib3

        form: list[tuple[str, Any]] = list(fields)
        form.append(("content", (path.name, path.read_bytes(), "application/octet-stream")))
        body, content_type = urllib3.encode_multipart_formdata(form)
        headers = {"Content-Type": content_type, "User-Agent": self._user_agent}
        if self.credentials is not None:
            headers["Authorization"] = self.credentials.header()
        log.info("POST %s (%s, %d bytes)", self.url, path.name, len(body))
        response = self._send("POST", self.url, headers=headers, body=body)
        log.info("POST %s -> %d", self.url, response.status)
        message = self._message(response)
        if 200 <= response.status < 300:
            return UploadAnswer("uploaded", message)
        if response.status == 409 or (response.status in (400, 403) and _EXISTS.search(message)):
            return UploadAnswer("already-present", message)
        raise self._refusal(response, f"uploading {path.name}")

    # -- internals ---------------------------------------------------------------------

    def _send(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str],
        body: bytes | None = None,
        retries: object = False,
    ) -> urllib3.BaseHTTPResponse:
        from urllib3.exceptions import HTTPError, SSLError
        from urllib3.util.ssl_match_hostname import CertificateError

        try:
            return self._pool.request(
                method, url, body=body, headers=headers, retries=retries, redirect=False
            )
        except SSLError as error:
            cause = error.args[0] if error.args else error
            if isinstance(cause, (ssl.SSLCertVerificationError, CertificateError)):
                raise NetworkError(
                    f"TLS verification failed for {url}",
                    why=self._redact(str(cause)),
                    hint="if the registry uses a private CA, set PX_CA_BUNDLE to its PEM file",
                ) from None
            raise NetworkError(  # an alert, a cut handshake, TLS to a plain-HTTP port
                f"the TLS connection to {url} failed",
                why=self._redact(str(cause)),
                hint="check --repository-url's scheme and port; else try again",
            ) from None
        except HTTPError as error:
            raise NetworkError(
                f"cannot reach the registry at {url}",
                why=self._redact(_reason(error)),
                hint="check the network and --repository-url",
            ) from None

    def _message(self, response: urllib3.BaseHTTPResponse) -> str:
        return self._redact(
            registry_message(
                response.status,
                getattr(response, "reason", None) or "",
                response.headers.get("Content-Type", ""),
                response.data or b"",
            )
        )

    def _refusal(self, response: urllib3.BaseHTTPResponse, doing: str) -> PxError:
        status = response.status
        message = self._message(response)
        shown = f"{status} {message}".strip()
        if 300 <= status < 400:
            location = response.headers.get("Location", "")
            return UploadRejected(
                f"{doing} failed: the registry redirected to {location or 'elsewhere'}",
                why=shown,
                hint=f"use the final URL with --repository-url {location}".rstrip(),
            )
        if status in (401, 403) and self.credentials is None:
            return UploadRejected(
                f"{doing} failed: the registry wants credentials, and px found none",
                why=shown,
                hint="pass --token or --username/--password, or set PX_PUBLISH_TOKEN or "
                "PX_PUBLISH_USERNAME/PX_PUBLISH_PASSWORD, or add the host to ~/.netrc or ~/.pypirc",
            )
        if status in (401, 403):
            assert self.credentials is not None
            return UploadRejected(
                f"{doing} failed: the registry refused the credentials from "
                f"{self.credentials.source}",
                why=shown,
                hint="check the token or password and that it may upload this project",
            )
        if 400 <= status < 500:
            return UploadRejected(f"{doing} failed: the registry refused it", why=shown)
        return NetworkError(
            f"{doing} failed: the registry answered {status}",
            why=message or None,
            hint="the registry had a problem; try again later",
        )

    def _redact(self, text: str) -> str:
        return redact_secret(text, self.credentials)


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), port or {"http": 80, "https": 443}.get(scheme)


def _loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _reason(error: BaseException) -> str:
    reason = getattr(error, "reason", None)
    text = str(reason if reason is not None else error)
    return text.split("): ", 1)[-1] if "Pool(" in text else text
