"""Many rows into a table in few statements, on either store, with as little per-value work in Python as it can.

SQLAlchemy processes every value of every row through its execution context (defaults, bind processors, the
flattened parameters of a multi-row INSERT), about 7 µs a message row on SQLite; the driver needs only the few
values that a column type converts (an aware datetime becomes a UTC string). These helpers convert those once per
column and hand SQLite the statement directly; PostgreSQL keeps SQLAlchemy's multi-row INSERT.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection

SQLITE_VARIABLES = 32766 if sqlite3.sqlite_version_info >= (3, 32) else 999
"""Bound values SQLite takes in one statement (SQLITE_MAX_VARIABLE_NUMBER's default)."""

_Bind = Callable[[Any], Any] | None


def _processors(table: Table, names: Sequence[str], dialect: Dialect) -> list[tuple[str, _Bind]]:
    return [(name, table.c[name].type.bind_processor(dialect)) for name in names]


def _bound(rows: Sequence[dict[str, Any]], processors: list[tuple[str, _Bind]]) -> list[tuple[Any, ...]]:
    return [tuple(row[name] if bind is None else bind(row[name]) for name, bind in processors) for row in rows]


def _through_driver(connection: AsyncConnection, table: Table, rows: Sequence[dict[str, Any]]) -> bool:
    """Whether the rows can go to the driver as they are: on SQLite, and no column with a Python-side default left
    out of them (SQLAlchemy fills those in)."""
    given = set(rows[0])
    missing = any(column.default is not None and column.name not in given for column in table.columns)
    return connection.dialect.name == "sqlite" and not missing


def _insert_head(table: Table, names: Sequence[str]) -> str:
    return f"INSERT INTO {table.name} ({', '.join(names)}) VALUES "


def _placeholders(names: Sequence[str]) -> str:
    return f"({', '.join('?' * len(names))})"


async def insert_rows(connection: AsyncConnection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert many rows (each with the same keys): on SQLite one executemany straight through the driver (unless a
    defaulted column is left out), on PostgreSQL in multi-row INSERTs.

    On PostgreSQL ``RETURNING`` makes SQLAlchemy send pages of rows as one INSERT each ("insertmanyvalues"); a plain
    executemany would run the statement once per row, each run firing the statement triggers that bump the version
    counters, and bumping one row many times in one transaction costs the square of the rows (``db copy`` of 20,000
    entries took 112 s that way, 22.5 s this way with the RUM index kept in both: benchmarks/README.md).
    """
    if not rows:
        return
    if not _through_driver(connection, table, rows):
        await connection.execute(insert(table).returning(*table.primary_key.columns), rows)
        return
    names = list(rows[0])
    statement = _insert_head(table, names) + _placeholders(names)
    await connection.exec_driver_sql(statement, _bound(rows, _processors(table, names, connection.dialect)))


async def insert_returning(
    connection: AsyncConnection, table: Table, rows: list[dict[str, Any]], returning: Sequence[str]
) -> list[tuple[Any, ...]]:
    """Insert many rows (each with the same keys) and return the ``returning`` columns of each (rows that unpack and
    slice as tuples), in no set order (key them by a unique column): on SQLite multi-row INSERTs straight through
    the driver (values as the column types convert them, results as the driver gives them: integers and strings
    here), else SQLAlchemy's."""
    if not rows:
        return []
    if not _through_driver(connection, table, rows):
        statement = insert(table).returning(*(table.c[name] for name in returning))
        return list(await connection.execute(statement, rows))
    names = list(rows[0])
    values = _bound(rows, _processors(table, names, connection.dialect))
    head, one, tail = _insert_head(table, names), _placeholders(names), f" RETURNING {', '.join(returning)}"
    per_statement = max(1, SQLITE_VARIABLES // len(names))
    returned: list[Any] = []  # the driver's rows (tuples to unpack, not copied)
    for start in range(0, len(values), per_statement):
        chunk = values[start : start + per_statement]
        flat = tuple(value for row in chunk for value in row)
        result = await connection.exec_driver_sql(head + ", ".join([one] * len(chunk)) + tail, flat)
        returned.extend(result)
    return returned
