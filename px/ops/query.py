"""`px query`: read-only SQL over the store's documented views."""

from __future__ import annotations

from typing import TYPE_CHECKING

from px.config import Settings

if TYPE_CHECKING:
    from px.store.query import QueryResult, ViewInfo


def run(settings: Settings, sql: str) -> QueryResult:
    from px.store import open_store, query

    with open_store(settings.store_dir, readonly=True) as store:
        return query.run(store, sql)


def views(settings: Settings) -> list[ViewInfo]:
    from px.store import open_store, query

    with open_store(settings.store_dir, readonly=True) as store:
        return query.views(store)
