"""`px cache` and `px query` through the command line, including every bad-input path."""

from __future__ import annotations

from pathlib import Path

import pytest

from px.store import open_store
from tests.store.test_blobs import flip_one_byte


def test_cache_info_counts_objects(px, store_dir: Path) -> None:  # type: ignore[no-untyped-def]
    with open_store(store_dir) as store:
        store.blobs.put_many([b"x" * 1000, b"y" * 10])
    info = px("cache", "info", "--json").json()
    assert info["objects"] == 2
    assert info["raw_bytes"] == 1010
    assert 0 < info["stored_bytes"] < 1010
    assert info["path"] == str(store_dir / "store.db")
    text = px("cache", "info")
    assert text.code == 0 and "objects:  2" in text.out


def test_global_options_before_or_after_the_command(px, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    other = tmp_path / "other"
    before = px("--json", "--store", str(other), "cache", "info")
    after = px("cache", "info", "--store", str(other), "--json")
    assert before.code == after.code == 0
    assert before.json() == after.json()
    assert before.json()["path"] == str(other / "store.db")


def test_verify_names_the_damaged_object(px, store_dir: Path) -> None:  # type: ignore[no-untyped-def]
    with open_store(store_dir) as store:
        bad = store.blobs.put(b"will be damaged " * 100)
        store.blobs.put(b"stays fine")
    assert px("cache", "verify").code == 0
    flip_one_byte(store_dir / "store.db", bad)
    result = px("cache", "verify")
    assert result.code == 5
    assert bad in result.out
    as_json = px("cache", "verify", "--json")
    assert as_json.code == 5
    assert [d["key"] for d in as_json.json()["damaged"]] == [bad]
    assert as_json.json()["checked"] == 2


def test_clean_asks_and_then_empties(px, store_dir: Path) -> None:  # type: ignore[no-untyped-def]
    with open_store(store_dir) as store:
        store.blobs.put(b"something")
    refused = px("cache", "clean")
    assert refused.code == 2 and "--yes" in refused.err
    assert px("cache", "info", "--json").json()["objects"] == 1
    done = px("cache", "clean", "--yes", "--json")
    assert done.code == 0 and done.json()["objects"] == 1
    assert px("cache", "info", "--json").json()["objects"] == 0
    audit = px("query", "SELECT command, outcome FROM px_audit", "--json").json()
    assert audit["rows"] == [["cache clean", "ok"]]


def test_prune_removes_only_unreferenced_old_objects(store_dir: Path) -> None:
    from px.config import Settings
    from px.ops import cache

    with open_store(store_dir) as store:
        store.blobs.put(b"orphan")
    settings = Settings(store_dir=store_dir)
    assert cache.prune(settings).objects == 0  # too young: another px may be about to use it
    dry = cache.prune(settings, dry_run=True, min_age_seconds=-1)
    assert dry.objects == 1
    assert cache.prune(settings, min_age_seconds=-1).objects == 1
    assert cache.info(settings).objects == 0


def test_query_reads_views_in_every_format(px, store_dir: Path) -> None:  # type: ignore[no-untyped-def]
    with open_store(store_dir) as store:
        key = store.blobs.put(b"abc")
    sql = "SELECT key, size FROM px_blobs"
    assert key in px("query", sql).out
    assert px("query", sql, "--format", "csv").out == f"key,size\n{key},3\n"
    assert px("query", sql, "--json").json()["rows"] == [[key, 3]]
    assert px("query", "SELECT count(*) FROM px_blobs WHERE key <> 'blobs'", "--json").json()[
        "rows"
    ] == [[1]]
    views = px("query", "--views", "--json").json()["views"]
    assert {"px_blobs", "px_audit"} <= {v["name"] for v in views}


WRITES = [
    "INSERT INTO blobs VALUES ('k', 1, 1, 1, 'now')",
    "UPDATE blobs SET size = 0",
    "DELETE FROM blobs",
    "DROP TABLE blobs",
    "DROP VIEW px_blobs",
    "CREATE TABLE t (x)",
    "ATTACH DATABASE 'other.db' AS other",
    "PRAGMA journal_mode = DELETE",
    "PRAGMA user_version = 7",
    "SELECT 1; DELETE FROM blobs",
    "WITH x AS (SELECT 1) DELETE FROM blobs",
    "VACUUM INTO 'copy.db'",
    "REINDEX",
    "SELECT * FROM blob_chunks",
    "SELECT count(*) FROM blobs",
    'SELECT "key" FROM "audit_log"',
    "SELECT name FROM sqlite_master",
    "  -- a comment first\n DELETE FROM blobs",
]


@pytest.mark.parametrize("sql", WRITES)
def test_query_refuses_writes_and_leaves_the_store_untouched(  # type: ignore[no-untyped-def]
    px, store_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sql: str
) -> None:
    with open_store(store_dir) as store:
        store.blobs.put(b"precious")
    monkeypatch.chdir(tmp_path)
    before = (store_dir / "store.db").read_bytes()
    result = px("query", sql)
    assert result.code == 3, result.err
    assert "refused" in result.err and "Traceback" not in result.err
    assert (store_dir / "store.db").read_bytes() == before
    assert not (tmp_path / "copy.db").exists() and not (tmp_path / "other.db").exists()


def test_query_syntax_error_is_bad_input(px) -> None:  # type: ignore[no-untyped-def]
    result = px("query", "SELEC nonsense")
    assert result.code == 3 and "Traceback" not in result.err


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b[: len(b) // 2],  # truncated
        lambda b: b"this is not a database at all" * 100,  # garbage
        lambda b: b[:100] + bytes(len(b) - 100),  # header intact, pages zeroed
    ],
    ids=["truncated", "garbage", "zeroed-pages"],
)
def test_damaged_store_is_reported_and_left_alone(px, store_dir: Path, damage) -> None:  # type: ignore[no-untyped-def]
    with open_store(store_dir) as store:
        store.blobs.put_many([bytes([i]) * 5000 for i in range(50)])
    db = store_dir / "store.db"
    db.write_bytes(damage(db.read_bytes()))
    for shm in store_dir.glob("store.db-*"):
        shm.unlink()
    before = db.read_bytes()
    for argv in (("cache", "info"), ("cache", "verify"), ("query", "SELECT * FROM px_blobs")):
        result = px(*argv)
        assert result.code in (4, 5), (argv, result.err)
        assert "Traceback" not in result.err
        if result.code == 4:
            assert "damaged" in result.err
    assert db.read_bytes() == before


