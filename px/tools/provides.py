"""Which importable modules a distribution provides, read from its wheel's file list.

A file at the wheel's root (or under ``.data/purelib`` / ``.data/platlib``)
gives its top-level name: ``six.py`` gives ``six``, ``_cffi_backend.cpython-311-
x86_64-linux-gnu.so`` gives ``_cffi_backend``, a directory with an
``__init__.py`` gives the package. A directory without one is a PEP 420
namespace: what it provides is its portions, one level down (``nsroot/a/...``
gives ``nsroot.a``), so two distributions sharing ``nsroot`` are told apart.
``foo-stubs/`` (PEP 561) provides ``foo``. Names in ``top_level.txt`` are added
when the files did not already account for them.
"""

from __future__ import annotations

from collections.abc import Iterable

_LIB_SCHEMES = ("purelib", "platlib")
_MODULE_SUFFIXES = (".py", ".so", ".pyd")
_SOURCE_SUFFIXES = (*_MODULE_SUFFIXES, ".pyi")


def _library_path(path: str) -> str | None:
    """The path as installed in site-packages, or None for metadata, scripts and data."""
    head, _, rest = path.partition("/")
    if head.endswith(".dist-info"):
        return None
    if head.endswith(".data"):
        scheme, _, inner = rest.partition("/")
        return inner if scheme in _LIB_SCHEMES and inner else None
    return path


def _module_name(filename: str) -> str | None:
    if not filename.endswith(_MODULE_SUFFIXES):
        return None
    name = filename.split(".", 1)[0]
    return name if name.isidentifier() else None


def provided_modules(paths: Iterable[str], top_level: str | None = None) -> frozenset[str]:
    """The dotted module names a wheel with these file ``paths`` makes importable."""
    files = {p for p in (_library_path(path) for path in paths) if p}
    found: set[str] = set()
    _walk(files, "", "", found)
    for line in (top_level or "").splitlines():
        name = line.strip().replace("/", ".")
        if name and not any(f == name or f.startswith(name + ".") for f in found):
            found.add(name)
    return frozenset(found)


def _walk(files: set[str], prefix: str, dotted: str, found: set[str]) -> None:
    """Collect the modules under directory ``prefix`` (``dotted`` is its module name)."""
    children: dict[str, set[str]] = {}
    for path in files:
        if not path.startswith(prefix):
            continue
        head, sep, rest = path[len(prefix) :].partition("/")
        if sep:
            children.setdefault(head, set()).add(rest)
        elif name := _module_name(head):
            found.add(f"{dotted}.{name}" if dotted else name)
    for child, inside in sorted(children.items()):
        stubs = not prefix and child.endswith("-stubs")
        name = child.removesuffix("-stubs") if stubs else child
        if not name.isidentifier() or not any(p.endswith(_SOURCE_SUFFIXES) for p in inside):
            continue  # data, not code
        full = f"{dotted}.{name}" if dotted else name
        if stubs or "__init__.py" in inside or "__init__.pyi" in inside:
            found.add(full)
        else:
            _walk(files, f"{prefix}{child}/", full, found)
