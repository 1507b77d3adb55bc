"""`px lock history`, and the lock views answering questions in one SELECT."""

from __future__ import annotations

from pathlib import Path

from px.lock import serialise
from px.project import load_project
from tests.review.builders import make_lock, pkg
from tests.review.conftest import check_schema


def test_history_lists_entries_with_changes(px, project: Path) -> None:  # type: ignore[no-untyped-def]
    empty = px("lock", "history", "--json", cwd=project)
    assert empty.code == 0 and empty.json() == {"project": str(project), "total": 0, "entries": []}
    assert "no locks of" in px("lock", "history", cwd=project).out
    assert px("lock", cwd=project).code == 0
    assert px("add", "yanked-pkg==1.0", cwd=project).code == 0
    assert px("remove", "diamond-a", cwd=project).code == 0
    assert px("lock", cwd=project).code == 0  # unchanged: not repeated
    result = px("lock", "history", "--json", cwd=project)
    assert result.code == 0
    document = result.json()
    check_schema(document, "lock-history")
    entries = document["entries"]
    assert document["total"] == 3
    assert [e["command"] for e in entries] == ["remove diamond-a", "add yanked-pkg==1.0", "lock"]
    assert [e["changes"] for e in entries] == [
        {"added": 0, "removed": 3, "upgraded": 0, "downgraded": 0, "changed": 0},
        {"added": 1, "removed": 0, "upgraded": 0, "downgraded": 0, "changed": 0},
        None,
    ]
    assert entries[0]["previous_id"] == entries[1]["id"] and entries[2]["previous_id"] is None
    assert entries[1]["package_count"] == entries[2]["package_count"] + 1

    limited = px("lock", "history", "-n", "1", "--json", cwd=project).json()
    assert [e["id"] for e in limited["entries"]] == [entries[0]["id"]]
    assert limited["entries"][0]["changes"] == entries[0]["changes"]

    text = px("lock", "history", cwd=project).out.splitlines()
    assert text[0] == f"lock history of {project} (3 locks, newest first)"
    assert text[2].startswith(f"@{entries[0]['id']} ") and text[2].endswith("3 removed")
    assert text[4].endswith("first lock")
    assert px("lock", "history", "-n", "-1", cwd=project).code == 2


def test_which_locks_contain_urllib3_below_2_is_one_select(px, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from px.ops.lock import record
    from px.store import open_store

    root = tmp_path / "web"
    root.mkdir()
    (root / "pyproject.toml").write_text('[project]\nname = "web"\nversion = "1"\n')
    project = load_project(root)
    locks = [
        make_lock(pkg("urllib3", "1.26.18"), roots=("urllib3",)),
        make_lock(pkg("urllib3", "2.2.1"), roots=("urllib3",)),
        make_lock(pkg("urllib3", "1.25.11"), roots=("urllib3<2",)),
    ]
    with open_store(tmp_path / "store") as store:
        ids = [record(store, project, serialise(lock), lock, "lock") for lock in locks]
    sql = (
        "SELECT DISTINCT l.id, p.version FROM px_locks l "
        "JOIN px_lock_packages p ON p.lock_id = l.id "
        "WHERE p.name = 'urllib3' AND p.major < 2 ORDER BY l.id"
    )
    result = px("query", sql, "--json")
    assert result.code == 0, result.err
    assert result.json()["rows"] == [[ids[0], "1.26.18"], [ids[2], "1.25.11"]]
    one_view = px(
        "query",
        "--json",
        "SELECT lock_id, version FROM px_lock_packages WHERE name = 'urllib3' AND major < 2 "
        "ORDER BY lock_id DESC",
    )
    assert one_view.json()["rows"] == [[ids[2], "1.25.11"], [ids[0], "1.26.18"]]
    history = px("lock", "history", "--json", cwd=root).json()
    assert [e["changes"]["downgraded"] for e in history["entries"][:2]] == [1, 0]
    assert history["entries"][1]["changes"]["upgraded"] == 1
