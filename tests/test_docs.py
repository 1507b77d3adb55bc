"""Docs stay in step with the code: exit codes, query views, commands, dependencies."""

from __future__ import annotations

import re

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]
from pathlib import Path

from px.errors import ExitCode

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"


def test_exit_code_table_matches_the_enum() -> None:
    text = (DOCS / "exit-codes.md").read_text()
    rows = dict(
        (int(code), name)
        for code, name in re.findall(r"^\|\s*(\d+)\s*\|\s*([A-Z_]+)\s*\|", text, re.M)
    )
    assert rows == {int(c): c.name for c in ExitCode}


def test_every_error_code_is_documented() -> None:
    import px.errors as errors

    text = (DOCS / "exit-codes.md").read_text()
    for obj in vars(errors).values():
        if isinstance(obj, type) and issubclass(obj, errors.PxError):
            assert f"`{obj.code}`" in text, obj.__name__


def test_every_view_and_column_is_documented(tmp_path: Path) -> None:
    from px.store import open_store
    from px.store.query import views

    text = (DOCS / "query.md").read_text()
    with open_store(tmp_path / "s") as store:
        found = views(store)
    assert found
    for view in found:
        section = text.split(f"### `{view.name}`", 1)
        assert len(section) == 2, f"docs/query.md has no section for {view.name}"
        body = section[1].split("### ", 1)[0]
        for column in view.columns:
            assert f"`{column}`" in body, f"{view.name}.{column} is not documented"


def test_every_runtime_dependency_is_explained() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    text = (DOCS / "dependencies.md").read_text().lower()
    names = [re.split(r"[<>=;\[ ]", d, maxsplit=1)[0] for d in project["dependencies"]]
    names += [
        re.split(r"[<>=;\[ ]", d, maxsplit=1)[0] for d in project["optional-dependencies"]["dev"]
    ]
    for name in names:
        assert f"`{name.lower()}`" in text, f"{name} missing from docs/dependencies.md"


def test_every_command_is_in_the_command_reference() -> None:
    from px.cli.parser import build_parser
    from tests.cli.test_json_schemas import leaf_commands

    text = (DOCS / "commands.md").read_text()
    for leaf in leaf_commands(build_parser()):
        assert f"`px {' '.join(leaf)}" in text, leaf


def test_modules_stay_small() -> None:
    """STYLE: aim under 300 lines, hard limit 500."""
    too_long = {
        str(path.relative_to(REPO)): count
        for path in (REPO / "px").rglob("*.py")
        if (count := len(path.read_text().splitlines())) > 500
    }
    assert not too_long, too_long
