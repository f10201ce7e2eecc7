"""The review queue: list the past threads found answered, accept one (a capture, as live), reject or retitle it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from copbot.activities.labelling import THREAD_LABEL_UPTO, apply_thread_label, build_recogniser
from copbot.conversations.threads import title_from
from copbot.core.adapter import Adapter, Capabilities, EventSink, MemberInfo, Outgoing, SentMessage
from copbot.core.context import Context
from copbot.core.events import CommandInvoked, Member, MessagePosted, Place
from copbot.core.services import Services
from copbot.knowledge.capture import capture_thread, thread_place
from copbot.members.visibility import Audience, thread_visible
from copbot.store import chat, scope
from copbot.store.backfill import BackfillCandidate
from copbot.store.models import KnowledgeEntry, Message, Thread
from copbot.store.models import Member as StoredMember

SIGNALS = {
    "reaction": "the asker reacted ✅ to a reply",
    "thanks": "the asker thanked after another member replied",
    "solved_tag": "the forum post is tagged solved",
    "pinned": "a message was pinned",
}
"""How a review names each signal."""


class ReviewError(ValueError):
    """A candidate that cannot be decided (unknown, already decided); the message says why."""


class ArchiveAdapter(Adapter):
    """The platform a past thread came from, as capture needs it: its link and whether its place was public."""

    capabilities = Capabilities()

    def __init__(self, platform: str, candidate: BackfillCandidate) -> None:
        self.platform = platform
        self.candidate = candidate

    def message_url(self, place: Place, message_id: str) -> str | None:
        """The source link the backfill recorded."""
        return self.candidate.source_url

    async def place_is_public(self, place: Place) -> bool:
        """What the backfill recorded of the place."""
        return self.candidate.source_public

    async def start(self, sink: EventSink) -> None:
        """Nothing to connect: the thread is in the past."""

    async def stop(self) -> None:
        """Nothing to disconnect."""

    async def send(self, place: Place, content: Outgoing, *, reply_to: str | None = None) -> SentMessage:
        """A past thread is never written to."""
        raise RuntimeError("a backfilled thread is not posted to")

    async def open_thread(self, message: MessagePosted, title: str) -> Place:
        """No threads are opened in the past."""
        return message.place

    async def react(self, place: Place, message_id: str, emoji: str) -> None:
        """No reactions are added in the past."""

    async def respond_privately(self, command: CommandInvoked, content: Outgoing) -> SentMessage | None:
        """Nobody to answer."""
        return None

    async def fetch_thread(self, place: Place) -> list[MessagePosted]:
        """The stored messages are all there is."""
        return []

    async def member_info(self, place: Place, member: Member) -> MemberInfo:
        """Nobody's rights are looked up here."""
        return MemberInfo()


@dataclass(frozen=True, slots=True)
class Shown:
    """A pending candidate as a reviewer sees it."""

    id: int
    title: str
    signal: str
    question: str
    answer: str
    url: str | None


async def pending(session: AsyncSession, audience: Audience, *, limit: int = 3) -> tuple[list[Shown], int]:
    """The oldest pending candidates ``audience`` may see (asker not opted out, question kept), and how many wait."""
    public = select(Thread.room).join(BackfillCandidate, BackfillCandidate.thread_id == Thread.id)
    public_rooms = sorted(set(await session.scalars(public.where(BackfillCandidate.source_public.is_(True)))))
    where = (BackfillCandidate.status == "pending", thread_visible(audience, public_rooms))
    base = select(BackfillCandidate, Thread).join(Thread, Thread.id == BackfillCandidate.thread_id).where(*where)
    total = await session.scalar(select(func.count()).select_from(base.subquery())) or 0
    shown: list[Shown] = []
    oldest = base.order_by(Thread.created_at, BackfillCandidate.id).limit(limit)
    for candidate, thread in (await session.execute(oldest)).all():
        rows = {m.external_id: m for m in await chat.thread_messages(session, thread.id)}
        root = thread.root_message_id or thread.thread_key
        question = rows.get(root) or await chat.find_message(session, thread.platform, root)
        answer = next((rows[a] for a in candidate.answer_ids.split() if a in rows), None)
        answer_text = answer.text if answer is not None and await _author_visible(session, answer) else ""
        asked = question.text if question else ""
        title = thread.title or title_from(asked)
        shown.append(Shown(candidate.id, title, candidate.signal, asked, answer_text, candidate.source_url))
    return shown, total


async def _author_visible(session: AsyncSession, message: Message) -> bool:
    author = await session.get(StoredMember, message.author_id) if message.author_id else None
    return author is None or not author.capture_opt_out


async def _pending(session: AsyncSession, ident: int) -> tuple[BackfillCandidate, Thread]:
    candidate = await session.get(BackfillCandidate, ident)
    if candidate is None:
        raise ReviewError(f"There is no candidate {ident} in the review queue.")
    if candidate.status != "pending":
        raise ReviewError(f"Candidate {ident} was already {candidate.status}.")
    thread = await session.get(Thread, candidate.thread_id)
    assert thread is not None  # candidates go with their thread
    return candidate, thread


async def accept(
    services: Services, session: AsyncSession, candidate: BackfillCandidate, by: str = ""
) -> KnowledgeEntry:
    """Save the candidate's thread as an entry exactly as a live capture does, linked to its source."""
    thread = await session.get(Thread, candidate.thread_id)
    assert thread is not None
    event = CommandInvoked(place=thread_place(thread), created_at=services.clock.now(), id=f"backfill-{candidate.id}",
                           author=Member(by or "copbot", by or "copbot"), name="kb", args="review accept")  # fmt: skip
    ctx = Context(ArchiveAdapter(thread.platform, candidate), services, event)
    section = services.settings.activity
    if thread.activity is None and section.enabled:  # as the live listener labels a thread while it is short
        texts = [row.text for row in await chat.thread_messages(session, thread.id)][:THREAD_LABEL_UPTO]
        apply_thread_label(build_recogniser(section), thread, texts, section.min_confidence)
    result = await capture_thread(ctx, session, thread, answer_ids=candidate.answer_ids.split(), via="backfill")
    candidate.status, candidate.entry_id = "accepted", result.entry.id
    candidate.decided_at, candidate.decided_by = scope.now(session), by
    return result.entry


async def decide(services: Services, session: AsyncSession, ident: int, decision: str, by: str) -> str:
    """Accept or reject candidate ``ident``; returns one sentence for the reviewer."""
    candidate, thread = await _pending(session, ident)
    if decision == "accept":
        entry = await accept(services, session, candidate, by)
        return f"Accepted candidate {ident}: saved as {entry.public_id}: {entry.title}"
    candidate.status, candidate.decided_at, candidate.decided_by = "rejected", scope.now(session), by
    return f"Rejected candidate {ident}: {thread.title or 'the thread'} stays out of the knowledge base."


async def retitle(session: AsyncSession, ident: int, title: str) -> str:
    """Give a pending candidate the title its entry will have."""
    _, thread = await _pending(session, ident)
    thread.title = title.strip()[:300]
    return f"Candidate {ident} will be saved as: {thread.title}"
