"""HTTP for the index client: pooled connections, retries, redirects, credentials.

One :class:`Transport` per client; it is thread-safe (urllib3's pool manager
is). Redirects are followed here, not by urllib3, so that every hop is checked
(no https -> http downgrade) and gets the Authorization header of its own
origin only. Bodies are streamed into a :class:`Sink`, so a retry can start
the sink over and a download never sits in memory whole.
"""

from __future__ import annotations

import dataclasses
import logging
import ssl
import threading
import time
from collections.abc import Mapping
from typing import Protocol

import urllib3
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
    SSLError,
)
from urllib3.util.ssl_match_hostname import CertificateError

from px.errors import InputError, NetworkError
from px.index import tls
from px.index.config import NetworkSettings, user_agent
from px.index.credentials import CredentialProvider
from px.index.urls import check_redirect, redact, resolve, split_userinfo

log = logging.getLogger("px.index")

REDIRECTS = {301, 302, 303, 307, 308}
TRANSIENT = {429, 500, 502, 503, 504}
PASSED_ON = {200, 304, 404, 410}  # the caller decides what these mean
MAX_REDIRECTS = 10
CHUNK = 64 * 1024
MAX_RETRY_AFTER = 10.0


class Sink(Protocol):
    def reset(self) -> None: ...
    def write(self, chunk: bytes) -> None: ...


class MemorySink:
    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def reset(self) -> None:
        self.parts.clear()

    def write(self, chunk: bytes) -> None:
        self.parts.append(chunk)

    def getvalue(self) -> bytes:
        return b"".join(self.parts)


class SinkFull(Exception):
    """A :class:`CappedSink` was sent more than its limit (raised through :meth:`Transport.get`,
    which does not retry it)."""


