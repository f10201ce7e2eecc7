"""Optional extensions of the knowledge base: a search re-ranker and a listener told which entries changed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from copbot.store.scope import factory_scope, scope_of

if TYPE_CHECKING:
    from copbot.knowledge.search.filters import SearchFilters, SearchHit

ChangeListener = Callable[[list[int]], None]
_PENDING = "copbot.changed_entries"


class Reranker(Protocol):
    """Re-ranks lexical candidates (and may add its own); the semantic extra provides one."""

    candidates: int
    """How many lexical candidates it wants to see."""

    async def rerank(
        self, session: AsyncSession, text: str, filters: SearchFilters, limit: int, hits: list[SearchHit]
    ) -> list[SearchHit]:
        """At most ``limit`` hits, best first."""
        ...

    async def relevance(self, session: AsyncSession, text: str, entry_ids: Sequence[int]) -> dict[int, float]:
        """How well each entry matches ``text`` in meaning, 0..1 on the same scale as lexical coverage."""
        ...


@dataclass(frozen=True, slots=True)
class Extensions:
    """What one application installed: a re-ranker for its searches and a listener for its entry changes."""

    reranker: Reranker | None = None
    listener: ChangeListener | None = None


_SLOT = "knowledge.hooks"


def install(
    sessions: async_sessionmaker[AsyncSession], reranker: Reranker | None, listener: ChangeListener | None
) -> None:
    """Use ``reranker`` for every search through ``sessions`` and tell ``listener`` about committed entry changes."""
    factory_scope(sessions).slots[_SLOT] = Extensions(reranker, listener)


def uninstall(sessions: async_sessionmaker[AsyncSession]) -> None:
    """Back to plain lexical search with no listener, for ``sessions``."""
    install(sessions, None, None)


def _installed(session: AsyncSession | Session) -> Extensions:
    found = scope_of(session).slots.get(_SLOT)
    return found if isinstance(found, Extensions) else Extensions()


def reranker(session: AsyncSession) -> Reranker | None:
    """The re-ranker installed by the application that made ``session``, if any."""
    return _installed(session).reranker


def note_changed(session: AsyncSession, entry_ids: Sequence[int]) -> None:
    """Remember that these entries' searchable text changed; the listener hears of them after commit."""
    if _installed(session).listener is None or not entry_ids:
        return
    pending: set[int] | None = session.info.get(_PENDING)
    if pending is None:
        pending = session.info[_PENDING] = set()
        event.listen(session.sync_session, "after_commit", _committed)
        event.listen(session.sync_session, "after_soft_rollback", _rolled_back)
    pending.update(entry_ids)


def _committed(sync_session: Any) -> None:
    pending: set[int] = sync_session.info.get(_PENDING, set())
    listener = _installed(sync_session).listener
    if pending and listener is not None:
        listener(sorted(pending))
    pending.clear()


def _rolled_back(sync_session: Any, _previous_transaction: Any) -> None:
    sync_session.info.get(_PENDING, set()).clear()
