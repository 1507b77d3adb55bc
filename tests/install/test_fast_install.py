"""A warm install of files installed before is assembled from the remembered plan, and only then."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.install.test_env_install import PYPROJECT, env_python, wait_for_compiled_trees
from tests.probe import run_probed

WATCHED = ("packaging", "px.lock.parse", "px.ops.install")


def px_probe(project: Path, *argv: str) -> tuple[int, str, list[str]]:
    """Run px in a subprocess; its exit code, stdout, and which heavy modules it imported."""
    return run_probed(project, argv, WATCHED)


@pytest.fixture
def template(px, tmp_path: Path, index, monkeypatch: pytest.MonkeyPatch) -> Path:  # type: ignore[no-untyped-def]
    """A project installed once (normal path): the store holds its plan."""
    monkeypatch.setenv("PX_INDEX_URL", index.url("primary"))
    root = tmp_path / "template"
    root.mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT)
    assert px("install", cwd=root).code == 0
    return root


def copy_of(template: Path, name: str) -> Path:
    """The project as a fresh clone has it: pyproject.toml and px.lock, no .px."""
    copy = template.parent / name
    copy.mkdir()
    for file in ("pyproject.toml", "px.lock"):
        shutil.copy2(template / file, copy / file)
    return copy


def generations(store_dir: Path, project: Path) -> list[tuple[str, int, int]]:
    from px.store import open_store

    with open_store(store_dir) as store, store.read() as conn:
        return [
            (state, number, wheels)
            for state, number, wheels in conn.all(
                "SELECT g.state, g.number, count(w.wheel_id) FROM env_generations g "
                "LEFT JOIN env_generation_wheels w ON w.generation_id = g.id "
                "WHERE g.project = ? GROUP BY g.id ORDER BY g.number",
                (str(project),),
            )
        ]


def test_a_fresh_copy_is_assembled_from_the_plan(px, template: Path, store_dir: Path) -> None:  # type: ignore[no-untyped-def]
    fast = copy_of(template, "fast")
    code, out, loaded = px_probe(fast, "install", "--frozen")
    assert code == 0, out
    assert loaded == []  # neither packaging nor the lock parser nor the normal install path
    # exactly what the normal path prints for the same install
    slow = copy_of(template, "slow")
    normal = px("-v", "install", "--frozen", cwd=slow)  # -v: a form the fast path refuses
    assert normal.code == 0
    assert out == normal.out.rstrip("\n").replace(str(slow), str(fast))
    # the same environment, recorded the same way
    listing = sorted(os.listdir(next((fast / ".px" / "current").rglob("site-packages"))))
    assert listing == sorted(os.listdir(next((slow / ".px" / "current").rglob("site-packages"))))
    probe = env_python(fast, "import diamond_a, nsroot.a, nsroot.b, greet_app; print('ok')")
    assert probe.stdout.strip() == "ok", probe.stderr
    assert (fast / ".px" / "bin" / "greet-app").is_file()
    assert generations(store_dir, fast) == generations(store_dir, slow)
    assert generations(store_dir, fast)[0][0] == "committed"
    assert state_of(fast) == state_of(slow)
    # and then the no-op path knows it is current
    count = state_of(fast)["packages"]
    assert px_probe(fast, "install")[1] == f"{fast}: up to date (generation 1, {count} packages)"


def state_of(project: Path) -> dict[str, str]:
    """.px/state without what differs between two directories (their paths, the files' mtimes)."""
    lines = (project / ".px" / "state").read_text().replace(str(project), "PROJECT").splitlines()
    pairs = (line.split("=", 1) for line in lines)
    return {key: value for key, value in pairs if not key.endswith(".stat")}


def test_the_plan_is_not_used_when_anything_it_depends_on_changed(
    px, template: Path, store_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    # a stale lock: --frozen must still refuse it, as the normal path does
    stale, stale_too = copy_of(template, "stale"), copy_of(template, "stale-too")
    for project in (stale, stale_too):
        pyproject = project / "pyproject.toml"
        pyproject.write_text(pyproject.read_text().replace('"datafiles"', '"datafiles", "idna"'))
    code, _, loaded = px_probe(stale, "install", "--frozen")
    assert "px.ops.install" in loaded
    assert code == px("-v", "install", "--frozen", cwd=stale_too).code == 8  # LockStale
    # another interpreter asked for
    monkeypatch.setenv("PX_PYTHON", sys.executable)
    code, _, loaded = px_probe(copy_of(template, "other-python"), "install")
    assert code == 0 and "px.ops.install" in loaded
    monkeypatch.delenv("PX_PYTHON")
    # a tree removed from the store: rebuilt by the normal path (once the template's
    # background byte-compile is done with the trees: it writes into them)
    wait_for_compiled_trees(store_dir)
    tree = next(p for p in (store_dir / "trees").iterdir() if p.name[0] != ".")
    shutil.rmtree(tree)
    code, _, loaded = px_probe(copy_of(template, "tree-gone"), "install")
    assert code == 0 and "px.ops.install" in loaded
    assert tree.is_dir()
    # and after that the plan serves again
    code, _, loaded = px_probe(copy_of(template, "again"), "install")
    assert code == 0 and loaded == []


def test_a_plan_naming_a_wheel_the_store_lost_is_not_used(template: Path, store_dir: Path) -> None:
    from px.store import open_store

    with open_store(store_dir) as store, store.write() as conn:
        (text,) = conn.first("SELECT plan FROM install_plans")
        plan = json.loads(text)
        plan["wheel_ids"].append(99999)
        conn.execute("UPDATE install_plans SET plan = ?", (json.dumps(plan),))
    code, _, loaded = px_probe(copy_of(template, "lost"), "install")
    assert code == 0 and "px.ops.install" in loaded


RUN_PROBE = """
import os, sys
def fake_exec(path, argv, env):
    print('EXEC:' + os.path.basename(argv[0]))
    print('LOADED:' + ','.join(sorted(m for m in sys.argv[1].split(',') if m in sys.modules)))
    os._exit(0)
os.execve = fake_exec
from px.cli.main import main
main(sys.argv[2:])
"""


def test_px_run_in_a_fresh_copy_builds_from_the_plan_then_runs(template: Path) -> None:
    fresh = copy_of(template, "run-fresh")
    probe = subprocess.run(
        [sys.executable, "-c", RUN_PROBE, ",".join(WATCHED), "run", "python", "-c", "pass"],
        capture_output=True,
        text=True,
        cwd=fresh,
        timeout=300,
    )
    assert probe.stdout.splitlines() == ["EXEC:python", "LOADED:"], probe.stdout + probe.stderr
    assert state_of(fresh)["generation"] == "1"  # installed before the command started
    again = copy_of(template, "run-for-real")
    ran = subprocess.run(
        [sys.executable, "-m", "px", "run", "python", "-c", "import diamond_a; print('ok')"],
        capture_output=True,
        text=True,
        cwd=again,
        timeout=300,
    )
    assert (ran.returncode, ran.stdout) == (0, "ok\n"), ran.stderr  # nothing else on stdout


def test_two_installs_of_a_fresh_copy_at_once_build_one_generation(template: Path) -> None:
    fresh = copy_of(template, "twice")
    command = [sys.executable, "-m", "px", "install", "--frozen"]
    runs = [
        subprocess.Popen(
            command, cwd=fresh, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    said = sorted(out.split(" ", 1)[0] for out, _ in outputs)
    assert said == [f"{fresh}:", "installed"], outputs  # one built it, the other found it done
    assert sorted(os.listdir(fresh / ".px" / "gens")) == ["1"]
    probe = env_python(fresh, "import diamond_a, nsroot.a; print('ok')")
    assert probe.stdout.strip() == "ok", probe.stderr
