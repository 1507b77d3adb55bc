"""What the figures were measured on: recorded with every run."""

from __future__ import annotations

import datetime as dt
import os
import platform
import sys
from pathlib import Path

from bench.tools import version_of


def describe(python: Path, px: list[str]) -> dict[str, object]:
    try:
        load: list[float] | None = [round(x, 2) for x in os.getloadavg()]
    except (AttributeError, OSError):
        load = None
    return {
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "implementation": sys.implementation.name,
        "interpreter": str(python),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "loadavg": load,
        "px": version_of(px),
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
