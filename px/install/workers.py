"""Worker processes that validate wheels beside the process that stores them.

A cold install's work per file (inflate, CRC, sha256 for ``RECORD``, blake3 for
the store's key, zstd, writing the staged tree) is about 0.9 s for the medium
workload's 46 wheels on one thread. Threads do not spread it over the cores: the
Python around each of the 4,000 members holds the GIL, and a second validating
thread made installs slower. Processes do: two of them validate while this
process downloads and writes SQLite.

A worker is ``python -m px.install.workers`` started from the directory that holds
this px (so it imports the same px, never a ``px`` in the project), reading
tasks from its stdin and writing replies to its stdout, each a length-prefixed
pickle: ``(function, args)`` in, ``(ok, result or exception)`` out. It ignores
Ctrl-C (this process handles it and stops the workers) and exits when its stdin
closes, so it ends with this process, also one killed by SIGKILL (after the task
in hand: a staged tree it leaves is removed like any abandoned staging directory).
``multiprocessing`` is not used: its ``spawn`` method runs the main script again
in every worker and starts a resource-tracker process, and a pool worker was
seen still waiting for tasks after its parent was killed.
"""

from __future__ import annotations

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
        import subprocess
        import threading

        self.count = count
        home = px_directory()
        self._tasks: SimpleQueue[tuple[Future[Any], Callable[..., Any], tuple[Any, ...]] | None]
        self._tasks = queue.SimpleQueue()
        self._processes: list[subprocess.Popen[bytes]] = []
        self._threads: list[threading.Thread] = []
        for i in range(count):
            try:
                if not sys.executable:
                    raise OSError("no interpreter to start")
                process = subprocess.Popen(
                    [sys.executable, "-m", "px.install.workers"],
                    cwd=home,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                )
            except OSError:
                self.shutdown()  # those started, if any
                self.count, self._processes, self._threads = 0, [], []
                return
            self._processes.append(process)
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
            if process.stdin is not None:
                process.stdin.close()
            process.wait()
            if process.stdout is not None:
                process.stdout.close()

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown()

    def _feed(self, process: subprocess.Popen[bytes]) -> None:
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


def _stopped(process: subprocess.Popen[bytes], error: BaseException) -> BaseException:
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


def serve() -> None:
    """A worker's loop: run each task received, reply with its result or its exception."""
    import gc
    import signal

    gc.set_threshold(500_000, 50, 100)  # as px.cli.main.entry (collecting was 1% here)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
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
