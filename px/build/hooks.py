"""Call a build backend's PEP 517 / PEP 660 hooks in a given interpreter.

:class:`Backend` wraps ``pyproject_hooks.BuildBackendHookCaller``: each hook
runs in a fresh process of ``python`` (the isolated build environment's), in
the source tree, through an injected :class:`~px.build.runner.HookRunner`
(default: output captured and logged). Every failure becomes a
:class:`~px.errors.BuildError` naming the distribution, the hook and the last
lines of the backend's output.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

from px.build.runner import HookFailed, HookRunner, run_captured
from px.build.system import BuildSystem, parse_requirements
from px.errors import BuildError

if TYPE_CHECKING:
    from packaging.requirements import Requirement

T = TypeVar("T")
TAIL_LINES = 20
ConfigSettings: TypeAlias = "Mapping[str, str | list[str]]"


def tail(output: str, lines: int = TAIL_LINES) -> list[str]:
    """The last ``lines`` non-blank lines of ``output``."""
    return [line for line in output.splitlines() if line.strip()][-lines:]


class Backend:
    """The hooks of the build backend of ``source_dir``, run by ``python``."""

    def __init__(
        self,
        source_dir: Path,
        system: BuildSystem,
        python: Path,
        *,
        name: str,
        runner: HookRunner | None = None,
        config_settings: ConfigSettings | None = None,
    ) -> None:
        from pyproject_hooks import BuildBackendHookCaller

        self.name = name
        self.system = system
        self.source_dir = source_dir
        self.config_settings = dict(config_settings) if config_settings else None
        try:
            self._caller = BuildBackendHookCaller(
                str(source_dir),
                system.backend,
                backend_path=list(system.backend_path) or None,
                runner=runner or run_captured,
                python_executable=str(python),
            )
        except ValueError as error:  # a backend-path outside the source tree
            raise BuildError(
                f"cannot build {name}",
                why=f"[build-system] backend-path is invalid: {error}",
                hint=f"fix the build configuration of {name}",
            ) from None

    # -- requirements ------------------------------------------------------------------

    def get_requires_for_build_wheel(self) -> tuple[Requirement, ...]:
        return self._requires("get_requires_for_build_wheel")

    def get_requires_for_build_editable(self) -> tuple[Requirement, ...]:
        return self._requires("get_requires_for_build_editable")

    def get_requires_for_build_sdist(self) -> tuple[Requirement, ...]:
        return self._requires("get_requires_for_build_sdist")

    # -- builds ------------------------------------------------------------------------

    def prepare_metadata_for_build_wheel(self, directory: Path) -> Path:
        """The ``.dist-info`` directory the backend wrote into ``directory``."""
        directory.mkdir(parents=True, exist_ok=True)
        name = self._call(
            "prepare_metadata_for_build_wheel",
            lambda: self._caller.prepare_metadata_for_build_wheel(
                str(directory), self.config_settings
            ),
        )
        return self._output(directory, name, "prepare_metadata_for_build_wheel")

    def build_wheel(self, directory: Path, metadata_directory: Path | None = None) -> Path:
        """Build a wheel into ``directory``; its path."""
        directory.mkdir(parents=True, exist_ok=True)
        name = self._call(
            "build_wheel",
            lambda: self._caller.build_wheel(
                str(directory),
                self.config_settings,
                str(metadata_directory) if metadata_directory else None,
            ),
        )
        return self._output(directory, name, "build_wheel")

    def build_editable(self, directory: Path) -> Path:
        """Build a PEP 660 editable wheel into ``directory``; its path."""
        directory.mkdir(parents=True, exist_ok=True)
        name = self._call(
            "build_editable",
            lambda: self._caller.build_editable(str(directory), self.config_settings),
        )
        return self._output(directory, name, "build_editable")

    def build_sdist(self, directory: Path) -> Path:
        """Build an sdist into ``directory``; its path."""
        directory.mkdir(parents=True, exist_ok=True)
        name = self._call(
            "build_sdist", lambda: self._caller.build_sdist(str(directory), self.config_settings)
        )
        return self._output(directory, name, "build_sdist")

    # -- internals ---------------------------------------------------------------------

    def _requires(self, hook: str) -> tuple[Requirement, ...]:
        caller: Callable[[Any], Any] = getattr(self._caller, hook)
        found = self._call(hook, lambda: caller(self.config_settings))
        if not isinstance(found, list) or not all(isinstance(r, str) for r in found):
            raise self._error(hook, f"the {hook} hook did not return a list of strings")
        return parse_requirements(found, name=self.name, origin=f"the {hook} hook's answer")

    def _output(self, directory: Path, name: object, hook: str) -> Path:
        if not isinstance(name, str) or not name or "/" in name or "\\" in name:
            raise self._error(hook, f"the {hook} hook returned {name!r}, not a file name")
        path = directory / name
        if not path.exists():
            raise self._error(hook, f"the {hook} hook named {name}, which it did not write")
        return path

    def _call(self, hook: str, call: Callable[[], T]) -> T:
        from pyproject_hooks import (
            BackendUnavailable,
            BuildBackendWarning,
            HookMissing,
            UnsupportedOperation,
        )

        # pyproject_hooks re-raises the backend's warnings here, where Python would print
        # them: noise like setuptools' deprecation notices in every `px lock` that builds.
        # Shown with `px -v`, as the backend's output is.
        if not logging.getLogger("px.build").isEnabledFor(logging.INFO):
            warnings.filterwarnings("ignore", category=BuildBackendWarning)
        try:
            return call()
        except HookFailed as error:
            lines = tail(error.output)
            last = lines[-1] if lines else f"it exited with status {error.returncode}, silently"
            raise self._error(hook, last, details=lines) from None
        except BackendUnavailable as error:
            lines = tail(error.traceback)
            why = f"the build backend {self.system.backend!r} cannot be imported"
            if lines:
                why += f": {lines[-1].strip()}"
            raise BuildError(
                f"building {self.name} failed in the {hook} hook",
                why=why,
                hint=f"check [build-system] of {self.name}: its build-backend and requires",
                details=lines,
            ) from None
        except HookMissing as error:
            raise self._missing(hook, str(error) or hook) from None
        except UnsupportedOperation as error:
            raise self._error(
                hook, "the backend does not support this operation", details=tail(error.traceback)
            ) from None

    def _missing(self, hook: str, missing: str) -> BuildError:
        if hook == "build_editable":
            return BuildError(
                f"cannot install {self.name} as editable",
                why=f"its build backend {self.system.backend!r} has no build_editable hook "
                "(PEP 660 editable installs are not supported by it)",
                hint="upgrade the build backend to a version that supports PEP 660 "
                "(setuptools>=64, hatchling, flit-core>=3.4, pdm-backend, poetry-core>=1.0.8)",
            )
        return self._error(hook, f"its build backend {self.system.backend!r} has no {missing} hook")

    def _error(self, hook: str, why: str, *, details: list[str] | None = None) -> BuildError:
        return BuildError(
            f"building {self.name} failed in the {hook} hook",
            why=why,
            hint="run px with -v to see the backend's whole output",
            details=details or [],
        )
