"""The verifying TLS context: one per CA store and process, made ahead of the first request.

Loading the CA store is the slow part of a context: 35-40 ms here, for the
~150 certificates of the system bundle (or of ``SSL_CERT_FILE``). OpenSSL
parses them without holding the GIL, so a command that is about to go online
calls :func:`prepare` first: the store loads on a thread while px imports
what the command needs, and the first ``https://`` request finds the context
made instead of waiting for it. Made on demand otherwise, as before.

Only :mod:`ssl` is imported here (not urllib3): :func:`prepare` runs before
the heavy imports it overlaps.
"""

from __future__ import annotations

import ssl
import threading
from concurrent.futures import Future
from pathlib import Path

from px.errors import InputError

# (bundle path, its mtime and size) or None for the system store -> the context
_Key = tuple[str, int, int] | None
_made: dict[_Key, Future[ssl.SSLContext]] = {}
_lock = threading.Lock()
_preparing: list[threading.Thread] = []


def prepare(ca_bundle: Path | None) -> None:
    """Start making the context for ``ca_bundle`` (``None``: the system store) on a thread."""
    key = _key(ca_bundle)
    with _lock:
        if key in _made:
            return
        future = _made[key] = Future()
        thread = threading.Thread(
            target=_make, args=(ca_bundle, future), name="px-tls", daemon=True
        )
        _preparing.append(thread)
    thread.start()


def settle() -> None:
    """Wait until no thread of :func:`prepare` runs (a fork of px must not copy one)."""
    with _lock:
        threads, _preparing[:] = list(_preparing), []
    for thread in threads:
        thread.join()


def context(ca_bundle: Path | None) -> ssl.SSLContext:
    """The context for ``ca_bundle``: the prepared one (waiting for it), else made now.

    Shared by every connection of the process; urllib3 only sets what px sets
    anyway (certificates required) on a context it is given.
    """
    key = _key(ca_bundle)
    with _lock:
        future = _made.get(key)
        here = future is None
        if future is None:
            future = _made[key] = Future()
    if here:
        _make(ca_bundle, future)
    return future.result()


def _key(ca_bundle: Path | None) -> _Key:
    if ca_bundle is None:
        return None
    try:
        stat = ca_bundle.stat()
    except OSError:
        return (str(ca_bundle), -1, -1)  # reported by _make, each time it is asked
    return (str(ca_bundle), stat.st_mtime_ns, stat.st_size)


def _make(ca_bundle: Path | None, future: Future[ssl.SSLContext]) -> None:
    try:
        if ca_bundle is None:
            made = ssl.create_default_context()
        else:
            made = ssl.create_default_context(cafile=str(ca_bundle))
    except (ssl.SSLError, OSError) as error:
        with _lock:  # not kept: a fixed file is read again next time
            _made.pop(_key(ca_bundle), None)
        future.set_exception(_unusable(ca_bundle, error))
    else:
        future.set_result(made)


def _unusable(ca_bundle: Path | None, error: Exception) -> InputError:
    if ca_bundle is None:
        return InputError(
            "the system's CA certificates cannot be loaded",
            why=str(error),
            hint="check SSL_CERT_FILE / SSL_CERT_DIR, or point PX_CA_BUNDLE at a PEM file",
        )
    return InputError(
        f"the CA bundle {ca_bundle} holds no usable certificate",
        why=str(error),
        hint="point PX_CA_BUNDLE at a PEM file of trusted certificates, or unset it",
    )
