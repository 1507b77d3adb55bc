"""Validating wheels in worker processes: the same results, the same refusals, and no
worker outliving px or hanging it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from px.errors import InstallError, InternalError
from px.install import wheel as wheel_module
from px.install import workers as workers_module
from px.install.limits import DEFAULT_LIMITS
from px.install.records import load_wheel
from px.install.wheel import (
    WheelFile,
    _commit,
    _validate_and_store,
    ingest_wheels,
    validate_wheel,
)
from px.install.workers import Workers, worker_count
from px.store import open_store
from tests.install import wheel_builder as wb
from tests.install.test_wheel_validation import CASES


def test_workers_are_used_only_for_a_large_ingest_on_several_cores(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    big = workers_module.MIN_BYTES
    assert worker_count(big - 1, 40) == 0  # starting them would cost more than they save
    assert worker_count(big * 10, 1) == 0  # one wheel: nothing to spread
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0}, raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert worker_count(big * 10, 40) == 0  # one core
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: set(range(8)), raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    assert worker_count(big * 10, 40) == workers_module.MAX_WORKERS
    assert worker_count(big * 10, 2) == 2


def test_px_install_workers_says_how_many(monkeypatch: pytest.MonkeyPatch) -> None:
    from px.config import Settings
    from px.errors import InputError

    big = workers_module.MIN_BYTES
    assert worker_count(1, 40, requested=3) == 3  # small, yet asked for
    assert worker_count(big * 10, 40, requested=0) == 0  # large, yet asked not to
    assert worker_count(1, 2, requested=4) == 2  # never more than wheels
    assert Settings.from_environment(env={"PX_INSTALL_WORKERS": " 3 "}).install_workers == 3
    assert Settings.from_environment(env={"PX_INSTALL_WORKERS": ""}).install_workers is None
    assert Settings.from_environment(env={}).install_workers is None
    for bad in ("two", "-1", "1.5"):
        with pytest.raises(InputError, match="PX_INSTALL_WORKERS"):
            Settings.from_environment(env={"PX_INSTALL_WORKERS": bad})


def test_a_bad_px_install_workers_is_a_one_line_input_error(tmp_path: Path) -> None:
    from tests.conftest import run_px

    (tmp_path / "pyproject.toml").write_text('[project]\nname = "app"\nversion = "0"\n')
    done = run_px("install", env={"PX_INSTALL_WORKERS": "many"}, cwd=tmp_path)
    assert done.returncode == 3, done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("error: PX_INSTALL_WORKERS='many' is not a whole number (set it to")
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "px.lock").exists() and not (tmp_path / ".px").exists()


def test_workers_store_what_a_thread_stores(
    fixture_index_tree: Any, store: Any, tmp_path: Path
) -> None:
    artifacts = [a for a in fixture_index_tree.artifacts if a.is_wheel]
    assert len(artifacts) >= 10
    results = {}
    for workers, opened in ((0, store), (2, open_store(tmp_path / "other"))):
        trees = tmp_path / f"trees-{workers}"
        wheels = [
            WheelFile(a.path, expected_sha256=a.sha256, tree=trees / a.sha256) for a in artifacts
        ]
        records = ingest_wheels(opened, wheels, workers=workers)
        blobs = {
            f.blob_key: opened.blobs.get(f.blob_key) for record in records for f in record.files
        }
        results[workers] = (
            [dataclasses_without_id(r) for r in records],
            blobs,
            {a.sha256: wb.snapshot(trees / a.sha256) for a in artifacts},
            sorted(p.name for p in trees.iterdir()),  # no staging directory left
        )
        if opened is not store:
            opened.close()
    assert results[2] == results[0]
    assert [r[0] for r in results[2][0]] == [a.filename for a in artifacts]


def dataclasses_without_id(record: Any) -> tuple[object, ...]:
    import dataclasses

    return tuple(v for k, v in dataclasses.asdict(record).items() if k != "id")


def test_a_refusal_in_a_worker_is_the_refusal_this_process_would_make(
    store: Any, tmp_path: Path
) -> None:
    """Every malformed-wheel class, validated in a worker (which stores what passes):
    the same error class and message come back, nothing is stored and nothing staged
    is left behind."""
    before = _rows(store)
    with Workers(1) as workers:
        for case in CASES:
            (tmp_path / case.id).mkdir()
            path = wb.write(tmp_path / case.id, case.build(), case.filename)
            with pytest.raises(case.error) as here:
                validate_wheel(path, case.filename, case.limits)
            trees = tmp_path / "trees" / case.id
            trees.mkdir(parents=True)
            wheel = WheelFile(path, case.filename)
            future = workers.submit(
                _validate_and_store, wheel, case.limits, trees / "tree", store.directory
            )
            error = future.exception(timeout=60)
            assert type(error) is type(here.value), case.id
            assert error.one_line() == here.value.one_line(), case.id  # type: ignore[union-attr]
            assert list(trees.iterdir()) == [], case.id
    assert [p.name for p in store.directory.iterdir() if p.name.startswith(".ingest")] == []
    assert _rows(store) == before


def _rows(store: Any) -> tuple[int, int, int]:
    with store.read() as conn:
        return tuple(  # type: ignore[return-value]
            conn.scalar(f"SELECT count(*) FROM {table}")
            for table in ("blobs", "blob_chunks", "wheel_files")
        )


def test_a_worker_stores_the_files_and_this_process_only_the_manifest(
    store: Any, tmp_path: Path
) -> None:
    """The blobs are in the store when the validated wheel comes back; recording it
    writes the manifest and moves the tree into place."""
    path = wb.write(tmp_path, wb.wheel_bytes(files={"demo/__init__.py": b"x = 1\n"}))
    tree = tmp_path / "trees" / "demo"
    tree.parent.mkdir()
    with Workers(1) as workers:
        prepared = workers.submit(
            _validate_and_store, WheelFile(path), DEFAULT_LIMITS, tree, store.directory
        ).result(timeout=60)
    keys = prepared.spool.keys
    assert keys is not None and store.blobs.get(keys["demo/__init__.py"]) == b"x = 1\n"
    assert load_wheel(store, prepared.sha256) is None and not tree.exists()
    record = _commit(store, prepared)
    assert load_wheel(store, prepared.sha256) == record
    assert (tree / "site" / "demo" / "__init__.py").read_bytes() == b"x = 1\n"


def test_a_slow_store_does_not_hold_up_validation(
    store: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A wheel frees its place in the workers' queue when its validation ends, not when
    it is stored: while the first wheel is being recorded (held here until the others
    are validated), the workers validate all the rest."""
    paths = [
        wb.write(tmp_path, wb.wheel_bytes(name=f"demo{i}"), f"demo{i}-1.0-py3-none-any.whl")
        for i in range(6)
    ]
    submitted: list[Any] = []
    real_submit, real_commit = Workers.submit, wheel_module._commit

    def submit(self: Workers, *args: Any) -> Any:
        submitted.append(real_submit(self, *args))
        return submitted[-1]

    def slow_commit(opened: Any, prepared: Any) -> Any:
        deadline = time.monotonic() + 30
        while not (len(submitted) == len(paths) and all(f.done() for f in submitted)):
            assert time.monotonic() < deadline, "validation waited for the store"
            time.sleep(0.01)
        return real_commit(opened, prepared)

    monkeypatch.setattr(Workers, "submit", submit)
    monkeypatch.setattr(wheel_module, "_commit", slow_commit)
    records = ingest_wheels(store, [WheelFile(p) for p in paths], workers=1)
    assert [r.name for r in records] == [f"demo{i}" for i in range(6)]


