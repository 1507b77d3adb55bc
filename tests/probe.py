"""Run px in a subprocess and see which of some modules it imported (which path it took)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

PROBE = """
import sys
watched = sys.argv.pop(1).split(",")
from px.cli.main import main
code = main(sys.argv[1:])
print('LOADED:' + ','.join(sorted(m for m in watched if m in sys.modules)))
raise SystemExit(code)
"""


def run_probed(
    project: Path, argv: Sequence[str], watched: Sequence[str]
) -> tuple[int, str, list[str]]:
    """Exit code, stdout (without the probe's line), and which of ``watched`` were imported."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE, ",".join(watched), *argv],
        capture_output=True,
        text=True,
        cwd=project,
        env=dict(os.environ),
        timeout=300,
    )
    lines = result.stdout.splitlines()
    assert lines, result.stderr
    loaded = [m for m in lines[-1].removeprefix("LOADED:").split(",") if m]
    return result.returncode, "\n".join(lines[:-1]), loaded
