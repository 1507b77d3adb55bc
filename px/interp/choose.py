"""Choose the interpreter a lock targets.

In order: an explicit request (``--python``, ``PX_PYTHON``, ``[tool.px] python``:
a version like ``3.12`` or a path); else the interpreter running px when it
satisfies ``requires-python``; else the newest one found on the machine that does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from packaging.specifiers import SpecifierSet
from packaging.version import Version

from px.errors import InputError
from px.interp.probe import Interpreter


def _looks_like_path(request: str) -> bool:
    return "/" in request or "\\" in request or request.startswith(".")


def _matches_version(interpreter: Interpreter, request: str) -> bool:
    wanted = request.strip()
    version = interpreter.version
    return version == wanted or version.startswith(wanted + ".")


def choose_interpreter(
    *,
    requested: str | None,
    requires_python: SpecifierSet | None,
    running: Interpreter,
    discover: Callable[[], Iterable[Interpreter]],
    probe: Callable[[str], Interpreter],
) -> Interpreter:
    def fits(i: Interpreter) -> bool:
        return requires_python is None or requires_python.contains(i.version, prereleases=True)

    if requested:
        if _looks_like_path(requested):
            chosen = probe(str(Path(requested).expanduser()))
        elif _matches_version(running, requested):
            chosen = running
        else:
            found = sorted(
                (i for i in discover() if _matches_version(i, requested)),
                key=lambda i: Version(i.version),
                reverse=True,
            )
            if not found:
                raise InputError(
                    f"no Python {requested} found on this machine",
                    hint="install it, or pass --python with the path of an interpreter",
                )
            chosen = found[0]
        if not fits(chosen):
            raise InputError(
                f"Python {chosen.version} does not satisfy requires-python {requires_python}",
                hint="pick another interpreter with --python, or change requires-python",
            )
        return chosen
    if fits(running):
        return running
    candidates = list(discover())
    fitting = sorted((i for i in candidates if fits(i)), key=lambda i: Version(i.version))
    if fitting:
        return fitting[-1]
    seen = ", ".join(sorted({i.version for i in [running, *candidates]})) or "none"
    raise InputError(
        f"no interpreter on this machine satisfies requires-python {requires_python}",
        why=f"found Python {seen}",
        hint="install a matching Python, or pass --python PATH",
    )
