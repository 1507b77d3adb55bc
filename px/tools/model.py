"""The tools behind `px fmt` and `px lint`, behind one small interface.

A :class:`Tool` is a distribution px installs into a tool environment of its
own and a way to build the command lines for formatting and linting. Ruff is
the only one so far; ``[tool.px] formatter`` names the tool and may pin its
version (``"ruff"`` or ``"ruff==0.6.9"``). Another formatter is one more
object in :data:`FORMATTERS`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from px.errors import InputError

RUFF_VERSION = "0.17.6"  # the ruff px is developed with (its dev extras); a project may pin another


class Tool(Protocol):
    """A formatter/linter px can install and run."""

    @property
    def name(self) -> str:
        """The distribution to install, normalised (also the tool's name)."""
        ...

    @property
    def default_version(self) -> str: ...

    @property
    def executable(self) -> str:
        """The program in the environment's ``bin/``."""
        ...

    def requirement(self, version: str) -> str:
        """What to resolve for ``version``, e.g. ``ruff==0.6.9``."""
        ...

    def format_argv(self, paths: Sequence[str], *, check: bool) -> list[str]:
        """Arguments after the executable: format ``paths`` (only report, with ``check``)."""
        ...

    def lint_argv(self, paths: Sequence[str], *, fix: bool, json: bool = False) -> list[str]:
        """Arguments after the executable: lint ``paths`` (and fix what it can, with ``fix``);
        with ``json``, the tool's report as one JSON document."""
        ...


@dataclass(frozen=True)
class Ruff:
    name: str = "ruff"
    default_version: str = RUFF_VERSION
    executable: str = "ruff"

    def requirement(self, version: str) -> str:
        return f"{self.name}=={version}"

    def format_argv(self, paths: Sequence[str], *, check: bool) -> list[str]:
        return ["format", *(["--check"] if check else []), *paths]

    def lint_argv(self, paths: Sequence[str], *, fix: bool, json: bool = False) -> list[str]:
        flags = ["--fix"] if fix else []
        return ["check", *flags, *(["--output-format", "json"] if json else []), *paths]


RUFF = Ruff()
FORMATTERS: dict[str, Tool] = {RUFF.name: RUFF}
SETTING = "tool.px.formatter"


def choose_formatter(setting: str | None) -> tuple[Tool, str]:
    """The tool and version ``[tool.px] formatter`` asks for (ruff at px's pin when unset)."""
    if setting is None:
        return RUFF, RUFF.default_version
    try:
        requirement = Requirement(setting)
    except InvalidRequirement as error:  # the project reader checked it; be safe anyway
        raise InputError(
            f"pyproject.toml: {SETTING}: invalid {setting!r}", why=str(error)
        ) from None
    tool = FORMATTERS.get(canonicalize_name(requirement.name))
    if tool is None:
        raise InputError(
            f"pyproject.toml: {SETTING}: px cannot run {requirement.name!r} yet",
            hint=f"use one of: {', '.join(sorted(FORMATTERS))}",
        )
    pins = [s.version for s in requirement.specifier if s.operator == "=="]
    return tool, pins[0] if pins else tool.default_version
