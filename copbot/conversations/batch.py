"""One ingest batch as listeners see it: its stored messages, what hooks found for all of them, its shared writer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar, cast, runtime_checkable

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from copbot.conversations.threads import Tracked
from copbot.core.events import MessagePosted
from copbot.core.labels import Label

T = TypeVar("T")

Inserter = Callable[[Table, dict[str, Any]], Awaitable[None]]
"""Inserts one row in the next ingest transaction (one executemany per table for all of them) once committed."""


@dataclass(frozen=True, slots=True, eq=False)
class Fact(Generic[T]):
    """A key for something a hook found for a whole batch (compared by identity; one per concept)."""

    name: str


@dataclass(frozen=True, slots=True)
class Ingested:
    """What ingest made of one new-message event; the dispatcher leaves it in ``ctx.ingested``."""

    tracked: Tracked
    fresh: bool
    """The message was stored now (False when the platform delivered it twice)."""
    label: Label | None
    """The activity label stored with the message (None: not labelled at ingest; listeners label it themselves)."""
    prompt_keys: frozenset[str] = frozenset()
    """Ids this message's conversation hangs on that a posted prompt has (almost always none)."""
    batch: Batch | None = None
    """The batch it was stored in (None when stored alone: listeners then look things up themselves)."""


@dataclass(slots=True)
class Batch:
    """The events one ingest transaction stored, in order, and the facts hooks noted for them in that transaction."""

    events: Sequence[MessagePosted]
    ingested: Sequence[Ingested]
    """What ingest made of each event, in the same order."""
    insert: Inserter
    """Insert a listener's new row in the next ingest transaction, in one statement with the other rows of its
    table (nothing is loaded back: the row's id is not known to the caller)."""
    _facts: dict[Fact[Any], Any] = field(default_factory=dict)

    def note(self, fact: Fact[T], value: T) -> None:
        """Remember ``value`` for ``fact`` (a hook does this while the batch's transaction is open)."""
        self._facts[fact] = value

    def get(self, fact: Fact[T]) -> T | None:
        """What a hook noted for ``fact``; None when no hook looked (a listener then looks itself)."""
        return cast(T | None, self._facts.get(fact))


@runtime_checkable
class BatchHook(Protocol):
    """A listener's reads for a whole batch, done in the batch's own transaction after its messages are written."""

    async def after_write(self, session: AsyncSession, batch: Batch) -> None:
        """Look up what this listener will need for the batch's events and ``batch.note`` it."""
