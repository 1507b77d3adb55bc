"""px's benchmark harness: `python -m bench [SCENARIO...] [--repeat N] [--json FILE]`.

Each scenario measures px beside a reference tool in the same run, interleaving
the two, and reports medians and the ratio (see docs/benchmarks.md). Speed is
measured here only, never in the unit tests.
"""
