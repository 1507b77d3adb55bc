"""Worker processes that validate wheels beside the process that stores them.

A cold install's work per file (inflate, CRC, sha256 for ``RECORD``, blake3 for
the store's key, zstd, writing the staged tree) is about 0.9 s for the medium
workload's 46 wheels on one thread. Threads do not spread it over the cores: the
Python around each of the 4,000 members holds the GIL, and a second validating
thread made installs slower. Processes do: two of them validate while this
process downloads and writes SQLite.

On Linux, while this process has one thread, a worker is a fork of it, made after
it imported what validates (which it needs itself anyway): starting a fresh
interpreter and importing that cost each worker 0.12-0.15 s of CPU, a tenth of
a cold install's. Elsewhere, or with threads running (a fork would copy locks
they may hold), a worker is ``python -m px.install.workers`` started from the
directory that holds this px (so it imports the same px, never a ``px`` in the
project). Either way it reads tasks from one pipe and writes replies to
another, each a length-prefixed pickle: ``(function, args)`` in, ``(ok, result
or exception)`` out. It ignores Ctrl-C (this process handles it and stops the
workers) and exits when its task pipe closes, so it ends with this process,
also one killed by SIGKILL (after the task in hand: a staged tree it leaves is
removed like any abandoned staging directory); a fork closes the ends of the
other workers' pipes it was born with, so that each sees its own close.
``multiprocessing`` is not used: its ``spawn`` method runs the main script again
in every worker and starts a resource-tracker process, and a pool worker was
seen still waiting for tasks after its parent was killed.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import struct
import sys
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    import subprocess
    import threading
    from collections.abc import Callable
    from concurrent.futures import Future
    from queue import SimpleQueue

# Worth starting only for this much to validate: each worker costs about 0.1 s of CPU
# to start, and a wheel of a few megabytes takes about as long to validate.
MIN_BYTES = 8 << 20
MAX_WORKERS = 2  # more validating processes than cores only take turns

_HEADER = struct.Struct("!Q")
WORKER_NAME = "px-worker"  # a forked worker's name (/proc/PID/comm)


def px_directory() -> str:
    """The directory that holds this px: where px's helper processes start (``python -m``
    puts it first on their path), so that they import this px, never a ``px`` package
    in the user's project."""
    import px

    return os.path.dirname(os.path.dirname(os.path.abspath(px.__file__)))


def worker_count(wheel_bytes: int, wheels: int, requested: int | None = None) -> int:
    """How many validating processes an ingest of ``wheels`` wheels (``wheel_bytes`` in
    all) should use: 0 (validate on a thread of this process) when it is small or
    there is one core. ``requested`` (``PX_INSTALL_WORKERS``) overrides that: that
    many, never more than there are wheels."""
    if requested is not None:
        return min(requested, wheels)
    if hasattr(os, "sched_getaffinity"):
        cores = len(os.sched_getaffinity(0))
    else:  # macOS, Windows
        cores = os.cpu_count() or 1
    if wheel_bytes < MIN_BYTES or wheels < 2 or cores < 2:
        return 0
    return min(MAX_WORKERS, cores, wheels)


