"""The form fields of the legacy upload API (``:action=file_upload``), from a distribution.

Warehouse, pypiserver, devpi, Artifactory and Nexus all accept this
``multipart/form-data`` POST. Each core metadata header becomes a field named
in lower case with ``-`` as ``_`` (``Requires-Python`` -> ``requires_python``),
repeated for multiple-use headers; ``Classifier`` and ``Project-URL`` are sent as
``classifiers`` and ``project_urls``, and the long description (the metadata's
body) as ``description``. The file itself (``content``) is added by the caller.
"""

from __future__ import annotations

from px.publish.distfile import DistFile

_RENAMED = {"classifier": "classifiers", "project-url": "project_urls"}
_NOT_SENT = frozenset({"description"})  # sent once, from DistMetadata.description


def upload_fields(dist: DistFile) -> list[tuple[str, str]]:
    """The fields that describe ``dist`` to the registry, in a stable order."""
    fields: list[tuple[str, str]] = [
        (":action", "file_upload"),
        ("protocol_version", "1"),
        ("filetype", "bdist_wheel" if dist.kind == "wheel" else "sdist"),
        ("pyversion", dist.python_tag),
        ("sha256_digest", dist.sha256),
        ("blake2_256_digest", dist.blake2_256),
    ]
    for header, value in dist.metadata.headers:
        key = header.lower()
        if key in _NOT_SENT:
            continue
        fields.append((_RENAMED.get(key, key.replace("-", "_")), value))
    description = dist.metadata.description
    if description:
        fields.append(("description", description))
    return fields
