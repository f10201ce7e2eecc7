"""How knowledge entries and search hits look in chat."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from copbot.config.settings import KnowledgeSection
from copbot.core.adapter import Card
from copbot.knowledge.search.backend import suggest
from copbot.knowledge.search.filters import SearchHit
from copbot.store.models import KnowledgeEntry

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


async def suggestion_cards(
    sessions: async_sessionmaker[AsyncSession], settings: KnowledgeSection, question: str
) -> list[Card]:
    """Answered entries that match ``question`` well enough to suggest (a coverage threshold), as cards."""
    async with sessions() as session:
        found = await suggest(session, question, limit=settings.suggest_limit, min_score=settings.suggest_min_score)
    return [hit_card(hit) for hit, _ in found]


def entry_text(entry: KnowledgeEntry, tags: list[str]) -> str:
    """An entry in full: title, question, answers, tags and source."""
    lines = [f"[{entry.public_id}] {entry.title}"]
    if entry.summary:
        lines.append(f"Summary: {_cut(entry.summary, MESSAGE_LENGTH)}")
    question = next((m for m in entry.messages if m.role == "question"), None)
    asked_by = f" (asked by {question.author_name})" if question is not None and question.author_name else ""
    lines.append(f"Question{asked_by}: {_cut(entry.question, MESSAGE_LENGTH) or '(deleted)'}")
    for message in entry.messages:
        if message.role == "answer" and message.text.strip():
            by = f" by {message.author_name}" if message.author_name else ""
            lines.append(f"Answer{by}: {_cut(message.text, MESSAGE_LENGTH)}")
    if entry.resource_url:
        lines.append(f"Link: {entry.resource_url}")
    if tags:
        lines.append("Tags: " + " ".join(f"#{tag}" for tag in tags))
    if entry.activity:
        lines.append(f"Practice: {entry.activity.replace('_', ' ')}")
    if entry.source_url:
        lines.append(f"Source: {entry.source_url}")
    return "\n".join(lines)
