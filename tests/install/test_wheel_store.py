"""The wheel tables: lookups, the build cache, the query views, pruning and cascades."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa

from px.install.wheel import ingest_wheel
from px.store import maintenance, open_store
from px.store import wheels as stored
from tests.install import wheel_builder as wb


def _ingest(store: Any, directory: Path, version: str = "1.0") -> Any:
    directory.mkdir(exist_ok=True)
    data = wb.wheel_bytes(version=version)
    return ingest_wheel(store, wb.write(directory, data, f"demo-{version}-py3-none-any.whl"))


def test_find_wheels_by_name_and_version(store: Any, tmp_path: Path) -> None:
    one = _ingest(store, tmp_path / "a", "1.0")
    two = _ingest(store, tmp_path / "b", "2.0")
    assert [w.id for w in stored.find_wheels(store, "demo")] == [one.id, two.id]
    assert [w.sha256 for w in stored.find_wheels(store, "demo", "2.0")] == [two.sha256]
    assert stored.find_wheels(store, "other") == []
    row = stored.wheel_by_sha256(store, one.sha256)
    assert row is not None
    assert (row.file_count, row.unpacked_size, row.source) == (5, one.unpacked_size, "index")
    metadata = store.blobs.get(row.metadata_key)
    assert b"Name: demo" in metadata
    assert stored.wheel_by_sha256(store, "0" * 64) is None


def test_built_wheels_are_remembered_per_sdist_and_target(store: Any, tmp_path: Path) -> None:
    one = _ingest(store, tmp_path / "a", "1.0")
    two = _ingest(store, tmp_path / "b", "2.0")
    assert stored.built_wheel(store, "s" * 64, "cp311-linux_x86_64") is None
    stored.record_built_wheel(store, "s" * 64, "cp311-linux_x86_64", one.id)
    stored.record_built_wheel(store, "s" * 64, "cp312-linux_x86_64", two.id)
    found = stored.built_wheel(store, "s" * 64, "cp311-linux_x86_64")
    assert found is not None and found.id == one.id
    stored.record_built_wheel(store, "s" * 64, "cp311-linux_x86_64", two.id)  # a rebuild
    found = stored.built_wheel(store, "s" * 64, "cp311-linux_x86_64")
    assert found is not None and found.id == two.id


def test_deleting_a_wheel_cascades_to_its_files_and_builds(store: Any, tmp_path: Path) -> None:
    one = _ingest(store, tmp_path / "a")
    stored.record_built_wheel(store, "s" * 64, "t", one.id)
    with store.write() as conn:
        conn.execute(sa.delete(stored.wheels).where(stored.wheels.c.id == one.id))
    with store.read() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM wheel_files").scalar() == 0
        assert conn.exec_driver_sql("SELECT count(*) FROM built_wheels").scalar() == 0


def test_prune_keeps_every_blob_a_wheel_uses(store: Any, tmp_path: Path) -> None:
    record = _ingest(store, tmp_path / "a")
    orphan = store.blobs.put(b"nobody points at this")
    assert ("wheel_files", "blob_key") in _references(store)
    assert ("wheels", "metadata_key") in _references(store)
    removed = maintenance.prune(store, dry_run=False, min_age_seconds=0)
    assert removed.keys == (orphan,)
    for entry in record.files:
        assert store.blobs.has(entry.blob_key)


def _references(store: Any) -> list[tuple[str, str]]:
    with store.read() as conn:
        return maintenance.blob_references(conn)


def test_views_answer_questions_through_px_query(px: Any, store_dir: Path, tmp_path: Path) -> None:
    with open_store(store_dir) as store:
        record = _ingest(store, tmp_path / "a")
    result = px(
        "query",
        "--json",
        "SELECT name, version, file_count, source, sha256 FROM px_wheels",
    )
    assert result.code == 0, result.err
    assert result.json()["rows"] == [["demo", "1.0", 5, "index", record.sha256]]
    files = px(
        "query",
        "--json",
        "SELECT filename, path, mode, size FROM px_wheel_files WHERE path LIKE 'demo/%' "
        "ORDER BY path",
    ).json()["rows"]
    assert files == [
        ["demo-1.0-py3-none-any.whl", "demo/__init__.py", 0o644, 10],
        ["demo-1.0-py3-none-any.whl", "demo/core.py", 0o644, 25],
    ]


def test_live_tables_agree_with_the_migration(store: Any) -> None:
    inspector = sa.inspect(store.engine)
    for table in (stored.wheels, stored.wheel_files, stored.built_wheels):
        columns = {c["name"] for c in inspector.get_columns(table.name)}
        assert columns == {c.name for c in table.columns}, table.name
        indexes = {i["name"] for i in inspector.get_indexes(table.name)}
        assert indexes == {i.name for i in table.indexes}, table.name