class Workers:
    """``count`` worker processes, started at once (they import while downloads run),
    and one thread each here that feeds it tasks in submission order.

    When they cannot be started (no ``sys.executable``, no processes left), there are
    none: :attr:`count` is 0 and the caller validates on a thread instead.
    """

    def __init__(self, count: int) -> None:
        import queue
        import threading

        self.count = count
        self._tasks: SimpleQueue[tuple[Future[Any], Callable[..., Any], tuple[Any, ...]] | None]
        self._tasks = queue.SimpleQueue()
        self._processes: list[Process] = []
        self._threads: list[threading.Thread] = []
        try:
            if count and can_fork():
                self._processes = _fork(count)
            else:
                for _ in range(count):
                    self._processes.append(_spawn())
        except OSError:
            self.shutdown()  # those started, if any
            self.count, self._processes = 0, []
            return
        for i, process in enumerate(self._processes):
            thread = threading.Thread(
                target=self._feed, args=(process,), name=f"px-worker-{i}", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def submit(self, function: Callable[..., Any], *args: Any) -> Future[Any]:
        """Run ``function(*args)`` in a worker; ``function`` and ``args`` must pickle."""
        from concurrent.futures import Future

        future: Future[Any] = Future()
        self._tasks.put((future, function, args))
        return future

    def shutdown(self) -> None:
        """Let the workers finish the tasks they hold, then stop them. Tasks not
        started must have been cancelled (their futures), or they run first."""
        for _ in self._threads:
            self._tasks.put(None)
        for thread in self._threads:
            thread.join()
        for process in self._processes:
            assert process.stdin is not None and process.stdout is not None
            process.stdin.close()
            process.wait()
            process.stdout.close()

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown()

    def _feed(self, process: Process) -> None:
        assert process.stdin is not None and process.stdout is not None
        broken: BaseException | None = None
        while (task := self._tasks.get()) is not None:
            future, function, args = task
            if not future.set_running_or_notify_cancel():
                continue
            if broken is None:
                try:
                    _send(process.stdin, (function, args))
                    reply = _receive(process.stdout)
                    if reply is None:
                        raise EOFError("it exited")
                except Exception as error:
                    broken = _stopped(process, error)
                else:
                    ok, value = reply
                    if ok:
                        future.set_result(value)
                    else:
                        future.set_exception(value)
                    continue
            future.set_exception(broken)


class Forked:
    """A worker forked from this process, waited for and killed as a ``Popen`` is:
    ``stdin`` takes its tasks, ``stdout`` gives its replies."""

    def __init__(self, pid: int, tasks: int, replies: int) -> None:
        self.pid = pid
        self.stdin: IO[bytes] | None = os.fdopen(tasks, "wb")
        self.stdout: IO[bytes] | None = os.fdopen(replies, "rb")
        self.returncode: int | None = None

    def wait(self, timeout: float | None = None) -> int:
        import subprocess
        import time

        deadline = None if timeout is None else time.monotonic() + timeout
        while self.returncode is None:
            pid, status = os.waitpid(self.pid, 0 if deadline is None else os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
            elif deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"px worker {self.pid}", timeout or 0)
            else:
                time.sleep(0.01)
        return self.returncode

    def kill(self) -> None:
        import signal

        if self.returncode is None:
            os.kill(self.pid, signal.SIGKILL)


if TYPE_CHECKING:
    Process = subprocess.Popen[bytes] | Forked


def can_fork() -> bool:
    """Whether workers are forks of this process: on Linux, with no other thread (one
    might hold a lock that the fork would copy held, forever)."""
    import threading

    return sys.platform == "linux" and threading.active_count() == 1


def _spawn() -> subprocess.Popen[bytes]:
    import subprocess

    if not sys.executable:
        raise OSError("no interpreter to start")
    return subprocess.Popen(
        [sys.executable, "-m", "px.install.workers"],
        cwd=px_directory(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )


def _fork(count: int) -> list[Process]:
    """``count`` forks of this process, each serving its own pair of pipes. Each closes
    the ends that this process keeps of the pipes of the forks made before it: a
    worker then sees its task pipe close when this process ends, however it ends."""
    import px.install.wheel  # noqa: F401 - what a worker runs, imported once, here

    for stream in (sys.stdout, sys.stderr):  # or what waits in them is written twice
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    forked: list[Process] = []
    kept: list[int] = []  # this process's ends of the pipes of the forks made so far
    try:
        for _ in range(count):
            pipes = [*os.pipe()]
            try:
                pipes += os.pipe()
                pid = os.fork()
            except OSError:
                for fd in pipes:
                    os.close(fd)
                raise
            task_in, task_out, reply_in, reply_out = pipes
            if pid == 0:  # the worker: never returns
                try:
                    for fd in (*kept, task_out, reply_in):
                        os.close(fd)
                    with contextlib.suppress(OSError):  # a reader of px's stdout waits for px
                        os.dup2(2, 1)  # alone (a stray print goes where errors go)
                    with contextlib.suppress(OSError), open("/proc/self/comm", "w") as comm:
                        comm.write(WORKER_NAME)  # its name in ps and top
                    serve(os.fdopen(task_in, "rb"), os.fdopen(reply_out, "wb"))
                finally:
                    os._exit(70)  # (serve exits itself; this is a failure to)
            os.close(task_in)
            os.close(reply_out)
            kept += (task_out, reply_in)
            forked.append(Forked(pid, task_out, reply_in))
    except OSError:
        for process in forked:  # their task pipes close: they end
            assert process.stdin is not None and process.stdout is not None
            process.stdin.close()
            process.stdout.close()
            process.wait()
        raise
    return forked


def _stopped(process: Process, error: BaseException) -> BaseException:
    import subprocess

    from px.errors import InstallError

    try:  # its end of the pipe closes a moment before it can be waited for
        code: int | None = process.wait(timeout=2)
    except subprocess.TimeoutExpired:  # alive, but its replies cannot be trusted now
        process.kill()
        code = None
    return InstallError(
        "a process validating wheels stopped unexpectedly",
        why=str(error) if code is None else f"it exited with code {code}",
        hint="run the command again; nothing of the wheels it held was stored",
    )


def _send(stream: IO[bytes], message: object) -> None:
    _write(stream, pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))


def _write(stream: IO[bytes], data: bytes) -> None:
    stream.write(_HEADER.pack(len(data)))
    stream.write(data)
    stream.flush()


def _receive(stream: IO[bytes]) -> Any:
    """The next message, or None at the end of the stream."""
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        return None
    (size,) = _HEADER.unpack(header)
    data = stream.read(size)
    if len(data) < size:
        return None
    return pickle.loads(data)


def serve(tasks: IO[bytes] | None = None, replies: IO[bytes] | None = None) -> None:
    """A worker's loop: run each task received (on ``tasks``, else stdin), reply with its
    result or its exception (on ``replies``, else stdout); then exit."""
    import gc
    import signal

    gc.set_threshold(500_000, 50, 100)  # as px.cli.main.entry (collecting was 1% here)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if tasks is None or replies is None:
        tasks, replies = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must not corrupt the replies
    import px.install.wheel  # noqa: F401 - before the first task: it arrives with a download

    while (task := _receive(tasks)) is not None:
        function, args = task
        try:
            reply: tuple[bool, object] = (True, function(*args))
        except BaseException as error:
            reply = (False, error)
        try:
            data = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as error:
            from px.errors import InternalError

            failed = InternalError(f"a wheel-validating worker's reply did not pickle: {error}")
            data = pickle.dumps((False, failed))
        try:
            _write(replies, data)
        except BrokenPipeError:
            break  # the parent is gone
    replies.close()
    os._exit(0)  # nothing to tear down: an interpreter's exit took 30-60 ms


if __name__ == "__main__":
    serve()
