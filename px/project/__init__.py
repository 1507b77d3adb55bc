"""The project model: pyproject.toml read, validated, digested and edited.

Public API::

    find_project(start) -> Path          # nearest directory holding a pyproject.toml
    load_project(path) -> Project        # read + validate (InputError lists every problem)
    parse_pyproject(text, root=...) -> Project
    input_digest(project) -> str         # "sha256:<hex>" of the resolution inputs
    add_requirement / remove_requirement # in px.project.edit (imports tomlkit lazily)
"""

from __future__ import annotations

from px.project.digest import INPUT_DIGEST_VERSION, input_digest, input_document
from px.project.discover import find_project, load_project
from px.project.model import (
    DEV_GROUP,
    PYPI_SIMPLE_URL,
    BuildSystem,
    DependencyGroup,
    Extra,
    Index,
    PackageSource,
    Project,
    PxSettings,
)
from px.project.parse import parse_pyproject
from px.project.requirements import canonical_requirement, normalize_name
from px.project.urls import strip_credentials

__all__ = [
    "DEV_GROUP",
    "INPUT_DIGEST_VERSION",
    "PYPI_SIMPLE_URL",
    "BuildSystem",
    "DependencyGroup",
    "Extra",
    "Index",
    "PackageSource",
    "Project",
    "PxSettings",
    "canonical_requirement",
    "find_project",
    "input_digest",
    "input_document",
    "load_project",
    "normalize_name",
    "parse_pyproject",
    "strip_credentials",
]