def test_a_worker_that_dies_fails_its_task_and_the_rest_with_an_install_error() -> None:
    with Workers(1) as workers:
        dying = workers.submit(os._exit, 3)
        after = workers.submit(os.getpid)
        for future in (dying, after):
            error = future.exception(timeout=60)
            assert isinstance(error, InstallError)
            assert "exited with code 3" in error.one_line()


def test_a_reply_that_does_not_pickle_is_an_internal_error() -> None:
    with Workers(1) as workers:
        error = workers.submit(threading.Lock).exception(timeout=60)
        assert isinstance(error, InternalError) and "did not pickle" in error.what
        assert workers.submit(os.getpid).result(timeout=60) != os.getpid()  # still serving


def _python(script: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``script`` run by a fresh interpreter (one thread, unless it starts more)."""
    return subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, timeout=60, cwd=cwd
    )


# A thread running when the workers start: they are not forks then, but new interpreters.
THREAD = "import threading; threading.Thread(target=time.sleep, args=(5,), daemon=True).start()"


@pytest.mark.parametrize("thread", ["", THREAD], ids=["forked", "started"])
def test_workers_end_with_px_even_when_it_is_killed(tmp_path: Path, thread: str) -> None:
    script = textwrap.dedent(
        f"""
        import os, signal, sys, time
        from px.install.workers import Workers
        {thread}
        workers = Workers(2)
        pids = [workers.submit(os.getpid).result() for _ in range(4)]
        workers.submit(time.sleep, 0.5)  # one of them busy when px dies
        print(*sorted(set(pids)), flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    done = _python(script, cwd=tmp_path)
    assert done.returncode == -signal.SIGKILL
    pids = [int(p) for p in done.stdout.split()]
    assert pids and os.getpid() not in pids
    deadline = time.monotonic() + 20
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in pids)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has exited
    except FileNotFoundError:
        return False


@pytest.mark.skipif(sys.platform != "linux", reason="workers are forks on Linux only")
def test_workers_are_forks_of_a_px_with_one_thread(fixture_index_tree: Any, tmp_path: Path) -> None:
    """A fork imports nothing to start (0.12-0.15 s of CPU each otherwise) and is named
    px-worker; with another thread running, a fork could inherit a lock held forever,
    so workers are new interpreters. Both validate and store a wheel alike."""
    artifact = next(a for a in fixture_index_tree.artifacts if a.is_wheel)
    script = textwrap.dedent(
        """
        import os, sys, time
        from pathlib import Path
        from px.install.limits import DEFAULT_LIMITS
        from px.install.wheel import WheelFile, _validate_and_store
        from px.install.workers import Workers
        from px.store import open_store
        THREAD
        store, wheel = Path(sys.argv[1]), WheelFile(Path(sys.argv[2]), expected_sha256=sys.argv[3])
        open_store(store).close()
        comm, cmdline = Path("/proc/self/comm").read_text, Path("/proc/self/cmdline").read_bytes
        with Workers(2) as workers:
            facts = [(workers.submit(os.getppid), workers.submit(comm), workers.submit(cmdline))
                     for _ in range(2)]
            [(ppid, name, command)] = {tuple(f.result() for f in fs) for fs in facts}
            prepared = workers.submit(_validate_and_store, wheel, DEFAULT_LIMITS, None, store)
            print(ppid == os.getpid(), name.strip(), command == cmdline(),
                  len(prepared.result().spool.keys))
        """
    )
    outputs = []
    for thread in ("", THREAD):
        store = str(tmp_path / thread[:6])
        done = _python(
            script.replace("THREAD", thread),
            store,
            str(artifact.path),
            artifact.sha256,
            cwd=tmp_path,
        )
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout.split())
    forked, started = outputs
    assert forked[:3] == ["True", workers_module.WORKER_NAME, "True"]  # px's command line
    assert started[0] == "True" and started[2] == "False"
    assert started[1] != workers_module.WORKER_NAME
    assert int(forked[3]) == int(started[3]) > 0  # every file of the wheel stored


