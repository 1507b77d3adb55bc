"""The pure parts of publishing: reading, checking, form fields, credentials, messages."""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

import pytest

from px.errors import InputError
from px.publish.checks import distribution_problems, render_problems
from px.publish.credentials import (
    Credentials,
    CredentialSources,
    find_credentials,
    redact_secret,
    same_repository,
)
from px.publish.distfile import read_distribution
from px.publish.form import upload_fields
from px.publish.messages import registry_message
from px.publish.registry import simple_index_url

URL = "https://registry.example.invalid/legacy/"
GOOD = (
    "Metadata-Version: 2.4\nName: Demo_Pkg\nVersion: 1.0\nSummary: a demo\n"
    "Classifier: Programming Language :: Python :: 3\nClassifier: Typing :: Typed\n"
    "Requires-Dist: diamond-a>=1\nRequires-Dist: yanked-pkg; extra == 'x'\n"
    "Project-URL: Source, https://example.invalid/src\nProvides-Extra: x\n"
    "Description-Content-Type: text/markdown\n\n# Demo\n\nHello.\n"
)


def wheel(tmp_path: Path, metadata: str | bytes, name: str = "demo_pkg-1.0") -> Path:
    path = tmp_path / f"{name}-py3-none-any.whl"
    data = metadata.encode() if isinstance(metadata, str) else metadata
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("demo_pkg/__init__.py", "")
        archive.writestr(f"{name}.dist-info/METADATA", data)
    return path


def sdist(tmp_path: Path, metadata: str, stem: str = "demo_pkg-1.0") -> Path:
    path = tmp_path / f"{stem}.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        for member, text in ((f"{stem}/PKG-INFO", metadata), (f"{stem}/pyproject.toml", "")):
            info = tarfile.TarInfo(member)
            info.size = len(text.encode())
            tar.addfile(info, io.BytesIO(text.encode()))
    return path


def test_a_good_wheel_and_sdist_read_and_check_clean(tmp_path: Path) -> None:
    for path in (wheel(tmp_path, GOOD), sdist(tmp_path, GOOD)):
        dist = read_distribution(path)
        assert (dist.name, dist.version) == ("demo-pkg", "1.0")
        assert dist.metadata.description == "# Demo\n\nHello.\n"
        assert len(dist.sha256) == 64 and len(dist.blake2_256) == 64
        assert distribution_problems(dist, project_name="demo-pkg", readme_declared=True) == []


def test_upload_fields_follow_the_legacy_api(tmp_path: Path) -> None:
    dist = read_distribution(wheel(tmp_path, GOOD))
    fields = upload_fields(dist)
    single = dict(fields)
    assert single[":action"] == "file_upload"
    assert single["protocol_version"] == "1"
    assert (single["filetype"], single["pyversion"]) == ("bdist_wheel", "py3")
    assert (single["name"], single["version"]) == ("Demo_Pkg", "1.0")
    assert single["metadata_version"] == "2.4"
    assert single["sha256_digest"] == dist.sha256
    assert single["blake2_256_digest"] == dist.blake2_256
    assert single["description"] == "# Demo\n\nHello.\n"
    assert single["description_content_type"] == "text/markdown"
    assert [v for k, v in fields if k == "classifiers"] == [
        "Programming Language :: Python :: 3",
        "Typing :: Typed",
    ]
    assert [v for k, v in fields if k == "requires_dist"] == [
        "diamond-a>=1",
        "yanked-pkg; extra == 'x'",
    ]
    assert [v for k, v in fields if k == "project_urls"] == ["Source, https://example.invalid/src"]
    sdist_fields = dict(upload_fields(read_distribution(sdist(tmp_path, GOOD))))
    assert (sdist_fields["filetype"], sdist_fields["pyversion"]) == ("sdist", "source")


