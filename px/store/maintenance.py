"""Store-wide maintenance: statistics, pruning, emptying.

Pruning has two steps in one transaction. First the wheels nothing wanted
uses are deleted (what is wanted is decided with a :class:`PruneOracle`, which
looks at the disk and reads locks: the store knows neither). Then every object
nothing references goes. What references a blob is read from the schema
itself: every column with a foreign key to ``blobs.key`` (other than the
chunks) counts, so a new table that points at blobs is protected by declaring
its foreign key, with nothing to register here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from px.store.engine import batches, placeholders
from px.store.migrate import current_revision

if TYPE_CHECKING:
    from px.store.engine import Connection, Store

_KEEP_ON_EMPTY = {"alembic_version", "meta"}


@dataclass(frozen=True)
class Stats:
    revision: str
    file_bytes: int
    objects: int
    raw_bytes: int
    stored_bytes: int


@dataclass(frozen=True)
class DroppedWheel:
    sha256: str
    filename: str


@dataclass(frozen=True)
class Removed:
    objects: int
    raw_bytes: int
    stored_bytes: int
    keys: tuple[str, ...] = ()
    wheels: tuple[DroppedWheel, ...] = ()
    downloads: int = 0  # downloaded files (http_content rows) of dropped wheels
    tools: int = 0  # tool environment records whose directory is gone


@dataclass(frozen=True)
class GenerationRef:
    id: int
    project: str
    number: int


@dataclass(frozen=True)
class ToolRef:
    id: int
    path: str


class PruneOracle(Protocol):
    """What only the layers above know: what is on disk, and what a lock holds."""

    def live_generations(self, generations: Sequence[GenerationRef]) -> Collection[int]:
        """The ids of the (staged or committed) generations still on disk."""
        ...

    def live_tools(self, tools: Sequence[ToolRef]) -> Collection[int]:
        """The ids of the tool environments still on disk."""
        ...

    def live_projects(self, projects: Sequence[str]) -> Collection[str]:
        """The project directories that still exist."""
        ...

    def wanted_artifacts(self, lock_keys: Sequence[str], projects: Sequence[str]) -> Iterable[str]:
        """The artifact sha256s of the locks stored as ``lock_keys`` (blob keys) and of
        the ``px.lock`` files of ``projects``."""
        ...


def stats(store: Store) -> Stats:
    if not store.readonly:
        with store.autocommit() as conn:  # so the size on disk is the main file's
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    with store.read() as conn:
        totals = conn.first(
            "SELECT count(*), coalesce(sum(size), 0), coalesce(sum(stored_size), 0) FROM blobs"
        )
        assert totals is not None  # an aggregate always has one row
        objects, raw, stored = totals
        revision = current_revision(conn) or ""
    file_bytes = sum(
        p.stat().st_size
        for p in (store.path, store.path.with_name(store.path.name + "-wal"))
        if p.exists()
    )
    return Stats(revision, file_bytes, int(objects), int(raw), int(stored))


def blob_references(conn: Connection) -> list[tuple[str, str]]:
    """(table, column) pairs that hold blob keys, found from the foreign keys."""
    tables = [
        name
        for (name,) in conn.all(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    refs = []
    for table in tables:
        if table == "blob_chunks":
            continue
        # foreign_key_list columns: id, seq, table, from, to, on_update, on_delete, match
        for fk in conn.all(f'PRAGMA foreign_key_list("{table}")'):
            if fk[2] == "blobs":
                refs.append((table, str(fk[3])))
    return sorted(refs)


def _cutoff(min_age_seconds: int) -> str:
    moment = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=min_age_seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _unreferenced_blobs(conn: Connection, cutoff: str) -> list[tuple[str, int, int]]:
    conditions = " AND ".join(
        f'NOT EXISTS (SELECT 1 FROM "{t}" WHERE "{t}"."{c}" = blobs.key)'
        for t, c in blob_references(conn)
    )
    where = f"created_at <= ? {'AND ' + conditions if conditions else ''}"
    rows = conn.all(
        f"SELECT key, size, stored_size FROM blobs WHERE {where} ORDER BY key", (cutoff,)
    )
    return [(str(k), int(size), int(stored)) for k, size, stored in rows]


def _delete_blobs(conn: Connection, keys: Sequence[str]) -> None:
    for batch in batches(keys):
        conn.execute(f"DELETE FROM blobs WHERE key IN ({placeholders(len(batch))})", batch)


def prune(
    store: Store, *, dry_run: bool, min_age_seconds: int, oracle: PruneOracle | None = None
) -> Removed:
    """Drop what nothing wanted uses, then every object nothing references, in one transaction.

    Without an ``oracle`` only unreferenced objects go. With one, wheels are
    dropped first (see :func:`_drop_unwanted`), which makes their files' objects
    unreferenced. Anything stored, ingested or downloaded in the last
    ``min_age_seconds`` is kept: another px may have just stored it and be about
    to reference it in its next transaction. ``dry_run`` does all of it and
    rolls back, so the counts are exact.
    """
    cutoff = _cutoff(min_age_seconds)
    with store.write() as conn:
        conn.execute("SAVEPOINT prune")
        dropped = _drop_unwanted(conn, oracle, cutoff) if oracle is not None else _Dropped()
        rows = _unreferenced_blobs(conn, cutoff)
        keys = tuple(r[0] for r in rows)
        _delete_blobs(conn, keys)
        if dry_run:
            conn.execute("ROLLBACK TO prune")
        conn.execute("RELEASE prune")
    return Removed(
        len(keys), sum(r[1] for r in rows), sum(r[2] for r in rows), keys,
        wheels=dropped.wheels, downloads=dropped.downloads, tools=dropped.tools,
    )  # fmt: skip


# -- what is still wanted ----------------------------------------------------------------

_TEMP_TABLES = ("prune_keep_generation", "prune_keep_tool", "prune_keep_sha256", "prune_wheels")


@dataclass(frozen=True)
class _Dropped:
    wheels: tuple[DroppedWheel, ...] = ()
    downloads: int = 0
    tools: int = 0


def _fill(conn: Connection, table: str, column: str, values: Iterable[int] | Iterable[str]) -> None:
    conn.execute(f"CREATE TEMP TABLE {table} ({column} PRIMARY KEY)")
    rows = [(v,) for v in set(values)]
    if rows:
        conn.executemany(f"INSERT INTO temp.{table} VALUES (?)", rows)


def wanted_locks(conn: Connection, projects: Collection[str]) -> list[tuple[str, str]]:
    """(project, lock body key) of every wanted lock.

    Wanted: the newest lock of each project in ``projects`` (those whose
    directory still exists), and every lock a kept generation was built from
    (same project, same sha256); ``temp.prune_keep_generation`` holds those.
    """
    _fill(conn, "prune_live_project", "project", projects)
    try:
        rows = conn.all(
            "SELECT project, body_key FROM lock_history WHERE id IN ("
            " SELECT max(id) FROM lock_history"
            " WHERE project IN (SELECT project FROM temp.prune_live_project) GROUP BY project)"
            " UNION SELECT l.project, l.body_key FROM lock_history l"
            " JOIN env_generations g ON g.project = l.project AND g.lock_sha256 = l.lock_sha256"
            " WHERE g.id IN (SELECT id FROM temp.prune_keep_generation)"
            " ORDER BY 1, 2"
        )
    finally:
        conn.execute("DROP TABLE temp.prune_live_project")
    return [(str(p), str(k)) for p, k in rows]


def _drop_unwanted(conn: Connection, oracle: PruneOracle, cutoff: str) -> _Dropped:
    """Delete the wheels no kept generation, kept tool environment or wanted lock uses.

    Kept generations and tool environments are those the oracle finds on disk;
    a wanted lock's artifacts (wheels by sha256, and wheels built from its
    sdists) are kept too, so a later `px install` needs no download. The
    dropped wheels' files and generation links go with them (ON DELETE
    CASCADE), and so do their downloaded files (``http_content``).
    """
    generations = [
        GenerationRef(int(i), str(p), int(n))
        for i, p, n in conn.all(
            "SELECT id, project, number FROM env_generations"
            " WHERE state IN ('staged', 'committed') ORDER BY id"
        )
    ]
    tools = [
        ToolRef(int(i), str(p)) for i, p in conn.all("SELECT id, path FROM tool_envs ORDER BY id")
    ]
    projects = sorted(
        str(p)
        for (p,) in conn.all(
            "SELECT project FROM lock_history UNION SELECT project FROM env_generations"
        )
    )
    try:
        _fill(conn, "prune_keep_generation", "id", oracle.live_generations(generations))
        _fill(conn, "prune_keep_tool", "id", oracle.live_tools(tools))
        live = oracle.live_projects(projects)
        locks = wanted_locks(conn, live)
        shas = {s.lower() for s in oracle.wanted_artifacts([k for _, k in locks], sorted(live))}
        _fill(conn, "prune_keep_sha256", "sha256", shas)
        return _delete_unwanted(conn, cutoff)
    finally:
        for table in _TEMP_TABLES:
            conn.execute(f"DROP TABLE IF EXISTS temp.{table}")


def _delete_unwanted(conn: Connection, cutoff: str) -> _Dropped:
    conn.execute(
        "CREATE TEMP TABLE prune_wheels AS SELECT w.id, w.sha256, w.filename FROM wheels w"
        " WHERE w.ingested_at <= ?"
        " AND w.id NOT IN (SELECT wheel_id FROM env_generation_wheels"
        "  WHERE generation_id IN (SELECT id FROM temp.prune_keep_generation))"
        " AND w.id NOT IN (SELECT wheel_id FROM tool_env_wheels"
        "  WHERE tool_id IN (SELECT id FROM temp.prune_keep_tool))"
        " AND w.sha256 NOT IN (SELECT sha256 FROM temp.prune_keep_sha256)"
        " AND w.id NOT IN (SELECT wheel_id FROM built_wheels"
        "  WHERE sdist_sha256 IN (SELECT sha256 FROM temp.prune_keep_sha256))",
        (cutoff,),
    )
    dropped = tuple(
        DroppedWheel(str(sha), str(name))
        for sha, name in conn.all(
            "SELECT sha256, filename FROM temp.prune_wheels ORDER BY filename, sha256"
        )
    )
    # the downloaded files of dropped wheels, and of the sdists they were built from
    downloads = conn.execute(
        "DELETE FROM http_content WHERE fetched_at <= ?"
        " AND sha256 NOT IN (SELECT sha256 FROM temp.prune_keep_sha256)"
        " AND (sha256 IN (SELECT sha256 FROM temp.prune_wheels)"
        "  OR sha256 IN (SELECT sdist_sha256 FROM built_wheels"
        "   WHERE wheel_id IN (SELECT id FROM temp.prune_wheels)))",
        (cutoff,),
    ).rowcount
    tools = conn.execute(
        "DELETE FROM tool_envs WHERE id NOT IN (SELECT id FROM temp.prune_keep_tool)"
    ).rowcount
    conn.execute("DELETE FROM wheels WHERE id IN (SELECT id FROM temp.prune_wheels)")
    if dropped:  # plans are shortcuts, cheap to make again: none may name a dropped wheel
        conn.execute("DELETE FROM install_plans")
    return _Dropped(dropped, int(downloads), int(tools))


def empty(store: Store) -> Removed:
    """Remove every row of every table but the schema revision and store identity."""
    before = stats(store)
    with store.write() as conn:
        conn.execute("PRAGMA defer_foreign_keys = ON")
        tables = [
            name
            for (name,) in conn.all(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
            if name not in _KEEP_ON_EMPTY
        ]
        for table in tables:
            conn.execute(f'DELETE FROM "{table}"')
    with store.autocommit() as conn:
        conn.execute("VACUUM")
    return Removed(before.objects, before.raw_bytes, before.stored_bytes)
