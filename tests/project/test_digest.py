"""The input digest: stable under cosmetic changes, changed by anything that matters."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from px.project import INPUT_DIGEST_VERSION, input_digest, input_document, parse_pyproject

BASE = """\
[project]
name = "demo"
version = "0.1.0"
requires-python = ">=3.10"
dependencies = [
    "flask>=2",
    "requests[socks,security]; python_version < '3.13'",
]

[project.optional-dependencies]
fast = ["orjson"]

[dependency-groups]
dev = ["pytest", {include-group = "lint"}]
lint = ["ruff"]

[tool.px]
find-links = ["./wheels"]

[[tool.px.index]]
name = "corp"
url = "https://corp.example/simple"
explicit = true

[tool.px.sources]
mylib = { index = "corp" }
"""

# Same inputs, written differently: comments, layout, key order, entry order,
# spelling of names and specifiers, credentials, a different version/description.
EQUIVALENT = """\
# The demo project.
[tool.px.sources]
MyLib = { index = "corp" }   # pinned

[[tool.px.index]]
explicit = true
url = "https://someone:token@corp.example/simple"
name = "corp"

[tool.px]
find-links = [ "./wheels" ]

[dependency-groups]
Lint = [ "ruff" ]
dev = [ {include-group = "lint"}, "pytest" ]

[project]
description = "cosmetic"
version = "0.2.0"
dependencies = [ "Requests[Security,socks] ; python_version<\\"3.13\\"", "Flask >= 2" ]
requires-python = ">= 3.10"
name = "Demo"

[project.optional-dependencies]
Fast = [
  "orjson",  # speed
  "orjson",
]
"""


def digest(text: str) -> str:
    return input_digest(parse_pyproject(text, root=Path("/anywhere")))


def test_digest_shape_and_version() -> None:
    value = digest(BASE)
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", value)
    assert input_document(parse_pyproject(BASE, root=Path("/p")))["digest-version"] == (
        INPUT_DIGEST_VERSION
    )


def test_cosmetic_changes_keep_the_digest() -> None:
    assert digest(EQUIVALENT) == digest(BASE)


def test_project_root_does_not_matter() -> None:
    a = input_digest(parse_pyproject(BASE, root=Path("/home/a/demo")))
    b = input_digest(parse_pyproject(BASE, root=Path("/srv/ci/demo")))
    assert a == b


def test_credentials_never_reach_the_digest_document() -> None:
    document = input_document(parse_pyproject(EQUIVALENT, root=Path("/p")))
    assert "token" not in repr(document)


CHANGES = [
    ("dependency added", '"flask>=2",', '"flask>=2", "click",'),
    ("specifier changed", '"flask>=2"', '"flask>=3"'),
    ("marker changed", "python_version < '3.13'", "python_version < '3.12'"),
    ("extra of a dependency", "requests[socks,security]", "requests[socks]"),
    ("requires-python", 'requires-python = ">=3.10"', 'requires-python = ">=3.11"'),
    ("optional dependency", 'fast = ["orjson"]', 'fast = ["orjson", "ujson"]'),
    ("extra renamed", 'fast = ["orjson"]', 'speedy = ["orjson"]'),
    ("group member", 'lint = ["ruff"]', 'lint = ["ruff", "black"]'),
    ("group include", 'dev = ["pytest", {include-group = "lint"}]', 'dev = ["pytest"]'),
    ("index url", "https://corp.example/simple", "https://corp2.example/simple"),
    ("index explicit", "explicit = true", "explicit = false"),
    ("source", 'mylib = { index = "corp" }', 'otherlib = { index = "corp" }'),
    ("find-links", '["./wheels"]', '["./wheels", "./more"]'),
    ("index-url", "[tool.px]\n", '[tool.px]\nindex-url = "https://mirror.example/simple"\n'),
    ("project renamed", 'name = "demo"', 'name = "demo2"'),
]


@pytest.mark.parametrize(("old", "new"), [c[1:] for c in CHANGES], ids=[c[0] for c in CHANGES])
def test_real_changes_change_the_digest(old: str, new: str) -> None:
    assert old in BASE
    assert digest(BASE.replace(old, new, 1)) != digest(BASE)
