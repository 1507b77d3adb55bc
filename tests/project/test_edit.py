"""`px add` / `px remove` edits: comments and layout survive, entries are replaced, not doubled."""

from __future__ import annotations

import pytest

from px.errors import InputError, UsageError
from px.project.edit import add_requirement, remove_requirement

COMMENTED = """\
# Demo project: keep this comment.
[project]
name = "demo"  # the name
version = "0.1.0"
dependencies = [
    # web stack
    "flask>=2",  # pinned for a reason
    "requests",
]

[project.urls]
home = "https://example.org"

[tool.other]
setting = 1  # unrelated
"""


def test_add_inserts_in_name_order_keeping_comments() -> None:
    assert add_requirement(COMMENTED, "httpx>=0.27") == COMMENTED.replace(
        '    "requests",\n', '    "httpx>=0.27",\n    "requests",\n'
    )


def test_add_appends_at_the_end_with_a_trailing_comma() -> None:
    assert add_requirement(COMMENTED, "zope.interface") == COMMENTED.replace(
        '    "requests",\n', '    "requests",\n    "zope.interface",\n'
    )


def test_add_replaces_an_entry_for_the_same_name_and_keeps_its_comment() -> None:
    assert add_requirement(COMMENTED, "Flask[async] >= 3") == COMMENTED.replace(
        '"flask>=2",  # pinned', '"Flask[async]>=3",  # pinned'
    )


def test_add_collapses_duplicate_entries() -> None:
    text = '[project]\nname = "x"\ndependencies = ["a", "b>1", "B<3"]\n'
    assert add_requirement(text, "b==2") == '[project]\nname = "x"\ndependencies = ["a", "b==2"]\n'


def test_add_to_one_line_arrays_stays_on_one_line() -> None:
    text = '[project]\nname = "x"\ndependencies = ["c", "d"]  # note\n'
    assert add_requirement(text, "b") == (
        '[project]\nname = "x"\ndependencies = ["b", "c", "d"]  # note\n'
    )
    unsorted = '[project]\nname = "x"\ndependencies = ["d", "c"]\n'
    assert (
        add_requirement(unsorted, "b") == '[project]\nname = "x"\ndependencies = ["d", "c", "b"]\n'
    )


def test_add_keeps_the_indentation_of_the_array() -> None:
    text = '[project]\nname = "x"\ndependencies = [\n  "a",\n  "c"\n]\n'
    assert (
        add_requirement(text, "d")
        == '[project]\nname = "x"\ndependencies = [\n  "a",\n  "c",\n  "d",\n]\n'
    )


def test_add_to_empty_or_missing_dependencies_writes_a_multiline_array() -> None:
    expected = '[project]\nname = "x"\ndependencies = [\n    "b",\n]\n'
    assert add_requirement('[project]\nname = "x"\ndependencies = []\n', "b") == expected
    assert add_requirement('[project]\nname = "x"\n', "b") == expected


def test_add_to_a_new_dependency_group_creates_the_table() -> None:
    assert add_requirement(COMMENTED, "pytest>=8", group="dev") == COMMENTED + (
        '\n[dependency-groups]\ndev = [\n    "pytest>=8",\n]\n'
    )


def test_add_to_an_existing_group_skips_include_tables() -> None:
    text = (
        '[dependency-groups]\ndev = [\n    "ruff",\n    {include-group = "test"},\n]\n'
        'test = ["pytest"]\n'
    )
    assert add_requirement(text, "mypy", group="Dev") == (
        '[dependency-groups]\ndev = [\n    "ruff",\n    {include-group = "test"},\n'
        '    "mypy",\n]\ntest = ["pytest"]\n'
    )


def test_add_optional_creates_the_table_among_project_tables() -> None:
    assert add_requirement(COMMENTED, "pysocks", optional="socks") == COMMENTED.replace(
        "\n[tool.other]",
        '\n[project.optional-dependencies]\nsocks = [\n    "pysocks",\n]\n\n[tool.other]',
    )


def test_add_optional_to_an_existing_table_and_extra() -> None:
    text = (
        '[project]\nname = "x"\n\n[project.optional-dependencies]\nSocks = ["pysocks"]\n\n'
        "[tool.x]\na = 1\n"
    )
    assert add_requirement(text, "win-inet-pton", optional="socks") == text.replace(
        '["pysocks"]', '["pysocks", "win-inet-pton"]'
    )
    assert add_requirement(text, "orjson", optional="fast") == text.replace(
        'Socks = ["pysocks"]\n', 'Socks = ["pysocks"]\nfast = [\n    "orjson",\n]\n'
    )


def test_add_rejects_bad_input() -> None:
    with pytest.raises(InputError, match="invalid requirement 'foo>>1'"):
        add_requirement(COMMENTED, "foo>>1")
    with pytest.raises(UsageError):
        add_requirement(COMMENTED, "x", group="dev", optional="extra")
    with pytest.raises(InputError, match="no \\[project\\] table"):
        add_requirement("[tool.x]\na = 1\n", "x")
    with pytest.raises(InputError, match="not valid TOML"):
        add_requirement('[project\nname = "x"\n', "x")


def test_remove_keeps_comments_of_other_entries() -> None:
    assert remove_requirement(COMMENTED, "Requests") == COMMENTED.replace('    "requests",\n', "")
    assert remove_requirement(COMMENTED, "FLASK") == COMMENTED.replace(
        '    "flask>=2",  # pinned for a reason\n', ""
    )


def test_removing_the_last_entry_leaves_an_empty_array() -> None:
    text = '[project]\nname = "x"\ndependencies = [\n    "a",\n]\n'
    assert remove_requirement(text, "a") == '[project]\nname = "x"\ndependencies = []\n'


def test_remove_from_a_group() -> None:
    text = '[dependency-groups]\ndev = ["pytest", "ruff"]\n'
    assert (
        remove_requirement(text, "pytest", group="dev") == '[dependency-groups]\ndev = ["ruff"]\n'
    )


def test_remove_an_undeclared_name_says_where_it_is() -> None:
    text = add_requirement(COMMENTED, "pytest", group="dev")
    with pytest.raises(InputError) as caught:
        remove_requirement(text, "pytest")
    assert caught.value.what == "pytest is not declared in project.dependencies"
    assert caught.value.why == "it is declared in dependency-groups.dev"
    with pytest.raises(InputError) as caught:
        remove_requirement(COMMENTED, "nothing-here", optional="extra")
    assert (
        caught.value.what == "nothing-here is not declared in project.optional-dependencies.extra"
    )
    assert caught.value.why == "pyproject.toml declares it nowhere else either"


def test_a_marker_is_written_as_a_literal_string_and_reads_back() -> None:
    text = '[project]\nname = "x"\ndependencies = [\n    "a",\n]\n'
    edited = add_requirement(text, "b ; python_version<'3.13'")
    assert edited == (
        '[project]\nname = "x"\ndependencies = [\n    "a",\n'
        "    'b; python_version < \"3.13\"',\n]\n"
    )
    assert remove_requirement(edited, "b") == text
