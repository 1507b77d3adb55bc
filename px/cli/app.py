"""What a command handler receives besides its arguments."""

from __future__ import annotations

from dataclasses import dataclass

from px.cli.output import Output
from px.config import Settings


@dataclass(frozen=True)
class App:
    settings: Settings
    out: Output
