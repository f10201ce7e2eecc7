"""Who may see what: the one visibility rule every read path of the knowledge base and the digests applies.

Content is hidden when its author opted out (``/privacy stop``) or it was deleted. An entry inherits the
visibility of the place it came from: a public place shares it with the whole community, a private place only
with itself and the places ``[knowledge] share`` names. An entry whose question is hidden is hidden entirely.
The web (the public) sees only public places of ``[web] published_channels``, and nothing of members who said
``/privacy web off``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import (
    ColumnElement,
    ScalarSelect,
    Select,
    SQLColumnExpression,
    and_,
    exists,
    false,
    func,
    not_,
    or_,
    select,
    true,
)
from sqlalchemy.orm import aliased

from copbot.core.context import Context
from copbot.core.events import Place
from copbot.store.models import EntryMessage, KnowledgeEntry, Member, Message, SearchDocument, Thread

EVERY_ROOM = "*"
"""In ``[knowledge] share``: the room's entries are shared with every room."""


@dataclass(frozen=True, slots=True)
class Audience:
    """Who is looking: a place (its platform and room), or the operator at the command line (``room`` None)."""

    platform: str | None = None
    room: str | None = None
    shared_from: frozenset[str] = frozenset()
    """Private rooms whose entries the configuration shares with this room."""

    @classmethod
    def operator(cls) -> Audience:
        """The command line: every place, still without opted-out or deleted content."""
        return cls()

    @classmethod
    def of(cls, place: Place, share: Mapping[str, Sequence[str]] | None = None) -> Audience:
        """Members reading in ``place``; ``share`` is ``[knowledge] share`` (room -> rooms that may see it)."""
        sources = {source for source, rooms in (share or {}).items() if place.room in rooms or EVERY_ROOM in rooms}
        return cls(place.platform, place.room, frozenset(sources))

    def sees_room(self, platform: str, room: str | None, public: bool) -> bool:
        """The place rule in Python, for content that is not a stored entry (an export, a reply)."""
        if self.room is None or public:
            return True
        return (platform == self.platform and room == self.room) or room in self.shared_from


def audience(ctx: Context) -> Audience:
    """The members of the place an event came from, with the rooms ``[knowledge] share`` opens to them."""
    return Audience.of(ctx.place, ctx.services.settings.knowledge.share)


def _opted_out(author_id: SQLColumnExpression[int | None]) -> ColumnElement[bool]:
    """Subqueries use their own aliases, so they never correlate with the same table in the outer query."""
    member = aliased(Member)
    return exists(select(member.id).where(member.id == author_id, member.capture_opt_out.is_(True)))


def opted_out_ids() -> ScalarSelect[int]:
    """The members whose content is shown nowhere, as one list a query reads once (``x NOT IN`` it)."""
    return select(Member.id).where(Member.capture_opt_out.is_(True)).scalar_subquery()


def author_visible(author_id: SQLColumnExpression[int | None]) -> ColumnElement[bool]:
    """The author (a column holding a member id) did not opt out; content without a known author is visible."""
    return or_(author_id.is_(None), not_(_opted_out(author_id)))


def message_visible() -> ColumnElement[bool]:
    """An entry's message (question, answer or other) may be shown: it has text and its author did not opt out."""
    return and_(func.trim(EntryMessage.text) != "", author_visible(EntryMessage.author_id))


def _question_hidden(entry_id: SQLColumnExpression[int]) -> ColumnElement[bool]:
    question = aliased(EntryMessage)
    deleted = and_(question.external_id.is_not(None), func.trim(question.text) == "")
    hidden = or_(deleted, _opted_out(question.author_id))
    return exists(select(question.id).where(question.entry_id == entry_id, question.role == "question", hidden))


def content_visible() -> ColumnElement[bool]:
    """The entry's question is neither deleted nor written by someone who opted out."""
    return not_(_question_hidden(KnowledgeEntry.id))


def place_visible(audience: Audience) -> ColumnElement[bool]:
    """The place rule on ``knowledge_entries``: public entries, the audience's own room's, and rooms shared with it."""
    if audience.room is None:
        return true()
    entry = KnowledgeEntry
    own = and_(entry.source_platform == audience.platform, entry.source_room == audience.room)
    shared = entry.source_room.in_(sorted(audience.shared_from)) if audience.shared_from else false()
    return or_(entry.source_public.is_(True), own, shared)


