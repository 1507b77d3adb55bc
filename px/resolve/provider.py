"""The resolvelib provider: lazy candidates over a CandidateSource, cached per name and version."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import islice
from typing import TYPE_CHECKING

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version
from resolvelib import AbstractProvider, BaseReporter

from px.resolve import matching
from px.resolve.errors import ProjectNotFound
from px.resolve.matches import Matches
from px.resolve.model import (
    PYTHON,
    Candidate,
    Req,
    base_pin,
    expand,
    python_requirement,
)
from px.resolve.source import CandidateSource, Metadata, VersionInfo
from px.resolve.target import MarkerEvaluator, Target

if TYPE_CHECKING:
    from resolvelib.structs import RequirementInformation

    from px.reporter import Reporter

    Information = RequirementInformation[Req, Candidate]
    _Provider = AbstractProvider[Req, Candidate, str]
    _Reporter = BaseReporter[Req, Candidate, str]
else:  # resolvelib 1.0's classes are not generic at run time
    _Provider = AbstractProvider
    _Reporter = BaseReporter

# How many likely versions of a new name to announce to the source. One: a second
# (the next older, in case the first is rejected) was fetched for every name of a
# 46-package lock that never backtracked, and cost 6% of its time on the real index.
PREFETCH_DEPTH = 1
_COUNT_CAP = 32  # get_preference tells "few" from "many" candidates; no need to count past this
_EXTRA_IN_MARKER = re.compile(r"""extra\s*==\s*['"]([^'"]+)['"]""")


class Provider(_Provider):
    def __init__(
        self,
        source: CandidateSource,
        target: Target,
        preferred: Mapping[NormalizedName, Version],
    ) -> None:
        self._source = source
        self._python = target.python_release
        self._markers = MarkerEvaluator(target)
        self._preferred = preferred
        self._infos: dict[NormalizedName, tuple[VersionInfo, ...]] = {}  # newest first
        self._missing: set[NormalizedName] = set()
        self._announced: set[NormalizedName] = set()
        self._prefetched: set[NormalizedName] = set()
        self._python_ok: dict[SpecifierSet, bool] = {}
        self._selected: dict[tuple[str, tuple[str, ...]], Matches] = {}
        self._interned: dict[tuple[str, Version], Candidate] = {}
        self._metadata: dict[tuple[NormalizedName, Version], Metadata] = {}
        self._deps: dict[tuple[str, Version], tuple[Req, ...]] = {}
        self._satisfied: dict[tuple[Req, Candidate], bool] = {}
        self._parents: dict[str, Candidate | None] = {}  # latest parent that asked for an id
        self.warnings: dict[tuple[str, Version], str] = {}

    # -- the source, cached ------------------------------------------------------------

    def announce(self, names: Iterable[NormalizedName]) -> None:
        """Tell the source which names' versions will be asked for soon."""
        fresh = sorted({n for n in names if n not in self._announced and n != PYTHON})
        if fresh:
            self._announced.update(fresh)
            self._source.prefetch([(name, None) for name in fresh])

    def python_allows(self, requires_python: SpecifierSet | None) -> bool:
        if requires_python is None:
            return True
        ok = self._python_ok.get(requires_python)
        if ok is None:
            ok = self._python_ok[requires_python] = requires_python.contains(
                self._python, prereleases=True
            )
        return ok

    def all_versions(self, name: NormalizedName) -> tuple[VersionInfo, ...]:
        infos = self._infos.get(name)
        if infos is None:
            try:
                found = self._source.versions(name)
            except ProjectNotFound:
                self._missing.add(name)
                found = ()
            unique = {info.version: info for info in found}
            infos = self._infos[name] = tuple(unique[v] for v in sorted(unique, reverse=True))
        return infos

    def _fits_python(self, info: VersionInfo) -> bool:
        return self.python_allows(info.requires_python)

    def exists(self, name: NormalizedName) -> bool:
        return name not in self._missing

    def _meta(self, name: NormalizedName, version: Version) -> Metadata:
        meta = self._metadata.get((name, version))
        if meta is None:
            meta = self._metadata[name, version] = self._source.dependencies(name, version)
        return meta

    def roots(self, requirements: Sequence[Requirement]) -> list[Req]:
        """The resolver requirements for the root requirements that apply on the target."""
        reqs: list[Req] = []
        for requirement in requirements:
            if requirement.marker is None or self._markers.evaluate(requirement.marker, ""):
                reqs.extend(expand(requirement))
        for req in reqs:
            self._parents[req.identifier] = None
        self.announce(req.name for req in reqs)
        return reqs

    def chain(self, candidate: Candidate) -> tuple[str, ...]:
        """Labels from a root requirement down to ``candidate``, by the latest parents seen."""
        labels: list[str] = []
        seen: set[str] = set()
        current: Candidate | None = candidate
        while current is not None and current.identifier not in seen:
            seen.add(current.identifier)
            labels.append(current.label())
            current = self._parents.get(current.identifier)
        return tuple(reversed(labels))

    # -- resolvelib's provider interface -----------------------------------------------

    def identify(self, requirement_or_candidate: Req | Candidate) -> str:
        return requirement_or_candidate.identifier

    def get_preference(
        self,
        identifier: str,
        resolutions: Mapping[str, Candidate],
        candidates: Mapping[str, Iterator[Candidate]],
        information: Mapping[str, Iterator[Information]],
        backtrack_causes: Sequence[Information],
    ) -> tuple[bool, bool, int, str]:
        pinned = any(info.requirement.is_pin for info in information[identifier])
        cause = identifier in _cause_identifiers(backtrack_causes)
        count = sum(1 for _ in islice(candidates[identifier], _COUNT_CAP))
        return (not pinned, not cause, count, identifier)

    def narrow_requirement_selection(
        self,
        identifiers: Iterable[str],
        resolutions: Mapping[str, Candidate],
        candidates: Mapping[str, Iterator[Candidate]],
        information: Mapping[str, Iterator[Information]],
        backtrack_causes: Sequence[Information],
    ) -> Iterable[str]:
        names = list(identifiers)
        causes = _cause_identifiers(backtrack_causes)
        return [name for name in names if name in causes] or names

    def find_matches(
        self,
        identifier: str,
        requirements: Mapping[str, Iterator[Req]],
        incompatibilities: Mapping[str, Iterator[Candidate]],
    ) -> Sequence[Candidate]:
        reqs = list(requirements[identifier])
        if identifier == PYTHON:
            return ()  # Requires-Python requirements are only emitted when they fail
        specs = {r.spec_key: r.specifier for r in reqs}
        keys = tuple(sorted(specs))
        found = self._selected.get((identifier, keys))
        if found is None:
            spec = matching.combine(specs.values())
            found = self._selected[identifier, keys] = self._matches(reqs[0], spec)
        bad = {c.version for c in incompatibilities[identifier]}
        return Matches(c for c in found if c.version not in bad) if bad else found

    def is_satisfied_by(self, requirement: Req, candidate: Candidate) -> bool:
        key = (requirement, candidate)
        ok = self._satisfied.get(key)
        if ok is None:
            ok = self._satisfied[key] = requirement.specifier.contains(
                candidate.version, prereleases=True
            )
        return ok

    def get_dependencies(self, candidate: Candidate) -> Iterator[Req]:
        if candidate.extra is not None:
            # First, so that a version clash is found before its metadata is fetched.
            yield base_pin(candidate)
        key = (candidate.identifier, candidate.version)
        deps = self._deps.get(key)
        if deps is None:
            deps = self._deps[key] = self._dependencies(candidate)
            for req in deps:
                if self._parents.get(req.identifier, candidate) is not None:  # roots stay roots
                    self._parents[req.identifier] = candidate
            self.announce(req.name for req in deps)
        yield from deps

    # -- the work behind it ------------------------------------------------------------

    def _matches(self, req: Req, spec: SpecifierSet) -> Matches:
        name, identifier, extra = req.name, req.identifier, req.extra
        infos = self.all_versions(name)
        preferred = self._preferred.get(name)
        ordered = matching.preferring(infos, spec, self._fits_python, preferred)
        found = Matches(self._intern(identifier, name, extra, info) for info in ordered)
        if name not in self._prefetched:
            self._prefetched.add(name)
            likely = list(islice(found, PREFETCH_DEPTH))
            self._source.prefetch([(name, c.version) for c in likely])
        return found

    def exclusions(self, name: NormalizedName, spec: SpecifierSet) -> matching.Exclusions:
        infos = self.all_versions(name)
        python_ok = {info.version for info in infos if self._fits_python(info)}
        return matching.exclusions(infos, spec, python_ok)

    def _intern(
        self, identifier: str, name: NormalizedName, extra: NormalizedName | None, info: VersionInfo
    ) -> Candidate:
        key = (identifier, info.version)
        cand = self._interned.get(key)
        if cand is None:
            cand = self._interned[key] = Candidate(identifier, name, info.version, extra, info)
        return cand

    def _dependencies(self, candidate: Candidate) -> tuple[Req, ...]:
        meta = self._meta(candidate.name, candidate.version)
        evaluate = self._markers.evaluate
        if candidate.extra is None:
            if not self.python_allows(meta.requires_python):
                assert meta.requires_python is not None
                return (python_requirement(meta.requires_python),)
            written = [r for r in meta.requires_dist if r.marker is None or evaluate(r.marker, "")]
        else:
            extra = candidate.extra
            written = [
                r
                for r in meta.requires_dist
                if r.marker is not None and evaluate(r.marker, extra) and not evaluate(r.marker, "")
            ]
            if extra not in _declared_extras(meta):
                self.warnings[candidate.identifier, candidate.version] = (
                    f"{candidate.name} {candidate.version} does not provide the extra {extra!r}"
                )
        reqs: list[Req] = []
        for requirement in written:
            reqs.extend(r for r in expand(requirement) if r.identifier != candidate.identifier)
        return tuple(reqs)


def _declared_extras(meta: Metadata) -> set[str]:
    extras: set[str] = set(meta.provides_extras)
    for requirement in meta.requires_dist:
        if requirement.marker is not None:
            found = _EXTRA_IN_MARKER.findall(str(requirement.marker))
            extras.update(canonicalize_name(e) for e in found)
    return extras


def _cause_identifiers(causes: Sequence[Information]) -> set[str]:
    names = {info.requirement.identifier for info in causes}
    names.update(info.parent.identifier for info in causes if info.parent is not None)
    return names


class ProgressAdapter(_Reporter):
    """Advances a px :class:`~px.reporter.Reporter` by one for each project pinned."""

    def __init__(self, reporter: Reporter) -> None:
        self._reporter = reporter

    def pinning(self, candidate: Candidate) -> None:
        if candidate.extra is None:
            self._reporter.advance()
