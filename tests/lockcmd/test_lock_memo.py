"""Lock memos: a re-lock whose index pages read the same is answered without resolving."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from fixtures.artifacts import Artifact, IndexTree
from fixtures.index_pages import write_index_pages
from fixtures.server import IndexServer
from px.lock import parse

PROJECTS = ("diamond-d", "bt-leaf")
PYPROJECT = """\
[project]
name = "memo-demo"
version = "0.1.0"
requires-python = ">=3.10"
dependencies = ["diamond-d", "bt-leaf"]
"""


class PrivateIndex:
    """A loopback index of its own, whose pages a test may rewrite (a new release)."""

    def __init__(self, tree: IndexTree, root: Path) -> None:
        self.tree = tree
        self.root = root
        (root / "primary" / "files").mkdir(parents=True)

    def publish(self, versions: dict[str, tuple[str, ...]]) -> None:
        chosen: list[Artifact] = []
        for project, wanted in versions.items():
            chosen += [a for a in self.tree.files(project) if a.version in wanted]
        for artifact in chosen:
            for source in (artifact.path, artifact.path.with_name(artifact.filename + ".metadata")):
                target = self.root / "primary" / "files" / source.name
                if source.exists() and not target.exists():
                    os.link(source, target)
        simple = self.root / "primary" / "simple"
        if simple.exists():
            shutil.rmtree(simple)  # pages are rewritten whole, as an index publishes
        write_index_pages(self.root / "primary", chosen)


@pytest.fixture
def private_index(
    fixture_index_tree: IndexTree, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[PrivateIndex, IndexServer]]:
    index = PrivateIndex(fixture_index_tree, tmp_path / "index")
    index.publish({"diamond-d": ("1.0",), "bt-leaf": ("1.0", "2.0")})
    with IndexServer(index.root) as server:
        monkeypatch.setenv("PX_INDEX_URL", server.url("primary"))
        yield index, server


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "memo-demo"
    root.mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT)
    return root


def lock(px, project: Path, *args: str) -> dict[str, object]:  # type: ignore[no-untyped-def]
    result = px(*args, "lock", "--json", cwd=project)
    assert result.code == 0, result.err
    data: dict[str, object] = result.json()
    return data


def test_relock_on_an_unchanged_index_reuses_it(px, private_index, project: Path) -> None:  # type: ignore[no-untyped-def]
    _, server = private_index
    first = lock(px, project)
    assert first["memo"] is False
    body = (project / "px.lock").read_bytes()
    (project / "px.lock").unlink()
    server.clear_log()
    second = lock(px, project)
    assert second["memo"] is True
    assert second["status"] == "written"
    assert (project / "px.lock").read_bytes() == body
    # each page read again, conditionally, and nothing else
    requests = server.requests
    assert sorted(r.path for r in requests) == sorted(
        f"/primary/simple/{name}/" for name in PROJECTS
    )
    assert all("if-none-match" in r.headers for r in requests)


def test_a_new_release_is_resolved_not_replayed(px, private_index, project: Path) -> None:  # type: ignore[no-untyped-def]
    index, _ = private_index
    lock(px, project)
    assert pinned(project, "diamond-d") == "1.0"
    index.publish({"diamond-d": ("1.0", "2.0"), "bt-leaf": ("1.0", "2.0")})
    (project / "px.lock").unlink()
    again = lock(px, project)
    assert again["memo"] is False
    assert pinned(project, "diamond-d") == "2.0"


def test_offline_relock_is_answered_from_the_store(px, private_index, project: Path) -> None:  # type: ignore[no-untyped-def]
    _, server = private_index
    lock(px, project)
    body = (project / "px.lock").read_bytes()
    (project / "px.lock").unlink()
    server.clear_log()
    offline = lock(px, project, "--offline")
    assert offline["memo"] is True
    assert server.requests == ()
    assert (project / "px.lock").read_bytes() == body


def test_changed_inputs_are_resolved_again(px, private_index, project: Path) -> None:  # type: ignore[no-untyped-def]
    lock(px, project)
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"bt-leaf"', '"bt-leaf<2"'))
    again = lock(px, project)
    assert again["memo"] is False
    assert pinned(project, "bt-leaf") == "1.0"
    # and back: px.lock's pins are preferred now, so the first memo does not apply...
    pyproject.write_text(PYPROJECT)
    back = lock(px, project)
    assert back["memo"] is False
    assert pinned(project, "bt-leaf") == "1.0"  # minimal change
    # ...until there is no px.lock to prefer: then it answers again
    (project / "px.lock").unlink()
    fresh = lock(px, project)
    assert fresh["memo"] is True
    assert pinned(project, "bt-leaf") == "2.0"


def pinned(project: Path, name: str) -> str:
    packages = parse((project / "px.lock").read_bytes()).packages
    return next(p.version for p in packages if p.name == name)


def test_offline_replay_runs_before_anything_heavy(px, private_index, project: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.lockcmd.test_fastlock import px_probe

    lock(px, project)
    body = (project / "px.lock").read_bytes()
    (project / "px.lock").unlink()
    slow = px("-v", "--offline", "lock", cwd=project)  # -v: a form the fast path leaves alone
    assert slow.code == 0 and "reused" in slow.out
    (project / "px.lock").unlink()
    histories = history_count(px, project)
    code, out, loaded = px_probe(project, "--offline", "lock")
    assert (code, loaded) == (0, [])
    assert out == slow.out.rstrip("\n")
    assert (project / "px.lock").read_bytes() == body
    assert history_count(px, project) == histories  # the same lock as the latest: not repeated
    # another lock in between: the replay is recorded again, packages and edges with it
    pyproject = project / "pyproject.toml"
    pyproject.write_text(PYPROJECT.replace('"bt-leaf"', '"bt-leaf<2"'))
    lock(px, project)
    pyproject.write_text(PYPROJECT)
    (project / "px.lock").unlink()
    code, out, loaded = px_probe(project, "--offline", "lock")
    assert (code, loaded) == (0, [])
    assert (project / "px.lock").read_bytes() == body
    assert history_count(px, project) == histories + 2
    newest = px(
        "query",
        "--json",
        "SELECT count(*) FROM px_lock_packages WHERE lock_id = (SELECT max(id) FROM px_locks)",
        cwd=project,
    )
    assert newest.json()["rows"][0][0] == len(PROJECTS)
    # and online the fast path stays out of the way (it would have to revalidate)
    (project / "px.lock").unlink()
    code, _, loaded = px_probe(project, "lock")
    assert code == 0 and "px.ops.lock" in loaded


def test_offline_replay_declines_when_the_cache_moved_on(  # type: ignore[no-untyped-def]
    px, private_index, project: Path, tmp_path: Path
) -> None:
    from tests.lockcmd.test_fastlock import px_probe

    index, _ = private_index
    lock(px, project)
    index.publish({"diamond-d": ("1.0", "2.0"), "bt-leaf": ("1.0", "2.0")})
    other = tmp_path / "other"
    other.mkdir()
    (other / "pyproject.toml").write_text(PYPROJECT.replace("memo-demo", "other"))
    lock(px, other)  # online: the store's copy of diamond-d's page now lists 2.0
    (project / "px.lock").unlink()
    code, _, loaded = px_probe(project, "--offline", "lock")
    assert code == 0 and "px.ops.lock" in loaded
    assert pinned(project, "diamond-d") == "2.0"


def history_count(px, project: Path) -> int:  # type: ignore[no-untyped-def]
    result = px("query", "--json", "SELECT count(*) AS n FROM px_locks", cwd=project)
    assert result.code == 0, result.err
    return int(result.json()["rows"][0][0])


def test_two_offline_replays_at_once_agree(px, private_index, project: Path) -> None:  # type: ignore[no-untyped-def]
    import os
    import subprocess
    import sys

    lock(px, project)
    body = (project / "px.lock").read_bytes()
    (project / "px.lock").unlink()
    histories = history_count(px, project)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "px", "--offline", "lock"],
            cwd=project,
            env=dict(os.environ),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], outputs
    assert (project / "px.lock").read_bytes() == body
    assert history_count(px, project) == histories  # the latest lock again: not repeated
    assert px("cache", "verify", cwd=project).code == 0
