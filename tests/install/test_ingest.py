"""Ingesting wheels: exact manifests, shared files stored once, idempotence, scripts and data."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import random
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from px.errors import InputError, IntegrityError
from px.install import spool as spool_module
from px.install.distinfo import EntryPoint, EntryPoints
from px.install.wheel import (
    ManifestEntry,
    WheelFile,
    ingest_wheel,
    ingest_wheels,
    load_wheel,
    validate_wheel,
)
from tests.install import wheel_builder as wb
from tests.install.wheel_builder import DIST_INFO, FILENAME, Member


def _wheels(tree: Any) -> list[Any]:
    return [a for a in tree.artifacts if a.is_wheel]


def _blob_count(store: Any) -> int:
    with store.read() as conn:
        return int(conn.scalar("SELECT count(*) FROM blobs"))


def test_every_fixture_wheel_ingests_with_an_exact_manifest(
    fixture_index_tree: Any, store: Any
) -> None:
    contents: set[bytes] = set()
    for artifact in _wheels(fixture_index_tree):
        record = ingest_wheel(store, artifact.path, expected_sha256=artifact.sha256)
        assert (record.name, record.version) == (artifact.project, artifact.version)
        assert record.sha256 == artifact.sha256
        assert record.filename == artifact.filename
        with zipfile.ZipFile(artifact.path) as archive:
            infos = {i.filename: i for i in archive.infolist() if not i.is_dir()}
            assert [f.path for f in record.files] == sorted(infos)
            for entry in record.files:
                data = archive.read(entry.path)
                contents.add(data)
                assert store.blobs.get(entry.blob_key) == data
                assert entry.size == len(data)
                executable = (infos[entry.path].external_attr >> 16) & 0o111
                assert entry.mode == (0o755 if executable else 0o644)
        assert record.unpacked_size == sum(f.size for f in record.files)
        assert load_wheel(store, artifact.sha256) == record
    assert _blob_count(store) == len(contents)  # each distinct content once, across wheels


def test_data_dirs_scripts_and_entry_points(fixture_index_tree: Any, store: Any) -> None:
    by_project = {a.project: a for a in _wheels(fixture_index_tree) if a.index == "primary"}
    datafiles = ingest_wheel(store, by_project["datafiles"].path)
    assert datafiles.data_dirs == ("data", "scripts")
    assert datafiles.data_dir == "datafiles-1.0.data"
    assert datafiles.dist_info == "datafiles-1.0.dist-info"
    assert datafiles.root_is_purelib
    modes = {f.path: f.mode for f in datafiles.files}
    assert modes["datafiles-1.0.data/scripts/datafiles-hello"] == 0o755
    assert modes["datafiles-1.0.data/data/share/datafiles/notes.txt"] == 0o644
    assert datafiles.entry_points == EntryPoints()

    app = ingest_wheel(store, by_project["greet-app"].path)
    assert app.entry_points.console == (EntryPoint("greet-app", "greet_app.main", "main"),)
    assert app.entry_points.gui == ()
    assert app.data_dirs == ()
    gui = ingest_wheel(store, by_project["gui-tool"].path)
    assert gui.entry_points == EntryPoints(gui=(EntryPoint("gui-tool", "gui_tool", "main"),))
    # what the store returns later is parsed the same way
    assert load_wheel(store, app.sha256) == app
    assert load_wheel(store, gui.sha256) == gui


def test_a_file_shared_by_two_wheels_is_stored_once(store: Any, tmp_path: Path) -> None:
    shared = b"# the same bytes in both releases\n" * 50
    first = wb.write(
        tmp_path, wb.wheel_bytes(files={"demo/__init__.py": b"V = 1\n", "demo/shared.py": shared})
    )
    second_dir = tmp_path / "second"
    second_dir.mkdir()
    second = wb.write(
        second_dir,
        wb.wheel_bytes(
            version="2.0", files={"demo/__init__.py": b"V = 2\n", "demo/shared.py": shared}
        ),
        "demo-2.0-py3-none-any.whl",
    )
    one = ingest_wheel(store, first)
    before = _blob_count(store)
    two = ingest_wheel(store, second)
    # new: __init__.py, METADATA, RECORD (WHEEL and shared.py are byte-identical)
    assert _blob_count(store) == before + 3
    key = {f.path: f.blob_key for f in one.files}["demo/shared.py"]
    assert {f.path: f.blob_key for f in two.files}["demo/shared.py"] == key
    assert one.id != two.id


def test_ingest_is_idempotent_and_does_not_reread_members(
    store: Any, state: Callable[[Any], object], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = wb.write(tmp_path, wb.wheel_bytes())
    record = ingest_wheel(store, path)
    before = state(store)

    def no_reading(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the wheel was read again")

    monkeypatch.setattr("px.install.wheel.validate_wheel", no_reading)
    assert ingest_wheel(store, path) == record
    assert ingest_wheel(store, path, expected_sha256=record.sha256.upper()) == record
    assert state(store) == before


def test_same_bytes_under_another_name(store: Any, tmp_path: Path) -> None:
    data = wb.wheel_bytes()
    record = ingest_wheel(store, wb.write(tmp_path, data))
    retagged = wb.write(tmp_path, data, "demo-1.0-py2.py3-none-any.whl")
    assert ingest_wheel(store, retagged) == record  # same project and version: the same wheel
    with pytest.raises(InputError) as raised:
        ingest_wheel(store, wb.write(tmp_path, data, "other-1.0-py3-none-any.whl"))
    assert "same bytes as demo-1.0-py3-none-any.whl" in raised.value.one_line()


def test_expected_sha256_is_checked_before_anything(
    store: Any, state: Callable[[Any], object], tmp_path: Path
) -> None:
    path = wb.write(tmp_path, wb.wheel_bytes())
    before = state(store)
    with pytest.raises(IntegrityError) as raised:
        ingest_wheel(store, path, expected_sha256="0" * 64)
    assert FILENAME in raised.value.what
    assert state(store) == before


def test_filename_overrides_a_temporary_path(store: Any, tmp_path: Path) -> None:
    path = wb.write(tmp_path, wb.wheel_bytes(), "download.tmp")
    record = ingest_wheel(store, path, filename=FILENAME, source="built")
    assert record.filename == FILENAME
    assert record.source == "built"
    assert record.tags == "py3-none-any"


@pytest.mark.parametrize(
    ("mode", "recorded"),
    [
        (0o104755, 0o755),  # setuid dropped
        (0o102755, 0o755),  # setgid dropped
        (0o101777, 0o755),  # sticky and world-writable dropped
        (0o100666, 0o644),  # group/world-writable dropped
        (0o100600, 0o644),
        (0o100700, 0o755),
        (0, 0o644),  # no Unix mode recorded (a wheel built on Windows)
    ],
)
def test_modes_are_normalised(store: Any, tmp_path: Path, mode: int, recorded: int) -> None:
    data = wb.wheel_bytes(files={"demo/tool": b"#!/bin/sh\n"}, modes={"demo/tool": mode})
    record = ingest_wheel(store, wb.write(tmp_path, data))
    assert {f.path: f.mode for f in record.files}["demo/tool"] == recorded


def test_directory_entries_are_ignored(store: Any, tmp_path: Path) -> None:
    items = [Member("demo/", b"", mode=0o040755), *wb.members()]
    record = ingest_wheel(store, wb.write(tmp_path, wb.zip_bytes(items)))
    assert "demo/" not in {f.path for f in record.files}
    assert "demo/core.py" in {f.path for f in record.files}


def test_large_members_go_through_temporary_files(
    store: Any, state: Callable[[Any], object], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(spool_module, "LARGE_MEMBER", 10)
    big = bytes(range(256)) * 40
    data = wb.wheel_bytes(files={"demo/__init__.py": b"", "demo/big.bin": big})
    record = ingest_wheel(store, wb.write(tmp_path, data))
    key = {f.path: f.blob_key for f in record.files}["demo/big.bin"]
    assert store.blobs.get(key) == big
    assert state(store)[-1] == ()  # the temporary directory is gone


def _noise(n: int, seed: int) -> bytes:
    """Bytes zstd cannot shrink: a member's compressed size is about its size."""
    return random.Random(seed).randbytes(n)