def test_a_px_package_in_the_working_directory_is_not_what_workers_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shadow = tmp_path / "px"
    shadow.mkdir()
    (shadow / "__init__.py").write_text("raise SystemExit('the wrong px')\n")
    monkeypatch.chdir(tmp_path)
    with Workers(1) as workers:
        assert workers.submit(os.getpid).result(timeout=60) != os.getpid()


def test_workers_that_cannot_start_leave_the_thread_to_validate(
    store: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_fork() -> int:
        raise OSError("no processes left")

    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-such-python"))
    monkeypatch.setattr(os, "fork", no_fork)
    with Workers(2) as workers:
        assert workers.count == 0
    paths = [wb.write(tmp_path, wb.wheel_bytes())]
    [record] = ingest_wheels(store, [WheelFile(p) for p in paths], workers=2)
    assert record.version == "1.0"


def test_workers_start_early_when_the_lock_looks_cold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`px install` starts the validating workers before it imports what installs, when
    px.lock names enough wheels of which the store has no tree; never for a warm or
    small install, or with PX_INSTALL_WORKERS=0."""
    from px.config import Settings
    from px.lock import Artifact
    from px.ops.install import _workers_for

    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1}, raising=False)
    big = workers_module.MIN_BYTES
    shas = [f"{i:x}" * 64 for i in range(1, 4)]
    settings = Settings(store_dir=tmp_path / "store")

    def wheels(size: int) -> list[list[Artifact]]:
        return [
            [Artifact(f"p{i}-1-py3-none-any.whl", f"https://x.invalid/p{i}.whl", sha, size)]
            for i, sha in enumerate(shas)
        ]

    def started(wheels: list[list[Artifact]], settings: Settings = settings) -> int:
        with _workers_for(settings, wheels) as workers:
            return 0 if workers is None else workers.count

    assert started(wheels(big // 2)) == 2  # an empty store
    assert started(wheels(1000)) == 0  # small
    assert started([]) == 0  # no lock yet
    trees = tmp_path / "store" / "trees"
    trees.mkdir(parents=True)
    for sha in shas[:2]:
        (trees / f"{sha[:40]}-cpython-311").mkdir()
    assert started(wheels(big // 2)) == 0  # one missing: small
    assert started(wheels(big * 2)) == 0  # one missing: nothing to spread
    (trees / f"{shas[1][:40]}-cpython-311").rmdir()
    assert started(wheels(big)) == 2
    assert started(wheels(big), replace(settings, install_workers=0)) == 0
    assert started(wheels(10), replace(settings, install_workers=1)) == 1


@pytest.mark.skipif(sys.platform != "linux", reason="workers are forks on Linux only")
def test_px_install_forks_its_workers_after_going_online(tmp_path: Path) -> None:
    """Going online starts a thread that loads the CA store; px waits for it before it
    starts the workers, or they would be new interpreters (0.12-0.15 s of CPU each)."""
    script = textwrap.dedent(
        """
        import os, sys
        from pathlib import Path
        from px.config import Settings
        from px.index import tls
        from px.lock import Artifact
        from px.ops.install import _workers_for

        os.sched_getaffinity = lambda _pid: {0, 1}
        tls.prepare(None)  # as `px install` does when it goes online
        wheels = [[Artifact(f"p{i}-1-py3-none-any.whl", f"https://x.invalid/p{i}.whl",
                            f"{i:x}" * 64, 32 << 20)] for i in range(1, 4)]
        with _workers_for(Settings(store_dir=Path(sys.argv[1])), wheels) as workers:
            name = Path("/proc/self/comm").read_text
            print(workers.count, *sorted({workers.submit(name).result().strip()
                                          for _ in range(4)}))
        """
    )
    done = _python(script, str(tmp_path / "store"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["2", workers_module.WORKER_NAME]


@pytest.mark.parametrize("thread", ["", THREAD], ids=["forked", "started"])
def test_a_reader_of_px_output_is_not_held_up_by_workers(tmp_path: Path, thread: str) -> None:
    """`px install | cat` ends when px does: a worker still finishing a task does not
    hold px's stdout open."""
    script = textwrap.dedent(
        f"""
        import os, signal, time
        from px.install.workers import Workers
        {thread}
        workers = Workers(1)
        workers.submit(os.getpid).result()
        workers.submit(time.sleep, 4)
        print("started", flush=True)
        time.sleep(0.2)  # the worker is inside its task
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    with subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        cwd=tmp_path,
    ) as px:
        assert px.stdout is not None
        assert px.stdout.readline() == b"started\n"
        started = time.monotonic()
        assert px.stdout.read() == b""  # the end of px's stdout
        assert time.monotonic() - started < 3


@pytest.mark.skipif(sys.platform != "linux", reason="workers are forks on Linux only")
def test_a_fork_that_fails_leaves_no_worker_and_no_pipe(tmp_path: Path) -> None:
    """No processes left for the second fork: no workers (the thread validates), the
    first fork ended and waited for, and every pipe made for them closed."""
    script = textwrap.dedent(
        """
        import os
        from px.install.workers import Workers
        import px.install.wheel  # (imported before forking: not a descriptor counted below)

        real_fork, forks = os.fork, []
        def fork():
            if forks:
                raise BlockingIOError(11, "Resource temporarily unavailable")
            forks.append(real_fork())
            return forks[-1]

        os.fork = fork
        before = sorted(os.listdir("/proc/self/fd"))
        workers = Workers(2)
        after = sorted(os.listdir("/proc/self/fd"))
        gone = not os.path.exists(f"/proc/{forks[0]}")
        print(workers.count, len(forks), gone, before == after)
        """
    )
    done = _python(script, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0", "1", "True", "True"]