@pytest.mark.parametrize(
    ("metadata", "expected"),
    [
        ("Metadata-Version: 2.1\nName: demo-pkg\n", "Version: missing"),
        ("Name: demo-pkg\nVersion: 1.0\n", "Metadata-Version: missing"),
        ("Metadata-Version: 2.1\nName: other\nVersion: 1.0\n", "Name: 'other' is not the name"),
        ("Metadata-Version: 2.1\nName: demo-pkg\nVersion: 1.1\n", "Version: '1.1' is not"),
        (
            "Metadata-Version: 2.1\nName: demo-pkg\nVersion: 1.0\n\nText\n",
            "Description-Content-Type: missing",
        ),
        (
            "Metadata-Version: 2.1\nName: demo-pkg\nVersion: 1.0\n"
            "Description-Content-Type: text/markdown\n",
            "Description: empty, but pyproject.toml declares a readme",
        ),
        (
            "Metadata-Version: 2.1\nName: demo-pkg\nVersion: 1.0\n"
            "Description-Content-Type: text/html\n\n<p>x</p>\n",
            "'text/html' is not a type PyPI renders",
        ),
        (
            "Metadata-Version: 2.1\nName: demo-pkg\nVersion: 1.0\n"
            "Description-Content-Type: text/markdown; charset=latin-1\n\nx\n",
            "the description must be UTF-8",
        ),
    ],
)
def test_problems_name_the_file_and_the_field(tmp_path: Path, metadata: str, expected: str) -> None:
    dist = read_distribution(wheel(tmp_path, metadata))
    problems = distribution_problems(dist, readme_declared=True)
    assert problems, metadata
    assert all(p.startswith("demo_pkg-1.0-py3-none-any.whl: ") for p in problems)
    assert any(expected in p for p in problems), problems


def test_the_project_name_and_version_must_match(tmp_path: Path) -> None:
    dist = read_distribution(wheel(tmp_path, GOOD))
    problems = distribution_problems(dist, project_name="other", project_version="2.0")
    assert any("Name: the project is 'other'" in p for p in problems)
    assert any("Version: the project's version is '2.0'" in p for p in problems)
    assert distribution_problems(dist, project_name="DEMO.pkg", project_version="1.0.0") == []


def test_readme_rendering_rules() -> None:
    assert render_problems("text/markdown; charset=UTF-8; variant=GFM", "# hi") == []
    assert render_problems("text/plain", "  \n") == ["text/plain: the description is empty"]
    assert render_problems("text/x-rst", "Title\n=====\n\nBody.\n") == []
    assert render_problems("TEXT/MARKDOWN", "x") == []


def test_unreadable_distributions_are_input_errors(tmp_path: Path) -> None:
    latin = wheel(
        tmp_path,
        "Metadata-Version: 2.1\nName: demo-pkg\nVersion: 1.0\n\ncaf\xe9\n".encode("latin-1"),
    )
    with pytest.raises(InputError, match="not a valid distribution") as error:
        read_distribution(latin)
    assert "UTF-8" in str(error.value.why)
    empty = tmp_path / "x" / "demo_pkg-1.0-py3-none-any.whl"
    empty.parent.mkdir()
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("demo_pkg/__init__.py", "")
    with pytest.raises(InputError, match="not a valid distribution"):
        read_distribution(empty)
    with pytest.raises(InputError, match="not a valid distribution file name"):
        read_distribution(tmp_path / "demo-pkg-1.0-notatag.whl")
    with pytest.raises(InputError, match="not a distribution"):
        read_distribution(tmp_path / "demo.egg")


