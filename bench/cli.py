"""`python -m bench [SCENARIO...] [--repeat N] [--warmup N] [--json FILE] [--strict]
[--real-index]`."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from bench.machine import describe
from bench.model import Context
from bench.report import document, table, write_json
from bench.runner import ScenarioResult, run_scenario
from bench.scenarios import SCENARIOS
from bench.tools import px_command

REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / "bench" / ".cache"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Measure px beside reference tools in the same run (docs/benchmarks.md).",
    )
    parser.add_argument(
        "scenarios",
        nargs="*",
        metavar="SCENARIO",
        help=f"scenarios to run (default: all): {', '.join(SCENARIOS)}",
    )
    parser.add_argument("--repeat", type=int, default=5, help="timed rounds (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed rounds first (default 1)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write results as JSON")
    parser.add_argument(
        "--strict", action="store_true", help="exit 2 when a scenario misses its target"
    )
    parser.add_argument(
        "--real-index",
        action="store_true",
        default=os.environ.get("PX_BENCH_REAL", "") not in ("", "0"),
        help="scenarios that can (lock, install, run) use https://pypi.org/simple/ instead of a "
        "loopback index (env PX_BENCH_REAL=1); needs the internet",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    return parser


def compile_px(ctx: Context) -> None:
    """Byte-compile px's own modules first, as installing px from a wheel does.

    A checkout run with PYTHONDONTWRITEBYTECODE set (or just edited) would
    otherwise compile px's changed modules from source in every timed command.
    """
    import subprocess

    package = ctx.repo / "px"
    subprocess.run(
        [str(ctx.python), "-m", "compileall", "-q", "-q", str(package)],
        env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
        check=False,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    unknown = [name for name in args.scenarios if name not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenario {', '.join(unknown)}; known: {', '.join(SCENARIOS)}")
    if args.repeat < 1 or args.warmup < 0:
        parser.error("--repeat must be at least 1 and --warmup at least 0")
    names = args.scenarios or list(SCENARIOS)

    def log(message: str) -> None:
        if not args.quiet:
            print(f"bench: {message}", file=sys.stderr, flush=True)

    CACHE.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="run-", dir=CACHE))
    ctx = Context(
        repo=REPO,
        cache=CACHE,
        work=work,
        python=Path(sys.executable),
        real_index=args.real_index,
        log=log,
    )
    machine = describe(ctx.python, px_command(ctx))
    compile_px(ctx)
    results: list[ScenarioResult] = []
    try:
        for name in names:
            results.append(
                run_scenario(SCENARIOS[name](), ctx, repeat=args.repeat, warmup=args.warmup)
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    sys.stdout.write(table(results, machine, args.repeat))
    if args.json:
        write_json(args.json, document(results, machine, repeat=args.repeat, warmup=args.warmup))
    if any(r.status == "failed" for r in results):
        return 1
    missed = any(m.meets_target is False for r in results for m in r.metrics)
    return 2 if args.strict and missed else 0
