"""The sample application's console script."""

from __future__ import annotations

import sys


def greet(name: str) -> str:
    return f"hello, {name}"


def main() -> int:
    name = sys.argv[1] if len(sys.argv) > 1 else "world"
    print(greet(name))
    return 0
