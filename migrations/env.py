"""Alembic environment for the px store.

px runs migrations programmatically (``px.store.migrate``) and hands alembic
an open connection already inside a ``BEGIN IMMEDIATE`` transaction, so a
second px process waits instead of migrating at the same time.
"""

from __future__ import annotations

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only px drives this environment
    raise RuntimeError("px migrations run through px.store.migrate, not the alembic CLI")

context.configure(
    connection=connection,
    target_metadata=None,
    render_as_batch=True,
    transactional_ddl=True,
)
with context.begin_transaction():
    context.run_migrations()