def test_credentials_first_match_wins(tmp_path: Path) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text("machine registry.example.invalid login bob password from-netrc\n")
    pypirc = tmp_path / "pypirc"
    pypirc.write_text(
        "[distutils]\nindex-servers = mine\n\n"
        f"[mine]\nrepository = {URL.rstrip('/')}\nusername = carol\npassword = from-pypirc\n"
        "[pypi]\npassword = pypi-token\n"
    )
    env = {"PX_PUBLISH_TOKEN": "env-token"}
    full = CredentialSources(token="flag", environ=env, netrc_path=netrc, pypirc_path=pypirc)

    def found(sources: CredentialSources, url: str = URL) -> tuple[str, str, str] | None:
        c = find_credentials(url, sources)
        return (c.username, c.password, c.source) if c else None

    assert found(full) == ("__token__", "flag", "--token")
    assert found(CredentialSources(username="u", password="p", environ=env)) == (
        "u", "p", "--username/--password",
    )  # fmt: skip
    assert found(CredentialSources(environ=env, netrc_path=netrc)) == (
        "__token__", "env-token", "PX_PUBLISH_TOKEN",
    )  # fmt: skip
    user_env = {"PX_PUBLISH_USERNAME": "dave", "PX_PUBLISH_PASSWORD": "pw"}
    assert found(CredentialSources(environ=user_env))[:2] == ("dave", "pw")  # type: ignore[index]
    assert found(CredentialSources(netrc_path=netrc, pypirc_path=pypirc)) == (
        "bob", "from-netrc", str(netrc),
    )  # fmt: skip
    assert found(CredentialSources(pypirc_path=pypirc)) == (
        "carol",
        "from-pypirc",
        f"{pypirc} [mine]",
    )
    pypi = found(CredentialSources(pypirc_path=pypirc), "https://upload.pypi.org/legacy/")
    assert pypi == ("__token__", "pypi-token", f"{pypirc} [pypi]")
    assert found(CredentialSources(pypirc_path=pypirc), "https://elsewhere.invalid/") is None
    with pytest.raises(InputError, match="go together"):
        find_credentials(URL, CredentialSources(username="u"))


def test_secrets_never_survive_redaction() -> None:
    creds = Credentials("__token__", "s3cr3t")
    assert "s3cr3t" not in repr(creds)
    basic = creds.header().split()[1]
    text = redact_secret(f"bad token s3cr3t (Authorization: Basic {basic})", creds)
    assert "s3cr3t" not in text and basic not in text and "***" in text
    assert redact_secret("nothing", None) == "nothing"


def test_same_repository_ignores_case_and_final_slash() -> None:
    assert same_repository("https://Upload.PyPI.org/legacy", "https://upload.pypi.org/legacy/")
    assert not same_repository("https://upload.pypi.org/legacy/", "https://test.pypi.org/legacy/")


def test_the_registry_own_message_on_one_line() -> None:
    warehouse = "File already exists ('demo-1.0.tar.gz', with blake2_256 hash 'ab'). See help."
    assert registry_message(400, warehouse, "text/html", b"<html>...</html>") == warehouse
    bottle = (
        b"<html><head><title>Error: 409 Conflict</title><style>pre {x: y}</style></head>"
        b"<body><h1>Error: 409 Conflict</h1><p>Sorry, the requested URL caused an error:</p>"
        b"<pre>Package &#039;demo-1.0.tar.gz&#039; already exists!\n  You may start server "
        b"with `--overwrite` option.</pre></body></html>"
    )
    assert registry_message(409, "Conflict", "text/html; charset=UTF-8", bottle) == (
        "Package 'demo-1.0.tar.gz' already exists! You may start server with `--overwrite` option."
    )
    empty = b"<html><body><h1>Error: 403 Forbidden</h1><pre>None</pre></body></html>"
    assert registry_message(403, "Forbidden", "text/html", empty) == "Forbidden"
    assert registry_message(400, "Bad Request", "application/json", b'{"message": "no"}') == "no"
    assert registry_message(400, "Bad Request", "text/plain", b"plain\nwords") == "plain words"
    assert len(registry_message(400, "", "text/plain", b"x" * 1000)) == 300
    assert registry_message(200, "OK", "text/plain", b"") == ""


def test_where_the_registry_lists_files() -> None:
    assert simple_index_url("https://upload.pypi.org/legacy/") == "https://pypi.org/simple/"
    assert simple_index_url("https://test.pypi.org/legacy/") == "https://test.pypi.org/simple/"
    assert simple_index_url("http://127.0.0.1:8080/") == "http://127.0.0.1:8080/simple/"
    assert simple_index_url("https://h.invalid/repo/pypi") == "https://h.invalid/repo/pypi/simple/"
