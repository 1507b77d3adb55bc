"""Rendering results: the text table and the JSON document."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from bench.model import LOWER_IS_BETTER, Unit
from bench.runner import MetricResult, ScenarioResult, Summary

SCHEMA = "px-bench/1"
CONVENTION = (
    "ratio = px/reference for times, reference/px for throughputs: "
    "ratio <= 1.0 means px is at least as good as the reference"
)


def format_value(value: float, unit: Unit) -> str:
    if unit == "MB/s":
        return f"{value:.1f} MB/s"
    if unit == "MB":
        return f"{value:.1f} MB"
    if value < 1.0:
        return f"{value * 1000:.1f} ms"
    return f"{value:.2f} s"


def _figure(result: MetricResult, summary: Summary) -> str:
    unit = result.metric.unit
    return f"{format_value(summary.median, unit)} ({format_value(result.best(summary), unit)})"


def _verdict(result: MetricResult) -> str:
    meets = result.meets_target
    return "" if meets is None else ("meets" if meets else "MISSES")


def table(results: Sequence[ScenarioResult], machine: Mapping[str, object], repeat: int) -> str:
    header = [
        f"px benchmarks: {repeat} timed round(s) each, px and reference interleaved (A B A B ...);",
        "figures are median (best round: min time, max MB/s); MB = 10^6 bytes.",
        CONVENTION + ".",
        f"machine: nproc={machine['nproc']}, {machine['implementation']} {machine['python']}, "
        f"{machine['platform']}, load {machine['loadavg']}, {machine['px']}",
        "",
    ]
    rows = [["scenario", "px measures", "px", "reference", "reference figure", "ratio", "target"]]
    notes: list[str] = []
    for scenario in results:
        if scenario.status != "ok":
            rows.append([scenario.name, f"{scenario.status}: {scenario.reason}"])
            continue
        if scenario.reference_unavailable:
            notes.append(
                f"{scenario.name}: reference unavailable: {scenario.reference_unavailable}"
            )
        for result in scenario.metrics:
            metric = result.metric
            ratio = result.ratio
            target = f"<= {metric.target:g}" if metric.target is not None else "-"
            rows.append(
                [
                    scenario.name,
                    metric.label,
                    _figure(result, result.px),
                    metric.reference_label,
                    _figure(result, result.reference) if result.reference else "unavailable",
                    f"{ratio:.2f}" if ratio is not None else "-",
                    f"{target} {_verdict(result)}".strip(),
                ]
            )
    widths = [max(len(r[i]) for r in rows if len(r) == 7) for i in range(7)]
    widths[0] = max(len(r[0]) for r in rows)
    lines = []
    for row in rows:
        if len(row) != 7:  # a skipped or failed scenario: one free-form line
            lines.append(f"{row[0].ljust(widths[0])}  {row[1]}")
            continue
        cells = [
            c.rjust(w) if i in (2, 4, 5) else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(header + lines + (["", *notes] if notes else []) + _details(results)) + "\n"


def _details(results: Sequence[ScenarioResult]) -> list[str]:
    """What the scenarios recorded (versions, sizes, request counts), one line each."""
    lines = [
        f"  {scenario.name}: {key}: {value}"
        for scenario in results
        for key, value in scenario.details.items()
    ]
    return ["", "details:", *lines] if lines else []


def _summary(summary: Summary) -> dict[str, object]:
    return {
        "median": summary.median,
        "min": summary.minimum,
        "max": summary.maximum,
        "samples": list(summary.samples),
    }


def document(
    results: Sequence[ScenarioResult], machine: Mapping[str, object], *, repeat: int, warmup: int
) -> dict[str, object]:
    return {
        "schema": SCHEMA,
        "convention": CONVENTION,
        "machine": dict(machine),
        "repeat": repeat,
        "warmup": warmup,
        "scenarios": [
            {
                "name": s.name,
                "description": s.description,
                "status": s.status,
                "reason": s.reason,
                "reference_unavailable": s.reference_unavailable,
                "details": dict(s.details),
                "metrics": [
                    {
                        "key": m.metric.key,
                        "reference_key": m.metric.reference_key,
                        "label": m.metric.label,
                        "unit": m.metric.unit,
                        "lower_is_better": LOWER_IS_BETTER[m.metric.unit],
                        "px": _summary(m.px),
                        "reference": None
                        if m.reference is None
                        else {"label": m.metric.reference_label, **_summary(m.reference)},
                        "ratio": m.ratio,
                        "target": m.metric.target,
                        "meets_target": m.meets_target,
                    }
                    for m in s.metrics
                ],
            }
            for s in results
        ],
    }


def write_json(path: Path, doc: Mapping[str, object]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
