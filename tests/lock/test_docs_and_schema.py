"""docs/lock-format.md and the JSON Schema stay in step with what px writes and reads."""

from __future__ import annotations

import json
from collections.abc import Iterator

import jsonschema
import pytest

from px.lock import serialise
from px.lock.parse import tomllib
from px.lock.values import MARKER_NAMES
from tests.lock.test_roundtrip import REPO, VALIDATOR, sample_lock

DOC = (REPO / "docs" / "lock-format.md").read_text(encoding="utf-8")
SCHEMA = json.loads((REPO / "schema" / "px.lock.v1.schema.json").read_text(encoding="utf-8"))


def property_names(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                yield from value
            yield from property_names(value)
    elif isinstance(node, list):
        for item in node:
            yield from property_names(item)


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_every_schema_key_is_documented() -> None:
    names = set(property_names(SCHEMA))
    assert {"input-digest", "platform-tags", "artifacts", "sha256", "editable"} <= names
    for name in sorted(names):
        assert f"`{name}`" in DOC, f"{name} is not documented in docs/lock-format.md"


def test_schema_and_reader_agree_on_marker_names() -> None:
    markers = SCHEMA["$defs"]["target"]["properties"]["markers"]["propertyNames"]["enum"]
    assert set(markers) == MARKER_NAMES


def test_doc_examples_use_the_real_header() -> None:
    assert serialise(sample_lock()).splitlines()[0] in DOC


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("https://pypi.org/simple", "https://user:pw@pypi.org/simple"),
        ("version = 1\n", "version = 1\nextra-key = 1\n"),
        ('sha256 = "cccc', 'sha256 = "CCCC'),
        ('name = "click"\n', 'name = "Click"\n'),
        ('kind = "vcs"', 'kind = "svn"'),
    ],
)
def test_schema_rejects_what_the_reader_rejects(old: str, new: str) -> None:
    text = serialise(sample_lock())
    assert old in text
    data = tomllib.loads(text.replace(old, new, 1))
    with pytest.raises(jsonschema.ValidationError):
        VALIDATOR.validate(data)
