"""`px why NAME`: every path from the project's roots, on a diamond and on built locks."""

from __future__ import annotations

from pathlib import Path

from px.ops.why import find_paths
from tests.review.builders import make_lock, pkg
from tests.review.conftest import check_schema


def test_diamond_shows_both_paths_and_the_group_path(px, project: Path) -> None:  # type: ignore[no-untyped-def]
    assert px("lock", cwd=project).code == 0
    result = px("why", "Diamond_D", cwd=project)
    assert result.code == 0, result.err
    assert result.out.splitlines() == [
        "diamond-d 1.0 is required through 3 paths:",
        "  demo -> diamond-a (diamond-a 1.0) -> diamond-b (diamond-b 1.0)"
        " -> diamond-d>=1.0 (diamond-d 1.0)",
        "  demo -> diamond-a (diamond-a 1.0) -> diamond-c (diamond-c 1.0)"
        " -> diamond-d<2 (diamond-d 1.0)",
        "  demo (group dev) -> markers-pkg (markers-pkg 1.0)"
        ' -> diamond-d<2; python_version < "3.12" (diamond-d 1.0)',
    ]


def test_json(px, project: Path) -> None:  # type: ignore[no-untyped-def]
    assert px("lock", cwd=project).code == 0
    result = px("--json", "why", "diamond-b", cwd=project)
    assert result.code == 0
    document = result.json()
    check_schema(document, "why")
    assert document["name"] == "diamond-b" and document["versions"] == ["1.0"]
    (path,) = document["paths"]
    assert path["root"] == {"kind": "dependencies", "name": None}
    assert [(h["name"], h["specifier"], h["versions"]) for h in path["hops"]] == [
        ("diamond-a", "", ["1.0"]),
        ("diamond-b", "", ["1.0"]),
    ]
    assert path["text"] == "demo -> diamond-a (diamond-a 1.0) -> diamond-b (diamond-b 1.0)"


def test_unknown_name_suggests_close_names(px, project: Path) -> None:  # type: ignore[no-untyped-def]
    assert px("lock", cwd=project).code == 0
    result = px("why", "diamond-e", "--json", cwd=project)
    assert result.code == 3
    check_schema(result.json(), "error")
    error = result.json()["error"]
    assert error["code"] == "bad-input" and "diamond-e is not in" in error["message"]
    assert error["hint"].startswith("did you mean diamond-d")


def test_missing_lock(px, project: Path) -> None:  # type: ignore[no-untyped-def]
    result = px("why", "diamond-a", cwd=project)
    assert result.code == 8 and "px.lock is missing" in result.err


def test_extras_groups_cycles_and_limits() -> None:
    lock = make_lock(
        pkg("a", "1.0", "b>=1", "c"),
        pkg("b", "1.0", "a", "c<2; os_name == 'nt'"),  # a cycle a -> b -> a
        pkg("c", "1.5"),
        extras={"cli": ("a[x]>=1",)},
        groups={"dev": ("b",)},
        roots=("c",),
    )
    paths, truncated = find_paths(lock, "c", project="demo")
    assert not truncated
    assert [p.text for p in paths] == [
        "demo -> c (c 1.5)",
        'demo[cli] -> a[x]>=1 (a 1.0) -> b>=1 (b 1.0) -> c<2; os_name == "nt" (c 1.5)',
        "demo[cli] -> a[x]>=1 (a 1.0) -> c (c 1.5)",
        "demo (group dev) -> b (b 1.0) -> a (a 1.0) -> c (c 1.5)",
        'demo (group dev) -> b (b 1.0) -> c<2; os_name == "nt" (c 1.5)',
    ]
    assert [p.root.kind for p in paths] == ["dependencies", "extra", "extra", "group", "group"]
    cut, truncated = find_paths(lock, "c", project="demo", limit=2)
    assert truncated and len(cut) == 2
    orphan = make_lock(pkg("a", "1.0"), pkg("z", "1.0"), roots=("a",))
    assert find_paths(orphan, "z", project="demo") == ((), False)
