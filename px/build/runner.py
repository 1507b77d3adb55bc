"""Run a PEP 517 hook process with its output captured, never printed.

The backend's output goes to the ``px.build`` logger (shown with ``px -v``);
when the process fails, :class:`HookFailed` carries the output so the caller
can quote its last lines in the error. The process gets the caller's
environment minus what would break isolation (``PYTHONPATH``, ``PYTHONHOME``,
the user site), with the build environment's ``bin`` first on ``PATH``;
``SOURCE_DATE_EPOCH`` passes through, so reproducible builds stay reproducible.
"""

from __future__ import annotations

import logging
import os
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol

log = logging.getLogger("px.build")

# Variables that would let the outer environment into the isolated one.
_DROPPED = frozenset(
    {
        "PYTHONPATH",
        "PYTHONHOME",
        "PYTHONSTARTUP",
        "PYTHONUSERBASE",
        "PYTHONEXECUTABLE",
        "__PYVENV_LAUNCHER__",
        "VIRTUAL_ENV",
    }
)


class HookRunner(Protocol):
    """pyproject_hooks' subprocess runner: run ``cmd`` in ``cwd`` with extra variables."""

    def __call__(
        self,
        cmd: Sequence[str],
        cwd: str | None = None,
        extra_environ: Mapping[str, str] | None = None,
    ) -> None: ...


class HookFailed(Exception):
    """The hook process exited with a non-zero status."""

    def __init__(self, returncode: int, output: str) -> None:
        super().__init__(f"hook process exited with status {returncode}")
        self.returncode = returncode
        self.output = output


def hook_environment(environ: Mapping[str, str], bin_dir: Path) -> dict[str, str]:
    """The environment of a hook process run by ``bin_dir``'s python."""
    env = {k: v for k, v in environ.items() if k not in _DROPPED}
    env["PYTHONNOUSERSITE"] = "1"
    env["PATH"] = os.pathsep.join(p for p in (str(bin_dir), environ.get("PATH", "")) if p)
    return env


def run_captured(
    cmd: Sequence[str],
    cwd: str | None = None,
    extra_environ: Mapping[str, str] | None = None,
) -> None:
    """The default runner: output captured and logged; HookFailed on a non-zero exit."""
    env = hook_environment(os.environ, Path(cmd[0]).parent)
    env.update(extra_environ or {})
    log.debug("running %s in %s", " ".join(cmd), cwd)
    result = subprocess.run(
        list(cmd),
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        check=False,
    )
    output = result.stdout.decode("utf-8", errors="replace")
    for line in output.splitlines():
        log.info("%s", line)
    if result.returncode != 0:
        raise HookFailed(result.returncode, output)
