"""The application's logic: PEP 508 requirements against versions."""

from __future__ import annotations

from packaging.requirements import Requirement
from packaging.version import Version


def satisfies(requirement: str, version: str) -> bool:
    """Whether ``version`` satisfies the specifier of ``requirement`` (pre-releases allowed)."""
    return Requirement(requirement).specifier.contains(Version(version), prereleases=True)


def explain(requirement: str, version: str) -> str:
    req = Requirement(requirement)
    verdict = "satisfies" if satisfies(requirement, version) else "does not satisfy"
    return f"{req.name} {version} {verdict} {req.specifier or 'any version'}"
