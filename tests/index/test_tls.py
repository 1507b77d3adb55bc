"""TLS: certificates are verified, PX_CA_BUNDLE adds a private CA, https->http is refused.

A throwaway HTTPS server on 127.0.0.1 with a self-signed certificate made by the
``openssl`` command line tool.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from px.errors import NetworkError
from px.index import IndexConfig, settings_from_environ
from tests.index.conftest import FAST, ClientFactory

PAGE = json.dumps(
    {
        "meta": {"api-version": "1.0"},
        "name": "demo",
        "files": [
            {
                "filename": "demo-1.0-py3-none-any.whl",
                "url": "demo-1.0-py3-none-any.whl",
                "hashes": {},
            }
        ],
    }
).encode()


@dataclasses.dataclass
class TlsServer:
    url: str
    cert: Path
    redirect_to: list[str]


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    directory = tmp_path_factory.mktemp("tls")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture
def tls_server(certificate: tuple[Path, Path]) -> Iterator[TlsServer]:
    redirect_to: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            if redirect_to:
                self.send_response(302)
                self.send_header("Location", redirect_to[0])
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/vnd.pypi.simple.v1+json")
            self.send_header("Content-Length", str(len(PAGE)))
            self.end_headers()
            self.wfile.write(PAGE)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        port = httpd.server_address[1]
        yield TlsServer(f"https://127.0.0.1:{port}/simple/", certificate[0], redirect_to)
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_an_unknown_ca_is_refused_with_a_hint(
    make_client: ClientFactory, tls_server: TlsServer
) -> None:
    client = make_client([IndexConfig("private", tls_server.url)])
    with pytest.raises(NetworkError) as info:
        client.project_files("demo")
    assert info.value.what.startswith("TLS verification failed")
    assert "PX_CA_BUNDLE" in (info.value.hint or "")


def test_px_ca_bundle_trusts_a_private_ca(
    make_client: ClientFactory, tls_server: TlsServer
) -> None:
    settings = settings_from_environ(
        {"PX_CA_BUNDLE": str(tls_server.cert)}, read_timeout=2.0, retries=0
    )
    files = make_client([IndexConfig("private", tls_server.url)], settings=settings).project_files(
        "demo"
    )
    assert [f.url for f in files] == [tls_server.url + "demo/demo-1.0-py3-none-any.whl"]


def test_an_https_to_http_redirect_is_refused(
    make_client: ClientFactory, tls_server: TlsServer, index: Any
) -> None:
    tls_server.redirect_to.append(index.url() + "greet-lib/")
    settings = dataclasses.replace(FAST, ca_bundle=tls_server.cert)
    client = make_client([IndexConfig("private", tls_server.url)], settings=settings)
    with pytest.raises(NetworkError) as info:
        client.project_files("greet-lib")
    assert "downgrade HTTPS to plain HTTP" in info.value.one_line()
    assert index.requests == ()  # the plain-HTTP target was never contacted


def test_a_missing_ca_bundle_is_an_input_error(make_client: ClientFactory, tmp_path: Path) -> None:
    from px.errors import InputError

    settings = dataclasses.replace(FAST, ca_bundle=tmp_path / "nope.pem")
    with pytest.raises(InputError, match=r"nope\.pem"):
        make_client([IndexConfig("private", "https://127.0.0.1:1/simple/")], settings=settings)


def test_the_tls_context_is_made_once_and_only_for_https(
    make_client: ClientFactory,
    tls_server: TlsServer,
    index: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from px.index import transport

    made: list[object] = []
    real = transport.ssl_context

    def counting(settings: Any) -> ssl.SSLContext:
        made.append(settings)
        return real(settings)

    monkeypatch.setattr(transport, "ssl_context", counting)
    plain = make_client([IndexConfig("primary", index.url())])
    assert plain.project_files("greet-lib")
    assert made == []  # loading the CA store costs tens of ms; plain HTTP never needs it
    settings = dataclasses.replace(FAST, ca_bundle=tls_server.cert)
    client = make_client([IndexConfig("private", tls_server.url)], settings=settings)
    assert client.project_files("demo") and client.project_files("other")
    assert len(made) == 1


def test_tls_spoken_to_a_plain_http_port_is_retried_and_not_blamed_on_a_certificate(
    make_client: ClientFactory,
) -> None:
    accepted: list[int] = []
    server = socket.create_server(("127.0.0.1", 0))

    def answer_in_plain_http() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return  # closed: the test is over
            accepted.append(1)
            with conn:
                conn.recv(4096)  # the ClientHello
                conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")

    threading.Thread(target=answer_in_plain_http, daemon=True).start()
    url = f"https://127.0.0.1:{server.getsockname()[1]}/simple/"
    try:
        with pytest.raises(NetworkError) as info:
            make_client([IndexConfig("plain", url)]).project_files("demo")  # FAST: 2 retries
    finally:
        server.close()
    assert info.value.what == f"the TLS connection for {url}demo/ failed"
    assert "scheme and port" in (info.value.hint or "")
    assert "PX_CA_BUNDLE" not in (info.value.hint or "")
    assert len(accepted) == 3  # the first try and two retries


# -- the context made ahead of time (px.index.tls) -------------------------------------------


@pytest.fixture
def fresh_contexts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """No context kept from an earlier test; the names of the threads that make one."""
    from px.index import tls

    monkeypatch.setattr(tls, "_made", {})
    makers: list[str] = []
    real = ssl.create_default_context

    def recording(*args: Any, **kwargs: Any) -> ssl.SSLContext:
        makers.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(ssl, "create_default_context", recording)
    return makers


def test_a_prepared_context_is_made_on_a_thread_and_used_by_the_first_request(
    make_client: ClientFactory, tls_server: TlsServer, fresh_contexts: list[str]
) -> None:
    from px.index import tls

    tls.prepare(tls_server.cert)
    tls.prepare(tls_server.cert)  # once per bundle
    settings = dataclasses.replace(FAST, ca_bundle=tls_server.cert)
    assert make_client([IndexConfig("private", tls_server.url)], settings=settings).project_files(
        "demo"
    )
    assert fresh_contexts == ["px-tls"]  # not made again by the request's thread
    assert tls.context(tls_server.cert) is tls.context(tls_server.cert)


def test_a_ca_bundle_changed_on_disk_is_read_again(
    tls_server: TlsServer, fresh_contexts: list[str], tmp_path: Path
) -> None:
    from px.index import tls

    bundle = tmp_path / "ca.pem"
    shutil.copyfile(tls_server.cert, bundle)
    first = tls.context(bundle)
    bundle.write_bytes(tls_server.cert.read_bytes() * 2)  # same certificate twice: new size
    assert tls.context(bundle) is not first
    assert len(fresh_contexts) == 2


@pytest.mark.parametrize("prepared", [False, True], ids=["on-demand", "prepared"])
def test_a_ca_bundle_that_is_not_pem_is_a_one_line_input_error(
    make_client: ClientFactory,
    tls_server: TlsServer,
    fresh_contexts: list[str],
    tmp_path: Path,
    prepared: bool,
) -> None:
    from px.errors import InputError
    from px.index import tls

    bundle = tmp_path / "not-a-bundle.pem"
    bundle.write_text("this is not a certificate\n")
    if prepared:
        tls.prepare(bundle)
    settings = dataclasses.replace(FAST, ca_bundle=bundle)
    client = make_client([IndexConfig("private", tls_server.url)], settings=settings)
    with pytest.raises(InputError) as info:
        client.project_files("demo")
    assert info.value.what == f"the CA bundle {bundle} holds no usable certificate"
    assert "PX_CA_BUNDLE" in (info.value.hint or "")
    bundle.write_bytes(tls_server.cert.read_bytes())  # fixed: read again, not the failure kept
    assert client.project_files("demo")


def test_px_lock_with_a_bad_ca_bundle_fails_in_one_line_and_writes_nothing(
    tmp_path: Path, tls_server: TlsServer
) -> None:
    from tests.conftest import run_px

    project = tmp_path / "proj"
    project.mkdir()
    pyproject = (
        '[project]\nname = "app"\nversion = "0"\ndependencies = ["demo"]\n\n'
        f'[[tool.px.index]]\nname = "private"\nurl = "{tls_server.url}"\ndefault = true\n'
    )
    (project / "pyproject.toml").write_text(pyproject)
    bundle = tmp_path / "bad.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n")
    done = run_px("lock", env={"PX_CA_BUNDLE": str(bundle)}, cwd=project)
    assert done.returncode == 3, done.stderr
    assert f"the CA bundle {bundle} holds no usable certificate" in done.stderr
    assert "Traceback" not in done.stderr
    assert (project / "pyproject.toml").read_text() == pyproject
    assert not (project / "px.lock").exists()
