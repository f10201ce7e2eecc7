"""Column types: an aware UTC datetime that refuses naive values, and its default from the injected clock."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class AwareDateTime(TypeDecorator[datetime]):
    """Stores datetimes in UTC and returns them timezone-aware; a naive datetime is a bug and is rejected."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r} given to an aware column")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        moment = datetime.fromisoformat(value) if isinstance(value, str) else value
        if not isinstance(moment, datetime):
            raise TypeError(f"expected a datetime from the database, got {moment!r}")
        if moment.tzinfo is None:
            return moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)


CLOCK_OPTION = "copbot_clock"
"""The execution option under which an application's session factory passes its clock to column defaults."""


def stored_now(context: Any) -> datetime:
    """Column default: the time by the clock of the application whose session inserts the row."""
    clock = context.execution_options.get(CLOCK_OPTION)
    moment: datetime = clock.now() if clock is not None else datetime.now(UTC)
    return moment
