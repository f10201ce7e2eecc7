"""The thanks guess: the asker says thanks after someone else replied, so the bot asks them to confirm with ✅.

What it needs to know of a thread (a proposal pending, an entry made, its messages, the repliers' names) is read
for a whole ingest batch in the batch's transaction, and each proposal is written in a later batch's transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CompoundSelect, Table, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from copbot.activities.recognition.cues import looks_like_thanks
from copbot.config.settings import Settings
from copbot.conversations.batch import Batch, Fact
from copbot.conversations.threads import Tracked
from copbot.core.adapter import Outgoing
from copbot.core.clock import Clock
from copbot.core.context import Context
from copbot.core.events import MessagePosted, Place
from copbot.knowledge.answers import choose_answer, replies_to_consider, thanked
from copbot.store.models import CaptureProposal, KnowledgeEntry, Member, Message, Thread

PROPOSALS = cast(Table, CaptureProposal.__table__)
RECENT = timedelta(seconds=60)
"""A thread the guess was just sent for counts as pending this long, until every later batch's read sees the
stored proposal (whose transaction may commit after the next batch has read); a lost task blocks no longer."""
RECENT_KEPT = 4096
"""Beyond this many remembered threads, the ones past ``RECENT`` are forgotten."""


@dataclass(frozen=True, slots=True)
class Replies:
    """What a thanks guess reads of an open thread: its messages, the question, the replies that could be answers."""

    rows: Sequence[Message]
    question: Message
    others: Sequence[Message]
    names: Mapping[int, str]
    """Display names of the authors of ``others``, by member id."""


GUESSES: Fact[dict[tuple[str, str], Replies | None]] = Fact("knowledge: thanks guesses")
"""For each thanks of the batch that may become a guess (by platform and message id): the thread's replies, or
None when a proposal is pending, the thread was captured, or another thanks in it is being answered."""


def _thanks(text: str, language: str) -> bool:
    try:
        return looks_like_thanks(text, language)
    except ValueError:
        return looks_like_thanks(text)


async def read_replies(
    session: AsyncSession, threads: Mapping[int, Thread], language: str
) -> dict[int, Replies | None]:
    """For each thread, its replies; None where a proposal is pending or an entry exists (four queries in all)."""
    ids = list(threads)
    blocked: CompoundSelect[Any] = union_all(
        select(CaptureProposal.thread_id).where(
            CaptureProposal.thread_id.in_(ids), CaptureProposal.status == "pending"
        ),
        select(KnowledgeEntry.thread_id).where(KnowledgeEntry.thread_id.in_(ids)),
    )
    closed: set[int] = set(await session.scalars(blocked))
    found: dict[int, Replies | None] = dict.fromkeys(ids)
    wanted = [thread_id for thread_id in ids if thread_id not in closed]
    if not wanted:
        return found
    live = (Message.thread_id.in_(wanted), Message.deleted_at.is_(None))
    by_thread: dict[int, list[Message]] = defaultdict(list)
    for row in await session.scalars(select(Message).where(*live).order_by(Message.created_at, Message.id)):
        if row.thread_id is not None:
            by_thread[row.thread_id].append(row)
    opened: dict[int, tuple[list[Message], Message, list[Message]]] = {}
    for thread_id in wanted:
        rows, thread = by_thread.get(thread_id, []), threads[thread_id]
        question = next((m for m in rows if m.external_id == (thread.root_message_id or thread.thread_key)), None)
        others = replies_to_consider(rows, question or rows[0], thread.asker_id, language) if rows else []
        if others:
            opened[thread_id] = (rows, question or rows[0], others)
    authors = {m.author_id for _, _, others in opened.values() for m in others}
    names = {
        member.id: member.display_name
        for member in (await session.scalars(select(Member).where(Member.id.in_(authors))) if authors else ())
    }
    for thread_id, (rows, question, others) in opened.items():
        found[thread_id] = Replies(rows, question, others, names)
    return found


def credited_replies(event: MessagePosted, thread: Thread, replies: Replies, language: str) -> list[Message]:
    """The replies the thanks credits: the ones it names, else the one it answers, else the chosen answer."""
    others = list(replies.others)
    names = {author: name for author, name in replies.names.items() if any(m.author_id == author for m in others)}
    credited = thanked(event.text, others, names, event.reply_to)
    if credited:
        return credited
    replied = [m for m in others if m.external_id == event.reply_to]
    choice = choose_answer(replies.rows, replies.question, thread.asker_id, language)
    return replied or [next((m for m in others if m.external_id == choice.answer), others[-1])]


class ThanksGuess:
    """The listener (``handle``) and its batch hook (``after_write``); it remembers which threads it is answering."""

    def __init__(self, settings: Settings, clock: Clock) -> None:
        self.settings = settings
        self.clock = clock
        self._answering: dict[int, datetime] = {}
        """Threads a guess was sent (or is being sent) for lately, with when (by the injected clock)."""

    def thread_for(self, tracked: Tracked | None, text: str) -> Thread | None:
        """The thread a thanks by its asker may be a guess for (none where the guess is off or does not apply)."""
        thread = tracked.thread if tracked is not None else None
        if tracked is None or thread is None or not self.settings.knowledge.guess_from_thanks:
            return None
        if thread.status == "answered" or tracked.author.id != thread.asker_id or thread.id is None:
            return None
        return thread if _thanks(text, self.settings.activity.language) else None

    def _reserve(self, thread_id: int) -> bool:
        """Claim ``thread_id`` for one guess; False while another guess for it was sent (or is being) lately."""
        now = self.clock.now()
        began = self._answering.get(thread_id)
        if began is not None and timedelta(0) <= now - began < RECENT:
            return False
        if len(self._answering) > RECENT_KEPT:
            self._answering = {key: at for key, at in self._answering.items() if timedelta(0) <= now - at < RECENT}
        self._answering[thread_id] = now
        return True

    async def after_write(self, session: AsyncSession, batch: Batch) -> None:
        """Read, for every thanks of the batch that may become a guess, its thread's replies, in four queries."""
        first: dict[int, tuple[str, str]] = {}
        guesses: dict[tuple[str, str], Replies | None] = {}
        threads: dict[int, Thread] = {}
        for event, ingested in zip(batch.events, batch.ingested, strict=True):
            thread = self.thread_for(ingested.tracked, event.text)
            if thread is None:
                continue
            key = (event.place.platform, event.id)
            guesses[key] = None  # a later thanks in the same thread waits for the first one's guess
            if thread.id not in first:
                first[thread.id], threads[thread.id] = key, thread
        if guesses:
            for thread_id, replies in (await read_replies(session, threads, self.settings.activity.language)).items():
                guesses[first[thread_id]] = replies
        batch.note(GUESSES, guesses)  # noted even when empty: ``handle`` then knows no message of the batch is one

    async def handle(self, ctx: Context, event: MessagePosted) -> None:
        """Ask the asker who said thanks to confirm with one reaction; saved only once they do."""
        batch = ctx.ingested.batch if ctx.ingested is not None else None
        guesses = batch.get(GUESSES) if batch is not None else None
        key = (event.place.platform, event.id)
        if guesses is not None and key not in guesses:
            return  # the batch's hook asked ``thread_for`` already: not a thanks that may become a guess
        thread = self.thread_for(ctx.tracked, event.text)
        if thread is None:
            return
        if batch is None or guesses is None or key not in guesses:
            if self._reserve(thread.id):
                await self._alone(ctx, event, thread)
            return
        replies = guesses[key]
        if replies is None or not self._reserve(thread.id):
            return  # a proposal is pending, the thread was captured, or a guess for it was just sent
        try:
            await batch.insert(PROPOSALS, await self._ask(ctx, event, thread, replies))
        except BaseException:
            self._answering.pop(thread.id, None)
            raise

    async def _alone(self, ctx: Context, event: MessagePosted, thread: Thread) -> None:
        """The same guess for a message stored on its own (no batch looked): read and write in one transaction."""
        try:
            async with ctx.services.sessions.begin() as session:
                replies = (await read_replies(session, {thread.id: thread}, self.settings.activity.language))[thread.id]
                if replies is not None:
                    session.add(CaptureProposal(**await self._ask(ctx, event, thread, replies)))
                    return
        except BaseException:
            self._answering.pop(thread.id, None)
            raise
        self._answering.pop(thread.id, None)  # nothing was asked: a later thanks may be

    async def _ask(self, ctx: Context, event: MessagePosted, thread: Thread, replies: Replies) -> dict[str, Any]:
        """Send the question; the proposal's columns."""
        credited = credited_replies(event, thread, replies, self.settings.activity.language)
        text = (
            f"{event.author.name}, it sounds like this helped. React ✅ to this message and I will save this "
            "thread to the knowledge base so others find it. Nothing is saved unless you do."
        )
        place = event.place if event.place.thread else Place(event.place.platform, event.place.room)
        sent = await ctx.adapter.send(place, Outgoing.of(text), reply_to=event.id)
        return {
            "thread_id": thread.id,
            "prompt_message_id": sent.id,
            "answer_message_ids": " ".join(m.external_id for m in credited),
            "asker_external_id": event.author.id,
            "status": "pending",
            "created_at": ctx.services.clock.now(),
        }
