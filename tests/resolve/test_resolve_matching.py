"""Version selection rules: PEP 440 pre-release handling done lazily, plus yanking."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from px.resolve.matching import allowed, exclusions, preferring
from px.resolve.source import VersionInfo

VERSIONS = st.sampled_from(
    ["0.9", "1.0a1", "1.0", "1.0+local", "1.0.post1", "1.1.dev0", "1.1b2", "1.1", "2.0rc1", "2.0"]
)
SPECS = st.sampled_from(
    ["", ">=1.0", "<2", ">1.0", "==1.0", "~=1.0", ">=1.1b1", "!=1.1", "==1.*", "<=2.0rc1", "===1.0"]
)


def _yes(info: VersionInfo) -> bool:
    return True


def _pep440(versions: list[Version], spec: SpecifierSet) -> list[Version]:
    """The rule stated plainly: pre-releases if a specifier names one or no final matches."""
    matching = [v for v in versions if spec.contains(v, prereleases=True)]
    finals = [v for v in matching if not v.is_prerelease]
    return matching if spec.prereleases or not finals else finals


@given(st.lists(VERSIONS, unique=True), st.lists(SPECS, max_size=3))
def test_allowed_follows_pep_440(raw: list[str], specs: list[str]) -> None:
    spec = SpecifierSet(",".join(s for s in specs if s))
    versions = sorted((Version(v) for v in raw), reverse=True)
    infos = [VersionInfo(v) for v in versions]
    assert [info.version for info in allowed(infos, spec, _yes)] == _pep440(versions, spec)


def test_yanked_only_when_pinned_and_python_checked() -> None:
    infos = [
        VersionInfo(Version("3.0"), requires_python=SpecifierSet(">=3.13")),
        VersionInfo(Version("2.0"), yanked=True),
        VersionInfo(Version("1.0")),
    ]

    def fits(info: VersionInfo) -> bool:
        return info.requires_python is None

    def versions(spec: str) -> list[str]:
        return [str(i.version) for i in allowed(infos, SpecifierSet(spec), fits)]

    assert versions("") == ["1.0"]
    assert versions("==2.0") == ["2.0"]
    assert versions("===2.0") == ["2.0"]
    assert versions("==2.*") == []
    out = exclusions(infos, SpecifierSet(">=2"), {Version("2.0"), Version("1.0")})
    assert out.python == ((Version("3.0"), ">=3.13"),)
    assert out.yanked == (Version("2.0"),)


def test_preferring_puts_the_locked_version_first_only_when_allowed() -> None:
    infos = [VersionInfo(Version(v)) for v in ("3.0b1", "2.0", "1.0", "0.9b1")]

    def order(spec: str, preferred: str) -> list[str]:
        found = preferring(infos, SpecifierSet(spec), _yes, Version(preferred))
        return [str(i.version) for i in found]

    assert order("", "1.0") == ["1.0", "2.0"]
    assert order(">=2", "1.0") == ["2.0"]
    assert order("", "0.9b1") == ["2.0", "1.0"]  # a pre-release is not allowed here
    assert order(">=0.9b1", "0.9b1") == ["0.9b1", "3.0b1", "2.0", "1.0"]
    assert order("", "5.0") == ["2.0", "1.0"]  # gone from the index
