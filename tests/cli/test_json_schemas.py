"""Every command's --json output matches its schema in schema/output/, success and failure."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import jsonschema
import pytest

from px.cli.parser import build_parser
from px.store import open_store

REPO = Path(__file__).resolve().parents[2]
SCHEMAS = REPO / "schema" / "output"


def leaf_commands(
    parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()
) -> Iterator[tuple[str, ...]]:
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        yield prefix
        return
    for sub in subs:
        for name, child in sub.choices.items():
            yield from leaf_commands(child, (*prefix, name))


def schema(name: str) -> dict[str, object]:
    return json.loads((SCHEMAS / f"{name}.schema.json").read_text())  # type: ignore[no-any-return]


def seed(store_dir: Path) -> None:
    with open_store(store_dir) as store:
        store.blobs.put_many([b"one", b"two" * 100])


PROJECT = '[project]\nname = "p"\nversion = "1"\ndependencies = ["diamond-a"]\n'


def project(store_dir: Path) -> None:
    """A project in the current directory (tests run it inside tmp_path)."""
    Path("pyproject.toml").write_text(PROJECT)


def installed(store_dir: Path) -> None:
    from px.cli.main import main

    project(store_dir)
    assert main(["install", "-q"]) == 0


def locked(store_dir: Path) -> None:
    from px.cli.main import main

    project(store_dir)
    assert main(["lock", "-q"]) == 0


def locked_and_old_copy(store_dir: Path) -> None:
    """A lock, and old.lock: the same lock with one artifact hash changed."""
    locked(store_dir)
    text = Path("px.lock").read_text()
    start = text.index('sha256 = "') + len('sha256 = "')
    Path("old.lock").write_text(text[:start] + "0" * 64 + text[start + 64 :])


def unknown_formatter(store_dir: Path) -> None:
    """A project whose [tool.px] formatter names a tool px cannot run."""
    Path("pyproject.toml").write_text(PROJECT + '\n[tool.px]\nformatter = "black"\n')


def buildable_project(store_dir: Path) -> None:
    """A project px builds offline (the in-tree test backend), in the current directory."""
    from tests.loop.conftest import buildable

    buildable(Path.cwd(), "p-built")


def built(store_dir: Path) -> None:
    from px.cli.main import main

    buildable_project(store_dir)
    assert main(["build", "-q"]) == 0


# (argv, schema name, expected exit code, setup)
CASES: list[tuple[tuple[str, ...], str, int, Callable[[Path], None] | None]] = [
    (("--version",), "version", 0, None),
    (("init",), "init", 0, None),
    (("build",), "build", 0, buildable_project),
    (("publish", "--dry-run"), "publish", 0, built),
    (("install",), "install", 0, locked),
    (("install", "--frozen"), "install", 0, installed),
    (("env", "info"), "env-info", 0, installed),
    (("env", "python"), "env-python", 0, installed),
    (("tidy",), "tidy", 0, installed),
    (("tidy", "--fix"), "tidy", 0, installed),
    (("cache", "info"), "cache-info", 0, seed),
    (("cache", "verify"), "cache-verify", 0, seed),
    (("cache", "clean", "--yes"), "cache-clean", 0, seed),
    (("cache", "prune", "--dry-run"), "cache-prune", 0, seed),
    (("cache", "prune"), "cache-prune", 0, seed),
    (("query", "SELECT * FROM px_blobs"), "query", 0, seed),
    (("query", "--views"), "query-views", 0, seed),
    (("lock",), "lock", 0, project),
    (("lock", "--check"), "lock", 0, locked),
    (("add", "yanked-pkg==1.0"), "add", 0, locked),
    (("remove", "diamond-a"), "remove", 0, locked),
    (("lock", "diff", "px.lock", "px.lock"), "lock-diff", 0, locked),
    (("lock", "diff", "old.lock"), "lock-diff", 9, locked_and_old_copy),
    (("lock", "history"), "lock-history", 0, locked),
    (("why", "diamond-d"), "why", 0, locked),
    # failures: one JSON error object on stdout
    (("init",), "error", 3, project),  # already a project
    (("build",), "error", 3, None),  # no pyproject.toml
    (("publish", "--dry-run"), "error", 3, project),  # nothing in dist/
    (("cache", "clean"), "error", 2, seed),
    (("query", "DELETE FROM blobs"), "error", 3, seed),
    (("query",), "error", 2, None),
    (("nosuch",), "error", 2, None),
    (("install", "--frozen"), "error", 8, project),
    (("env", "info"), "error", 12, project),
    (("run", "no-such-command-anywhere"), "error", 127, installed),
    (("test",), "error", 12, installed),
    (("fmt",), "error", 3, unknown_formatter),
    (("lint", "--fix"), "error", 3, unknown_formatter),
    (("lock", "--check"), "error", 8, project),
    (("add", "unsat-a", "unsat-b"), "error", 7, locked),
    (("remove", "flask"), "error", 3, locked),
    (("lock",), "error", 3, None),  # no pyproject.toml
    (("lock", "diff"), "error", 3, locked),  # not in a git repository
    (("lock", "diff", "@7"), "error", 3, locked),
    (("lock", "history"), "error", 3, None),
    (("why", "no-such-package"), "error", 3, locked),
    (("why", "diamond-d"), "error", 8, project),  # no px.lock
]


@pytest.mark.parametrize(
    ("argv", "name", "code", "setup"), CASES, ids=[" ".join(c[0]) for c in CASES]
)
def test_json_output_matches_schema(  # type: ignore[no-untyped-def]
    px, store_dir: Path, tmp_path: Path, index, monkeypatch, argv, name, code, setup
) -> None:
    monkeypatch.setenv("PX_INDEX_URL", index.url("primary"))
    monkeypatch.chdir(tmp_path)
    if setup:
        setup(store_dir)
    result = px("--json", *argv)
    assert result.code == code, result.err
    document = json.loads(result.out)  # exactly one JSON document on stdout
    jsonschema.validate(document, schema(name))


# Commands whose stdout belongs to the program they run: only their own errors are JSON.
PASSTHROUGH = {("run",), ("test",), ("fmt",), ("lint",)}


def test_every_command_has_a_schema_and_a_case() -> None:
    covered_ok = {c[0] for c in CASES if c[2] == 0}
    covered_error = {c[0] for c in CASES if c[2] != 0}
    for leaf in leaf_commands(build_parser()):
        assert (SCHEMAS / f"{'-'.join(leaf)}.schema.json").is_file(), leaf
        covered = covered_error if leaf in PASSTHROUGH else covered_ok
        assert any(argv[: len(leaf)] == leaf for argv in covered), f"no case: {leaf}"


def test_damaged_store_error_matches_schema(px, store_dir: Path) -> None:  # type: ignore[no-untyped-def]
    store_dir.mkdir(parents=True)
    (store_dir / "store.db").write_bytes(b"garbage" * 1000)
    for argv in (("cache", "info"), ("cache", "verify"), ("query", "SELECT 1")):
        result = px("--json", *argv)
        assert result.code == 4
        jsonschema.validate(json.loads(result.out), schema("error"))


def test_schemas_are_valid_json_schemas() -> None:
    for path in SCHEMAS.glob("*.schema.json"):
        jsonschema.Draft202012Validator.check_schema(json.loads(path.read_text()))
