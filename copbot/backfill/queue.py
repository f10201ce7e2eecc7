"""Answered threads of the past: the marks a backfill reads (✅, thanks, solved tag, pin) become review candidates."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from copbot.activities.recognition.cues import looks_like_thanks
from copbot.config.settings import Settings
from copbot.conversations.ingest import Ingested
from copbot.conversations.threads import own_thread
from copbot.core.adapter import HistoryReader, PastMessage, PastSource
from copbot.knowledge.answers import choose_answer, replies_to_consider, thanked
from copbot.knowledge.capture import CaptureRefused, link_place
from copbot.store import chat, scope
from copbot.store.backfill import BackfillCandidate, BackfillRow
from copbot.store.models import Member, Message, Thread

DETECT_CHUNK = 500
"""Threads examined per query when looking for answered ones."""
Accept = Callable[[AsyncSession, BackfillCandidate], Awaitable[object]]
"""Turns an accepted candidate into an entry (``review.accept``, bound to the services)."""


@dataclass(slots=True)
class Queue:
    """Where candidates go: pending for review, or accepted at once in an ``auto_accept`` channel."""

    sessions: async_sessionmaker[AsyncSession]
    settings: Settings
    accept: Accept | None = None

    def public(self, room: str, source: PastSource | None = None) -> bool:
        """What the platform said of the room, else what ``[backfill]`` says, else private."""
        if source is not None and source.public is not None:
            return source.public
        channel = self.settings.backfill.channel(room)
        return bool(channel is not None and channel.public)

    async def add(
        self, session: AsyncSession, reader: HistoryReader, thread: Thread, signal: str, answers: Sequence[str] = (),
        source: PastSource | None = None, *, known_new: bool = False,
    ) -> BackfillCandidate | None:  # fmt: skip
        """Queue ``thread`` once (``known_new``: the caller checked it is not queued yet)."""
        queued = select(BackfillCandidate.id).where(BackfillCandidate.thread_id == thread.id)
        if not known_new and await session.scalar(queued):
            return None
        root = thread.root_message_id or thread.thread_key
        candidate = BackfillCandidate(
            thread_id=thread.id, signal=signal, answer_ids=" ".join(answers), status="pending",
            source_url=reader.message_url(link_place(thread), root), source_public=self.public(thread.room, source),
            created_at=scope.now(session), decided_by="",
        )  # fmt: skip
        session.add(candidate)
        channel = self.settings.backfill.channel(thread.room)
        if self.accept is not None and channel is not None and channel.auto_accept:
            await session.flush()
            try:
                async with session.begin_nested():
                    await self.accept(session, candidate)
            except CaptureRefused:  # the asker opted out, or the question is gone
                candidate.status, candidate.decided_by = "rejected", "auto_accept"
        return candidate

    async def note_marks(
        self, session: AsyncSession, reader: HistoryReader, source: PastSource, kept: Sequence[PastMessage],
        results: Sequence[Ingested],
    ) -> None:  # fmt: skip
        """The asker's ✅ on a reply (kept on the message, as a live reaction is) and pinned messages."""
        solved = set(self.settings.knowledge.solved_emojis)
        askers = {r.tracked.thread.asker_id for m, r in zip(kept, results, strict=True)
                  if r.tracked.thread is not None and any(e in solved for e, _ in m.reactions)}  # fmt: skip
        askers.discard(None)
        external: dict[int, str] = {}
        if askers:
            query = select(Member.id, Member.external_id).where(Member.id.in_(askers))
            external = {ident: ext for ident, ext in await session.execute(query)}
        for message, result in zip(kept, results, strict=True):
            thread, stored = result.tracked.thread, result.tracked.message
            mark = None
            if thread is not None and thread.asker_id is not None and stored.author_id != thread.asker_id:
                asker = external.get(thread.asker_id)
                mark = next((e for e, users in message.reactions if e in solved and asker in users), None)
            if mark is None and not message.pinned:
                continue
            row = await session.get(Message, stored.id)  # ingest built no ORM row; the few it changes are loaded
            if row is None:
                continue
            if mark is not None:
                row.asker_reaction = mark
            if message.pinned:
                await self._pinned(session, reader, source, row, thread)

    async def _pinned(
        self, session: AsyncSession, reader: HistoryReader, source: PastSource, row: Message, thread: Thread | None
    ) -> None:
        if thread is None:  # a message pinned alone: its own entry, as a live pin makes it
            thread = await own_thread(session, row)
            session.add(BackfillRow(kind="thread", row_id=thread.id))
            await session.flush()
        root = thread.root_message_id or thread.thread_key
        await self.add(session, reader, thread, "pinned", [] if row.external_id == root else [row.external_id], source)

    async def mark_source_solved(self, reader: HistoryReader, source: PastSource) -> None:
        """A forum post tagged solved is a candidate."""
        async with self.sessions.begin() as session:
            thread = await chat.thread_for_place(session, source.place)
            if thread is not None:
                await self.add(session, reader, thread, "solved_tag", (), source)

    async def detect(self, reader: HistoryReader) -> tuple[int, int]:
        """Queue every backfilled thread whose history shows it answered; returns (queued, accepted at once)."""
        queued = accepted = 0
        async with self.sessions() as session:
            ids = list(await session.scalars(select(BackfillRow.row_id).where(BackfillRow.kind == "thread")))
        for start in range(0, len(ids), DETECT_CHUNK):
            async with self.sessions.begin() as session:
                for thread, signal, answers in await self._answered(session, ids[start : start + DETECT_CHUNK]):
                    candidate = await self.add(session, reader, thread, signal, answers, known_new=True)
                    if candidate is not None:
                        queued += 1
                        accepted += candidate.status == "accepted"
        return queued, accepted

    async def _answered(self, session: AsyncSession, ids: Sequence[int]) -> list[tuple[Thread, str, list[str]]]:
        queued = select(BackfillCandidate.thread_id).where(BackfillCandidate.thread_id.in_(ids))
        oldest_first = select(Thread).where(Thread.id.in_(ids), Thread.id.not_in(queued))
        threads = list(await session.scalars(oldest_first.order_by(Thread.created_at, Thread.id)))
        if not threads:
            return []
        rows = await session.scalars(
            select(Message)
            .where(Message.thread_id.in_([t.id for t in threads]), Message.deleted_at.is_(None))
            .order_by(Message.created_at, Message.id)
        )
        by_thread: dict[int, list[Message]] = {}
        for row in rows:
            if row.thread_id is not None:
                by_thread.setdefault(row.thread_id, []).append(row)
        authors = {row.author_id for group in by_thread.values() for row in group if row.author_id is not None}
        names = {
            i: n for i, n in await session.execute(select(Member.id, Member.display_name).where(Member.id.in_(authors)))
        }
        found = []
        for thread in threads:
            said = by_thread.get(thread.id, [])
            own = {row.author_id: names[row.author_id] for row in said if row.author_id in names}
            answered = answered_by(thread, said, own, self.settings.activity.language)
            if answered is not None:
                found.append((thread, *answered))
        return found


def answered_by(
    thread: Thread, rows: Sequence[Message], names: dict[int, str], language: str = "en"
) -> tuple[str, list[str]] | None:
    """What shows the thread answered and the answers it points at: the asker's ✅, else the asker's thanks after
    another member replied; None when its history shows neither."""
    if not rows:
        return None
    root = thread.root_message_id or thread.thread_key
    question = next((row for row in rows if row.external_id == root), rows[0])
    asker = thread.asker_id or question.author_id
    marked = [row.external_id for row in rows if row.asker_reaction and row.author_id != asker]
    if marked:
        return "reaction", marked
    for index, row in enumerate(rows):
        if row is question or row.author_id != asker or not looks_like_thanks(row.text, language):
            continue
        replies = replies_to_consider(rows[:index], question, asker, language)
        if not replies:
            continue
        credited = thanked(row.text, replies, names, row.reply_to)
        if credited:
            return "thanks", [reply.external_id for reply in credited]
        choice = choose_answer(rows[:index], question, asker, language)
        return "thanks", [choice.answer] if choice.answer else []
    return None