def entry_visible(audience: Audience) -> ColumnElement[bool]:
    """THE rule for entries: visible content from a place the audience may see."""
    return and_(content_visible(), place_visible(audience))


def searchable_entry_visible(audience: Audience) -> ColumnElement[bool]:
    """``entry_visible`` for search: an entry has a search document exactly when its content is visible
    (``entries.refresh_search_document`` builds documents by ``content_visible`` and ``message_visible``), so
    that one primary-key lookup replaces the content subqueries on every candidate."""
    document = aliased(SearchDocument)
    indexed = exists(select(document.entry_id).where(document.entry_id == KnowledgeEntry.id))
    return and_(indexed, place_visible(audience))


def thread_visible(audience: Audience, public_rooms: Collection[str]) -> ColumnElement[bool]:
    """The rule for tracked threads (digests): asker not opted out, opening message not deleted, place allowed.

    ``public_rooms`` are the rooms the platform says are public (threads do not store it; entries do).
    """
    message = aliased(Message)
    root = select(message.id).where(
        message.platform == Thread.platform,
        message.external_id == func.coalesce(Thread.root_message_id, Thread.thread_key),
        message.deleted_at.is_not(None),
    )
    conditions = [author_visible(Thread.asker_id), not_(exists(root)), func.trim(Thread.title) != ""]
    if audience.room is not None:
        rooms = {*public_rooms, *audience.shared_from}
        own = and_(Thread.platform == audience.platform, Thread.room == audience.room)
        conditions.append(or_(own, Thread.room.in_(sorted(rooms))) if rooms else own)
    return and_(*conditions)


def _web_opted_out(author_id: SQLColumnExpression[int | None]) -> ColumnElement[bool]:
    member = aliased(Member)
    hidden = or_(member.capture_opt_out.is_(True), member.web_opt_out.is_(True))
    return exists(select(member.id).where(member.id == author_id, hidden))


def web_message_visible() -> ColumnElement[bool]:
    """``message_visible`` for the web: nor may its author have said ``/privacy web off``."""
    author = EntryMessage.author_id
    return and_(message_visible(), or_(author.is_(None), not_(_web_opted_out(author))))


def web_content_visible() -> ColumnElement[bool]:
    """The entry's content may be on the web: visible, and its question's author did not keep theirs off the web."""
    question = aliased(EntryMessage)
    off = exists(
        select(question.id).where(
            question.entry_id == KnowledgeEntry.id, question.role == "question", _web_opted_out(question.author_id)
        )
    )
    return and_(content_visible(), not_(off))


def published(channels: Collection[str]) -> ColumnElement[bool]:
    """The place rule of the web (the public): public entries of the rooms ``[web] published_channels`` names."""
    if not channels:
        return false()
    entry = KnowledgeEntry
    return and_(entry.source_public.is_(True), entry.source_room.in_(sorted(channels)))


def web_entry_visible(channels: Collection[str]) -> ColumnElement[bool]:
    """THE rule for entries on the web: published, with web-visible content."""
    return and_(published(channels), web_content_visible())


def _web_off_entries() -> Select[int]:
    """Entries whose question's author keeps their content off the web: one uncorrelated set, computed once, from
    the few members who said so (by the author index), not by a scan of every message."""
    question, member = aliased(EntryMessage), aliased(Member)
    off = select(member.id).where(member.web_opt_out.is_(True))
    return select(question.entry_id).where(question.author_id.in_(off), question.role == "question")


def web_searchable(channels: Collection[str]) -> ColumnElement[bool]:
    """``web_entry_visible`` for search and lists: indexed (exactly when content-visible, as
    ``searchable_entry_visible`` says), published, and not asked by someone who said ``/privacy web off``."""
    document = aliased(SearchDocument)
    indexed = exists(select(document.entry_id).where(document.entry_id == KnowledgeEntry.id))
    return and_(indexed, published(channels), KnowledgeEntry.id.not_in(_web_off_entries()))
