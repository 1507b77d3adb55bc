"""Malformed, foreign and too-new locks are refused with every problem and its key path."""

from __future__ import annotations

import pytest

from px.errors import InputError
from px.lock import parse, serialise
from tests.lock.test_roundtrip import SAMPLE, sample_lock

GOOD = SAMPLE.read_text(encoding="utf-8")
DIGEST = "sha256:" + "0" * 64


def problems(text: str) -> list[str]:
    with pytest.raises(InputError) as caught:
        parse(text)
    assert caught.value.what == "px.lock is invalid"
    assert "px lock" in (caught.value.hint or "")
    return list(caught.value.details)


def test_a_newer_lock_is_refused_before_anything_else() -> None:
    text = GOOD.replace("version = 1\n", "version = 2\n", 1) + "\n[whatever]\nnew-thing = 1\n"
    with pytest.raises(InputError) as caught:
        parse(text)
    assert caught.value.what == "px.lock was written by a newer px (lock format version 2)"
    assert caught.value.hint == "upgrade px to use this lock"


def test_unsupported_or_missing_versions() -> None:
    assert problems(GOOD.replace("version = 1\n", "version = 0\n", 1)) == [
        "px.lock: version: unsupported lock format version 0"
    ]
    assert problems(GOOD.replace("version = 1\n", 'version = "1"\n', 1)) == [
        "px.lock: version: expected an integer, got a string"
    ]
    assert problems(GOOD.replace("version = 1\n", "", 1)) == ["px.lock: version: missing"]


def test_not_toml_names_the_position() -> None:
    with pytest.raises(InputError) as caught:
        parse("version = 1\n[[package]\n", source="/p/px.lock")
    error = caught.value
    assert error.what == "px.lock is not valid TOML"
    assert "line 2" in (error.why or "")
    assert error.details[0].startswith("/p/px.lock:2:")


def test_not_utf8() -> None:
    with pytest.raises(InputError, match="not UTF-8"):
        parse(b"version = 1\n# \xff\n")


def test_every_problem_is_collected_with_its_key_path() -> None:
    text = f"""\
version = 1
input-digest = "md5:abc"
surprise = true

[[target]]
id = "CP311 Linux"
implementation = "cpython"
python-version = "3"
platform-tags = ["any"]

[target.markers]
sys_platform = "linux"
favourite_colour = "blue"

[roots]
dependencies = [{{ name = "Flask" }}]

[[package]]
name = "flask"
source = {{ kind = "index", url = "https://user:pw@pypi.org/simple" }}
targets = ["cp311-linux-x86_64"]
marker = "python_version >> '3'"
artifacts = [
    {{ filename = "flask.exe", url = "https://f.example/x", sha256 = "XYZ", size = -1 }},
]

[[package]]
version = "1.0"
source = {{ kind = "svn-ish" }}
targets = []
dependencies = [{{ name = "click", specifier = "=>1", extras = ["Bad_Name"] }}]

[[package]]
name = "click"
version = "8.1.7"
source = {{ kind = "index", url = "https://pypi.org/simple" }}
targets = ["{DIGEST}"]
"""
    found = problems(text)
    expected = [
        "px.lock: input-digest: 'md5:abc' is not 'sha256:' and 64 hex digits",
        "px.lock: target[0].id: invalid target id 'CP311 Linux'",
        "px.lock: target[0].python-version: expected X.Y, got '3'",
        "px.lock: target[0].markers.favourite_colour: not a PEP 508 marker variable",
        "px.lock: roots.dependencies[0].name: 'Flask' is not a normalised name (expected 'flask')",
        "px.lock: package[0].version: missing",
        "px.lock: package[0].source.url: holds credentials: they must never be written to px.lock",
        "px.lock: package[0].marker: invalid marker \"python_version >> '3'\"",
        "px.lock: package[0].artifacts[0].filename: 'flask.exe' is not a wheel or sdist file name",
        "px.lock: package[0].artifacts[0].sha256: 'XYZ' is not 64 lowercase hex digits",
        "px.lock: package[0].artifacts[0].size: must not be negative",
        "px.lock: package[1].name: missing",
        "px.lock: package[1].source.kind: unknown source kind 'svn-ish' (index, vcs, path)",
        "px.lock: package[1].targets: must name at least one target",
        "px.lock: package[1].dependencies[0].specifier: invalid version specifier '=>1'",
        "px.lock: package[1].dependencies[0].extras[0]: 'Bad_Name' is not a normalised name",
        "px.lock: package[2].artifacts: missing: a package from an index needs one",
        "px.lock: surprise: unknown key",
    ]
    assert len(found) == len(expected), "\n".join(found)
    for line in expected:
        assert any(f.startswith(line) for f in found), (line, found)


def test_cross_references_are_checked() -> None:
    text = serialise(sample_lock())
    text = text.replace(
        'targets = ["cp311-linux-x86_64"]\nmarker', 'targets = ["cp99-nowhere"]\nmarker'
    )
    text = text.replace('{ name = "click", specifier = ">=8.1.3" }', '{ name = "clack" }')
    text = text.replace('dev = [\n    { name = "click" }', 'dev = [\n    { name = "pytest" }')
    click = text[text.index('[[package]]\nname = "click"') :]
    click = click[: click.index("\n[[package]]")]
    text += "\n" + click.replace('"8.1.7"', '"8.2.0"', 1)
    assert problems(text) == [
        "px.lock: package[1].targets: unknown target 'cp99-nowhere'",
        "px.lock: package[2].dependencies: 'clack' is not a locked package",
        "px.lock: package[4]: click is locked twice for target 'cp311-linux-x86_64'"
        " (8.1.7 and 8.2.0)",
        "px.lock: roots.dependency-groups.dev: 'pytest' is not a locked package",
    ]


def test_a_lock_needs_targets_and_roots() -> None:
    assert problems(f'version = 1\ninput-digest = "{DIGEST}"\n') == [
        "px.lock: target: missing",
        "px.lock: roots: missing",
    ]
    assert problems(f'version = 1\ninput-digest = "{DIGEST}"\ntarget = []\n[roots]\n') == [
        "px.lock: target: a lock needs at least one target"
    ]


def test_a_value_with_a_trailing_newline_is_not_well_formed() -> None:
    """Each value pattern must match the whole string: ``$`` also matches before a final
    newline, and a sha256, digest or version ending in one used to be accepted."""
    sha = "c" * 64
    found = problems(
        GOOD.replace(f'sha256 = "{sha}"', f'sha256 = "{sha}\\n"', 1)
        .replace('python-version = "3.11"', 'python-version = "3.11\\n"', 1)
        .replace(f'input-digest = "{DIGEST}"', f'input-digest = "{DIGEST}\\n"', 1)
    )
    assert len(found) == 3, found
    assert any("input-digest" in p for p in found), found
    assert any("python-version" in p for p in found), found
    assert any("sha256" in p for p in found), found
