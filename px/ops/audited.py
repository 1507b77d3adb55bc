"""Open the store for a command that changes it, and leave an audit row behind."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from px.config import Settings
from px.errors import PxError

TYPE_CHECKING = False  # typing itself costs the fast paths milliseconds; mypy reads this as True
if TYPE_CHECKING:
    from px.store import Store


@contextlib.contextmanager
def audited_store(settings: Settings, command: str) -> Iterator[Store]:
    """Yield the open store; on exit record the command and its outcome in the audit log."""
    from px.store import audit, open_store

    store = open_store(settings.store_dir)
    started = audit.now()
    try:
        yield store
    except PxError as error:
        with contextlib.suppress(PxError):
            audit.record(
                store, command, started_at=started, outcome=error.code, exit_code=error.exit_code
            )
        raise
    except BaseException:
        with contextlib.suppress(PxError):
            audit.record(store, command, started_at=started, outcome="internal", exit_code=70)
        raise
    else:
        audit.record(store, command, started_at=started, outcome="ok", exit_code=0)
    finally:
        store.close()
