"""Names and requirements: validation, normalisation and a canonical text form."""

from __future__ import annotations

import re

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from px.project.problems import Problems
from px.project.urls import strip_credentials

# PEP 508 names; also used for extras and dependency groups (PEP 685, PEP 735).
_NAME = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])\Z", re.IGNORECASE)


def is_valid_name(name: str) -> bool:
    return bool(_NAME.match(name))


def normalize_name(name: str) -> str:
    """PEP 503 normalisation: ``Foo_Bar.baz`` -> ``foo-bar-baz``."""
    return str(canonicalize_name(name))


def parse_requirement(text: str) -> Requirement:
    """Parse a PEP 508 requirement; raises :class:`InvalidRequirement`."""
    return Requirement(text)


def read_requirement(text: str, path: str, problems: Problems) -> Requirement | None:
    """Parse ``text`` or record why it is not a requirement under ``path``."""
    try:
        return Requirement(text)
    except InvalidRequirement as error:
        reason = str(error).splitlines()[0] if str(error) else "invalid syntax"
        problems.add(path, f"invalid requirement {text!r}: {reason}")
        return None


def canonical_requirement(requirement: Requirement) -> str:
    """One spelling per meaning: normalised name and extras, sorted specifiers,
    the marker as packaging prints it, a direct URL without credentials."""
    text = normalize_name(requirement.name)
    if requirement.extras:
        text += "[" + ",".join(sorted({normalize_name(e) for e in requirement.extras})) + "]"
    if requirement.url:
        text += " @ " + strip_credentials(requirement.url)
    elif requirement.specifier:
        text += str(requirement.specifier)  # packaging sorts the clauses
    if requirement.marker is not None:
        text += (" ; " if requirement.url else "; ") + str(requirement.marker)
    return text
