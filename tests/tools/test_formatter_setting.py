"""`[tool.px] formatter`: read strictly, and turned into a tool and a version."""

from __future__ import annotations

from pathlib import Path

import pytest

from px.cli.fmt import split_args
from px.errors import InputError
from px.project import parse_pyproject
from px.tools import RUFF, choose_formatter

BASE = '[project]\nname = "demo"\n\n[tool.px]\n'


def formatter(value: str) -> str | None:
    return parse_pyproject(BASE + f"formatter = {value}\n", root=Path("/p")).px.formatter


def test_valid_values() -> None:
    assert formatter('"ruff"') == "ruff"
    assert formatter('"ruff==0.6.9"') == "ruff==0.6.9"
    assert parse_pyproject(BASE, root=Path("/p")).px.formatter is None


@pytest.mark.parametrize(
    "value", ['"ruff>=0.6"', '"ruff==0.6.*"', '"ruff[x]"', '"ruff; os_name == \'nt\'"', '""',
              '"ruff==1,==2"', "3"],
)  # fmt: skip
def test_invalid_values_are_problems_with_a_key_path(value: str) -> None:
    with pytest.raises(InputError) as raised:
        formatter(value)
    assert any("tool.px.formatter" in line for line in raised.value.details), raised.value.details


def test_choose_formatter() -> None:
    assert choose_formatter(None) == (RUFF, RUFF.default_version)
    assert choose_formatter("ruff") == (RUFF, RUFF.default_version)
    assert choose_formatter("Ruff==0.6.9") == (RUFF, "0.6.9")
    with pytest.raises(InputError, match="black"):
        choose_formatter("black")


def test_ruff_command_lines() -> None:
    assert RUFF.requirement("0.6.9") == "ruff==0.6.9"
    assert RUFF.format_argv(["src"], check=True) == ["format", "--check", "src"]
    assert RUFF.format_argv([], check=False) == ["format"]
    assert RUFF.lint_argv([], fix=True, json=True) == ["check", "--fix", "--output-format", "json"]


def test_arguments_after_a_double_dash_go_to_the_tool() -> None:
    assert split_args(["src", "--", "--diff", "--", "x"]) == (["src"], ["--diff", "--", "x"])
    assert split_args(["--", "--diff"]) == ([], ["--diff"])
    assert split_args(["a", "b"]) == (["a", "b"], [])
