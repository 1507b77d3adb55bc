"""Python interpreters: describe one (markers, wheel tags), find those on the machine, choose.

``choose_interpreter`` (which needs ``packaging``) is loaded on first use, so
a fast path can use the ``Interpreter`` record without it.
"""

from __future__ import annotations

from px.interp.probe import Interpreter, describe_running, probe

TYPE_CHECKING = False  # typing itself costs the fast paths milliseconds; mypy reads this as True
if TYPE_CHECKING:
    from typing import Any

    from px.interp.choose import choose_interpreter

__all__ = ["Interpreter", "choose_interpreter", "describe_running", "probe"]


def __getattr__(name: str) -> Any:
    if name == "choose_interpreter":
        from px.interp.choose import choose_interpreter

        return choose_interpreter
    raise AttributeError(f"module 'px.interp' has no attribute {name!r}")
