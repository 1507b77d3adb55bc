"""Settings that every command receives: where the store lives, network mode, output.

Built once by the CLI from flags and environment variables and passed down as a
plain frozen dataclass; nothing below the CLI reads ``os.environ`` for these.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from px.home import STORE_FILENAME as STORE_FILENAME
from px.home import default_store_dir as _default_store_dir
from px.home import truthy as truthy


def default_store_dir(env: Mapping[str, str] | None = None) -> Path:
    """The store directory when neither ``--store`` nor ``PX_HOME`` is given (see px.home)."""
    return Path(_default_store_dir(os.environ if env is None else env))


@dataclass(frozen=True)
class Settings:
    """What a use case needs to know about how px was invoked."""

    store_dir: Path
    offline: bool = False
    verbosity: int = 0  # -1 quiet, 0 normal, 1+ verbose
    python: str | None = None
    install_workers: int | None = None  # PX_INSTALL_WORKERS; None: px decides

    @property
    def store_path(self) -> Path:
        return self.store_dir / STORE_FILENAME

    @classmethod
    def from_environment(
        cls,
        *,
        store: str | None = None,
        offline: bool = False,
        verbosity: int = 0,
        python: str | None = None,
        env: Mapping[str, str] | None = None,
    ) -> Settings:
        """Combine command-line values with ``PX_HOME``, ``PX_OFFLINE``, ``PX_PYTHON`` and
        ``PX_INSTALL_WORKERS``."""
        env = os.environ if env is None else env
        if store:
            store_dir = Path(store).expanduser()
        elif env.get("PX_HOME"):
            store_dir = Path(env["PX_HOME"]).expanduser()
        else:
            store_dir = default_store_dir(env)
        return cls(
            store_dir=store_dir.absolute(),
            offline=offline or truthy(env.get("PX_OFFLINE")),
            verbosity=verbosity,
            python=python or env.get("PX_PYTHON") or None,
            install_workers=_install_workers(env.get("PX_INSTALL_WORKERS", "").strip()),
        )


def _install_workers(text: str) -> int | None:
    if not text:
        return None
    if not text.isdigit():
        from px.errors import InputError

        raise InputError(
            f"PX_INSTALL_WORKERS={text!r} is not a whole number",
            hint="set it to a number of processes, 0 to validate wheels in px itself, "
            "or unset it to let px decide",
        )
    return int(text)
