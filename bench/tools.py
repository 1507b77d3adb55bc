"""Finding the programs a scenario runs, installing missing reference tools, timing commands.

Reference tools (uv, poetry, pip-tools, ...) that are not installed beside the
running interpreter are installed from PyPI with pip into a throwaway venv
under ``bench/.cache/tools/<name>/``, once; a failure becomes
:class:`~bench.model.ReferenceUnavailable` so px's own figures are still reported.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.model import BenchError, Context, ReferenceUnavailable

BIN = "Scripts" if sys.platform == "win32" else "bin"


def px_command(ctx: Context) -> list[str]:
    """The `px` console script beside the interpreter, else ``python -m px``."""
    script = ctx.python.parent / "px"
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [str(ctx.python), "-m", "px"]


def script_interpreter(script: Path, fallback: Path) -> Path:
    """The interpreter named by a console script's ``#!`` line (what it really runs under)."""
    try:
        with open(script, "rb") as f:
            first = f.readline(4096).decode("utf-8", "replace").strip()
    except OSError:
        return fallback
    if first.startswith("#!"):
        parts = first[2:].split()
        if parts and Path(parts[0]).name.startswith("python") and Path(parts[0]).exists():
            return Path(parts[0])
    return fallback


def find_program(name: str, ctx: Context) -> Path | None:
    """``name`` beside the interpreter, in the bench tool cache, or on PATH."""
    candidates = [ctx.python.parent / name, ctx.cache / "tools" / name / BIN / name]
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which(name)
    return Path(found) if found else None


def ensure_tool(name: str, requirement: str, ctx: Context) -> Path:
    """Find ``name`` or pip-install ``requirement`` into bench/.cache/tools/<name>/."""
    found = find_program(name, ctx)
    if found is not None:
        return found
    venv = ctx.cache / "tools" / name
    ctx.log(f"installing {requirement} into {venv} (reference tool)")
    try:
        if venv.exists():
            shutil.rmtree(venv)
        _quiet([str(ctx.python), "-m", "venv", str(venv)])
        _quiet([str(venv / BIN / "python"), "-m", "pip", "install", "-q", requirement])
    except (OSError, subprocess.CalledProcessError) as error:
        shutil.rmtree(venv, ignore_errors=True)
        raise ReferenceUnavailable(f"could not install {requirement}: {_tail(error)}") from error
    program = venv / BIN / name
    if not program.is_file():
        raise ReferenceUnavailable(f"{requirement} installed no `{name}` program")
    return program


def version_of(argv: Sequence[str]) -> str:
    """The first line a ``--version`` command prints, or ``unknown``."""
    try:
        out = subprocess.run(
            [*argv, "--version"], capture_output=True, text=True, timeout=60, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    lines = (out.stdout or out.stderr).strip().splitlines()
    return lines[0] if lines else "unknown"


def timed_run(
    argv: Sequence[str], *, env: Mapping[str, str] | None = None, cwd: Path | None = None
) -> float:
    """Run a command to completion, output discarded; return its wall-clock seconds."""
    start = time.perf_counter()
    done = subprocess.run(
        list(argv),
        env=None if env is None else dict(env),
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        raise BenchError(f"`{' '.join(argv)}` exited {done.returncode}: {' | '.join(message)}")
    return elapsed


@dataclass(frozen=True)
class Measured:
    """One command run to completion: wall-clock time, CPU time and peak memory."""

    seconds: float
    peak_rss: int  # bytes: the largest resident set of the command or any child it waited for
    cpu: float  # seconds of user + system CPU, the command's and its waited-for children's


# Runs the command for measured_run: a fork of the harness starts with the
# harness's resident set (80+ MB after the blob-ingest scenario), and ru_maxrss
# counts it before exec, so a small helper (python -S, about 10 MB) spawns the
# command instead, times it and reports its wait4 figures. argv: report file,
# then the command.
_HELPER = """
import os, sys, time
report, command = sys.argv[1], sys.argv[2:]
start = time.perf_counter()
pid = os.posix_spawnp(command[0], command, os.environ)
_pid, status, usage = os.wait4(pid, 0)
elapsed = time.perf_counter() - start
with open(report, "w") as f:
    f.write(f"{elapsed} {usage.ru_maxrss} {usage.ru_utime + usage.ru_stime}")
sys.exit(os.waitstatus_to_exitcode(status) & 0xFF)
"""


def measured_run(
    argv: Sequence[str], *, env: Mapping[str, str] | None = None, cwd: Path | None = None
) -> Measured:
    """As :func:`timed_run`, also reading the command's CPU time and peak resident memory
    from ``wait4``.

    ``wait4`` reports the rusage of that one child, in which the kernel folds the usage of
    the children it waited for (``ru_maxrss`` = max over the process tree): what
    ``resource.getrusage(RUSAGE_CHILDREN)`` would say in a process running only this
    command. The command is started by a small helper (:data:`_HELPER`), which also
    times it, so neither the harness's memory nor the helper's start-up is counted.
    """
    with tempfile.TemporaryFile() as errors, tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report"
        done = subprocess.run(
            [sys.executable, "-S", "-c", _HELPER, str(report), *argv],
            env=None if env is None else dict(env),
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=errors,
            check=False,
        )
        if done.returncode != 0 or not report.is_file():
            errors.seek(0)
            message = errors.read().decode("utf-8", "replace").strip().splitlines()[-3:]
            raise BenchError(f"`{' '.join(argv)}` exited {done.returncode}: {' | '.join(message)}")
        elapsed, maxrss, cpu = report.read_text().split()
    scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB elsewhere
    return Measured(float(elapsed), int(maxrss) * scale, float(cpu))


def _quiet(argv: Sequence[str]) -> None:
    subprocess.run(list(argv), check=True, capture_output=True, stdin=subprocess.DEVNULL)


def _tail(error: BaseException) -> str:
    if isinstance(error, subprocess.CalledProcessError):
        stderr = error.stderr.decode("utf-8", "replace") if error.stderr else ""
        return (stderr.strip().splitlines() or [str(error)])[-1]
    return str(error)
