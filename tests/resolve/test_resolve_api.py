"""The public entry point: determinism, speed, cheap import, input errors, reporting."""

from __future__ import annotations

import random
import subprocess
import sys
import time

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName
from packaging.version import Version

from px.errors import InputError
from px.resolve import ROOT, Metadata, ProjectNotFound, Target, VersionInfo, resolve
from px.resolve.memory import MemorySource, Release

TARGET = Target.for_python("3.11.7")


def _synthetic(
    seed: int, size: int = 46
) -> tuple[dict[NormalizedName, list[Release]], list[Requirement]]:
    """``size`` projects, some with 1,500 versions, each depending on the next and a few later."""
    rng = random.Random(seed)
    names = [NormalizedName(f"pkg{i:02d}") for i in range(size)]
    python = SpecifierSet(">=3.8")
    index: dict[NormalizedName, list[Release]] = {}
    for i, name in enumerate(names):
        variants = []
        for _ in range(3):
            later = {*names[i + 1 : i + 2], *rng.sample(names[i + 1 :], min(2, size - i - 1))}
            deps = [Requirement(f"{n}>=0.1; python_version >= '3.8'") for n in sorted(later)]
            deps.append(Requirement("winthing; sys_platform == 'win32'"))
            deps.append(Requirement(f"{names[(i + 7) % size]}[fast]; extra == 'full'"))
            variants.append(Metadata(tuple(deps), python))
        releases = [
            Release(
                VersionInfo(Version(f"{j // 50}.{j % 50}"), requires_python=python),
                variants[j % 3],
            )
            for j in range(rng.choice([10, 50, 200, 1500]))
        ]
        rng.shuffle(releases)
        index[name] = releases
    return index, [Requirement(n) for n in names[:13]]


def test_same_inputs_give_the_same_graph_whatever_the_index_order() -> None:
    index, roots = _synthetic(seed=7)
    first = resolve(roots, MemorySource(index), TARGET)
    shuffled = {name: random.Random(1).sample(rs, len(rs)) for name, rs in reversed(index.items())}
    second = resolve(roots, MemorySource(shuffled), TARGET)
    assert first == second
    assert list(first.nodes) == sorted(first.nodes)
    assert len(first.nodes) == 46
    assert first.roots == tuple(str(r) for r in roots)
    assert {e.child for e in first.children(ROOT)} == {r.name for r in roots}


def test_a_46_package_resolve_is_fast() -> None:
    index, roots = _synthetic(seed=3)
    source = MemorySource(index)
    resolve(roots, source, TARGET)  # warm the interpreter's caches
    start = time.process_time()
    graph = resolve(roots, source, TARGET)
    spent = time.process_time() - start
    assert len(graph.nodes) == 46
    assert spent < 0.4, f"{spent:.3f} s of CPU"  # about 0.06 s on the reference machine


def test_importing_px_resolve_does_not_load_resolvelib() -> None:
    code = "import sys, px.resolve; print('resolvelib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_direct_references_are_refused() -> None:
    with pytest.raises(InputError, match="direct references"):
        resolve([Requirement("lib @ https://example.invalid/lib.whl")], MemorySource({}), TARGET)


def test_memory_source_reports_bad_data_with_its_key_path() -> None:
    with pytest.raises(InputError, match=r"lib\.1\.0\.requires_dist: expected a list"):
        MemorySource.from_dict({"lib": {"1.0": {"requires_dist": "dep"}}})
    with pytest.raises(InputError, match=r"lib\.x\.y: "):
        MemorySource.from_dict({"lib": {"x.y": {}}})
    with pytest.raises(InputError, match="unknown field 'requires'"):
        MemorySource.from_dict({"lib": {"1.0": {"requires": []}}})
    with pytest.raises(ProjectNotFound, match="no project named ghost"):
        MemorySource({}).versions(NormalizedName("ghost"))


class CountingReporter:
    def __init__(self) -> None:
        self.events: list[str] = []

    def start(self, task: str, total: int | None = None) -> None:
        self.events.append(f"start {task}")

    def advance(self, amount: int = 1) -> None:
        self.events.append("advance")

    def finish(self) -> None:
        self.events.append("finish")

    def note(self, message: str) -> None:
        self.events.append(message)


def test_reporter_sees_one_advance_per_project_pinned() -> None:
    source = MemorySource.from_dict({"a": {"1.0": {"requires_dist": ["b[x]"]}}, "b": {"1.0": {}}})
    reporter = CountingReporter()
    resolve([Requirement("a")], source, TARGET, reporter=reporter)
    assert reporter.events == ["start resolving dependencies", "advance", "advance", "finish"]
