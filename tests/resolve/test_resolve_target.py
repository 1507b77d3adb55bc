"""Target: a marker environment built from a few values, and evaluated for that target."""

from __future__ import annotations

import pytest
from packaging.markers import Marker
from packaging.version import Version

from px.errors import InputError
from px.resolve import Target
from px.resolve.target import MARKER_NAMES, MarkerEvaluator


def test_for_python_fills_a_consistent_linux_environment() -> None:
    target = Target.for_python("3.11.7")
    env = target.marker_environment()
    assert set(env) == MARKER_NAMES
    assert env["python_version"] == "3.11" and env["python_full_version"] == "3.11.7"
    assert env["sys_platform"] == "linux" and env["platform_machine"] == "x86_64"
    assert target.implementation == "cpython"
    assert hash(target) == hash(Target.for_python("3.11.7"))


def test_overrides_and_short_versions() -> None:
    target = Target.from_environment({"python_version": "3.10", "sys_platform": "darwin"})
    assert target.python_full_version == "3.10.0"
    assert target.marker_environment()["sys_platform"] == "darwin"
    assert Target.for_python("3.13.0rc1").python_release == Version("3.13.0")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"python_full_version": "3.12.0", "sys_platfrom": "linux"}, "unknown marker name"),
        ({"sys_platform": "linux"}, "no python_full_version"),
        ({"python_full_version": "three"}, "not a version"),
    ],
)
def test_bad_environments_are_input_errors(env: dict[str, str], message: str) -> None:
    with pytest.raises(InputError, match=message):
        Target.from_environment(env)


def test_current_describes_this_interpreter() -> None:
    import platform
    import sys

    target = Target.current()
    assert target.python_full_version.startswith(f"{sys.version_info[0]}.{sys.version_info[1]}")
    assert target.marker_environment()["platform_machine"] == platform.machine()


def test_marker_evaluator_handles_extras_and_bad_comparisons() -> None:
    evaluator = MarkerEvaluator(Target.for_python("3.9.1", sys_platform="win32"))
    assert evaluator.evaluate(Marker("python_version < '3.10' and sys_platform == 'win32'"))
    assert not evaluator.evaluate(Marker("extra == 'Cli_Tools'"))
    assert evaluator.evaluate(Marker("extra == 'Cli_Tools'"), "cli-tools")
    assert not evaluator.evaluate(Marker("python_version > 'banana'"))
