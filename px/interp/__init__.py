"""Python interpreters: describe one (markers, wheel tags), find those on the machine, choose."""

from px.interp.choose import choose_interpreter
from px.interp.probe import Interpreter, describe_running, probe

__all__ = ["Interpreter", "choose_interpreter", "describe_running", "probe"]
