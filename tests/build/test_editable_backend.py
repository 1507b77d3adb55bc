"""The fixture backend's small TOML reader (used on Python 3.10) agrees with tomllib."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from fixtures.editable_backend import BACKEND_FILE

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

REPO = Path(__file__).resolve().parents[2]


def _backend() -> ModuleType:
    spec = importlib.util.spec_from_file_location("px_test_backend_under_test", BACKEND_FILE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


DOCUMENTS = [
    (REPO / "sample_px_app" / "pyproject.toml").read_text(),
    """\
[project]
name = "x-y"  # a comment
version = "1.0"
description = "has a # inside"
dependencies = [
  "a>=1",  # why
  "b; python_version < '3.12'",
]

[project.optional-dependencies]
test = ["c", "d[e]>=2"]

[project.scripts]
x = "x_y.cli:main"

[build-system]
requires = []
build-backend = "px_test_backend"
backend-path = ["_px_backend"]
""",
]


@pytest.mark.parametrize("text", DOCUMENTS)
def test_the_subset_reader_reads_what_the_backend_needs(text: str) -> None:
    expected = tomllib.loads(text)
    found = _backend()._read_toml_subset(text)
    project = dict(expected["project"])
    for key in ("scripts", "optional-dependencies"):
        if key in project:
            assert found[f"project.{key}"] == project.pop(key)
    assert found["project"] == project
    assert found["build-system"] == expected["build-system"]
