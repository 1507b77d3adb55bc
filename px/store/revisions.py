"""Which schema revisions this px knows, found without importing alembic.

Revision files are named ``NNNN_slug.py`` and their alembic revision id is
``NNNN``; history is linear (a test checks both against alembic itself). Listing
the directory is enough to know the head, so opening an up-to-date store costs
one cheap query and no alembic import.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

_REVISION_FILE = re.compile(r"^(\d{4})_[a-z0-9_]+\.py\Z")


def migrations_dir() -> Path:
    """The alembic environment: ``px/_migrations`` in a wheel, ``migrations/`` in a checkout."""
    package = Path(__file__).resolve().parent.parent
    shipped = package / "_migrations"
    if (shipped / "env.py").is_file():
        return shipped
    return package.parent / "migrations"


@functools.cache
def known_revisions() -> tuple[str, ...]:
    """Every revision id, oldest first."""
    versions = migrations_dir() / "versions"
    found = sorted(
        m.group(1) for p in versions.iterdir() if (m := _REVISION_FILE.match(p.name)) is not None
    )
    if not found:  # pragma: no cover - a broken installation
        raise RuntimeError(f"no schema revisions found in {versions}")
    return tuple(found)


def head_revision() -> str:
    return known_revisions()[-1]


def schema_snapshot() -> Path:
    """The schema at head: ``px/_schema/schema.sql`` in a wheel, else ``schema/schema.sql``."""
    package = Path(__file__).resolve().parent.parent
    shipped = package / "_schema" / "schema.sql"
    if shipped.is_file():
        return shipped
    return package.parent / "schema" / "schema.sql"
