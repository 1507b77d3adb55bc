"""The provider asks its source only for what the resolution needs, and hints ahead."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import NormalizedName
from packaging.version import Version

from px.resolve import Metadata, Target, VersionInfo, resolve
from px.resolve.memory import MemorySource

TARGET = Target.for_python("3.12.0")


class RecordingSource:
    """A MemorySource that writes down every call."""

    def __init__(self, index: Mapping[str, Mapping[str, Mapping[str, object]]]) -> None:
        self._inner = MemorySource.from_dict(index)
        self.versions_asked: list[str] = []
        self.metadata_asked: list[tuple[str, str]] = []
        self.prefetched: list[tuple[str, str | None]] = []

    def versions(self, name: NormalizedName) -> Sequence[VersionInfo]:
        self.versions_asked.append(name)
        return self._inner.versions(name)

    def dependencies(self, name: NormalizedName, version: Version) -> Metadata:
        self.metadata_asked.append((name, str(version)))
        return self._inner.dependencies(name, version)

    def prefetch(self, items: Sequence[tuple[NormalizedName, Version | None]]) -> None:
        self.prefetched.extend((n, None if v is None else str(v)) for n, v in items)


def _resolve(
    source: RecordingSource, *roots: str, preferred: Mapping[str, Version] | None = None
) -> dict[str, str]:
    graph = resolve([Requirement(r) for r in roots], source, TARGET, preferred=preferred)
    return {name: str(v) for name, v in graph.pins.items()}


def test_metadata_only_for_candidates_tried_and_versions_once_per_name() -> None:
    source = RecordingSource(
        {
            "app": {"1.0": {"requires_dist": ["lib>=1", "util"]}},
            "lib": {"1.0": {}, "2.0": {}, "3.0": {"requires_dist": ["util>=1"]}},
            "util": {"1.0": {}, "1.1": {}},
            "unused": {"1.0": {}},
        }
    )
    assert _resolve(source, "app") == {"app": "1.0", "lib": "3.0", "util": "1.1"}
    assert sorted(source.metadata_asked) == [("app", "1.0"), ("lib", "3.0"), ("util", "1.1")]
    assert sorted(source.versions_asked) == ["app", "lib", "util"]


def test_prefetch_announces_names_then_the_likeliest_versions() -> None:
    source = RecordingSource(
        {
            "app": {"1.0": {"requires_dist": ["lib", "util"]}},
            "lib": {"1.0": {}, "2.0": {}, "3.0": {}},
            "util": {"1.0": {}},
        }
    )
    _resolve(source, "app", preferred={"lib": Version("1.0")})
    assert ("app", None) in source.prefetched
    assert ("lib", None) in source.prefetched and ("util", None) in source.prefetched
    # the likeliest version only (here the locked one): the next is fetched if it is tried
    assert [p for p in source.prefetched if p[0] == "lib" and p[1]] == [("lib", "1.0")]
    assert [p for p in source.prefetched if p[0] == "util" and p[1]] == [("util", "1.0")]
    # a name is announced once, before its versions
    assert source.prefetched.count(("lib", None)) == 1
    assert source.prefetched.index(("lib", None)) < source.prefetched.index(("lib", "1.0"))


def test_backtracking_fetches_metadata_of_the_versions_it_tries() -> None:
    source = RecordingSource(
        {
            "app": {"1.0": {"requires_dist": ["lib", "pin==1.0"]}},
            "lib": {"1.0": {"requires_dist": ["pin==1.0"]}, "2.0": {"requires_dist": ["pin==2.0"]}},
            "pin": {"1.0": {}, "2.0": {}},
        }
    )
    assert _resolve(source, "app") == {"app": "1.0", "lib": "1.0", "pin": "1.0"}
    assert ("lib", "2.0") in source.metadata_asked  # tried, then rejected
    assert ("pin", "2.0") not in source.metadata_asked


def test_an_extra_whose_version_clashes_with_its_base_is_rejected_before_fetching() -> None:
    source = RecordingSource(
        {
            "lib": {
                "1.0": {"requires_dist": ["fast; extra == 'x'"]},
                "2.0": {"requires_dist": ["fast; extra == 'x'"]},
            },
            "fast": {"1.0": {}},
        }
    )
    assert _resolve(source, "lib[x]", "lib<2") == {"lib": "1.0", "fast": "1.0"}
    assert ("lib", "2.0") not in source.metadata_asked


def test_markers_are_evaluated_once_per_marker_and_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    original = Marker.evaluate

    def counting(self: Marker, *args: object, **kwargs: object) -> bool:
        calls.append(str(self))
        return original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Marker, "evaluate", counting)
    marker = "sys_platform == 'linux'"
    index = {f"p{i}": {"1.0": {"requires_dist": [f"dep; {marker}"]}} for i in range(10)}
    source = RecordingSource({**index, "dep": {"1.0": {}}})
    _resolve(source, *index)
    assert len(calls) == 1
