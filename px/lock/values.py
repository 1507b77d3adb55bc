"""Checks of single values in px.lock: each returns why a value is wrong, or None."""

from __future__ import annotations

import re

from packaging.markers import InvalidMarker, Marker
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from px.urls import has_credentials

_NAME = re.compile(r"^([a-z0-9]|[a-z0-9][a-z0-9.-]*[a-z0-9])\Z")
_SHA256 = re.compile(r"^[0-9a-f]{64}\Z")
DIGEST = re.compile(r"^sha256:[0-9a-f]{64}\Z")
TARGET_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*\Z")
PYTHON_VERSION = re.compile(r"^[0-9]+\.[0-9]+\Z")
COMMIT = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?\Z")
VCS_KINDS = ("git", "hg", "svn", "bzr")
ARTIFACT_SUFFIXES = (".whl", ".tar.gz", ".zip")
# PEP 508 marker variables; a target records those that do not vary per machine.
MARKER_NAMES = frozenset(
    {
        "implementation_name",
        "implementation_version",
        "os_name",
        "platform_machine",
        "platform_python_implementation",
        "platform_release",
        "platform_system",
        "platform_version",
        "python_full_version",
        "python_version",
        "sys_platform",
    }
)


def name_problem(name: str) -> str | None:
    if not _NAME.match(name) or canonicalize_name(name) != name:
        return f"{name!r} is not a normalised name (expected {canonicalize_name(name)!r})"
    return None


def version_problem(version: str) -> str | None:
    try:
        Version(version)
    except InvalidVersion:
        return f"invalid version {version!r}"
    return None


def specifier_problem(specifier: str) -> str | None:
    try:
        SpecifierSet(specifier)
    except InvalidSpecifier:
        return f"invalid version specifier {specifier!r}"
    return None


def marker_problem(marker: str) -> str | None:
    try:
        Marker(marker)
    except InvalidMarker as error:
        return f"invalid marker {marker!r}: {str(error).splitlines()[0]}"
    return None


def sha256_problem(value: str) -> str | None:
    return None if _SHA256.match(value) else f"{value!r} is not 64 lowercase hex digits"


def url_problem(url: str) -> str | None:
    if not url:
        return "must not be empty"
    if has_credentials(url):
        return "holds credentials: they must never be written to px.lock"
    return None


def filename_problem(filename: str) -> str | None:
    if "/" in filename or "\\" in filename or not filename.endswith(ARTIFACT_SUFFIXES):
        return f"{filename!r} is not a wheel or sdist file name"
    return None
