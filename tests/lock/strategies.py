"""Hypothesis strategies that build valid v1 locks (with awkward strings where allowed)."""

from __future__ import annotations

from hypothesis import strategies as st

from px.lock import (
    Artifact,
    Dependency,
    IndexSource,
    Lock,
    LockedPackage,
    LockTarget,
    PathSource,
    Roots,
    RootSet,
    Source,
    VcsSource,
)

names = st.builds(
    lambda head, body, tail: head + body + (f"-{tail}" if tail else ""),
    st.sampled_from("abcxyz"),
    st.text("abz029", max_size=5),
    st.text("ab19", max_size=2),
)
versions = st.builds(
    lambda a, b, c, pre: f"{a}.{b}.{c}{pre}",
    st.integers(0, 30),
    st.integers(0, 30),
    st.integers(0, 9),
    st.sampled_from(["", "a1", "rc2", ".post1", ".dev3"]),
)
specifiers = st.sampled_from(["", ">=1", ">=1.0,<2", "==1.0.*", "~=2.1", "!=3"])
markers = st.sampled_from(
    [
        'sys_platform == "win32"',
        "python_version < \"3.12\" and platform_machine != 'arm64'",
        'extra == "socks"',
        'os_name == "nt" or implementation_name == "pypy"',
    ]
)
optional_markers = st.none() | markers
hex64 = st.binary(min_size=32, max_size=32).map(bytes.hex)
awkward = st.text(min_size=1, max_size=20)  # quotes, backslashes, controls, non-ASCII
TARGET_IDS = ["cp311-linux-x86_64", "cp312-darwin-arm64", "pp310-win32-amd64"]


marker_names = st.lists(
    st.sampled_from(["os_name", "platform_machine", "python_version", "sys_platform"]), unique=True
)
platform_tags = st.lists(st.sampled_from(["manylinux_2_17_x86_64", "any"])).map(tuple)
# A dependency's target is drawn as a number and mapped onto the lock's names,
# so that every strategy is built once (building strategies per draw is slow).
dependency_shapes = st.tuples(
    st.integers(0, 50), specifiers, optional_markers, st.lists(names, max_size=2).map(tuple)
)
dependency_lists = st.lists(dependency_shapes, max_size=3)
root_set_lists = st.lists(
    st.tuples(names, st.lists(dependency_shapes, max_size=2)), max_size=2, unique_by=lambda r: r[0]
)
target_choices = st.lists(st.integers(0, 2), min_size=1, unique=True)
commits = st.binary(min_size=20, max_size=20).map(bytes.hex)
sizes = st.none() | st.integers(0, 2**40)


def to_dependencies(
    shapes: list[tuple[int, str, str | None, tuple[str, ...]]], known: list[str]
) -> tuple[Dependency, ...]:
    return tuple(
        Dependency(known[i % len(known)], spec, marker, extras)
        for i, spec, marker, extras in shapes
    )


@st.composite
def targets(draw: st.DrawFn, target_id: str) -> LockTarget:
    return LockTarget(
        id=target_id,
        implementation=draw(st.sampled_from(["cpython", "pypy"])),
        python_version=draw(st.sampled_from(["3.10", "3.11", "3.13"])),
        markers=tuple((name, draw(awkward)) for name in draw(marker_names)),
        platform_tags=draw(platform_tags),
    )


def artifacts(draw: st.DrawFn, name: str, version: str, count: int) -> tuple[Artifact, ...]:
    stem = f"{name.replace('-', '_')}-{version}"
    filenames = [f"{stem}-py3-none-any.whl", f"{stem}.tar.gz"][:count]
    return tuple(
        Artifact(
            filename=filename,
            url="https://files.example/" + draw(awkward),
            sha256=draw(hex64),
            size=draw(sizes),
        )
        for filename in filenames
    )


@st.composite
def sources(draw: st.DrawFn) -> Source:
    kind = draw(st.sampled_from(["index", "index", "vcs", "path"]))
    if kind == "index":
        return IndexSource(draw(st.sampled_from(["https://pypi.org/simple", "file:///srv/idx"])))
    if kind == "vcs":
        return VcsSource("https://git.example/repo.git", draw(commits))
    return PathSource(draw(awkward), editable=draw(st.booleans()))


@st.composite
def locks(draw: st.DrawFn) -> Lock:
    target_ids = [TARGET_IDS[i] for i in draw(target_choices)]
    package_names = draw(st.lists(names, min_size=1, max_size=6, unique=True))
    packages = []
    for name in package_names:
        version = draw(versions)
        source = draw(sources())
        count = draw(st.integers(1, 2)) if isinstance(source, IndexSource) else 0
        packages.append(
            LockedPackage(
                name=name,
                version=version,
                source=source,
                targets=tuple(target_ids[i % len(target_ids)] for i in draw(target_choices)),
                marker=draw(optional_markers),
                extras=tuple(draw(st.lists(names, max_size=2))),
                dependencies=to_dependencies(draw(dependency_lists), package_names),
                artifacts=artifacts(draw, name, version, count),
            )
        )

    def root_sets() -> tuple[RootSet, ...]:
        return tuple(
            RootSet(name, to_dependencies(shapes, package_names))
            for name, shapes in draw(root_set_lists)
        )

    return Lock(
        requires_python=draw(st.none() | st.sampled_from([">=3.10", ">=3.8,<4"])),
        input_digest="sha256:" + draw(hex64),
        targets=tuple(draw(targets(t)) for t in target_ids),
        packages=tuple(packages),
        roots=Roots(
            to_dependencies(draw(dependency_lists), package_names), root_sets(), root_sets()
        ),
    )
