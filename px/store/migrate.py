"""Bringing a store to the code's head revision.

Only imported when the cheap revision check says the store is not current.

- A new, empty store is built from the schema snapshot (``schema/schema.sql``,
  shipped as ``px/_schema``), which a test keeps identical to what the alembic
  revisions produce: creating a store costs a few statements and no alembic or
  SQLAlchemy import.
- An older store is backed up with ``VACUUM INTO`` and upgraded by alembic.
- A store from a newer px is refused.

Both run inside one ``BEGIN IMMEDIATE`` transaction, so two px processes
opening the same store at once create or upgrade it exactly once.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

from px import __version__
from px.errors import StoreTooNew
from px.store.revisions import head_revision, known_revisions, migrations_dir, schema_snapshot

TYPE_CHECKING = False  # typing itself costs the fast paths milliseconds; mypy reads this as True
if TYPE_CHECKING:
    from px.store.engine import Connection, Store

# Creation order: tables before the indexes, views and triggers that name them.
_KIND_ORDER = ("table", "index", "view", "trigger")
_OBJECT = re.compile(r"^-- (table|index|view|trigger) (\S+)$", re.MULTILINE)


def current_revision(conn: Connection) -> str | None:
    has_table = conn.first(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
    )
    if has_table is None:
        return None
    revision = conn.scalar("SELECT version_num FROM alembic_version")
    return None if revision is None else str(revision)


def _refuse_if_newer(store: Store, revision: str | None) -> None:
    if revision is not None and revision not in known_revisions():
        raise StoreTooNew(
            f"the store at {store.path} was written by a newer px (schema revision {revision})",
            why=f"this px {__version__} knows revisions up to {head_revision()}",
            hint="upgrade px, or point PX_HOME at another store",
        )


def ensure_current(store: Store) -> None:
    """Create or upgrade ``store`` to head if needed (cheap when it already is)."""
    with store.read() as conn:
        revision = current_revision(conn)
    if revision == head_revision():
        return
    _refuse_if_newer(store, revision)
    if revision is None:
        with store.write() as conn:
            if current_revision(conn) is None:  # another process may have done it meanwhile
                create_from_snapshot(conn, schema_snapshot().read_text(encoding="utf-8"))
        return
    backup(store, revision)
    upgrade_with_alembic(store.path)


def snapshot_statements(snapshot: str) -> list[str]:
    """The ``CREATE`` statements of a schema snapshot, in an order SQLite accepts."""
    pieces = _OBJECT.split(snapshot)
    found = [
        (_KIND_ORDER.index(kind), name, body.strip())
        for kind, name, body in zip(pieces[1::3], pieces[2::3], pieces[3::3], strict=True)
    ]
    return [body for _, _, body in sorted(found)]


def create_from_snapshot(conn: Connection, snapshot: str) -> None:
    """Build the head schema in an empty store, stamped as head."""
    for statement in snapshot_statements(snapshot):
        conn.execute(statement)
    conn.execute("INSERT INTO alembic_version (version_num) VALUES (?)", (head_revision(),))
    _stamp_created(conn.execute)


def _stamp_created(execute: Callable[[str, tuple[str, ...]], object]) -> None:
    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    execute(
        "INSERT OR IGNORE INTO meta (key, value) VALUES ('created_at', ?), ('created_by', ?)",
        (now, f"px {__version__}"),
    )


def backup(store: Store, revision: str) -> None:
    """Copy the store beside itself before changing its schema."""
    target = store.path.with_name(f"{store.path.name}.bak-{revision}")
    if target.exists():
        return
    with store.autocommit() as conn:
        conn.execute("VACUUM INTO ?", (str(target),))


def upgrade_with_alembic(path: Path, revision: str = "head") -> None:
    """Run the alembic revisions on the store file at ``path`` up to ``revision``.

    The one place px drives SQLAlchemy: alembic needs its connection. The work
    is one ``BEGIN IMMEDIATE`` transaction on a connection configured like the
    store's own; the revision is checked again inside it.
    """
    import sqlalchemy as sa
    from alembic import command
    from alembic.config import Config

    from px.store.engine import connect, translated

    engine = sa.create_engine("sqlite://", creator=lambda: connect(path), poolclass=sa.NullPool)
    try:
        with translated(path), engine.begin() as conn:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            row = conn.exec_driver_sql(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
            ).first()
            before = (
                None
                if row is None
                else conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
            )
            if revision == "head" and before == head_revision():
                return
            config = Config()
            config.set_main_option("script_location", str(migrations_dir()))
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
            if before is None:
                _stamp_created(conn.exec_driver_sql)
    finally:
        engine.dispose()
