"""A large wheel validated in parts, one per worker process: the same wheel, tree and
refusals as validated whole, and a refused one leaves the store and the trees as they were."""

from __future__ import annotations

import os
from concurrent.futures import CancelledError, Future
from pathlib import Path
from typing import Any

import pytest

from px.errors import IntegrityError
from px.install import parts as parts_module
from px.install.parts import Joined
from px.install.spool import Spool
from px.install.validate import validate_wheel
from px.install.wheel import WheelFile, ingest_wheels
from px.install.workers import Workers
from px.store import open_store
from tests.install import wheel_builder as wb
from tests.install.conftest import store_state
from tests.install.test_workers import dataclasses_without_id


def _files(count: int) -> dict[str, bytes]:
    """Members of varied sizes (some too large to read whole), one executable script."""
    files = {f"demo/m{i:03}.py": os.urandom(i * 97 % 5000) * (i % 3 + 1) for i in range(count)}
    files["demo/big.bin"] = os.urandom(1 << 20) * 2  # streamed: over a frame
    files["demo-1.0.data/scripts/tool"] = b"#!python\nprint('tool')\n"
    return files


@pytest.mark.parametrize("parts", [2, 3, 7])
def test_every_member_is_checked_by_exactly_one_part(tmp_path: Path, parts: int) -> None:
    path = wb.write(tmp_path, wb.wheel_bytes(files=_files(60)))
    whole = validate_wheel(path)
    shares = [validate_wheel(path, part=k, parts=parts).members for k in range(parts)]
    assert [m for share in shares for m in share] == list(whole.members)
    with pytest.raises(ValueError):
        validate_wheel(path, part=parts, parts=parts)


def test_members_of_one_size_are_shared_evenly(tmp_path: Path) -> None:
    files = {f"demo/m{i:03}.py": bytes([i]) * 3000 for i in range(60)}
    path = wb.write(tmp_path, wb.wheel_bytes(files=files))
    sizes = [len(validate_wheel(path, part=k, parts=3).members) for k in range(3)]
    assert max(sizes) - min(sizes) <= 2  # (the .dist-info's three files weigh too)


def test_a_bad_member_refuses_only_the_part_holding_it(tmp_path: Path) -> None:
    files = _files(40)
    last = sorted(files)[-1]
    wrong = (wb.record_hash(b"other"), str(len(files[last])))
    data = wb.wheel_bytes(files=files, record_overrides={last: wrong})
    path = wb.write(tmp_path, data)
    with pytest.raises(IntegrityError) as whole:
        validate_wheel(path)
    holders = []
    for k in range(2):
        try:
            validate_wheel(path, part=k, parts=2)
        except IntegrityError as error:
            assert error.one_line() == whole.value.one_line()
            holders.append(k)
    assert len(holders) == 1


@pytest.fixture()
def split_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parts_module, "SPLIT_BYTES", 0)  # decided here, not in the workers


@pytest.mark.usefixtures("split_everything")
def test_wheels_in_parts_are_stored_and_staged_as_whole_ones(
    fixture_index_tree: Any, store: Any, tmp_path: Path
) -> None:
    artifacts = [a for a in fixture_index_tree.artifacts if a.is_wheel]
    script = {"demo-1.0.data/scripts/tool": 0o100755}
    own = wb.write(tmp_path, wb.wheel_bytes(files=_files(80), modes=script))
    wheels = [(a.path, a.sha256) for a in artifacts] + [(own, None)]
    results = []
    for workers, opened in ((0, store), (2, open_store(tmp_path / "parts"))):
        trees = tmp_path / f"trees-{workers}"
        ingested = ingest_wheels(
            opened,
            [WheelFile(p, expected_sha256=s, tree=trees / p.name) for p, s in wheels],
            workers=workers,
        )
        blobs = {f.blob_key: opened.blobs.get(f.blob_key) for r in ingested for f in r.files}
        results.append(
            (
                [dataclasses_without_id(r) for r in ingested],
                blobs,
                {p.name: wb.snapshot(trees / p.name) for p, _ in wheels},
                sorted(p.name for p in trees.iterdir()),  # no staging directory left
                sorted(p.name for p in opened.directory.iterdir() if p.name.startswith(".")),
            )
        )
    assert results[1] == results[0]
    tree = results[1][2][own.name]
    assert tree["scripts/tool"][1] & 0o111 and "site/demo-1.0.dist-info/INSTALLER" in tree


@pytest.mark.usefixtures("split_everything")
def test_a_wheel_refused_in_one_part_leaves_the_store_and_the_trees_as_they_were(
    store: Any, tmp_path: Path
) -> None:
    files = _files(40)
    bad = sorted(files)[0]  # in the first part: the other passes and would store its files
    wrong = (wb.record_hash(b"other"), str(len(files[bad])))
    data = wb.wheel_bytes(files=files, record_overrides={bad: wrong})
    path = wb.write(tmp_path, data)
    with pytest.raises(IntegrityError) as whole:
        validate_wheel(path)
    before = store_state(store)
    trees = tmp_path / "trees"
    with Workers(2) as workers, pytest.raises(IntegrityError) as parts:
        ingest_wheels(store, [WheelFile(path, tree=trees / "demo")], workers=workers)
    assert parts.value.one_line() == whole.value.one_line()
    assert store_state(store) == before
    assert list(trees.iterdir()) == []


def _first_of_two_parts(store: Any, tmp_path: Path) -> tuple[Path, Future[Any]]:
    """A wheel's staging directory (under ``tmp_path/trees``) and the future of its first
    part of two, validated and passed."""
    from px.install.limits import DEFAULT_LIMITS
    from px.install.wheel import _validate_and_store

    path = wb.write(tmp_path, wb.wheel_bytes(files=_files(30)))
    trees = tmp_path / "trees"
    staging = trees / ".staging-test"
    staging.mkdir(parents=True)
    first: Future[Any] = Future()
    first.set_result(
        _validate_and_store(
            WheelFile(path), DEFAULT_LIMITS, trees / "demo", store.directory, (0, 2, staging)
        )
    )
    return staging, first


def test_a_wheel_whose_parts_were_not_all_handed_over_is_never_a_wheel(
    store: Any, tmp_path: Path
) -> None:
    """Stopped (another wheel refused) after its first part: the part that passed does
    not make a wheel of half its files, and what it staged goes."""
    staging, first = _first_of_two_parts(store, tmp_path)
    joined = Joined(staging, 2)
    joined.add(first)
    assert not joined.done()
    joined.stop_adding()
    assert isinstance(joined.exception(timeout=10), CancelledError)
    assert list(staging.parent.iterdir()) == []


def test_a_refused_wheel_whose_staged_files_cannot_be_removed_still_ends(
    store: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cleaning up after a refusal fails: the wheel still ends, with the refusal, instead
    of leaving the thread that records wheels waiting for it forever."""
    staging, first = _first_of_two_parts(store, tmp_path)
    refused: Future[Any] = Future()
    refused.set_exception(IntegrityError("demo-1.0: a member's hash does not match RECORD"))

    def unremovable(_spool: Spool) -> None:
        raise PermissionError("cannot remove the spill file")

    monkeypatch.setattr(Spool, "close", unremovable)
    joined = Joined(staging, 2)
    joined.add(first)
    joined.add(refused)
    assert joined.exception(timeout=10) is refused.exception()