def test_spool_keeps_memory_within_its_budget(store: Any, tmp_path: Path) -> None:
    spooled = spool_module.Spool(tmp_path, memory_budget=100)
    contents = {"a": _noise(60, 1), "b": _noise(60, 2), "c": b""}
    with spooled:
        for name, content in contents.items():
            spooled.begin(name, len(content))
            spooled.write(content)
            spooled.end()
        (spill,) = tmp_path.glob(".ingest-*/*")
        assert spill.name == "frames"
        assert 60 < spooled.spilled < 100  # b alone went to the file
        keys = spooled.store(store)
        assert not spill.exists()  # stored: the compressed bytes are let go
        assert spooled.keys == keys == spooled.store(store)  # storing again stores nothing
    assert {name: store.blobs.get(keys[name]) for name in contents} == contents
    assert not list(tmp_path.glob(".ingest-*"))


def test_a_large_member_is_compressed_frame_by_frame_and_stored_whole(
    store: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(spool_module, "CHUNK_SIZE", 100)
    monkeypatch.setattr(spool_module, "LARGE_MEMBER", 10)
    big = _noise(1_050, 3)
    spooled = spool_module.Spool(tmp_path)
    with spooled:
        spooled.begin("big", len(big))
        for i in range(0, len(big), 150):  # writes that straddle frame boundaries
            spooled.write(big[i : i + 150])
        spooled.end()
        keys = spooled.store(store)
    assert store.blobs.get(keys["big"]) == big
    with store.read() as conn:
        assert conn.first("SELECT size, chunks FROM blobs WHERE key = ?", (keys["big"],)) == (
            1_050,
            11,
        )


def test_a_staging_spool_stores_the_bytes_it_validated_not_the_tree_files(
    store: Any, tmp_path: Path
) -> None:
    spooled = spool_module.Spool(tmp_path, memory_budget=100, tree=True)
    contents = {"a.py": _noise(60, 4), "b.py": _noise(60, 5), "c.py": b"", "d.py": b"z" * 10}
    with spooled:
        spooled.start("demo-1.0.dist-info")
        for name, content in contents.items():
            spooled.begin(name, len(content))
            spooled.write(content)
            spooled.end()
        (staging,) = tmp_path.glob(".staging-*")
        on_disk = {p.name: p.read_bytes() for p in (staging / "tree" / "site").iterdir()}
        assert on_disk == contents  # every member is in the tree being staged
        for name in ("a.py", "b.py"):  # changed in the tree after they were validated
            (staging / "tree" / "site" / name).chmod(0o644)
            (staging / "tree" / "site" / name).write_bytes(b"changed")
        assert 60 < spooled.spilled < 100  # b.py: past the budget
        keys = spooled.store(store)
        assert not (staging / "frames").exists()
        assert (staging / "tree").is_dir()  # kept until finish_tree() or close()
    assert {name: store.blobs.get(keys[name]) for name in contents} == contents
    assert not list(tmp_path.glob(".staging-*"))  # close() removed the unfinished tree


def _zip64_and_descriptor_wheel(monkeypatch: pytest.MonkeyPatch) -> bytes:
    """Members with zip64 extra fields and data descriptors, and zip64 end records."""

    class Unseekable(io.RawIOBase):  # zipfile then writes data descriptors
        def __init__(self) -> None:
            self.buffer = bytearray()

        def writable(self) -> bool:
            return True

        def write(self, b: Any) -> int:
            self.buffer += b
            return len(b)

    monkeypatch.setattr(zipfile, "ZIP_FILECOUNT_LIMIT", 2)  # forces the zip64 end records
    sink = Unseekable()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for m in wb.members():
            info = zipfile.ZipInfo(m.name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = m.mode << 16
            with archive.open(info, "w", force_zip64=True) as out:
                out.write(m.data)
    return bytes(sink.buffer)


def test_zip64_and_data_descriptors_are_accepted(
    store: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _zip64_and_descriptor_wheel(monkeypatch)
    assert b"PK\x06\x06" in data and b"PK\x07\x08" in data
    record = ingest_wheel(store, wb.write(tmp_path, data))
    assert f"{DIST_INFO}/RECORD" in {f.path for f in record.files}


def test_validate_wheel_needs_no_store(tmp_path: Path) -> None:
    validated = validate_wheel(wb.write(tmp_path, wb.wheel_bytes()))
    assert (validated.name, validated.version, validated.dist_info) == ("demo", "1.0", DIST_INFO)
    assert validated.unpacked_size == sum(m.size for m in validated.members)
    assert validated.wheel_size == (tmp_path / FILENAME).stat().st_size


def test_manifest_entries_carry_what_trees_need(store: Any, tmp_path: Path) -> None:
    record = ingest_wheel(store, wb.write(tmp_path, wb.wheel_bytes()))
    entry = {f.path: f for f in record.files}["demo/core.py"]
    content = b"def main():\n    return 0\n"
    assert entry == ManifestEntry("demo/core.py", store.blobs.put(content), 0o644, len(content))
    assert hashlib.sha256((tmp_path / FILENAME).read_bytes()).hexdigest() == record.sha256


def _release(directory: Path, version: str, **kwargs: Any) -> Path:
    data = wb.wheel_bytes(version=version, **kwargs)
    return wb.write(directory, data, f"demo-{version}-py3-none-any.whl")


# ingest_wheels validates on a thread of its own (0) or in worker processes (2)
WORKERS = pytest.mark.parametrize("workers", [0, 2], ids=["thread", "processes"])


@WORKERS
def test_ingest_wheels_keeps_order_and_matches_one_by_one(
    store: Any, tmp_path: Path, workers: int
) -> None:
    paths = [_release(tmp_path, f"1.{i}") for i in range(5)]
    already = ingest_wheel(store, paths[2])
    wheels = [WheelFile(p, source="built") for p in paths]
    records = ingest_wheels(store, wheels, workers=workers)
    assert [r.version for r in records] == [f"1.{i}" for i in range(5)]
    assert records[2] == already  # found, not ingested again
    assert [r.source for r in records] == ["built", "built", "index", "built", "built"]
    for path, record in zip(paths, records, strict=True):
        assert load_wheel(store, record.sha256) == record
        assert record.filename == path.name


@WORKERS
def test_ingest_wheels_stops_at_the_first_refusal(
    store: Any, state: Callable[[Any], object], tmp_path: Path, workers: int
) -> None:
    good = _release(tmp_path, "1.0")
    bad = _release(tmp_path, "2.0", unlisted=["demo/core.py"])
    after = _release(tmp_path, "3.0")
    with pytest.raises(InputError) as raised:
        ingest_wheels(store, [WheelFile(good), WheelFile(bad), WheelFile(after)], workers=workers)
    assert "demo-2.0-py3-none-any.whl" in raised.value.what
    first = validate_wheel(good)
    with store.read() as conn:
        versions = sorted(v for (v,) in conn.all("SELECT version FROM wheels"))
    if workers:  # what was handed over before the refusal is stored; 3.0 may have been
        assert versions in ([first.version], [first.version, "3.0"])
    else:  # stored in order: nothing after the refusal
        assert versions == [first.version]
    assert state(store)[-1] == ()  # no spool left behind


@WORKERS
def test_a_refusal_drops_the_trees_staged_ahead_of_it(
    store: Any, tmp_path: Path, workers: int
) -> None:
    trees = tmp_path / "trees"
    good = _release(tmp_path, "1.0")
    bad = _release(tmp_path, "2.0", unlisted=["demo/core.py"])
    after = [_release(tmp_path, f"3.{i}") for i in range(4)]  # validated ahead meanwhile
    wheels = [WheelFile(p, tree=trees / p.stem) for p in (good, bad, *after)]
    with pytest.raises(InputError):
        ingest_wheels(store, wheels, workers=workers)
    # the stored wheels' trees are in place; nothing staged for the others is left
    with store.read() as conn:
        versions = sorted(v for (v,) in conn.all("SELECT version FROM wheels"))
    assert sorted(p.name for p in trees.iterdir()) == [f"demo-{v}-py3-none-any" for v in versions]
    if workers:  # stored as each validation ends: those after the refused one may be
        assert versions[0] == "1.0" and "2.0" not in versions
    else:
        assert versions == ["1.0"]


@WORKERS
def test_ingest_wheels_takes_wheels_as_they_arrive_and_a_failed_one_leaves_nothing(
    store: Any, state: Callable[[Any], object], tmp_path: Path, workers: int
) -> None:
    from px.errors import NetworkError

    paths = [_release(tmp_path, f"1.{i}") for i in range(3)]
    asked: list[int] = []

    def arriving() -> Any:  # as px install's downloads: each waited for when it is needed
        for index, path in enumerate(paths):
            asked.append(index)
            if index == 2:
                raise NetworkError("demo-1.2-py3-none-any.whl could not be downloaded")
            yield WheelFile(path)

    with pytest.raises(NetworkError):
        ingest_wheels(store, arriving(), workers=workers)
    assert asked == [0, 1, 2]  # never read ahead of what it validates next
    with store.read() as conn:
        versions = sorted(v for (v,) in conn.all("SELECT version FROM wheels"))
    assert versions == ["1.0", "1.1"]  # the wheels before the failure are stored
    assert state(store)[-1] == ()  # and no spool is left behind


def test_a_tree_staged_while_validating_equals_one_built_from_the_store(
    fixture_index_tree: Any, store: Any, tmp_path: Path
) -> None:
    import json

    from px.install import tree as trees

    snapshot = wb.snapshot
    checked = 0
    for artifact in _wheels(fixture_index_tree):
        staged = tmp_path / "staged" / artifact.sha256
        [record] = ingest_wheels(store, [WheelFile(artifact.path, tree=staged)])
        rebuilt = tmp_path / "rebuilt" / artifact.sha256
        rebuilt.parent.mkdir(exist_ok=True)
        unpacked = trees._unpack(store, record, tmp_path / "unpacking")
        trees.finish(unpacked, rebuilt)
        assert snapshot(staged) == snapshot(rebuilt), artifact.filename
        listing = json.loads((staged / trees.MARKER).read_text())
        assert listing == json.loads((rebuilt / trees.MARKER).read_text())
        assert not listing["compiled"]
        checked += 1
    assert checked >= 10
    assert [p.name for p in (tmp_path / "staged").iterdir() if p.name.startswith(".")] == []


def test_deflated_members_are_stored_as_the_wheel_compressed_them(
    store: Any, tmp_path: Path
) -> None:
    """No inflate-then-zstd for a small deflated member: its frame is the wheel's own
    deflate stream (it reads back checked, as any object); a stored member gets zstd, as
    do the metadata files (read before the others, and few)."""
    from px.store.frames import DEFLATE_TAG

    items = [
        m if m.name != "demo/core.py" else dataclasses.replace(m, method=zipfile.ZIP_STORED)
        for m in wb.members({"demo/__init__.py": b"VALUE = 1\n" * 50, "demo/core.py": b"x = 2\n"})
    ]
    data = wb.zip_bytes(items)
    record = ingest_wheel(store, wb.write(tmp_path, data))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            [entry] = [f for f in record.files if f.path == info.filename]
            with store.read() as conn:
                (frame,) = conn.first(
                    "SELECT data FROM blob_chunks WHERE key = ?", (entry.blob_key,)
                )
            if info.filename.startswith(DIST_INFO):
                pass
            elif info.compress_type == zipfile.ZIP_DEFLATED:
                at = info.header_offset
                start = (
                    at + 30 + len(info.filename) + int.from_bytes(data[at + 28 : at + 30], "little")
                )
                assert frame == DEFLATE_TAG + data[start : start + info.compress_size], (
                    info.filename
                )
            else:
                assert not frame.startswith(DEFLATE_TAG), info.filename
            assert store.blobs.get(entry.blob_key) == archive.read(info.filename)
    assert [d for _, d in store.blobs.verify()] == [None] * _blob_count(store)
