"""Word statistics for suggestion coverage: entries in all and per word, kept per application until the text changes.

Every write to ``search_documents`` bumps ``search_fts_version`` (triggers of migration 0008), so reading that one
row tells whether the remembered figures still hold, whichever process wrote; no call counts every entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from copbot.store.scope import scope_of

MAX_WORDS = 50_000
"""Words remembered per database; past this the figures are dropped and counted again as asked."""
_VERSION = text("SELECT version FROM search_fts_version WHERE id = 1")


class WordCounter(Protocol):
    """What a backend counts, one statement each."""

    async def document_count(self, session: AsyncSession) -> int:
        """Searchable entries."""
        ...

    async def word_frequencies(self, session: AsyncSession, tokens: Sequence[str], total: int) -> dict[str, int]:
        """Entries holding each token (in any column), of ``total``."""
        ...


@dataclass
class _Figures:
    version: int
    total: int
    frequency: dict[str, int] = field(default_factory=dict)
    extra: dict[str, object] = field(default_factory=dict)
    """Other figures a backend derives from the same version of the text (PostgreSQL's average lengths)."""


async def word_statistics(
    session: AsyncSession, counter: WordCounter, tokens: Sequence[str]
) -> tuple[int, dict[str, int]]:
    """(searchable entries, entries per token): remembered while the searchable text is unchanged."""
    total, frequency, _ = await text_statistics(session, counter, tokens)
    return total, frequency


async def text_statistics(
    session: AsyncSession, counter: WordCounter, tokens: Sequence[str], *, version: int | None = None
) -> tuple[int, dict[str, int], dict[str, object]]:
    """``word_statistics`` and the backend's other figures for the same version of the text (``version``, when
    the caller read it in its own statement, else read here)."""
    database = str(session.get_bind().engine.url)
    remembered: dict[str, _Figures] = scope_of(session).slot("search.word_statistics", dict)
    if version is None:
        version = int(await session.scalar(_VERSION) or 0)
    figures = remembered.get(database)
    if figures is None or figures.version != version or len(figures.frequency) > MAX_WORDS:
        figures = remembered[database] = _Figures(version, await counter.document_count(session))
    missing = sorted({token for token in tokens if token not in figures.frequency})
    if missing:
        figures.frequency.update(await counter.word_frequencies(session, missing, figures.total))
    return figures.total, {token: figures.frequency.get(token, 0) for token in tokens}, figures.extra


def either(outside: int, inside: int, total: int) -> int:
    """Entries holding a word anywhere, from its entries outside the discussion and in it taken as independent."""
    return outside + inside - outside * inside // max(1, total)