class CappedSink(MemorySink):
    """A memory sink refusing more than ``limit`` bytes."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self._limit = limit
        self._size = 0

    def reset(self) -> None:
        super().reset()
        self._size = 0

    def write(self, chunk: bytes) -> None:
        self._size += len(chunk)
        if self._size > self._limit:
            raise SinkFull(f"more than {self._limit} bytes")
        super().write(chunk)


@dataclasses.dataclass(frozen=True)
class Response:
    """A final (non-redirect) response. ``url`` is where it came from, without credentials."""

    url: str
    status: int
    headers: Mapping[str, str]  # lower-case names


class _Transient(Exception):
    def __init__(self, error: NetworkError, retry_after: float | None = None) -> None:
        super().__init__(error.what)
        self.error = error
        self.retry_after = retry_after


def _check_ca_bundle(settings: NetworkSettings) -> None:
    if settings.ca_bundle is not None and not settings.ca_bundle.is_file():
        raise InputError(
            f"the CA bundle {settings.ca_bundle} does not exist",
            hint="point PX_CA_BUNDLE at a PEM file of trusted certificates, or unset it",
        )


def ssl_context(settings: NetworkSettings) -> ssl.SSLContext:
    """A verifying TLS context: the system store, or ``settings.ca_bundle`` when set
    (made once per process, perhaps ahead of time: :mod:`px.index.tls`)."""
    _check_ca_bundle(settings)
    return tls.context(settings.ca_bundle)


class Transport:
    """Thread-safe. Plain-HTTP and HTTPS connections live in separate pool managers; the
    TLS one, with its verifying context (loading the CA store takes tens of ms), is made on
    the first https:// request only."""

    def __init__(self, settings: NetworkSettings, credentials: CredentialProvider) -> None:
        _check_ca_bundle(settings)  # a bad PX_CA_BUNDLE fails now, not at the first request
        self.settings = settings
        self.credentials = credentials
        self._plain = self._manager()
        self._tls: urllib3.PoolManager | None = None
        self._tls_lock = threading.Lock()
        self._user_agent = user_agent()

    def _manager(self, context: ssl.SSLContext | None = None) -> urllib3.PoolManager:
        # Room for a connection per thread that may ask at once (the client's own pool and
        # its caller's threads): a connection released into a full pool is closed, and the
        # next request pays for a new one.
        return urllib3.PoolManager(
            num_pools=32,
            maxsize=max(self.settings.max_workers, 1) * 2,
            ssl_context=context,  # None for plain HTTP, where it is never used
            timeout=urllib3.Timeout(
                connect=self.settings.connect_timeout, read=self.settings.read_timeout
            ),
            retries=False,
        )

    def _manager_for(self, url: str) -> urllib3.PoolManager:
        if url[:5].lower() == "http:":
            return self._plain
        # https:, and anything unexpected: the verifying context, never urllib3's default
        with self._tls_lock:
            if self._tls is None:
                self._tls = self._manager(ssl_context(self.settings))
            return self._tls

    def close(self) -> None:
        self._plain.clear()
        with self._tls_lock:
            if self._tls is not None:
                self._tls.clear()

    def get(self, url: str, sink: Sink, headers: Mapping[str, str] | None = None) -> Response:
        """GET ``url`` into ``sink`` with retries; 200/206/304/404/410 come back, the rest raise."""
        attempts = max(self.settings.retries, 0) + 1
        for attempt in range(attempts):
            sink.reset()
            try:
                return self._follow(url, sink, dict(headers or {}))
            except _Transient as transient:
                if attempt + 1 >= attempts:
                    raise transient.error from None
                delay = self.settings.backoff * (2**attempt)
                if transient.retry_after is not None:
                    delay = max(delay, min(transient.retry_after, MAX_RETRY_AFTER))
                log.debug(
                    "retrying %s in %.2fs (%s)", redact(url), delay, transient.error.one_line()
                )
                time.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _follow(self, url: str, sink: Sink, headers: dict[str, str]) -> Response:
        current, _, _ = split_userinfo(url)
        for _hop in range(MAX_REDIRECTS + 1):
            status, response_headers = self._once(current, sink, headers)
            location = response_headers.get("location")
            if status in REDIRECTS and location:
                target, _, _ = split_userinfo(resolve(current, location))
                check_redirect(current, target)
                log.debug("redirect %s -> %s", redact(current), redact(target))
                sink.reset()
                current = target
                continue
            return Response(current, status, response_headers)
        raise NetworkError(
            f"too many redirects fetching {redact(url)}",
            why=f"more than {MAX_REDIRECTS} in a row",
            hint="check the index URL",
        )

    def _once(self, url: str, sink: Sink, headers: dict[str, str]) -> tuple[int, dict[str, str]]:
        request_headers = {k: v for k, v in headers.items() if k.lower() != "authorization"}
        request_headers["User-Agent"] = self._user_agent
        auth = self.credentials.authorization(url)
        if auth is not None:
            request_headers["Authorization"] = auth
        shown = redact(url)
        response = None
        try:
            response = self._manager_for(url).request(
                "GET", url, headers=request_headers, preload_content=False, redirect=False
            )
            status = response.status
            response_headers = {k.lower(): v for k, v in response.headers.items()}
            log.debug("GET %s -> %d", shown, status)
            if (status in PASSED_ON and status != 200) or status in REDIRECTS:
                response.drain_conn()
                return status, response_headers
            if status not in (200, 206):  # 206: the answer to a Range request
                response.drain_conn()
                _raise_for_status(shown, status, response_headers)
            for chunk in response.stream(CHUNK):
                sink.write(chunk)
            return status, response_headers
        except SSLError as exc:
            cause = exc.args[0] if exc.args else exc
            if isinstance(cause, (ssl.SSLCertVerificationError, CertificateError)):
                raise NetworkError(
                    f"TLS verification failed for {shown}",
                    why=str(cause),
                    hint="if the index uses a private CA, set PX_CA_BUNDLE to its PEM file",
                ) from None
            # Not the certificate: an alert, a connection cut mid-handshake (seen from a
            # proxy here: "tlsv1 alert decode error"), or TLS spoken to a plain-HTTP port.
            raise _Transient(
                NetworkError(
                    f"the TLS connection for {shown} failed",
                    why=str(cause),
                    hint="check that the URL's scheme and port are right (https:// to a "
                    "plain-HTTP port fails this way); else try again",
                )
            ) from None
        except ReadTimeoutError:
            raise _Transient(
                NetworkError(
                    f"timed out reading {shown}",
                    why=f"no data for {self.settings.read_timeout:g} s",
                    hint="check the network or the index; raise the timeout with PX_HTTP_TIMEOUT",
                )
            ) from None
        except (NewConnectionError, ConnectTimeoutError) as exc:
            raise _Transient(
                NetworkError(
                    f"cannot connect to {shown}",
                    why=_reason(exc),
                    hint="check the network and the index URL, or use --offline",
                )
            ) from None
        except ProtocolError as exc:
            raise _Transient(
                NetworkError(
                    f"the connection broke while fetching {shown}",
                    why=_reason(exc),
                    hint="the download was incomplete; try again",
                )
            ) from None
        except HTTPError as exc:
            raise NetworkError(f"HTTP request for {shown} failed", why=_reason(exc)) from None
        finally:
            if response is not None:
                response.release_conn()
        raise AssertionError("unreachable")  # pragma: no cover


def _raise_for_status(shown: str, status: int, headers: Mapping[str, str]) -> None:
    if status in TRANSIENT:
        retry_after = None
        try:
            retry_after = float(headers.get("retry-after", ""))
        except ValueError:
            pass
        raise _Transient(
            NetworkError(f"the index answered {status} for {shown}", why="a server error"),
            retry_after,
        )
    if status in {401, 403}:
        raise NetworkError(
            f"the index refused access to {shown} ({status})",
            why="missing or wrong credentials",
            hint="set PX_INDEX_<NAME>_USERNAME and PX_INDEX_<NAME>_PASSWORD, "
            "add the host to ~/.netrc, or put user:password@ in the index URL",
        )
    raise NetworkError(f"the index answered {status} for {shown}")


def _reason(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None)
    text = str(reason if reason is not None else exc)
    # urllib3 messages name the pool ("HTTPConnectionPool(host=..., port=...): "), keep the cause.
    return text.split("): ", 1)[-1] if "Pool(" in text else text
