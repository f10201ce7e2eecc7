"""Optional extensions of the knowledge base: a search re-ranker and a listener told which entries changed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

if TYPE_CHECKING:
    from copbot.knowledge.search.backend import SearchFilters, SearchHit

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


class _Installed:
    reranker: Reranker | None = None
    listener: ChangeListener | None = None


def install(reranker: Reranker | None, listener: ChangeListener | None) -> None:
    """Use ``reranker`` for every search and tell ``listener`` about committed entry changes."""
    _Installed.reranker = reranker
    _Installed.listener = listener


def uninstall() -> None:
    """Back to plain lexical search with no listener."""
    install(None, None)


def reranker() -> Reranker | None:
    """The installed re-ranker, if any."""
    return _Installed.reranker


def note_changed(session: AsyncSession, entry_ids: Sequence[int]) -> None:
    """Remember that these entries' searchable text changed; the listener hears of them after commit."""
    if _Installed.listener is None or not entry_ids:
        return
    pending: set[int] | None = session.info.get(_PENDING)
    if pending is None:
        pending = session.info[_PENDING] = set()
        event.listen(session.sync_session, "after_commit", _committed)
        event.listen(session.sync_session, "after_soft_rollback", _rolled_back)
    pending.update(entry_ids)


def _committed(sync_session: Any) -> None:
    pending: set[int] = sync_session.info.get(_PENDING, set())
    listener = _Installed.listener
    if pending and listener is not None:
        listener(sorted(pending))
    pending.clear()


def _rolled_back(sync_session: Any, _previous_transaction: Any) -> None:
    sync_session.info.get(_PENDING, set()).clear()
