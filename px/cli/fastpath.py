"""Hot paths decided before argparse or any heavy import.

`px run CMD...` and a no-op `px install [--frozen]` must cost little more
than starting Python: when ``.px`` already matches px.lock (checked by
``px.install.state`` with ``os`` alone) they finish here. Anything else
returns None and takes the normal path, which prints the proper errors.
"""

from __future__ import annotations

import os
import sys

DEFAULT_SELECTION = "dev=1;groups=;extras="  # px.install.select.selection_key(True, [], [])


def try_fast(argv: list[str]) -> int | None:
    if not argv or argv[0] not in ("run", "install"):
        return None
    from px.install import state

    root = state.find_root(os.getcwd())
    if root is None:
        return None
    if argv[0] == "install":
        if argv[1:] not in ([], ["--frozen"]) or not state.is_current(root, DEFAULT_SELECTION):
            return None
        recorded = state.read(os.path.join(root, ".px"))
        count = recorded.get("packages", "0")
        sys.stdout.write(
            f"{root}: up to date (generation {recorded.get('generation')}, "
            f"{count} package{'' if count == '1' else 's'})\n"
        )
        return 0
    command = argv[1:]
    if command[:1] == ["--frozen"]:
        command = command[1:]
    if command[:1] == ["--"]:
        command = command[1:]
    if not command or command[0].startswith("-"):
        return None
    if not state.is_current(root, DEFAULT_SELECTION):
        return None
    from px.install.runner import exec_in

    exec_in(root, command)
    return None  # not found: let the normal path report it