def test_truncated_store_error_as_json(px, store_dir: Path) -> None:  # type: ignore[no-untyped-def]
    with open_store(store_dir) as store:
        store.blobs.put_many([bytes([i]) * 5000 for i in range(50)])
    db = store_dir / "store.db"
    db.write_bytes(db.read_bytes()[:8192])
    result = px("--json", "cache", "info")
    assert result.code == 4
    assert result.json()["error"]["code"] == "store-damaged"


def test_unwritable_store_directory_is_a_clear_error(px, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    result = px("--store", str(blocker / "store"), "cache", "info")
    assert result.code == 4 and "Traceback" not in result.err


def test_internal_errors_show_no_traceback_without_verbose(
    px, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from px.ops import cache

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("kaboom")

    monkeypatch.setattr(cache, "info", boom)
    quiet = px("cache", "info")
    assert quiet.code == 70 and "internal error" in quiet.err and "Traceback" not in quiet.err
    loud = px("-v", "cache", "info")
    assert loud.code == 70 and "Traceback" in loud.err


def test_usage_errors_are_one_line_with_exit_2(px) -> None:  # type: ignore[no-untyped-def]
    result = px("cache", "frobnicate")
    assert result.code == 2 and result.err.count("\n") == 1
    as_json = px("--json", "nosuchcommand")
    assert as_json.code == 2 and as_json.json()["error"]["code"] == "usage"
