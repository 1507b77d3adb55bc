"""What must hold of a distribution before px calls it built, or uploads it.

Every problem is collected, each starting with the file and the metadata field
it concerns (``demo-1.0.tar.gz: Version: '1.1' ...``), so one run shows them all:

- the required fields are there: ``Metadata-Version``, ``Name``, ``Version``;
- ``Name`` and ``Version`` are the ones in the file name (and the project's, when given);
- the long description renders as declared: a declared readme needs a non-empty
  description and a ``Description-Content-Type``; the type must be one PyPI renders
  (``text/plain``, ``text/markdown``, ``text/x-rst``) in UTF-8; reStructuredText is
  parsed with docutils when it is installed (warnings count, as on PyPI), else it
  only has to be non-empty.
"""

from __future__ import annotations

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from px.publish.distfile import DistFile

REQUIRED_FIELDS = ("Metadata-Version", "Name", "Version")
README_TYPES = ("text/plain", "text/markdown", "text/x-rst")


def distribution_problems(
    dist: DistFile,
    *,
    project_name: str | None = None,
    project_version: str | None = None,
    readme_declared: bool = False,
) -> list[str]:
    """Every problem of ``dist``; empty when it may be reported built or be uploaded."""
    meta = dist.metadata
    problems = [
        f"{dist.filename}: {field}: missing"
        for field in REQUIRED_FIELDS
        if not (meta.get(field) or "").strip()
    ]
    name = (meta.get("Name") or "").strip()
    if name and canonicalize_name(name) != dist.name:
        problems.append(f"{dist.filename}: Name: {name!r} is not the name in the file name")
    version = (meta.get("Version") or "").strip()
    if version and not _same_version(version, dist.version):
        problems.append(f"{dist.filename}: Version: {version!r} is not the file name's version")
    if project_name is not None and canonicalize_name(project_name) != dist.name:
        problems.append(f"{dist.filename}: Name: the project is {project_name!r}")
    if project_version is not None and not _same_version(project_version, dist.version):
        problems.append(f"{dist.filename}: Version: the project's version is {project_version!r}")
    problems.extend(f"{dist.filename}: {p}" for p in readme_problems(dist, readme_declared))
    return problems


def readme_problems(dist: DistFile, declared: bool) -> list[str]:
    description = dist.metadata.description
    content_type = (dist.metadata.get("Description-Content-Type") or "").strip()
    if declared and not description.strip():
        return ["Description: empty, but pyproject.toml declares a readme"]
    if not content_type:
        if declared:
            return ["Description-Content-Type: missing, but pyproject.toml declares a readme"]
        return []
    return [f"Description-Content-Type: {p}" for p in render_problems(content_type, description)]


def render_problems(content_type: str, text: str) -> list[str]:
    """Why ``text`` would not render as ``content_type`` (a MIME type with parameters)."""
    mime, *params = (part.strip() for part in content_type.split(";"))
    mime = mime.lower()
    if mime not in README_TYPES:
        return [f"{mime!r} is not a type PyPI renders ({', '.join(README_TYPES)})"]
    for param in params:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip().strip('"').upper() != "UTF-8":
            return [f"charset {value.strip()!r}: the description must be UTF-8"]
    if not text.strip():
        return [f"{mime}: the description is empty"]
    if mime == "text/x-rst":
        return [f"{mime}: {p}" for p in rst_problems(text)]
    return []


def rst_problems(text: str) -> list[str]:
    """reStructuredText errors and warnings (docutils, when installed)."""
    try:
        from docutils.core import (  # type: ignore[import-untyped, import-not-found, unused-ignore]
            publish_doctree,
        )
        from docutils.utils import (  # type: ignore[import-untyped, import-not-found, unused-ignore]
            SystemMessage,
        )
    except ImportError:
        return []  # without docutils a non-empty description is all that is checked
    settings = {"halt_level": 2, "report_level": 5, "warning_stream": False}
    try:
        publish_doctree(text, settings_overrides=settings)
    except SystemMessage as error:
        return [f"the reStructuredText does not render: {str(error).splitlines()[0]}"]
    return []


def _same_version(left: str, right: str) -> bool:
    try:
        return Version(left) == Version(right)
    except InvalidVersion:
        return left == right
