"""`px query SQL` and `px query --views`."""

from __future__ import annotations

import argparse
import csv
import io
import json
from typing import TYPE_CHECKING, Any

from px.cli.app import App
from px.errors import ExitCode, UsageError

if TYPE_CHECKING:
    from px.store.query import QueryResult, ViewInfo


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], parents: list[argparse.ArgumentParser]
) -> None:
    query = sub.add_parser(
        "query",
        parents=parents,
        help="read-only SQL over the store's views",
        description="Run one read-only SQL statement against the documented px_* views of the "
        "store (see docs/query.md). Writes of any kind are refused.",
        epilog='example: px query "SELECT count(*), sum(size) FROM px_blobs"',
    )
    query.add_argument("sql", nargs="?", help="one SELECT (or WITH/VALUES) statement")
    query.add_argument("--views", action="store_true", help="list the views and their columns")
    query.add_argument(
        "--format",
        choices=("table", "json", "csv"),
        default=None,
        help="output format (default table; --json implies json)",
    )
    query.set_defaults(handler=handle)


class _Rows:
    def __init__(self, result: QueryResult) -> None:
        self.result = result

    def to_json(self) -> dict[str, Any]:
        return {
            "columns": list(self.result.columns),
            "rows": [[_jsonable(v) for v in row] for row in self.result.rows],
            "row_count": len(self.result.rows),
        }


class _Views:
    def __init__(self, views: list[ViewInfo]) -> None:
        self.views = views

    def to_json(self) -> dict[str, Any]:
        return {"views": [{"name": v.name, "columns": list(v.columns)} for v in self.views]}


def _jsonable(value: Any) -> Any:
    return value.hex() if isinstance(value, bytes) else value


def _table(result: QueryResult) -> str:
    cells = [[str(c) for c in result.columns]]
    cells += [["NULL" if v is None else str(_jsonable(v)) for v in row] for row in result.rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(result.columns))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _csv(result: QueryResult) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(result.columns)
    writer.writerows([[_jsonable(v) for v in row] for row in result.rows])
    return buffer.getvalue()


def handle(args: argparse.Namespace, app: App) -> int:
    from px.ops import query

    if args.views:
        views = _Views(query.views(app.settings))
        app.out.result(
            views,
            lambda r: "\n".join(f"{v.name}: {', '.join(v.columns)}" for v in r.views),
        )
        return ExitCode.OK
    if not args.sql:
        raise UsageError("px query needs an SQL statement", hint="or pass --views to list views")
    rows = _Rows(query.run(app.settings, args.sql))
    fmt = "json" if app.out.json else (args.format or "table")
    if fmt == "json" and not app.out.json:
        app.out.stdout.write(json.dumps(rows.to_json(), indent=2) + "\n")
    else:
        app.out.result(rows, lambda r: _csv(r.result) if fmt == "csv" else _table(r.result))
    return ExitCode.OK
