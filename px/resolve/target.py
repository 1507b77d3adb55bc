"""The interpreter and platform a resolution is for, as a PEP 508 marker environment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

from packaging.markers import Marker, UndefinedComparison, UndefinedEnvironmentName
from packaging.version import InvalidVersion, Version

from px.errors import InputError

# What a target is when nothing else is said: CPython on Linux x86_64.
_DEFAULTS: dict[str, str] = {
    "implementation_name": "cpython",
    "os_name": "posix",
    "platform_machine": "x86_64",
    "platform_python_implementation": "CPython",
    "platform_release": "",
    "platform_system": "Linux",
    "platform_version": "",
    "sys_platform": "linux",
}

MARKER_NAMES = frozenset(
    {*_DEFAULTS, "implementation_version", "python_full_version", "python_version"}
)


@dataclass(frozen=True)
class Target:
    """A Python version and platform; ``environment`` holds every PEP 508 marker value."""

    python_full_version: str
    implementation: str
    environment: tuple[tuple[str, str], ...]

    @classmethod
    def from_environment(cls, env: Mapping[str, str]) -> Target:
        """Build from marker values; missing ones come from CPython on Linux x86_64.

        ``python_full_version`` (or at least ``python_version``) is required;
        ``python_version`` and ``implementation_version`` follow from it unless given.
        """
        unknown = sorted(set(env) - MARKER_NAMES)
        if unknown:
            raise InputError(
                f"unknown marker name in target: {', '.join(unknown)}",
                hint=f"use only {', '.join(sorted(MARKER_NAMES))}",
            )
        full = env.get("python_full_version") or env.get("python_version")
        if not full:
            raise InputError("target has no python_full_version")
        try:
            release = Version(full).release
        except InvalidVersion:
            raise InputError(f"target python version is not a version: {full!r}") from None
        if "python_full_version" not in env and len(release) < 3:
            full = ".".join(str(part) for part in (*release, 0, 0)[:3])
        values = {
            **_DEFAULTS,
            "python_full_version": full,
            "python_version": ".".join(str(part) for part in (*release, 0)[:2]),
            "implementation_version": full,
            **env,
        }
        return cls(full, values["implementation_name"], tuple(sorted(values.items())))

    @classmethod
    def for_python(cls, python_full_version: str, **markers: str) -> Target:
        """``Target.for_python("3.12.1", sys_platform="win32")``."""
        return cls.from_environment({"python_full_version": python_full_version, **markers})

    @classmethod
    def current(cls) -> Target:
        """The running interpreter and platform."""
        from packaging.markers import default_environment

        env = {key: str(value) for key, value in default_environment().items()}
        return cls.from_environment({k: v for k, v in env.items() if k in MARKER_NAMES})

    @cached_property
    def python_release(self) -> Version:
        """What Requires-Python is checked against: ``3.13.0`` for ``3.13.0rc1``, as pip does."""
        release = Version(self.python_full_version).release
        return Version(".".join(str(part) for part in (*release, 0, 0)[:3]))

    def marker_environment(self) -> dict[str, str]:
        """A fresh dict of the marker values (``extra`` not included)."""
        return dict(self.environment)


class MarkerEvaluator:
    """Evaluates markers for one target, each distinct (marker, extra) once."""

    def __init__(self, target: Target) -> None:
        self._base = target.marker_environment()
        self._envs: dict[str, dict[str, str]] = {}
        self._results: dict[tuple[str, str], bool] = {}

    def evaluate(self, marker: Marker, extra: str = "") -> bool:
        """Whether ``marker`` holds on the target with ``extra`` requested ("" for none).

        A marker that cannot be evaluated (an undefined comparison) is false.
        """
        key = (str(marker), extra)
        result = self._results.get(key)
        if result is None:
            env = self._envs.get(extra)
            if env is None:
                env = self._envs[extra] = {**self._base, "extra": extra}
            try:
                result = marker.evaluate(env)
            except (UndefinedComparison, UndefinedEnvironmentName):
                result = False
            self._results[key] = result
        return result
