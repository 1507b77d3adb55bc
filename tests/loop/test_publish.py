"""`px publish` against a real registry (pypiserver on loopback, uploads authenticated)."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest

from px.publish.credentials import Credentials
from px.publish.distfile import read_distribution
from px.publish.form import upload_fields
from px.publish.registry import Registry as RegistryClient
from tests.loop.conftest import TOKEN, Registry, buildable, free_port, px_process, snapshot


@pytest.fixture(autouse=True)
def _no_user_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No ~/.pypirc or ~/.netrc of the developer's: HOME is the test's own."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))


def _built(px, root: Path, name: str, version: str = "1.0") -> Path:  # type: ignore[no-untyped-def]
    buildable(root, name, version)
    result = px("build", cwd=root)
    assert result.code == 0, result.err
    return root


def test_publish_then_install_from_the_registry(  # type: ignore[no-untyped-def]
    px, tmp_path: Path, registry: Registry, monkeypatch
) -> None:
    root = _built(px, tmp_path / "pub", "loop-pub", "1.0")
    monkeypatch.setenv("PX_PUBLISH_TOKEN", TOKEN)
    result = px("--json", "publish", "--repository-url", registry.url, cwd=root)
    assert result.code == 0, result.err
    assert TOKEN not in result.out + result.err
    report = result.json()
    assert report["credentials"] == "PX_PUBLISH_TOKEN"
    assert report["dry_run"] is False
    assert [(f["filename"], f["status"]) for f in report["files"]] == [
        ("loop_pub-1.0.tar.gz", "uploaded"),
        ("loop_pub-1.0-py3-none-any.whl", "uploaded"),
    ]
    for name in ("loop_pub-1.0.tar.gz", "loop_pub-1.0-py3-none-any.whl"):
        assert (registry.packages / name).read_bytes() == (root / "dist" / name).read_bytes()
    # a fresh project installs it from the registry
    consumer = tmp_path / "consumer"
    consumer.mkdir()
    (consumer / "pyproject.toml").write_text('[project]\nname = "consumer"\nversion = "0"\n')
    env = {"PX_INDEX_URL": registry.simple_url, "PX_PUBLISH_TOKEN": ""}
    added = px_process(consumer, "add", "loop-pub", env=env)
    assert added.returncode == 0, added.stderr
    ran = px_process(
        consumer, "run", "python", "-c", "import loop_pub; print(loop_pub.VALUE)", env=env
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == "loop-pub 1.0"


def test_republishing_reports_the_files_as_already_present(  # type: ignore[no-untyped-def]
    px, tmp_path: Path, registry: Registry
) -> None:
    root = _built(px, tmp_path / "again", "loop-again")
    argv = ("--json", "publish", "--repository-url", registry.url, "--token", TOKEN)
    assert px(*argv, cwd=root).code == 0
    before = snapshot(registry.packages)
    again = px(*argv, cwd=root)
    assert again.code == 0, again.err
    assert {f["status"] for f in again.json()["files"]} == {"already-present"}
    assert snapshot(registry.packages) == before
    text = px("publish", "--repository-url", registry.url, "--token", TOKEN, cwd=root)
    assert "already present: loop_again-1.0.tar.gz" in text.out
    # the registry's own "file exists" answer (409) counts as present as well
    sdist = read_distribution(root / "dist" / "loop_again-1.0.tar.gz")
    client = RegistryClient(registry.url, Credentials("__token__", TOKEN))
    try:
        answer = client.upload(upload_fields(sdist), sdist.path)
    finally:
        client.close()
    assert answer.status == "already-present"
    assert "already exists" in answer.message


def test_a_different_file_of_the_same_name_is_refused(  # type: ignore[no-untyped-def]
    px, tmp_path: Path, registry: Registry
) -> None:
    root = _built(px, tmp_path / "clash", "loop-clash")
    argv = ("publish", "--repository-url", registry.url, "--token", TOKEN)
    assert px(*argv, cwd=root).code == 0
    (root / "src" / "loop_clash" / "__init__.py").write_text('VALUE = "changed"\n')
    assert px("build", cwd=root).code == 0
    result = px("--json", *argv, cwd=root)
    assert result.code == 13
    error = result.json()["error"]
    assert error["code"] == "upload-rejected"
    assert "already has a different loop_clash-1.0.tar.gz" in error["message"]


@pytest.mark.parametrize("verbosity", ["-v", "-vv"])
def test_wrong_credentials_are_a_clear_error_that_never_shows_them(
    tmp_path: Path, registry: Registry, verbosity: str
) -> None:
    import subprocess
    import sys

    root = buildable(tmp_path / "denied", "loop-denied")
    assert subprocess.run([sys.executable, "-m", "px", "-q", "build"], cwd=root).returncode == 0
    wrong = "pypi-WrongTokenThatMustNotLeak-9f8e7d6c5b4a"
    cases = [
        (["--token", wrong], {}, wrong),
        ([], {"PX_PUBLISH_TOKEN": wrong}, wrong),
        (["--username", "alice", "--password", wrong], {}, wrong),
    ]
    for flags, env, secret in cases:
        for output in ([], ["--json"]):
            done = px_process(
                root, verbosity, *output, "publish", "--repository-url", registry.url, *flags,
                env={"HOME": str(tmp_path), **env},
            )  # fmt: skip
            assert done.returncode == 13, done.stderr
            shown = done.stdout + done.stderr
            assert secret not in shown
            for user in ("__token__", "alice"):
                basic = base64.b64encode(f"{user}:{secret}".encode()).decode()
                assert basic not in shown
            assert "refused the credentials" in shown
            assert "403" in shown
    assert not list(registry.packages.glob("loop_denied*"))


def test_no_credentials_at_all(px, tmp_path: Path, registry: Registry) -> None:  # type: ignore[no-untyped-def]
    root = _built(px, tmp_path / "anon", "loop-anon")
    result = px("publish", "--repository-url", registry.url, cwd=root)
    assert result.code == 13
    assert "px found none" in result.err and "PX_PUBLISH_TOKEN" in result.err


def test_credentials_from_netrc_and_pypirc(  # type: ignore[no-untyped-def]
    px, tmp_path: Path, registry: Registry, monkeypatch
) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine 127.0.0.1 login {registry.username} password {registry.password}\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    root = _built(px, tmp_path / "n", "loop-netrc")
    result = px("--json", "publish", "--repository-url", registry.url, cwd=root)
    assert result.code == 0, result.err
    assert result.json()["credentials"] == str(netrc)
    assert registry.password not in result.out
    monkeypatch.setenv("NETRC", str(tmp_path / "none"))
    (Path(os.environ["HOME"]) / ".pypirc").write_text(
        "[distutils]\nindex-servers =\n    local\n\n"
        f"[local]\nrepository = {registry.url}\nusername = __token__\npassword = {TOKEN}\n"
    )
    root = _built(px, tmp_path / "p", "loop-pypirc")
    result = px("--json", "publish", "--repository-url", registry.url, cwd=root)
    assert result.code == 0, result.err
    assert result.json()["credentials"].endswith(".pypirc [local]")


def test_dry_run_checks_and_touches_no_network(px, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    root = _built(px, tmp_path / "dry", "loop-dry")
    monkeypatch.setenv("PX_PUBLISH_TOKEN", TOKEN)
    nowhere = f"http://127.0.0.1:{free_port()}/"
    result = px("--json", "publish", "--dry-run", "--repository-url", nowhere, cwd=root)
    assert result.code == 0, result.err
    report = result.json()
    assert report["dry_run"] is True and report["credentials"] == "PX_PUBLISH_TOKEN"
    assert {f["status"] for f in report["files"]} == {"would-upload"}
    assert TOKEN not in result.out
    # without --dry-run the same closed port is a network error
    failed = px("publish", "--repository-url", nowhere, cwd=root)
    assert failed.code == 6
    assert "cannot reach the registry" in failed.err and TOKEN not in failed.err


def test_an_upload_over_tls_to_a_plain_http_port_is_not_blamed_on_a_certificate(
    tmp_path: Path, registry: Registry
) -> None:
    from px.errors import NetworkError
    from px.publish.registry import Registry as Target

    https = registry.url.replace("http://", "https://", 1)  # TLS spoken to a plain-HTTP port
    target = Target(https, None)
    dist = tmp_path / "demo_pkg-1.0-py3-none-any.whl"
    dist.write_bytes(b"not looked at: the handshake fails first")
    try:
        with pytest.raises(NetworkError) as failed:
            target.upload([(":action", "file_upload")], dist)
    finally:
        target.close()
    assert failed.value.what == f"the TLS connection to {https} failed"
    assert "scheme and port" in (failed.value.hint or "")
    assert "PX_CA_BUNDLE" not in (failed.value.hint or "")


def test_bad_or_missing_distributions_are_refused_before_any_upload(  # type: ignore[no-untyped-def]
    px, tmp_path: Path
) -> None:
    root = buildable(tmp_path / "nothing", "loop-nothing")
    missing = px("publish", "--dry-run", cwd=root)
    assert missing.code == 3 and "nothing to publish" in missing.err and "px build" in missing.err
    (root / "dist").mkdir()
    (root / "dist" / "loop_nothing-1.0-py3-none-any.whl").write_bytes(b"not a zip")
    broken = px("publish", "--dry-run", cwd=root)
    assert broken.code == 3 and "not a valid distribution" in broken.err
    assert px("publish", "--dry-run", str(tmp_path / "nope.whl"), cwd=root).code == 3
    bad_url = px("publish", "--repository-url", "ftp://me:hunter2@example.invalid/", cwd=root)
    assert bad_url.code == 3 and "not an upload URL" in bad_url.err
    assert "hunter2" not in bad_url.err


def test_credentials_in_the_url_are_used_and_never_shown(  # type: ignore[no-untyped-def]
    px, tmp_path: Path, registry: Registry
) -> None:
    root = _built(px, tmp_path / "u", "loop-url")
    host = registry.url.removeprefix("http://")
    with_secret = f"http://{registry.username}:{registry.password}@{host}"
    result = px("--json", "publish", "--repository-url", with_secret, cwd=root)
    assert result.code == 0, result.err
    report = result.json()
    assert report["credentials"] == "the repository URL"
    assert report["repository"] == registry.url
    assert registry.password not in result.out + result.err


def test_a_page_redirected_to_another_registry_is_not_this_ones(  # type: ignore[no-untyped-def]
    px, tmp_path: Path, index
) -> None:
    """pypiserver sends unknown projects to PyPI: what PyPI lists is not on this registry."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    posted: list[str] = []

    class Fallback(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(303)
            self.send_header("Location", index.url("primary") + self.path.split("/simple/")[1])
            self.end_headers()

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            posted.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Fallback)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        # the loopback index has a diamond_a-1.0-py3-none-any.whl with other bytes
        root = _built(px, tmp_path / "d", "diamond-a", "1.0")
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        result = px("--json", "publish", "--repository-url", url, "--token", TOKEN, cwd=root)
    finally:
        server.shutdown()
        server.server_close()
    assert result.code == 0, result.out
    assert {f["status"] for f in result.json()["files"]} == {"uploaded"}
    assert posted == ["/", "/"]
    assert not [r for r in index.requests if r.path.endswith("/diamond-a/")]
