"""Bringing a store to the code's head revision with alembic.

Only imported when the cheap revision check says the store is not current. An
older store is backed up with ``VACUUM INTO`` first; a store from a newer px is
refused. The upgrade runs inside one ``BEGIN IMMEDIATE`` transaction, so two px
processes opening an old store at once upgrade it exactly once.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import sqlalchemy as sa

from px import __version__
from px.errors import StoreTooNew
from px.store.revisions import head_revision, known_revisions, migrations_dir

if TYPE_CHECKING:
    from px.store.engine import Store


def current_revision(conn: sa.Connection) -> str | None:
    has_table = conn.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
    ).first()
    if has_table is None:
        return None
    row = conn.exec_driver_sql("SELECT version_num FROM alembic_version").first()
    return None if row is None else str(row[0])


def _refuse_if_newer(store: Store, revision: str | None) -> None:
    if revision is not None and revision not in known_revisions():
        raise StoreTooNew(
            f"the store at {store.path} was written by a newer px (schema revision {revision})",
            why=f"this px {__version__} knows revisions up to {head_revision()}",
            hint="upgrade px, or point PX_HOME at another store",
        )


def ensure_current(store: Store) -> None:
    """Upgrade ``store`` to head if needed (cheap when it already is)."""
    with store.read() as conn:
        revision = current_revision(conn)
    if revision == head_revision():
        return
    _refuse_if_newer(store, revision)
    if revision is not None:
        backup(store, revision)
    with store.write() as conn:
        revision = current_revision(conn)  # another process may have done it meanwhile
        _refuse_if_newer(store, revision)
        if revision != head_revision():
            _upgrade(conn, fresh=revision is None)


def backup(store: Store, revision: str) -> None:
    """Copy the store beside itself before changing its schema."""
    target = store.path.with_name(f"{store.path.name}.bak-{revision}")
    if target.exists():
        return
    with store.autocommit() as conn:
        conn.exec_driver_sql("VACUUM INTO ?", (str(target),))


def _upgrade(conn: sa.Connection, *, fresh: bool) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.attributes["connection"] = conn
    command.upgrade(config, "head")
    if fresh:
        now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        conn.exec_driver_sql(
            "INSERT OR IGNORE INTO meta (key, value) VALUES ('created_at', ?), ('created_by', ?)",
            (now, f"px {__version__}"),
        )
