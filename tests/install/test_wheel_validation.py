"""Every class of broken or hostile wheel is refused, with a clear error, before anything is stored.

Each case builds its wheel here with zipfile/struct, runs ``ingest_wheel`` on a
real store and checks the error class (InputError: structure, exit 3;
IntegrityError: hashes, exit 5), that the message names the wheel file and the
member, and that the store holds exactly what it held before.
"""

from __future__ import annotations

import dataclasses
import struct
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from px.errors import ExitCode, InputError, IntegrityError, PxError
from px.install.limits import DEFAULT_LIMITS, Limits
from px.install.wheel import WheelFile, ingest_wheel, ingest_wheels, validate_wheel
from tests.install import wheel_builder as wb
from tests.install.wheel_builder import DATA_DIR, DIST_INFO, FILENAME, Member


@dataclasses.dataclass(frozen=True)
class Case:
    id: str
    build: Callable[[], bytes]
    error: type[PxError]
    says: str  # a fragment of the message
    member: str | None = None  # the member the message must name
    filename: str = FILENAME
    limits: Limits = DEFAULT_LIMITS


def _good() -> bytes:
    return wb.wheel_bytes()


def _two_ends() -> bytes:
    data = _good()
    return data + data[-22:]


def _end_in_comment() -> bytes:
    fake = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 1, 1, 46, 0, 0)
    return wb.zip_bytes(wb.members(), comment=fake)


def _local_mismatch(local_at: int, fmt: str, value: int) -> Callable[[], bytes]:
    def build() -> bytes:
        data = _good()
        e = wb.entry(data, "demo/core.py")
        return wb.patch(data, e.local_pos + local_at, fmt, value)

    return build


def _local_name() -> bytes:
    data = _good()
    e = wb.entry(data, "demo/core.py")
    out = bytearray(data)
    out[e.local_pos + 30 : e.local_pos + 30 + 4] = b"evil"
    return bytes(out)


def _overlap() -> bytes:
    data = _good()
    first = wb.entries(data)[0]
    return wb.patch(data, wb.entry(data, "demo/core.py").central_pos + 42, "<I", first.local_pos)


def _renamed(new: bytes) -> Callable[[], bytes]:
    placeholder = "demo/" + "x" * (len(new) - 5)

    def build() -> bytes:
        files = {"demo/__init__.py": b"", placeholder: b"payload\n"}
        return wb.rename(wb.wheel_bytes(files=files), placeholder, new)

    return build


def _with_files(files: dict[str, bytes], **kwargs: Any) -> Callable[[], bytes]:
    return lambda: wb.wheel_bytes(files=files, **kwargs)


def _with_member(member: Member) -> Callable[[], bytes]:
    return lambda: wb.zip_bytes([*wb.members(), member])


def _size_lie() -> bytes:
    """Directory and RECORD both claim 100 bytes; the deflate stream holds 6000."""
    content = b"x = 1\n" * 1000
    data = wb.wheel_bytes(
        files={"demo/__init__.py": content},
        record_overrides={"demo/__init__.py": (wb.record_hash(content), "100")},
    )
    return wb.patch_both(data, "demo/__init__.py", wb.LOCAL_SIZE, wb.CENTRAL_SIZE, "<I", 100)


def _crc() -> bytes:
    data = _good()
    return wb.patch_both(data, "demo/core.py", wb.LOCAL_CRC, wb.CENTRAL_CRC, "<I", 12345)


def _flags(value: int) -> Callable[[], bytes]:
    return lambda: wb.patch_both(
        _good(), "demo/core.py", wb.LOCAL_FLAGS, wb.CENTRAL_FLAGS, "<H", value
    )


def _script(name: str, group: str = "console_scripts") -> Callable[[], bytes]:
    return lambda: wb.wheel_bytes(entry_points=f"[{group}]\n{name} = demo.core:main\n")


def _record_says(path: str, hash_field: str, size_field: str) -> Callable[[], bytes]:
    return lambda: wb.wheel_bytes(record_overrides={path: (hash_field, size_field)})


CORE = "demo/core.py"

