"""Choosing the interpreter a lock targets."""

from __future__ import annotations

import sys

import pytest
from packaging.specifiers import SpecifierSet

from px.errors import InputError
from px.interp import Interpreter, choose_interpreter, describe_running, probe


def fake(version: str, path: str | None = None) -> Interpreter:
    short = ".".join(version.split(".")[:2])
    markers = {
        "python_full_version": version,
        "python_version": short,
        "implementation_name": "cpython",
        "sys_platform": "linux",
    }
    return Interpreter(
        path=path or f"/opt/python{short}/bin/python3",
        markers=tuple(sorted(markers.items())),
        tags=(f"cp{short.replace('.', '')}-cp{short.replace('.', '')}-linux_x86_64",),
    )


MACHINE = [fake("3.10.13"), fake("3.12.1"), fake("3.13.0")]


def choose(requested: str | None, spec: str | None, running: str = "3.11.7") -> Interpreter:
    calls: list[str] = []

    def discover() -> list[Interpreter]:
        calls.append("discover")
        return MACHINE

    chosen = choose_interpreter(
        requested=requested,
        requires_python=SpecifierSet(spec) if spec else None,
        running=fake(running, "/running/python"),
        discover=discover,
        probe=lambda path: fake("3.12.1", path),
    )
    if requested is None and chosen.path == "/running/python":
        assert calls == []  # the common case never scans the machine
    return chosen


def test_running_interpreter_when_it_fits() -> None:
    assert choose(None, ">=3.10").path == "/running/python"
    assert choose(None, None).path == "/running/python"


def test_newest_fitting_interpreter_otherwise() -> None:
    assert choose(None, ">=3.12").version == "3.13.0"
    assert choose(None, ">=3.10,<3.11").version == "3.10.13"


def test_none_fits_lists_what_was_found() -> None:
    with pytest.raises(InputError) as raised:
        choose(None, ">=3.14")
    assert "3.10.13" in (raised.value.why or "") and "3.13.0" in (raised.value.why or "")


def test_explicit_version_and_path() -> None:
    assert choose("3.12", None).version == "3.12.1"
    assert choose("3.11", None).path == "/running/python"
    assert choose("/custom/python3", None).path == "/custom/python3"
    with pytest.raises(InputError, match=r"no Python 3\.9"):
        choose("3.9", None)
    with pytest.raises(InputError, match="does not satisfy"):
        choose("3.10", ">=3.11")


def test_probe_agrees_with_the_running_interpreter() -> None:
    here = describe_running()
    there = probe(sys.executable)
    assert there.markers == here.markers
    assert there.tags == here.tags


def test_probe_of_a_non_interpreter_is_a_clear_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    script = tmp_path / "python3"
    script.write_text("#!/bin/sh\necho not python\n")
    script.chmod(0o755)
    with pytest.raises(InputError, match="did not describe itself"):
        probe(script)
    with pytest.raises(InputError, match="cannot run"):
        probe(tmp_path / "missing")
