"""Small, exact locks for diff and why tests, built from the lock model."""

from __future__ import annotations

import hashlib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from px.lock import (
    Artifact,
    Dependency,
    IndexSource,
    Lock,
    LockedPackage,
    LockTarget,
    Roots,
    RootSet,
    Source,
    parse,
    serialise,
)

INDEX = "https://pypi.example/simple/"
MIRROR = "https://mirror.example/simple/"
TARGET = LockTarget(
    id="cp311-linux-x86_64",
    implementation="cpython",
    python_version="3.11",
    markers=(("python_version", "3.11"), ("sys_platform", "linux")),
    platform_tags=("manylinux_2_40_x86_64", "linux_x86_64"),
)


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def dep(text: str) -> Dependency:
    req = Requirement(text)
    return Dependency(
        name=canonicalize_name(req.name),
        specifier=str(req.specifier),
        marker=str(req.marker) if req.marker else None,
        extras=tuple(req.extras),
    )


def pkg(
    name: str,
    version: str,
    *requires: str,
    source: Source | None = None,
    marker: str | None = None,
    digest: str | None = None,
) -> LockedPackage:
    filename = f"{name.replace('-', '_')}-{version}-py3-none-any.whl"
    return LockedPackage(
        name=name,
        version=version,
        source=source or IndexSource(INDEX),
        targets=(TARGET.id,),
        marker=marker,
        dependencies=tuple(dep(r) for r in requires),
        artifacts=(
            Artifact(filename, f"https://files.example/{filename}", digest or sha(filename)),
        ),
    )


def make_lock(
    *packages: LockedPackage,
    roots: tuple[str, ...] = (),
    groups: dict[str, tuple[str, ...]] | None = None,
    extras: dict[str, tuple[str, ...]] | None = None,
    requires_python: str | None = ">=3.10",
    digest: str | None = None,
) -> Lock:
    inputs = repr((sorted(roots), groups, extras, requires_python))
    lock = Lock(
        requires_python=requires_python,
        input_digest="sha256:" + (digest or sha(inputs)),
        targets=(TARGET,),
        packages=packages,
        roots=Roots(
            dependencies=tuple(dep(r) for r in roots),
            optional=tuple(
                RootSet(n, tuple(dep(r) for r in rs)) for n, rs in (extras or {}).items()
            ),
            groups=tuple(RootSet(n, tuple(dep(r) for r in rs)) for n, rs in (groups or {}).items()),
        ),
    )
    return parse(serialise(lock))  # only valid locks: references checked as px.lock is


def write(path: Path, lock: Lock) -> Path:
    path.write_text(serialise(lock), encoding="utf-8")
    return path


def old_lock() -> Lock:
    """A web project before a review: flask and requests, pytest in the dev group."""
    return make_lock(
        pkg("flask", "2.3.0", "werkzeug>=2.3", "itsdangerous>=2"),
        pkg("werkzeug", "2.3.0"),
        pkg("itsdangerous", "2.1.2"),
        pkg("requests", "2.31.0", "urllib3<3,>=1.21", "certifi", "idna", "charset-normalizer>=2"),
        pkg("urllib3", "1.26.18"),
        pkg("certifi", "2024.2.2"),
        pkg("idna", "3.7"),
        pkg("charset-normalizer", "3.3.2"),
        pkg("pytest", "8.0.0", "colorama; sys_platform == 'win32'"),
        pkg("colorama", "0.4.6", marker='sys_platform == "win32"'),
        roots=("flask>=2", "requests>=2.31"),
        groups={"dev": ("pytest",)},
    )


def new_lock() -> Lock:
    """The same project after: flask dropped, httpx added, requests raised, and surprises."""
    return make_lock(
        pkg("requests", "2.32.0", "urllib3<3,>=2", "certifi", "idna", "charset-normalizer<3.3,>=2"),
        pkg("urllib3", "2.2.1"),
        pkg("certifi", "2024.2.2", digest=sha("re-uploaded")),  # same version, other bytes
        pkg("idna", "3.7", source=IndexSource(MIRROR)),
        pkg("charset-normalizer", "3.2.0"),
        pkg("httpx", "0.27.0", "anyio"),
        pkg("anyio", "4.3.0"),
        pkg("pytest", "8.0.0", "colorama; sys_platform == 'win32' or os_name == 'nt'"),
        pkg("colorama", "0.4.6", marker='sys_platform == "win32" or os_name == "nt"'),
        roots=("requests>=2.32", "httpx"),
        groups={"dev": ("pytest",)},
    )
