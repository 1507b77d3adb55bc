"""The wheel tables: lookups, the build cache, the query views, pruning and cascades."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

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
        assert conn.scalar("SELECT count(*) FROM wheel_files") == 5
        conn.execute("DELETE FROM wheels WHERE id = ?", (one.id,))
    with store.read() as conn:
        assert conn.scalar("SELECT count(*) FROM wheel_files") == 0
        assert conn.scalar("SELECT count(*) FROM built_wheels") == 0


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


def test_the_row_types_agree_with_the_migrated_tables(store: Any) -> None:
    fields = {
        "wheels": {f.name for f in dataclasses.fields(stored.StoredWheel)},
        "wheel_files": {"wheel_id"} | {f.name for f in dataclasses.fields(stored.FileRow)},
        "built_wheels": {"sdist_sha256", "target", "wheel_id", "built_at"},
    }
    indexes = {
        "wheels": {"ix_wheels_name"},
        "wheel_files": {"ix_wheel_files_blob_key"},
        "built_wheels": {"ix_built_wheels_wheel_id"},
    }
    with store.read() as conn:
        for table, expected in fields.items():
            columns = {row[1] for row in conn.all(f"PRAGMA table_info({table})")}
            assert columns == expected, table
            named = {
                row[1]
                for row in conn.all(f"PRAGMA index_list({table})")
                if not row[1].startswith("sqlite_autoindex_")
            }
            assert named == indexes[table], table
