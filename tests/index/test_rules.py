"""Pure rules: redaction, redirect policy, credentials, HTTP caching, settings."""

from __future__ import annotations

import datetime as dt
import urllib.parse
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from px.errors import InputError, NetworkError
from px.index import caching
from px.index.config import IndexConfig, settings_from_environ, user_agent
from px.index.credentials import CredentialProvider, env_prefix
from px.index.urls import check_redirect, origin, project_page_url, redact

NOW = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.timezone.utc)


def test_redact_removes_only_userinfo() -> None:
    assert redact("https://u:p%40ss@h.example:8443/simple/?q=1#f") == (
        "https://h.example:8443/simple/?q=1#f"
    )
    assert redact("https://token@h.example/x") == "https://h.example/x"
    assert redact("https://h.example/a@b") == "https://h.example/a@b"


def _redact_by_parsing(url: str) -> str:
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return "<unparseable URL>"
    if "@" not in parts.netloc:
        return url
    return urllib.parse.urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


@given(
    st.lists(
        st.sampled_from(["https://", "http:", "//", "h.example", "u:p", "@", "[", "]", ":8", "/",
                         "?q", "#f", "é", "\uff03", " ", "\t", "%40", "x"]),
        max_size=10,
    )
)  # fmt: skip
def test_redact_answers_as_parsing_would(parts: list[str]) -> None:
    url = "".join(parts)
    assert redact(url) == _redact_by_parsing(url)


def test_origin_and_project_url() -> None:
    assert str(origin("HTTPS://Host.Example/x")) == "https://host.example:443"
    assert origin("http://h:8080/") != origin("http://h:8081/")
    assert project_page_url("https://i.example/simple", "Foo.Bar_baz") == (
        "https://i.example/simple/foo-bar-baz/"
    )


def test_redirect_policy() -> None:
    check_redirect("https://a.example/x", "https://b.example/y")
    check_redirect("http://a.example/x", "https://a.example/x")
    check_redirect("http://a.example/x", "http://b.example/x")
    with pytest.raises(NetworkError) as info:
        check_redirect("https://u:pw@a.example/x", "http://a.example/x")
    assert "downgrade HTTPS" in info.value.one_line() and "pw" not in info.value.one_line()
    with pytest.raises(NetworkError):
        check_redirect("https://a.example/x", "ftp://a.example/x")


def test_credentials_sources_and_scope(tmp_path: Path) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text("machine netrc.example login nuser password npass\n")
    netrc.chmod(0o600)
    provider = CredentialProvider(
        [
            IndexConfig("main", "https://alice:wonder@idx.example/simple/"),
            IndexConfig("corp-mirror", "https://corp.example:8443/pypi/simple/"),
            IndexConfig("open", "https://open.example/simple/"),
        ],
        environ={
            "PX_INDEX_CORP_MIRROR_USERNAME": "bob",
            "PX_INDEX_CORP_MIRROR_PASSWORD": "builder",
        },
        netrc_path=netrc,
    )
    main = provider.for_url("https://idx.example/packages/a.whl")
    assert main is not None and (main.username, main.password) == ("alice", "wonder")
    assert "wonder" not in repr(main)
    corp = provider.for_url("https://corp.example:8443/pypi/simple/x/")
    assert corp is not None and corp.username == "bob"
    # another port, another scheme or another host: nothing
    assert provider.for_url("https://corp.example/pypi/simple/x/") is None
    assert provider.for_url("http://idx.example/packages/a.whl") is None
    assert provider.for_url("https://open.example/simple/x/") is None
    from_netrc = provider.for_url("https://netrc.example/simple/")
    assert from_netrc is not None and from_netrc.password == "npass"
    assert provider.authorization("https://idx.example/") == "Basic YWxpY2U6d29uZGVy"
    assert env_prefix("corp-mirror") == "PX_INDEX_CORP_MIRROR_"


def test_missing_netrc_is_fine(tmp_path: Path) -> None:
    provider = CredentialProvider([], environ={"NETRC": str(tmp_path / "none")})
    assert provider.for_url("https://x.example/") is None


@pytest.mark.parametrize(
    ("headers", "storable", "expires"),
    [
        ({}, True, None),
        ({"cache-control": "max-age=600"}, True, NOW + dt.timedelta(seconds=600)),
        ({"cache-control": "max-age=600", "age": "100"}, True, NOW + dt.timedelta(seconds=500)),
        ({"cache-control": "max-age=0"}, True, None),
        ({"cache-control": "no-cache, max-age=600"}, True, None),
        ({"cache-control": "no-store"}, False, None),
        ({"cache-control": "max-age=bogus"}, True, None),
        ({"expires": "Wed, 01 May 2024 13:00:00 GMT"}, True, NOW + dt.timedelta(hours=1)),
        ({"expires": "0"}, True, None),
    ],
)
def test_freshness(headers: dict[str, str], storable: bool, expires: dt.datetime | None) -> None:
    fresh = caching.freshness(headers, NOW)
    assert fresh.storable is storable
    assert fresh.expires_at == expires


def test_is_fresh_round_trip() -> None:
    stamp = caching.to_iso(NOW + dt.timedelta(seconds=5))
    assert caching.is_fresh(stamp, NOW)
    assert not caching.is_fresh(stamp, NOW + dt.timedelta(seconds=6))
    assert not caching.is_fresh(None, NOW)


def test_settings_and_user_agent(tmp_path: Path) -> None:
    settings = settings_from_environ(
        {"PX_CA_BUNDLE": str(tmp_path / "ca.pem"), "PX_OFFLINE": "1", "PX_HTTP_TIMEOUT": "2.5"},
        retries=1,
    )
    assert settings.ca_bundle == tmp_path / "ca.pem" and settings.offline
    assert settings.read_timeout == 2.5 and settings.retries == 1
    with pytest.raises(InputError, match="PX_HTTP_RETRIES"):
        settings_from_environ({"PX_HTTP_RETRIES": "many"})
    assert user_agent().startswith("px/") and "(python " in user_agent()


def test_index_config_validation() -> None:
    assert IndexConfig("x", "https://i.example/simple").url == "https://i.example/simple/"
    with pytest.raises(InputError) as info:
        IndexConfig("x", "ftp://u:pw@files.example/wheels/")
    assert "pw" not in info.value.one_line()
