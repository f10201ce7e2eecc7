"""Who has answered questions on a topic: members with accepted answers, ranked, honouring their opt-in."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Select, distinct, func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from copbot.members.visibility import Audience, entry_visible, message_visible
from copbot.store.models import EntryMessage, EntryTag, KnowledgeEntry, Member, Tag

_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Expert:
    """A member who gave accepted answers on a topic."""

    member_id: int
    platform: str
    external_id: str
    name: str
    answers: int
    """How many matching entries carry an accepted answer of theirs."""


@dataclass(frozen=True, slots=True)
class Answerers:
    """Everyone who answered on a topic: those who may be suggested, and how many others did not opt in."""

    experts: list[Expert]
    not_opted_in: int


def _like_pattern(topic: str) -> str:
    escaped = topic.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _fts_query(topic: str) -> str | None:
    words = _WORD.findall(topic)
    if not words:
        return None
    return " ".join('"' + word.replace('"', '""') + '"' for word in words)


async def _full_text_matches(session: AsyncSession, topic: str) -> set[int]:
    """Entry ids the search index matches for ``topic`` (every word), where the database has one."""
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        query = _fts_query(topic)
        if query is None:
            return set()
        rows = await session.execute(text("SELECT rowid FROM search_fts WHERE search_fts MATCH :q"), {"q": query})
        return {int(row[0]) for row in rows}
    if dialect == "postgresql":
        rows = await session.execute(
            text("SELECT entry_id FROM search_documents WHERE search_vector @@ plainto_tsquery('english', :q)"),
            {"q": topic},
        )
        return {int(row[0]) for row in rows}
    return set()


async def matching_entry_ids(session: AsyncSession, topic: str, audience: Audience | None = None) -> set[int]:
    """Entries ``audience`` may see about ``topic``: tagged with it, titled with it, or found by the full-text index."""
    topic = topic.strip()
    if not topic:
        return set()
    tag_name = topic.lower().lstrip("#")
    tagged = select(EntryTag.entry_id).join(Tag, Tag.id == EntryTag.tag_id).where(func.lower(Tag.name) == tag_name)
    pattern = _like_pattern(topic.lower())
    titled = select(KnowledgeEntry.id).where(
        or_(
            func.lower(KnowledgeEntry.title).like(pattern, escape="\\"),
            func.lower(KnowledgeEntry.question).like(pattern, escape="\\"),
        )
    )
    ids = set(await session.scalars(tagged)) | set(await session.scalars(titled))
    ids |= await _full_text_matches(session, topic)
    if not ids:
        return ids
    seen = entry_visible(audience or Audience.operator())
    return set(await session.scalars(select(KnowledgeEntry.id).where(KnowledgeEntry.id.in_(ids), seen)))


def _answerers_query(entry_ids: set[int], platform: str | None) -> Select[Member, int]:
    answers = func.count(distinct(EntryMessage.entry_id)).label("answers")
    query = (
        select(Member, answers)
        .join(EntryMessage, EntryMessage.author_id == Member.id)
        .where(EntryMessage.role == "answer", EntryMessage.entry_id.in_(entry_ids), Member.is_bot.is_(False))
        .where(message_visible())
        .group_by(Member.id)
        .order_by(answers.desc(), func.lower(Member.display_name), Member.id)
    )
    if platform is not None:
        query = query.where(Member.platform == platform)
    return query


async def answerers_for(
    session: AsyncSession,
    topic: str,
    limit: int = 5,
    *,
    platform: str | None = None,
    audience: Audience | None = None,
) -> Answerers:
    """Opted-in members with accepted answers on ``topic`` (best first, at most ``limit``), and the rest's count."""
    entry_ids = await matching_entry_ids(session, topic, audience)
    if not entry_ids:
        return Answerers([], 0)
    experts: list[Expert] = []
    hidden = 0
    for member, count in await session.execute(_answerers_query(entry_ids, platform)):
        if not member.suggest_opt_in:
            hidden += 1
        elif len(experts) < limit:
            experts.append(Expert(member.id, member.platform, member.external_id, member.display_name, int(count)))
    return Answerers(experts, hidden)


async def experts_for(
    session: AsyncSession, topic: str, limit: int = 5, *, platform: str | None = None, audience: Audience | None = None
) -> list[Expert]:
    """Members who opted in to being suggested and gave accepted answers on ``topic``, most answers first."""
    return (await answerers_for(session, topic, limit, platform=platform, audience=audience)).experts
