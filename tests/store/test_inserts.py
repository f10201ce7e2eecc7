"""Rows in bulk with their ids back: the same stored values on both stores as SQLAlchemy's own INSERT writes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncEngine

from copbot.store import inserts, migrate
from copbot.store.engine import create_engine
from copbot.store.models import Member, Message

MESSAGES = cast(Table, Message.__table__)
START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _rows(author: int, count: int) -> list[dict[str, Any]]:
    rows = []
    for n in range(count):
        labelled = n % 2 == 1
        rows.append(
            {
                "platform": "matrix",
                "external_id": f"$m{n}",
                "room": "!r",
                "thread_id": None,
                "author_id": author,
                "text": f"message {n} ünïcode",
                "reply_to": f"$m{n - 1}" if n else None,
                "activity": "other" if labelled else None,
                "activity_confidence": 0.5 if labelled else None,
                "activity_reason": None,
                "created_at": START + timedelta(minutes=n),
                "edited_at": None,
                "deleted_at": None,
            }
        )
    return rows


MEMBER = {"platform": "matrix", "external_id": "@a", "display_name": "A", "is_bot": False}
MEMBER |= {"capture_opt_out": False, "suggest_opt_in": False, "created_at": START}


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """A migrated store (SQLite file or PostgreSQL database)."""
    made = create_engine(database_url)
    await migrate.upgrade(made)
    yield made
    await made.dispose()


@pytest.mark.parametrize("per_statement", [None, 26])
async def test_rows_go_in_with_their_ids_and_read_back_as_written(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch, per_statement: int | None
) -> None:
    if per_statement is not None:  # 26 variables: two rows of 13 a statement, 7 rows in four
        monkeypatch.setattr(inserts, "SQLITE_VARIABLES", per_statement)
    async with engine.begin() as connection:
        members = cast(Table, Member.__table__)
        (author,) = (await connection.execute(members.insert().returning(members.c.id), MEMBER)).one()
        rows = _rows(author, 7)
        returned = await inserts.insert_returning(connection, MESSAGES, rows, ("id", "external_id"))
    ids = {external_id: message_id for message_id, external_id in returned}
    assert sorted(ids) == sorted(row["external_id"] for row in rows)
    assert len(set(ids.values())) == len(rows)
    async with engine.connect() as connection:
        stored = {row.external_id: row for row in await connection.execute(select(MESSAGES))}
    for row in rows:
        read = stored[row["external_id"]]
        assert read.id == ids[row["external_id"]]
        assert read.created_at == row["created_at"] and read.created_at.tzinfo is not None
        for column in ("text", "reply_to", "activity", "activity_confidence", "author_id"):
            assert getattr(read, column) == row[column]


async def test_a_row_leaving_out_a_defaulted_column_gets_its_default(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        returned = await inserts.insert_returning(
            connection, cast(Table, Member.__table__), [{"platform": "matrix", "external_id": "@b"}], ("id",)
        )
        read = (await connection.execute(select(Member.__table__))).one()
    assert returned == [(read.id,)]
    assert read.display_name == "" and read.is_bot is False and read.created_at.tzinfo is not None
