"""The package index client: project pages, metadata, verified downloads.

The names below are loaded on first use, so ``from px.index.config import
IndexConfig`` stays cheap; touching ``IndexClient`` loads urllib3 and the store.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from px.index.client import IndexClient
    from px.index.config import (
        DEFAULT_INDEX_URL,
        IndexConfig,
        NetworkSettings,
        default_index,
        settings_from_environ,
        user_agent,
    )
    from px.index.credentials import Credential, CredentialProvider
    from px.index.filenames import ArtifactName, parse_filename
    from px.index.models import CoreMetadata, FileInfo, ProjectPage
    from px.index.select import best_per_version, usable_files
    from px.index.tags import InterpreterDescription, Target, running_target, target_for
    from px.index.urls import redact

_EXPORTS = {
    "IndexClient": "client",
    "DEFAULT_INDEX_URL": "config",
    "IndexConfig": "config",
    "NetworkSettings": "config",
    "default_index": "config",
    "settings_from_environ": "config",
    "user_agent": "config",
    "Credential": "credentials",
    "CredentialProvider": "credentials",
    "ArtifactName": "filenames",
    "parse_filename": "filenames",
    "CoreMetadata": "models",
    "FileInfo": "models",
    "ProjectPage": "models",
    "best_per_version": "select",
    "usable_files": "select",
    "InterpreterDescription": "tags",
    "Target": "tags",
    "running_target": "tags",
    "target_for": "tags",
    "redact": "urls",
}

__all__ = [
    "DEFAULT_INDEX_URL",
    "ArtifactName",
    "CoreMetadata",
    "Credential",
    "CredentialProvider",
    "FileInfo",
    "IndexClient",
    "IndexConfig",
    "InterpreterDescription",
    "NetworkSettings",
    "ProjectPage",
    "Target",
    "best_per_version",
    "default_index",
    "parse_filename",
    "redact",
    "running_target",
    "settings_from_environ",
    "target_for",
    "usable_files",
    "user_agent",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'px.index' has no attribute {name!r}")
    return getattr(importlib.import_module(f"px.index.{module}"), name)
