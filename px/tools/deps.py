"""`px tidy`'s check: declared dependencies nothing imports, imports nothing declares.

The rule:

- a **runtime** dependency (``[project] dependencies``, or an extra's) is used
  when the project's code (not its tests) imports a module it provides; one only
  the tests import is reported as unused, flagged ``tests_only`` (it belongs in
  the ``dev`` group, and `px tidy --fix` leaves it alone);
- a **dev** dependency (the ``dev`` dependency group) is used when any file of
  the project, tests included, imports a module it provides;
- a dependency that ships commands (console scripts, ``.data/scripts``) is
  never reported: px cannot see whether you run it; neither is one whose
  modules px cannot tell (a meta-package that provides no module);
- an import is **undeclared** when no declared dependency provides it: for the
  code, the runtime dependencies; for the tests, the runtime and dev ones.
  Standard-library modules (``sys.stdlib_module_names``), ``__future__`` and
  the project's own modules are ignored. The distribution that provides it
  anyway (installed as someone else's dependency) is named when known.

A module is matched on dotted names: ``import a.b.c`` is provided by ``a`` or
``a.b``; an import of a namespace package's root (``import nsroot``) counts for
each of its portions (``nsroot.a``, ``nsroot.b``).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from px.tools.imports import Imports

RUNTIME = "project.dependencies"
DEV = "dependency-groups.dev"


@dataclass(frozen=True)
class Declared:
    name: str  # normalised
    where: str  # RUNTIME, DEV or "project.optional-dependencies.<extra>"

    @property
    def runtime(self) -> bool:
        return self.where != DEV


@dataclass(frozen=True)
class Distribution:
    """What an installed distribution provides (from its wheel in the store)."""

    name: str  # normalised
    modules: frozenset[str]
    has_commands: bool = False


@dataclass(frozen=True)
class Unused:
    name: str
    where: str
    tests_only: bool = False  # a runtime dependency that only the tests import


@dataclass(frozen=True)
class Undeclared:
    module: str  # the top-level module (or namespace portion) as imported
    files: tuple[str, ...]  # where it is imported (relative paths)
    tests: bool  # imported only from test code
    provided_by: str | None  # an installed distribution that ships it, if any


@dataclass(frozen=True)
class DependencyReport:
    unused: tuple[Unused, ...]
    undeclared: tuple[Undeclared, ...]
    unreadable: tuple[str, ...] = ()


def provides(modules: Iterable[str], imported: str) -> bool:
    return any(
        imported == m or imported.startswith(m + ".") or m.startswith(imported + ".")
        for m in modules
    )


def guess_modules(name: str) -> frozenset[str]:
    """What a distribution not installed here probably provides: its name as a module."""
    return frozenset({name.replace("-", "_").replace(".", "_")})


def _ignored(module: str, local: frozenset[str]) -> bool:
    top = module.split(".", 1)[0]
    return top in sys.stdlib_module_names or top == "__future__" or top in local


def _imports_any(modules: frozenset[str], imports: Mapping[str, tuple[str, ...]]) -> bool:
    return any(provides(modules, imported) for imported in imports)


def check_dependencies(
    declared: Iterable[Declared],
    imports: Imports,
    installed: Mapping[str, Distribution],
    *,
    project: str,
) -> DependencyReport:
    """Compare what ``project`` declares with what its code imports (rules above)."""
    declared = [d for d in declared if d.name != project]
    known = dict(installed)
    for d in declared:
        known.setdefault(d.name, Distribution(d.name, guess_modules(d.name)))
    unused = []
    for d in sorted(set(declared), key=lambda d: (d.where, d.name)):
        dist = known[d.name]
        if dist.has_commands or not dist.modules:
            continue
        if d.runtime and not _imports_any(dist.modules, imports.code):
            unused.append(Unused(d.name, d.where, _imports_any(dist.modules, imports.tests)))
        elif not d.runtime and not _imports_any(dist.modules, {**imports.code, **imports.tests}):
            unused.append(Unused(d.name, d.where))
    own = [installed[project]] if project in installed else []  # the project's editable wheel
    runtime = [known[d.name] for d in declared if d.runtime]
    everything = runtime + [known[d.name] for d in declared if not d.runtime]
    missing: dict[str, tuple[set[str], bool]] = {}
    checks = ((imports.code, runtime, False), (imports.tests, everything, True))
    for table, allowed, tests in checks:
        for module, files in table.items():
            if _ignored(module, imports.local) or any(
                provides(x.modules, module) for x in (*allowed, *own)
            ):
                continue
            key = _reported_name(module, known.values())
            seen, only_tests = missing.get(key, (set(), True))
            missing[key] = (seen | set(files), only_tests and tests)
    undeclared = tuple(
        Undeclared(key, tuple(sorted(files)), tests, _provider(key, known.values()))
        for key, (files, tests) in sorted(missing.items())
    )
    return DependencyReport(tuple(unused), undeclared, imports.unreadable)


def _reported_name(module: str, distributions: Iterable[Distribution]) -> str:
    """The name to report an import under: the provided module it falls in, else its top."""
    for dist in distributions:
        for provided in dist.modules:
            if module == provided or module.startswith(provided + "."):
                return provided
    return module.split(".", 1)[0]


def _provider(module: str, distributions: Iterable[Distribution]) -> str | None:
    names = sorted(d.name for d in distributions if module in d.modules)
    return names[0] if names else None
