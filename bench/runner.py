"""Running one scenario: setup, warm-up, interleaved timed rounds, teardown."""

from __future__ import annotations

import statistics
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from bench.model import LOWER_IS_BETTER, Context, Metric, ReferenceUnavailable, Scenario, Skip

Status = Literal["ok", "skipped", "failed"]


@dataclass(frozen=True)
class Summary:
    samples: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def minimum(self) -> float:
        return min(self.samples)

    @property
    def maximum(self) -> float:
        return max(self.samples)


@dataclass(frozen=True)
class MetricResult:
    metric: Metric
    px: Summary
    reference: Summary | None

    def best(self, summary: Summary) -> float:
        """The fastest round: the min of a time, the max of a throughput."""
        return summary.minimum if LOWER_IS_BETTER[self.metric.unit] else summary.maximum

    @property
    def ratio(self) -> float | None:
        """px/reference for times, reference/px for throughputs: <= 1.0 means px is as good."""
        if self.reference is None:
            return None
        px, ref = self.px.median, self.reference.median
        if LOWER_IS_BETTER[self.metric.unit]:
            return px / ref if ref > 0 else None
        return ref / px if px > 0 else None

    @property
    def meets_target(self) -> bool | None:
        ratio, target = self.ratio, self.metric.target
        if ratio is None or target is None:
            return None
        return ratio <= target


@dataclass(frozen=True)
class ScenarioResult:
    name: str
    description: str
    status: Status
    reason: str | None  # why skipped or failed
    reference_unavailable: str | None
    metrics: tuple[MetricResult, ...]
    details: Mapping[str, str]


def run_scenario(scenario: Scenario, ctx: Context, *, repeat: int, warmup: int) -> ScenarioResult:
    def result(status: Status, reason: str | None, missing: str | None = None) -> ScenarioResult:
        return ScenarioResult(
            scenario.name, scenario.description, status, reason, missing, (), scenario.details
        )

    ctx.log(f"[{scenario.name}] setting up")
    try:
        try:
            scenario.setup(ctx)
        except Skip as skip:
            ctx.log(f"[{scenario.name}] skipped: {skip.why}")
            return result("skipped", skip.why)
        px_rounds, ref_rounds, missing = _rounds(scenario, ctx, repeat=repeat, warmup=warmup)
    except Exception as error:  # a broken scenario must not stop the others
        ctx.log(f"[{scenario.name}] failed: {error}")
        return result("failed", _describe(error))
    finally:
        scenario.teardown()
    metrics = tuple(
        MetricResult(
            metric,
            Summary(tuple(r[metric.key] for r in px_rounds)),
            _reference_summary(ref_rounds, metric.reference_key),
        )
        for metric in scenario.metrics
    )
    partial: dict[str, list[str]] = {}
    for key, why in _missing_references(scenario).items():
        partial.setdefault(why, []).append(key)
    if missing is None and partial:
        missing = "; ".join(f"{why} ({', '.join(keys)})" for why, keys in partial.items())
    return ScenarioResult(
        scenario.name, scenario.description, "ok", None, missing, metrics, scenario.details
    )


def _reference_summary(rounds: Sequence[Mapping[str, float]], key: str) -> Summary | None:
    samples = tuple(r[key] for r in rounds if key in r)
    return Summary(samples) if samples else None


def _missing_references(scenario: Scenario) -> Mapping[str, str]:
    """The scenario's ``{reference_key: why}`` of tools that could not run (bench.model)."""
    missing: Mapping[str, str] = getattr(scenario, "missing_references", {})
    return missing


def _rounds(
    scenario: Scenario, ctx: Context, *, repeat: int, warmup: int
) -> tuple[list[Mapping[str, float]], list[Mapping[str, float]], str | None]:
    """Warm-up rounds (not recorded), then ``repeat`` rounds of px then reference."""
    px_rounds: list[Mapping[str, float]] = []
    ref_rounds: list[Mapping[str, float]] = []
    missing: str | None = None
    for index in range(warmup + repeat):
        timed = index >= warmup
        label = f"round {index - warmup + 1}/{repeat}" if timed else "warm-up"
        ctx.log(f"[{scenario.name}] {label}")
        px = scenario.measure_px()
        if timed:
            px_rounds.append(_checked(px, scenario.metrics, "key", scenario.name))
        if missing is None:
            try:
                ref = scenario.measure_reference()
            except ReferenceUnavailable as why:
                missing = why.why
                ctx.log(f"[{scenario.name}] reference unavailable: {missing}")
                ref_rounds.clear()
                continue
            if timed:
                absent = set(_missing_references(scenario))
                ref_rounds.append(
                    _checked(ref, scenario.metrics, "reference_key", scenario.name, absent)
                )
    return px_rounds, ref_rounds, missing


def _checked(
    figures: Mapping[str, float],
    metrics: Sequence[Metric],
    attribute: str,
    name: str,
    may_lack: set[str] | None = None,
) -> Mapping[str, float]:
    wanted = {getattr(m, attribute) for m in metrics} - (may_lack or set())
    absent = sorted(wanted - set(figures))
    if absent:
        raise ValueError(f"scenario {name} returned no figure for {', '.join(absent)}")
    return dict(figures)


def _describe(error: BaseException) -> str:
    last = traceback.extract_tb(error.__traceback__)[-1:] if error.__traceback__ else []
    where = f" (at {last[0].filename}:{last[0].lineno})" if last else ""
    return f"{type(error).__name__}: {error}{where}"
