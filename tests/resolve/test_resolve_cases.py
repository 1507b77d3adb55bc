"""Runs every scenario in cases/*.json through resolve() over an in-memory index.

A case file::

    {"description": "...",
     "target": {"python_full_version": "3.10.4", "sys_platform": "win32"},  # optional
     "index": {"name": {"1.0": {"requires_dist": [...], "requires_python": ">=3.8",
                                "yanked": false}}},
     "roots": ["name[extra]>=1; python_version >= '3.8'"],
     "preferred": {"name": "1.0"}, "upgrade": ["name"], "upgrade_all": false,  # optional
     "expect": {"pins": {"name": "1.0"}, "extras": {"name": ["extra"]},
                "edges": [["<root>", "name", ">=1", null, []]], "warnings": ["..."]}
               or {"error_contains": ["..."]}}

The target defaults to CPython 3.12.0 on Linux x86_64. ``pins`` is the whole
set; ``edges`` and ``warnings`` must each be contained in the result. Every
successful result is also checked for consistency: each edge's specifier holds
for the version chosen.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from px.errors import ResolutionImpossible
from px.resolve import ResolvedGraph, Target, resolve
from px.resolve.memory import MemorySource

CASES = sorted((Path(__file__).parent / "cases").glob("*.json"))
KEYS = {"description", "target", "index", "roots", "preferred", "upgrade", "upgrade_all", "expect"}


def _run(case: dict[str, Any]) -> ResolvedGraph:
    target = {"python_full_version": "3.12.0", **case.get("target", {})}
    return resolve(
        [Requirement(r) for r in case["roots"]],
        MemorySource.from_dict(case["index"]),
        Target.from_environment(target),
        preferred={k: Version(v) for k, v in case.get("preferred", {}).items()},
        upgrade=frozenset(case.get("upgrade", ())),
        upgrade_all=case.get("upgrade_all", False),
    )


def _check_consistent(graph: ResolvedGraph) -> None:
    pins = graph.pins
    for edge in graph.edges:
        assert edge.child in pins, edge
        assert SpecifierSet(edge.specifier).contains(pins[edge.child], prereleases=True), edge
        assert set(edge.extras) <= set(graph.node(edge.child).extras), edge


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 20


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_case(path: Path) -> None:
    case = json.loads(path.read_text(encoding="utf-8"))
    assert set(case) <= KEYS and case["description"], f"{path.name}: bad keys"
    expect = case["expect"]
    if "error_contains" in expect:
        with pytest.raises(ResolutionImpossible) as info:
            _run(case)
        error = info.value
        text = "\n".join([error.what, error.why or "", *error.details, error.hint or ""])
        for fragment in expect["error_contains"]:
            assert fragment in text, f"{fragment!r} not in:\n{text}"
        return
    graph = _run(case)
    assert {name: str(v) for name, v in graph.pins.items()} == expect["pins"]
    _check_consistent(graph)
    for name, extras in expect.get("extras", {}).items():
        assert list(graph.node(name).extras) == extras
    edges = {(e.parent, e.child, e.specifier, e.marker, e.extras) for e in graph.edges}
    for parent, child, specifier, marker, extras in expect.get("edges", []):
        assert (parent, child, specifier, marker, tuple(extras)) in edges, (parent, child)
    for warning in expect.get("warnings", []):
        assert warning in graph.warnings
    if "warnings" not in expect:
        assert graph.warnings == ()