CASES = [
    # -- zip structure
    Case("prepended", lambda: b"#!/bin/sh\nexit 0\n" + _good(), InputError, "prepended"),
    Case("prepended-offsets-fixed", lambda: b"JUNK" * 4 + wb.shift_offsets(_good(), 16),
         InputError, "16 bytes precede its first member"),
    Case("appended", lambda: _good() + b"trailing junk", InputError, "appended"),
    Case("two-end-records", _two_ends, InputError, "more than one end-of-central-directory"),
    Case("end-record-in-comment", _end_in_comment, InputError, "more than one end-of-central"),
    Case("not-a-zip", lambda: b"hello" * 100, InputError, "not a zip archive"),
    Case("local-crc", _local_mismatch(14, "<I", 1), InputError, "local header", CORE),
    Case("local-size", _local_mismatch(22, "<I", 1), InputError, "local header", CORE),
    Case("local-method", _local_mismatch(8, "<H", 0), InputError, "local header", CORE),
    Case("local-name", _local_name, InputError, "different name in its local header", CORE),
    Case("overlapping-members", _overlap, InputError, "overlaps", CORE),
    Case("encrypted", _flags(1), InputError, "encrypted", CORE),
    Case("bzip2", _with_member(Member("demo/b.py", b"x", method=zipfile.ZIP_BZIP2)),
         InputError, "compression method 12", "demo/b.py"),
    Case("crc-mismatch", _crc, IntegrityError, "CRC-32", CORE),
    # -- member names
    Case("duplicate", _with_member(Member(CORE, b"other\n")), InputError, "twice", CORE),
    Case("duplicate-dot-slash", _with_member(Member("./" + CORE, b"other\n")),
         InputError, "twice", "./" + CORE),
    Case("duplicate-case", _with_member(Member("demo/Core.py", b"x")), InputError,
         "only by case", "demo/Core.py"),
    Case("file-and-directory", _with_member(Member("demo/core.py/x.py", b"x")), InputError,
         "which is a file", "demo/core.py/x.py"),
    Case("parent", _renamed(b"../escape.py"), InputError, "'..'", "../escape.py"),
    Case("parent-inside", _renamed(b"demo/../../x"), InputError, "'..'", "demo/../../x"),
    Case("absolute", _renamed(b"/etc/passwd"), InputError, "absolute", "/etc/passwd"),
    Case("drive-letter", _renamed(b"C:evil.py"), InputError, "drive letter", "C:evil.py"),
    Case("backslash", _renamed(b"demo\\evil.py"), InputError, "backslash", "demo\\evil.py"),
    Case("nul", _renamed(b"demo/ev\x00l.py"), InputError, "NUL", "demo/ev\x00l.py"),
    Case("control", _renamed(b"demo/ev\x1bl.py"), InputError, "control character"),
    Case("not-utf8", _renamed(b"demo/\xff\xfe.py"), InputError, "not valid UTF-8"),
    # -- file types
    Case("symlink", _with_member(Member("demo/link", b"/etc/passwd", mode=0o120777)),
         InputError, "symbolic link", "demo/link"),
    Case("device", _with_member(Member("demo/dev", b"", mode=0o020644)), InputError,
         "character device", "demo/dev"),
    Case("fifo", _with_member(Member("demo/fifo", b"", mode=0o010644)), InputError,
         "named pipe", "demo/fifo"),
    # -- sizes and limits
    Case("size-lie", _size_lie, InputError, "inflates past its declared size of 100",
         "demo/__init__.py"),
    Case("too-many-members", _good, InputError, "more than the limit of 3",
         limits=Limits(max_members=3)),
    Case("too-big", _good, InputError, "over the limit", limits=Limits(max_unpacked_bytes=50)),
    Case("member-too-big", _good, InputError, "over the limit", limits=Limits(max_member_bytes=10)),
    # -- WHEEL, METADATA, layout
    Case("wheel-version-2", lambda: wb.wheel_bytes(
        wheel_text="Wheel-Version: 2.0\nRoot-Is-Purelib: true\n"), InputError,
        "Wheel-Version 2.0; px reads version 1 wheels only", f"{DIST_INFO}/WHEEL"),
    Case("no-wheel-version", lambda: wb.wheel_bytes(wheel_text="Root-Is-Purelib: true\n"),
         InputError, "no Wheel-Version", f"{DIST_INFO}/WHEEL"),
    Case("no-purelib", lambda: wb.wheel_bytes(wheel_text="Wheel-Version: 1.0\n"),
         InputError, "Root-Is-Purelib", f"{DIST_INFO}/WHEEL"),
    Case("no-dist-info", lambda: wb.zip_bytes(
        [m for m in wb.members() if not m.name.startswith(DIST_INFO)]), InputError,
        "no .dist-info directory"),
    Case("two-dist-info", _with_member(Member("other-1.0.dist-info/METADATA", b"Name: other\n")),
         InputError, "2: demo-1.0.dist-info, other-1.0.dist-info"),
    Case("dist-info-name-mismatch", _good, InputError, "does not match the file name",
         filename="other-1.0-py3-none-any.whl"),
    Case("dist-info-version-mismatch", _good, InputError, "does not match the file name",
         filename="demo-2.0-py3-none-any.whl"),
    Case("metadata-name-mismatch", lambda: wb.wheel_bytes(
        metadata="Metadata-Version: 2.1\nName: other\nVersion: 1.0\n"), InputError,
        "says it is other 1.0", f"{DIST_INFO}/METADATA"),
    Case("metadata-version-mismatch", lambda: wb.wheel_bytes(
        metadata="Metadata-Version: 2.1\nName: demo\nVersion: 1.1\n"), InputError,
        "says it is demo 1.1", f"{DIST_INFO}/METADATA"),
    Case("bad-file-name", _good, InputError, "not a valid wheel name", filename="demo.whl"),
    Case("unknown-data-scheme", _with_files({"demo/__init__.py": b"",
         f"{DATA_DIR}/lib/x.py": b""}), InputError, ".data directories", f"{DATA_DIR}/lib/x.py"),
    Case("same-destination", _with_files({"demo/__init__.py": b"", "demo/x.py": b"",
         f"{DATA_DIR}/purelib/demo/x.py": b""}), InputError,
         "installs to the same path as"),
    Case("foreign-data-dir", _with_files({"demo/__init__.py": b"", "other-1.0.data/data/x": b""}),
         InputError, "does not belong"),
    # -- RECORD
    Case("not-in-record", lambda: wb.wheel_bytes(unlisted=[CORE]), InputError,
         "not listed in RECORD", CORE),
    Case("record-hash", _record_says(CORE, wb.record_hash(b"other"), "25"), IntegrityError,
         "sha256 hash in RECORD", CORE),
    Case("record-size", _record_says(CORE, wb.record_hash(b"x"), "3"), IntegrityError,
         "RECORD says 3", CORE),
    Case("record-no-hash", _record_says(CORE, "", "25"), InputError, "no hash"),
    Case("record-weak-hash", _record_says(CORE, "md5=abc", "25"), InputError, "'md5' hash"),
    Case("record-lists-missing", lambda: wb.wheel_bytes(
        record_rows=[("demo/gone.py", wb.record_hash(b""), "0")]), InputError,
        "lists demo/gone.py"),
    # -- scripts
    *[Case(f"script-{n}", _script(n), InputError, "shadow", f"{DIST_INFO}/entry_points.txt")
      for n in ("python", "python3", "python3.12", "pip", "pip3", "px", "Python.exe")],
    Case("gui-script-pythonw", _script("pythonw", "gui_scripts"), InputError, "shadow"),
    Case("script-separator", _script("bin/tool"), InputError, "path separator"),
    Case("script-bad-target", lambda: wb.wheel_bytes(
        entry_points="[console_scripts]\ntool = not a module\n"), InputError, "module:attribute"),
    Case("entry-points-broken", lambda: wb.wheel_bytes(entry_points="no section\n"),
         InputError, "is not valid", f"{DIST_INFO}/entry_points.txt"),
    Case("data-script-python", _with_files({"demo/__init__.py": b"",
         f"{DATA_DIR}/scripts/python": b"#!python\n"}), InputError, "shadow",
         f"{DATA_DIR}/scripts/python"),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_refused_and_nothing_stored(
    case: Case, store: Any, state: Callable[[Any], object], tmp_path: Path
) -> None:
    path = wb.write(tmp_path, case.build(), case.filename)
    before = state(store)
    with pytest.raises(PxError) as raised:
        ingest_wheel(store, path, limits=case.limits)
    error = raised.value
    assert type(error) is case.error, error.one_line()
    message = error.one_line()
    assert case.says in message
    assert case.filename in error.what
    if case.member is not None:
        assert repr(case.member)[1:-1] in message
    assert error.exit_code == (
        ExitCode.INTEGRITY if case.error is IntegrityError else ExitCode.INPUT
    )
    assert state(store) == before
    with pytest.raises(case.error):  # the same verdict without a store
        validate_wheel(path, case.filename, case.limits)
    trees = tmp_path / "trees"  # and when its tree is staged while it is validated
    with pytest.raises(case.error):
        wheel = WheelFile(path, case.filename, tree=trees / "demo-tree")
        ingest_wheels(store, [wheel], limits=case.limits)
    assert state(store) == before
    assert not trees.exists() or list(trees.iterdir()) == []


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_a_member_streamed_is_refused_as_one_read_whole(
    case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Small members are read and checked in one step, larger ones streamed in chunks:
    both ways refuse every case with the same message."""
    import px.install.validate as validate_module

    path = wb.write(tmp_path, case.build(), case.filename)
    with pytest.raises(PxError) as whole:
        validate_wheel(path, case.filename, case.limits)
    monkeypatch.setattr(validate_module, "OUT_CHUNK", -1)  # every member streams
    with pytest.raises(PxError) as streamed:
        validate_wheel(path, case.filename, case.limits)
    assert type(streamed.value) is type(whole.value)
    assert streamed.value.one_line() == whole.value.one_line()


def test_the_unbroken_wheel_of_the_cases_is_accepted(store: Any, tmp_path: Path) -> None:
    """The cases above differ from an accepted wheel only by what each breaks."""
    record = ingest_wheel(store, wb.write(tmp_path, _good()))
    assert [f.path for f in record.files] == [
        f"{DIST_INFO}/METADATA", f"{DIST_INFO}/RECORD", f"{DIST_INFO}/WHEEL",
        "demo/__init__.py", "demo/core.py",
    ]  # fmt: skip


def _bomb(size: int, record_size: int | None = None) -> bytes:
    """A wheel whose demo/bomb.bin is ``size`` zero bytes deflated."""
    zeros = bytes(size)
    overrides = {}
    if record_size is not None:
        overrides["demo/bomb.bin"] = (wb.record_hash(zeros), str(record_size))
    data = wb.wheel_bytes(
        files={"demo/__init__.py": b"", "demo/bomb.bin": zeros}, record_overrides=overrides
    )
    del zeros
    return data


def test_a_zip_bomb_is_refused_fast_without_inflating(
    store: Any, state: Callable[[Any], object], tmp_path: Path
) -> None:
    path = wb.write(tmp_path, _bomb(200 << 20))
    assert path.stat().st_size < 1 << 20  # about 1000:1
    before = state(store)
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(InputError) as raised:
            ingest_wheel(store, path)
        elapsed = time.monotonic() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "member 'demo/bomb.bin' expands" in raised.value.one_line()
    assert "zip bomb" in raised.value.one_line()
    assert elapsed < 5
    assert peak < 16 << 20
    assert state(store) == before


def test_a_bomb_that_lies_about_its_size_is_stopped_at_the_lie(
    store: Any, state: Callable[[Any], object], tmp_path: Path
) -> None:
    """Declared 1 KiB (so the ratio looks harmless), inflates to 200 MiB: stopped after ~1 MiB."""
    data = _bomb(200 << 20, record_size=1000)
    data = wb.patch_both(data, "demo/bomb.bin", wb.LOCAL_SIZE, wb.CENTRAL_SIZE, "<I", 1000)
    path = wb.write(tmp_path, data)
    before = state(store)
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(InputError) as raised:
            ingest_wheel(store, path)
        elapsed = time.monotonic() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "inflates past its declared size of 1000 bytes" in raised.value.one_line()
    assert elapsed < 5
    assert peak < 16 << 20
    assert state(store) == before


def test_overall_ratio_is_capped_even_when_each_member_is_small(tmp_path: Path) -> None:
    files = {f"demo/m{i}.txt": bytes(3 << 20) for i in range(4)}  # each under the 8 MiB floor
    path = wb.write(tmp_path, wb.wheel_bytes(files=files))
    with pytest.raises(InputError) as raised:
        validate_wheel(path)
    assert "overall" in raised.value.one_line()
    assert len(validate_wheel(path, limits=Limits(max_ratio=10_000)).members) == 7


def test_small_very_compressible_members_are_not_bombs(tmp_path: Path) -> None:
    """Real wheels hold such files: onnx ships a 2.5 MB test tensor that deflates 1016:1."""
    path = wb.write(tmp_path, wb.wheel_bytes(files={"demo/zeros.pb": bytes(2_560_015)}))
    assert len(validate_wheel(path).members) == 4


@pytest.mark.parametrize("script", ["pip", "pip3", "pip3.13"])
def test_pip_may_install_its_own_scripts(tmp_path: Path, script: str) -> None:
    data = wb.wheel_bytes(
        name="pip", version="25.0", entry_points=f"[console_scripts]\n{script} = pip:main\n"
    )
    path = wb.write(tmp_path, data, "pip-25.0-py3-none-any.whl")
    assert validate_wheel(path).entry_points.console[0].name == script


def test_px_may_install_its_own_script_but_never_python(tmp_path: Path) -> None:
    entry_points = "[console_scripts]\npx = px.cli.main:main\n"
    data = wb.wheel_bytes(name="px", version="1.0", entry_points=entry_points)
    validate_wheel(wb.write(tmp_path, data, "px-1.0-py3-none-any.whl"))
    data = wb.wheel_bytes(
        name="pip", version="25.0", entry_points="[console_scripts]\npython = pip:main\n"
    )
    with pytest.raises(InputError):
        validate_wheel(wb.write(tmp_path, data, "pip-25.0-py3-none-any.whl"))


def test_record_hashes_written_in_hex_are_checked_too(tmp_path: Path) -> None:
    """Some tools write hex digests (gmsh on PyPI does); the bytes are still verified."""
    import hashlib

    content = b"def main():\n    return 0\n"
    hex_hash = "sha256=" + hashlib.sha256(content).hexdigest()
    data = wb.wheel_bytes(record_overrides={CORE: (hex_hash, str(len(content)))})
    validate_wheel(wb.write(tmp_path, data))
    wrong = "sha256=" + hashlib.sha256(b"other").hexdigest()
    data = wb.wheel_bytes(record_overrides={CORE: (wrong, str(len(content)))})
    with pytest.raises(IntegrityError):
        validate_wheel(wb.write(tmp_path, data))


def test_random_damage_is_always_a_px_error(tmp_path: Path) -> None:
    """Flipped, cut and inserted bytes give a px error or a valid wheel, never a crash."""
    import random

    good = wb.wheel_bytes(entry_points="[console_scripts]\ntool = demo.core:main\n")
    rng = random.Random(20240101)
    path = tmp_path / FILENAME
    refused = 0
    for _ in range(400):
        data = bytearray(good)
        at = rng.randrange(len(data))
        kind = rng.randrange(3)
        if kind == 0:
            data[at] ^= rng.randrange(1, 256)
        elif kind == 1:
            data = data[:at]
        else:
            data[at:at] = rng.randbytes(rng.randint(1, 8))
        path.write_bytes(bytes(data))
        try:
            validate_wheel(path)
        except (InputError, IntegrityError):
            refused += 1
    assert refused > 300
