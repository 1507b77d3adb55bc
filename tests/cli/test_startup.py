"""Start-up stays light, help is useful, the man page builds."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from px import __version__
from px.errors import ExitCode

PYVER = ".".join(map(str, sys.version_info[:3]))

HEAVY = ("sqlalchemy", "alembic", "resolvelib", "urllib3", "zstandard", "blake3", "tomlkit")

PROBE = f"""
import sys
from px.cli.main import main
try:
    code = main(sys.argv[1:])
finally:
    heavy = sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))
    print('HEAVY:' + ','.join(heavy))
raise SystemExit(code)
"""


def loaded(*argv: str, tmp_path: Path) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *argv],
        capture_output=True,
        text=True,
        env={"PX_HOME": str(tmp_path / "store"), "PATH": "/usr/bin:/bin"},
    )
    line = next(ln for ln in result.stdout.splitlines() if ln.startswith("HEAVY:"))
    return [m for m in line[len("HEAVY:") :].split(",") if m]


def test_version_and_help_import_nothing_heavy(tmp_path: Path) -> None:
    assert loaded("--version", tmp_path=tmp_path) == []
    assert loaded("--help", tmp_path=tmp_path) == []
    assert loaded("cache", "--help", tmp_path=tmp_path) == []


def test_store_commands_load_neither_sqlalchemy_nor_alembic(tmp_path: Path) -> None:
    # the probe itself is sound: what opening the store needs shows up
    created = loaded("cache", "verify", tmp_path=tmp_path)  # creates the store
    assert "blake3" in created
    assert "sqlalchemy" not in created and "alembic" not in created
    again = loaded("cache", "verify", tmp_path=tmp_path)
    assert "sqlalchemy" not in again and "alembic" not in again


def test_help_lists_commands_and_global_options() -> None:
    result = subprocess.run([sys.executable, "-m", "px", "--help"], capture_output=True, text=True)
    assert result.returncode == 0
    for word in ("cache", "query", "--json", "--offline", "--store", "--version"):
        assert word in result.stdout
    sub = subprocess.run(
        [sys.executable, "-m", "px", "cache", "verify", "--help"], capture_output=True, text=True
    )
    assert sub.returncode == 0 and "--json" in sub.stdout and "damaged" in sub.stdout


def test_man_page_is_generated_from_the_parser(tmp_path: Path) -> None:
    out = tmp_path / "px.1"
    tool = Path(sys.executable).with_name("argparse-manpage")
    subprocess.run(
        [
            str(tool),
            "--module",
            "px.cli.parser",
            "--function",
            "build_parser",
            "--prog",
            "px",
            "--project-name",
            "px",
            "--url",
            "https://px.invalid",
            "--output",
            str(out),
        ],
        check=True,
        capture_output=True,
    )
    text = out.read_text()
    assert ".TH" in text and "cache" in text and "query" in text


def test_the_command_exits_without_teardown_yet_loses_no_output(tmp_path: Path) -> None:
    """`px` (``entry``) ends with ``os._exit``: buffered output must still arrive whole,
    and the exit code must be main's."""
    env = {"PX_HOME": str(tmp_path / "store"), "PATH": "/usr/bin:/bin"}  # stdout buffered

    def px(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "px", *argv],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
        )

    version = px("--version")
    assert (version.returncode, version.stdout) == (0, f"px {__version__} (Python {PYVER})\n")
    info = px("cache", "info")
    assert info.returncode == 0
    assert info.stdout.startswith("store:") and "objects:  0\n" in info.stdout
    stale = px("lock", "--check")  # no pyproject.toml here
    assert stale.returncode == ExitCode.INPUT
    assert stale.stderr.startswith("error: no pyproject.toml found") and stale.stdout == ""


def test_a_reader_that_goes_away_ends_the_command_without_a_traceback(tmp_path: Path) -> None:
    env = {"PX_HOME": str(tmp_path / "store"), "PATH": "/usr/bin:/bin", "PYTHONUNBUFFERED": "1"}
    for argv in (["--version"], ["cache", "info"]):  # before main's handler, and inside it
        read, write = os.pipe()
        os.close(read)  # every write to stdout fails: EPIPE
        try:
            result = subprocess.run(
                [sys.executable, "-m", "px", *argv], stdout=write, stderr=subprocess.PIPE, env=env
            )
        finally:
            os.close(write)
        assert (result.returncode, result.stderr) == (ExitCode.FAILURE, b""), argv
