"""Schema revisions: upgrade-on-open, refusing newer stores, the schema.sql snapshot."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from px.errors import StoreTooNew
from px.store import open_store
from px.store.migrate import snapshot_statements, upgrade_with_alembic
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


def test_new_store_is_built_at_head(tmp_path: Path) -> None:
    with open_store(tmp_path / "s") as store, store.read() as conn:
        assert conn.scalar("SELECT version_num FROM alembic_version") == (head_revision())
        assert conn.scalar("PRAGMA journal_mode") == "wal"
        assert conn.scalar("PRAGMA foreign_keys") == 1


def test_schema_snapshot_matches_the_migrations(tmp_path: Path) -> None:
    committed = (REPO / "schema" / "schema.sql").read_text()
    assert dump_schema(tmp_path / "s") == committed, (
        "schema/schema.sql is stale: run `python -m px.store.schema_dump > schema/schema.sql`"
    )


def test_new_store_from_the_snapshot_equals_one_migrated_by_alembic(tmp_path: Path) -> None:
    assert dump_schema(tmp_path / "snapshot", alembic=False) == dump_schema(tmp_path / "alembic")


def test_new_store_does_not_import_alembic_or_sqlalchemy(tmp_path: Path) -> None:
    code = (
        "import sys; from pathlib import Path; from px.store import open_store; "
        f"open_store(Path({str(tmp_path / 's')!r})).close(); "
        "print(sorted(m for m in ('alembic', 'sqlalchemy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    assert (tmp_path / "s" / "store.db").stat().st_size > 0


def test_snapshot_statements_create_tables_first() -> None:
    statements = snapshot_statements((REPO / "schema" / "schema.sql").read_text())
    kinds = [s.split()[1] for s in statements]
    first_other = next(i for i, kind in enumerate(kinds) if kind != "TABLE")
    assert set(kinds[:first_other]) == {"TABLE"}
    assert "TABLE" not in kinds[first_other:]
    assert len(statements) == (REPO / "schema" / "schema.sql").read_text().count("\n-- ")


def test_two_processes_creating_one_store_create_it_once(tmp_path: Path) -> None:
    code = (
        "import sys; from pathlib import Path; from px.store import open_store; "
        f"open_store(Path({str(tmp_path / 's')!r})).close()"
    )
    procs = [subprocess.Popen([sys.executable, "-c", code]) for _ in range(4)]
    assert [p.wait() for p in procs] == [0, 0, 0, 0]
    with open_store(tmp_path / "s") as store, store.read() as conn:
        assert conn.scalar("SELECT count(*) FROM alembic_version") == 1
        assert conn.scalar("SELECT count(*) FROM meta WHERE key = 'created_at'") == 1


def test_a_store_being_created_by_another_process_is_waited_for(tmp_path: Path) -> None:
    # While one process builds a new store, another's switch to WAL is
    # answered "locked" at once, without SQLite's busy wait.
    (tmp_path / "s").mkdir()
    other = sqlite3.connect(
        tmp_path / "s" / "store.db", isolation_level=None, check_same_thread=False
    )
    other.execute("CREATE TABLE early (x)")
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO early VALUES (1)")
    release = threading.Timer(0.3, lambda: other.execute("COMMIT"))
    release.start()
    try:
        with open_store(tmp_path / "s") as store, store.read() as conn:
            assert conn.scalar("SELECT count(*) FROM alembic_version") == 1
            assert conn.scalar("PRAGMA journal_mode") == "wal"
    finally:
        release.join()
        other.close()


def make_store_at(directory: Path, revision: str) -> None:
    """A store as an older px left it: migrated only up to ``revision``, with one row."""
    directory.mkdir(parents=True)
    upgrade_with_alembic(directory / "store.db", revision)
    conn = sqlite3.connect(directory / "store.db")
    conn.execute("INSERT INTO blobs VALUES ('k', 1, 1, 1, '2026-01-01T00:00:00Z')")
    conn.commit()
    conn.close()


def test_older_store_is_backed_up_and_upgraded(tmp_path: Path) -> None:
    if len(known_revisions()) < 2:
        pytest.skip("only one revision so far")
    first = known_revisions()[0]
    directory = tmp_path / "s"
    make_store_at(directory, first)
    with open_store(directory) as store, store.read() as conn:
        assert conn.scalar("SELECT version_num FROM alembic_version") == (head_revision())
        assert conn.scalar("SELECT count(*) FROM blobs") == 1
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


def test_going_back_before_deflate_frames_re_encodes_them_as_zstd(tmp_path: Path) -> None:
    """An older px reads zstd frames only: revision 0009's downgrade leaves it objects it
    can read, the same bytes under the same keys."""
    import zlib

    import sqlalchemy as sa
    import zstandard
    from alembic import command
    from alembic.config import Config

    from px.store.blobs import key_of
    from px.store.frames import deflate_frame

    data, other = b"import os\n" * 300, b"kept as it was"
    packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    with open_store(tmp_path / "s") as store:
        key = key_of(data)
        store.blobs.put_compressed(
            [(key, len(data), [deflate_frame(packer.compress(data) + packer.flush())])]
        )
        other_key = store.blobs.put(other)
    db = tmp_path / "s" / "store.db"
    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        config = Config()
        config.set_main_option("script_location", str(migrations_dir()))
        config.attributes["connection"] = conn
        command.downgrade(config, "0008")
    engine.dispose()
    check = sqlite3.connect(db)
    assert check.execute("SELECT version_num FROM alembic_version").fetchone() == ("0008",)
    rows = dict(check.execute("SELECT c.key, c.data FROM blob_chunks c WHERE c.seq = 0").fetchall())
    sizes = dict(check.execute("SELECT key, stored_size FROM blobs").fetchall())
    check.close()
    reader = zstandard.ZstdDecompressor()
    assert reader.decompress(rows[key]) == data and sizes[key] == len(rows[key])
    assert reader.decompress(rows[other_key]) == other
    with open_store(tmp_path / "s") as store:  # and forward again: read back, checked
        assert store.blobs.get(key) == data
        assert [d for _, d in store.blobs.verify()] == [None, None]
