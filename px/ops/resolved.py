"""Resolved versions to lockable artifacts, shared by px lock, build environments and tools.

Each version keeps its live files (or all of them when every one is yanked),
each with the sha256 the lock needs: the index's, or hashed from the bytes
when the index gave none.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

from px.lock import Artifact, IndexSource, LockedPackage

if TYPE_CHECKING:
    from packaging.requirements import Requirement

    from px.index.client import IndexClient
    from px.index.models import FileInfo
    from px.interp import Interpreter
    from px.store import Store


def file_sha256(store: Store, client: IndexClient, file: FileInfo) -> str:
    if file.sha256:
        return file.sha256.lower()
    key = client.download(file)  # the index gave no sha256: hash the bytes ourselves
    return hashlib.sha256(store.blobs.get(key)).hexdigest()


def live_files(files: Sequence[FileInfo]) -> list[FileInfo]:
    return [f for f in files if not f.yanked] or list(files)


def artifacts_of(
    store: Store, client: IndexClient, files: Sequence[FileInfo]
) -> tuple[Artifact, ...]:
    from px.index.urls import redact

    return tuple(
        Artifact(
            filename=f.filename,
            url=redact(f.url),
            sha256=file_sha256(store, client, f),
            size=f.size,
        )
        for f in live_files(files)
    )


def resolve_packages(
    store: Store,
    client: IndexClient,
    interpreter: Interpreter,
    requirements: Sequence[Requirement],
    *,
    label: str,
) -> list[LockedPackage]:
    """Resolve ``requirements`` for ``interpreter``: one-target locked packages, no lock file."""
    from px.ops.candidates import IndexCandidates
    from px.ops.context import lock_target, resolve_target, tag_target
    from px.resolve import resolve

    if not requirements:
        return []
    target_id = lock_target(interpreter).id
    source = IndexCandidates(client, tag_target(interpreter))
    try:
        graph = resolve(list(requirements), source, resolve_target(interpreter), root_label=label)
        packages = []
        for node in graph.nodes:
            files = source.artifacts(node.name, node.version)
            packages.append(
                LockedPackage(
                    name=node.name,
                    version=str(node.version),
                    source=IndexSource(live_files(files)[0].url.rsplit("/", 1)[0] + "/"),
                    targets=(target_id,),
                    artifacts=artifacts_of(store, client, files),
                )
            )
    finally:
        source.close()
    return packages
