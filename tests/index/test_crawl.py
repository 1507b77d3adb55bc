"""Running ahead of the resolver: which metadata a crawl fetches before it is asked for."""

from __future__ import annotations

import time
from typing import Any

from packaging.markers import default_environment
from packaging.utils import canonicalize_name
from packaging.version import Version

from px.index.tags import running_target
from px.ops.candidates import IndexCandidates
from tests.index.conftest import ClientFactory


def _prefetched(
    index: Any, make_client: ClientFactory, parent: str, version: str, project: str
) -> set[str]:
    """The versions of ``project`` whose metadata was fetched once ``parent``'s was read."""
    candidates = IndexCandidates(make_client(), running_target(), environment=default_environment())
    stem = project.replace("-", "_") + "-"
    try:
        candidates.dependencies(canonicalize_name(parent), Version(version))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # the crawl runs on: wait for its metadata fetch
            names = [r.path.rsplit("/", 1)[-1] for r in index.requests]
            fetched = {n.split("-")[1] for n in names if n.startswith(stem) and "metadata" in n}
            if fetched:
                return fetched
            time.sleep(0.01)
        return set()
    finally:
        candidates.close()


def test_a_dependency_is_prefetched_at_the_newest_version_its_parent_allows(
    make_client: ClientFactory, index: Any
) -> None:
    # bt-mid 1.0 needs bt-leaf<2; bt-leaf's newest release is 2.0
    assert _prefetched(index, make_client, "bt-mid", "1.0", "bt-leaf") == {"1.0"}


def test_without_a_bound_the_newest_final_release_is_prefetched(
    make_client: ClientFactory, index: Any
) -> None:
    # bt-top 2.0 needs bt-leaf>=2
    assert _prefetched(index, make_client, "bt-top", "2.0", "bt-leaf") == {"2.0"}
