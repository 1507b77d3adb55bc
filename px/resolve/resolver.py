"""The entry point: requirements in, a :class:`~px.resolve.graph.ResolvedGraph` out.

resolvelib and the provider are imported inside :func:`resolve`, so importing
:mod:`px.resolve` for its data types stays cheap.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING

from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from px.resolve.conflict import Availability, Clash, Conflict, Demand
from px.resolve.errors import NoSolution
from px.resolve.graph import ROOT, Edge, Node, ResolvedGraph
from px.resolve.matching import combine
from px.resolve.source import CandidateSource
from px.resolve.target import Target

if TYPE_CHECKING:
    from resolvelib.resolvers import Result
    from resolvelib.structs import RequirementInformation

    from px.reporter import Reporter
    from px.resolve.model import Candidate, Req
    from px.resolve.provider import Provider

MAX_ROUNDS = 50_000


def resolve(
    roots: Sequence[Requirement],
    source: CandidateSource,
    target: Target,
    *,
    preferred: Mapping[str, Version] | None = None,
    upgrade_all: bool = False,
    upgrade: Collection[str] = frozenset(),
    reporter: Reporter | None = None,
    root_label: str = "the project",
    max_rounds: int = MAX_ROUNDS,
) -> ResolvedGraph:
    """Pick one version of every project ``roots`` need on ``target``.

    ``preferred`` versions (those in the current lock) are tried first when
    allowed, unless ``upgrade_all``, or the name is in ``upgrade``. Raises
    :class:`~px.resolve.errors.NoSolution` (a ``px.errors.ResolutionImpossible``)
    carrying a :class:`~px.resolve.conflict.Conflict`; ``root_label`` names the
    roots' owner in its text.
    """
    from resolvelib import BaseReporter, Resolver
    from resolvelib.resolvers import ResolutionImpossible, ResolutionTooDeep

    from px.resolve.provider import ProgressAdapter, Provider

    held = frozenset(canonicalize_name(name) for name in upgrade)
    prefer: dict[NormalizedName, Version] = {}
    if not upgrade_all:
        for name, version in (preferred or {}).items():
            if canonicalize_name(name) not in held:
                prefer[canonicalize_name(name)] = version
    provider = Provider(source, target, prefer)
    progress = ProgressAdapter(reporter) if reporter is not None else BaseReporter()
    reqs = provider.roots(roots)
    if reporter is not None:
        reporter.start("resolving dependencies")
    try:
        result = Resolver(provider, progress).resolve(reqs, max_rounds=max_rounds)
    except ResolutionImpossible as exc:
        conflict = _conflict(provider, target, exc.causes)
        raise NoSolution(conflict, root_label=root_label) from None
    except ResolutionTooDeep as exc:
        conflict = Conflict(target.python_full_version, gave_up_after=exc.round_count)
        raise NoSolution(conflict, root_label=root_label) from None
    finally:
        if reporter is not None:
            reporter.finish()
    return _graph(result, roots, provider)


def _graph(
    result: Result[Req, Candidate, str], roots: Sequence[Requirement], provider: Provider
) -> ResolvedGraph:
    mapping = result.mapping
    versions: dict[NormalizedName, Version] = {}
    extras: dict[NormalizedName, set[NormalizedName]] = defaultdict(set)
    for cand in mapping.values():
        if cand.extra is None:
            versions[cand.name] = cand.version
        else:
            extras[cand.name].add(cand.extra)
    nodes = sorted(Node(n, v, tuple(sorted(extras.get(n, ())))) for n, v in versions.items())
    edges: set[Edge] = set()
    for identifier, criterion in result.criteria.items():
        if identifier not in mapping:
            continue
        for req, parent in criterion.information:
            written = req.original
            if written is None:
                continue  # an extra's pin on its base: not a requirement anyone wrote
            if parent is not None and mapping.get(parent.identifier) is not parent:
                continue  # from a version that is not the one chosen
            edges.add(
                Edge(
                    ROOT if parent is None else parent.name,
                    req.name,
                    str(written.specifier),
                    str(written.marker) if written.marker is not None else None,
                    tuple(sorted(canonicalize_name(e) for e in written.extras)),
                )
            )
    warnings = sorted(
        text
        for (identifier, version), text in provider.warnings.items()
        if identifier in mapping and mapping[identifier].version == version
    )
    return ResolvedGraph(
        nodes=tuple(nodes),
        edges=tuple(sorted(edges, key=Edge.sort_key)),
        roots=tuple(str(r) for r in roots),
        warnings=tuple(warnings),
    )


def _conflict(
    provider: Provider,
    target: Target,
    causes: Collection[RequirementInformation[Req, Candidate]],
) -> Conflict:
    by_identifier: dict[str, list[RequirementInformation[Req, Candidate]]] = defaultdict(list)
    for info in causes:
        by_identifier[info.requirement.identifier].append(info)
    clashes: list[Clash] = []
    python: list[Demand] = []
    for identifier in sorted(by_identifier):
        infos = by_identifier[identifier]
        demands = tuple(dict.fromkeys(_demand(provider, req, parent) for req, parent in infos))
        if infos[0].requirement.kind == "python":
            python.extend(demands)
            continue
        clashes.append(Clash(identifier, demands, _availability(provider, infos)))
    return Conflict(target.python_full_version, tuple(clashes), tuple(dict.fromkeys(python)))


def _demand(provider: Provider, req: Req, parent: Candidate | None) -> Demand:
    if parent is None:
        return Demand(req.display(), None)
    return Demand(req.display(), parent.label(), provider.chain(parent))


def _availability(
    provider: Provider, infos: Sequence[RequirementInformation[Req, Candidate]]
) -> Availability:
    name = infos[0].requirement.name
    versions = provider.all_versions(name)
    if not provider.exists(name):
        return Availability(exists=False)
    spec = combine(info.requirement.specifier for info in infos)
    out = provider.exclusions(name, spec)
    return Availability(
        versions=tuple(str(v.version) for v in versions),
        needs_other_python=tuple((str(v), rp) for v, rp in out.python),
        yanked=tuple(str(v) for v in out.yanked),
        prerelease=tuple(str(v) for v in out.prerelease),
        ruled_out=tuple(str(v) for v in out.allowed),
    )
