"""Hot paths decided before argparse or any heavy import.

`px run CMD...` and a no-op `px install [--frozen]` must cost little more
than starting Python: when ``.px`` already matches px.lock (checked by
``px.install.state`` with ``os`` alone) they finish here. Anything else
returns None and takes the normal path, which prints the proper errors.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # typing itself costs the fast paths milliseconds; mypy reads this as True
if TYPE_CHECKING:
    from collections.abc import Sequence

DEFAULT_SELECTION = "dev=1;groups=;extras="  # px.install.select.selection_key(True, [], [])


def try_fast(argv: list[str]) -> int | None:
    if not argv or argv[0] not in ("run", "install"):
        return None
    from px.install import state

    root = state.find_root(os.getcwd())
    if root is None:
        return None
    if argv[0] == "install":
        if not is_plain_install(argv) or not state.is_current(root, DEFAULT_SELECTION):
            return None
        recorded = state.read(os.path.join(root, ".px"))
        count = int(recorded.get("packages") or 0)
        sys.stdout.write(up_to_date_text(root, recorded.get("generation"), count) + "\n")
        return 0
    command = run_command(argv)
    if command is None or not state.is_current(root, DEFAULT_SELECTION):
        return None
    from px.install.runner import exec_in

    exec_in(root, command)
    return None  # not found: let the normal path report it


QUIET = ("-q", "--quiet")  # progress only: the result line is printed all the same


def is_plain_install(argv: list[str]) -> bool:
    """``install [--frozen] [-q]``: the forms the fast paths answer."""
    return [a for a in argv if a not in QUIET] in (["install"], ["install", "--frozen"])


def run_command(argv: list[str]) -> list[str] | None:
    """CMD of ``run [--frozen] [--] CMD...``; None for any other form (the normal path's)."""
    if argv[:1] != ["run"]:
        return None
    command = argv[1:]
    if command[:1] == ["--frozen"]:
        command = command[1:]
    if command[:1] == ["--"]:
        command = command[1:]
    if not command or command[0].startswith("-"):
        return None
    return command


def packages_phrase(count: int) -> str:
    return f"{count} package{'' if count == 1 else 's'}"


def up_to_date_text(root: str, generation: object, packages: int) -> str:
    """What `px install` prints when ``.px`` already matches (every path prints this)."""
    return f"{root}: up to date (generation {generation}, {packages_phrase(packages)})"


def installed_text(
    root: str, packages: int, generation: int | None, warnings: Sequence[str]
) -> str:
    """What `px install` prints after installing (every path prints this)."""
    lines = [f"installed {packages_phrase(packages)} into {root}/.px (generation {generation})"]
    return "\n".join([*lines, *(f"warning: {w}" for w in warnings)])
