"""How knowledge entries and search hits look in chat."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from copbot.config.settings import KnowledgeSection
from copbot.core.adapter import Card
from copbot.core.events import Place
from copbot.knowledge.search.backend import suggest
from copbot.knowledge.search.filters import SearchFilters, SearchHit
from copbot.members.visibility import Audience
from copbot.store.models import EntryMessage, KnowledgeEntry

SNIPPET_LENGTH = 240
MESSAGE_LENGTH = 400


def _cut(text: str, length: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[: length - 1].rsplit(" ", 1)[0] + "…"


def hit_card(hit: SearchHit) -> Card:
    """One search hit as a card: id and title, link, highlighted snippet."""
    footer = "resource" if hit.kind == "resource" else ("solved" if hit.solved else "open")
    return Card(
        title=f"[{hit.public_id}] {hit.title}",
        url=hit.url,
        description=_cut(hit.snippet, SNIPPET_LENGTH),
        footer=footer,
    )


async def suggested_hits(
    sessions: async_sessionmaker[AsyncSession], settings: KnowledgeSection, question: str, place: Place
) -> list[SearchHit]:
    """Answered entries members in ``place`` may see that match ``question`` well enough to suggest."""
    filters = SearchFilters(solved_only=True, audience=Audience.of(place, settings.share))
    async with sessions() as session:
        found = await suggest(
            session, question, limit=settings.suggest_limit, min_score=settings.suggest_min_score, filters=filters
        )
    return [hit for hit, _ in found]


async def suggestion_cards(
    sessions: async_sessionmaker[AsyncSession], settings: KnowledgeSection, question: str, place: Place
) -> list[Card]:
    """The same suggestions, as cards."""
    return [hit_card(hit) for hit in await suggested_hits(sessions, settings, question, place)]


def entry_text(entry: KnowledgeEntry, messages: Sequence[EntryMessage], tags: list[str]) -> str:
    """An entry in full: title, question, answers, the other useful messages, tags and source.

    ``messages`` are the ones the reader may see (``entries.shown_entry``); nothing else of the entry is shown.
    """
    lines = [f"[{entry.public_id}] {entry.title}"]
    if entry.summary:
        lines.append(f"Summary: {_cut(entry.summary, MESSAGE_LENGTH)}")
    question = next((m for m in messages if m.role == "question"), None)
    asked_by = f" (asked by {question.author_name})" if question is not None and question.author_name else ""
    text = _cut(question.text, MESSAGE_LENGTH) if question is not None else ""
    lines.append(f"Question{asked_by}: {text or '(deleted)'}")
    for role, label in (("answer", "Answer"), ("message", "Also useful")):
        for message in messages:
            if message.role == role:
                by = f" by {message.author_name}" if message.author_name else ""
                ident = f" [{message.external_id}]" if message.external_id else ""
                lines.append(f"{label}{by}{ident}: {_cut(message.text, MESSAGE_LENGTH)}")
    if entry.resource_url:
        lines.append(f"Link: {entry.resource_url}")
    if tags:
        lines.append("Tags: " + " ".join(f"#{tag}" for tag in tags))
    if entry.activity:
        lines.append(f"Practice: {entry.activity.replace('_', ' ')}")
    if entry.source_url:
        lines.append(f"Source: {entry.source_url}")
    return "\n".join(lines)
