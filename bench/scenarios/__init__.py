"""The scenarios `python -m bench` knows, by name, in the order they run.

Adding one: a module here with a class implementing :class:`bench.model.Scenario`,
and one line in :data:`SCENARIOS`.
"""

from __future__ import annotations

from collections.abc import Callable

from bench.model import Scenario
from bench.scenarios.blob_ingest import BlobIngest
from bench.scenarios.index_fetch import IndexFetch
from bench.scenarios.install import Install
from bench.scenarios.lock import Lock
from bench.scenarios.run import Run
from bench.scenarios.startup import Startup

SCENARIOS: dict[str, Callable[[], Scenario]] = {
    "startup": Startup,
    "blob-ingest": BlobIngest,
    "index-fetch": IndexFetch,
    "lock": Lock,
    "install": Install,
    "run": Run,
}
