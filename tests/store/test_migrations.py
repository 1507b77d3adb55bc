"""Schema revisions: upgrade-on-open, refusing newer stores, the schema.sql snapshot."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from px.errors import StoreTooNew
from px.store import open_store
from px.store.revisions import head_revision, known_revisions, migrations_dir
from px.store.schema_dump import dump_schema

REPO = Path(__file__).resolve().parents[2]


def test_revision_files_match_alembic_history() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    script = ScriptDirectory.from_config(config)
    assert script.get_heads() == [head_revision()]  # linear history, head found by name
    history = [rev.revision for rev in script.walk_revisions()][::-1]
    assert tuple(history) == known_revisions()


def test_revisions_never_import_px() -> None:
    for path in (migrations_dir() / "versions").glob("*.py"):
        text = path.read_text()
        assert "import px" not in text and "from px" not in text, path.name


def test_new_store_is_built_by_upgrading_to_head(tmp_path: Path) -> None:
    with open_store(tmp_path / "s") as store, store.read() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == (
            head_revision()
        )
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_schema_snapshot_matches_the_migrations(tmp_path: Path) -> None:
    committed = (REPO / "schema" / "schema.sql").read_text()
    assert dump_schema(tmp_path / "s") == committed, (
        "schema/schema.sql is stale: run `python -m px.store.schema_dump > schema/schema.sql`"
    )


def test_live_tables_agree_with_the_migrations(tmp_path: Path) -> None:
    from px.store.tables import metadata

    with open_store(tmp_path / "s") as store:
        inspector = sa.inspect(store.engine)
        for table in metadata.sorted_tables:
            columns = {c["name"] for c in inspector.get_columns(table.name)}
            assert columns == {c.name for c in table.columns}, table.name


def make_store_at(directory: Path, revision: str) -> None:
    """A store as an older px left it: migrated only up to ``revision``, with one row."""
    from alembic import command
    from alembic.config import Config

    directory.mkdir(parents=True)
    engine = sa.create_engine(f"sqlite:///{directory / 'store.db'}")
    with engine.begin() as conn:
        config = Config()
        config.set_main_option("script_location", str(migrations_dir()))
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
        conn.exec_driver_sql("INSERT INTO blobs VALUES ('k', 1, 1, 1, '2026-01-01T00:00:00Z')")
    engine.dispose()


def test_older_store_is_backed_up_and_upgraded(tmp_path: Path) -> None:
    if len(known_revisions()) < 2:
        pytest.skip("only one revision so far")
    first = known_revisions()[0]
    directory = tmp_path / "s"
    make_store_at(directory, first)
    with open_store(directory) as store, store.read() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == (
            head_revision()
        )
        assert conn.exec_driver_sql("SELECT count(*) FROM blobs").scalar() == 1
    backup = directory / f"store.db.bak-{first}"
    assert backup.exists()
    check = sqlite3.connect(backup)
    assert check.execute("SELECT version_num FROM alembic_version").fetchone() == (first,)
    check.close()


def test_store_from_a_newer_px_is_refused(tmp_path: Path) -> None:
    directory = tmp_path / "s"
    open_store(directory).close()
    conn = sqlite3.connect(directory / "store.db")
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.commit()
    conn.close()
    before = (directory / "store.db").read_bytes()
    with pytest.raises(StoreTooNew) as raised:
        open_store(directory)
    assert "newer px" in raised.value.what
    assert "upgrade px" in (raised.value.hint or "")
    assert (directory / "store.db").read_bytes() == before


def test_cli_refuses_a_newer_store_cleanly(tmp_path: Path, px) -> None:  # type: ignore[no-untyped-def]
    directory = tmp_path / "store"
    open_store(directory).close()
    conn = sqlite3.connect(directory / "store.db")
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.commit()
    conn.close()
    result = px("cache", "info")
    assert result.code == 4
    assert "newer px" in result.err and "Traceback" not in result.err
