"""The input digest: one hash of everything in pyproject.toml that decides a resolution.

A lock records the digest of the inputs it was resolved from, so a stale lock
is detected by recomputing this digest, without resolving. The digest is
built from a canonical JSON document, so comments, formatting, key order and
the order of dependency entries do not change it; credentials in URLs are
removed first. Index and find-links order is kept: it is their priority.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

from packaging.requirements import Requirement

from px.project.model import Project
from px.project.requirements import canonical_requirement
from px.project.urls import strip_credentials

# Bump when the canonical document changes shape: every lock then reads as stale.
INPUT_DIGEST_VERSION = 1


def input_document(project: Project) -> dict[str, object]:
    """The canonical inputs of a resolution, as JSON-ready data."""
    px = project.px
    return {
        "digest-version": INPUT_DIGEST_VERSION,
        "name": project.name,
        "requires-python": str(project.requires_python) if project.requires_python else None,
        "dependencies": _canonical(project.dependencies),
        "optional-dependencies": {e.name: _canonical(e.requirements) for e in project.extras},
        "dependency-groups": {g.name: _canonical(g.requirements) for g in project.groups},
        "index-url": strip_credentials(px.index_url) if px.index_url else None,
        "indexes": [
            {
                "name": index.name,
                "url": strip_credentials(index.url),
                "explicit": index.explicit,
                "default": index.default,
            }
            for index in px.indexes
        ],
        "sources": {source.package: source.index for source in px.sources},
        "find-links": [strip_credentials(link) for link in px.find_links],
    }


def input_digest(project: Project) -> str:
    """``sha256:<hex>`` of :func:`input_document`."""
    text = json.dumps(
        input_document(project), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def _canonical(requirements: Iterable[Requirement]) -> list[str]:
    return sorted({canonical_requirement(requirement) for requirement in requirements})
