"""What a command handler receives besides its arguments."""

from __future__ import annotations

from dataclasses import dataclass

from px.cli.output import Output
from px.config import Settings


@dataclass(frozen=True)
class App:
    settings: Settings
    out: Output

    def going_online(self) -> None:
        """The command is likely to fetch over HTTPS: start loading the CA store now, on a
        thread, while the command imports what it needs (:mod:`px.index.tls`)."""
        if self.settings.offline:
            return
        from px.errors import PxError
        from px.index import tls
        from px.index.config import settings_from_environ

        try:
            bundle = settings_from_environ().ca_bundle
            if bundle is not None and not bundle.is_file():
                return  # a missing bundle: reported where the index client is made
        except (PxError, OSError):  # a bad PX_HTTP_* variable, an unreadable path: the same
            return
        tls.prepare(bundle)
