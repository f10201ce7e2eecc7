"""The knowledge base's event listener: ✅ reactions, native pins, thanks guesses, edits and deletions."""

from __future__ import annotations

import logging

from sqlalchemy import select

from copbot.activities.recognition.cues import looks_like_thanks
from copbot.core.adapter import Outgoing
from copbot.core.context import Context, Listener, Subscription
from copbot.core.events import (
    MessageDeleted,
    MessageEdited,
    MessagePinned,
    MessagePosted,
    MessageUnpinned,
    Place,
    ReactionAdded,
)
from copbot.core.roles import Role
from copbot.knowledge.capture import (
    CaptureRefused,
    announce,
    capture_thread,
    sync_thread,
    thread_for_message,
    thread_place,
)
from copbot.knowledge.pins import pin, unpin
from copbot.knowledge.sync import apply_deletion, apply_edit
from copbot.store import chat
from copbot.store.models import CaptureProposal, KnowledgeEntry, Member, Thread

log = logging.getLogger(__name__)


def _emoji_key(emoji: str) -> str:
    return emoji.strip().strip(":").replace("\ufe0f", "").lower()


def is_solved_emoji(emoji: str, configured: list[str]) -> bool:
    """Whether a reaction is one of the configured check marks (with or without colons or variation selector)."""
    return _emoji_key(emoji) in {_emoji_key(item) for item in configured}


def knowledge_listeners() -> list[Listener]:
    """The knowledge base's subscriptions: reactions, native pins, thanks, edits and deletions."""
    return [
        Subscription("knowledge: reactions", (ReactionAdded,), _on_reaction),
        Subscription("knowledge: native pins", (MessagePinned, MessageUnpinned), _on_native_pin),
        Subscription("knowledge: thanks guesses", (MessagePosted,), _maybe_propose),
        Subscription("knowledge: edits", (MessageEdited,), _on_edit),
        Subscription("knowledge: deletions", (MessageDeleted,), _on_deletion),
    ]


async def _on_edit(ctx: Context, event: MessageEdited) -> None:
    async with ctx.services.sessions.begin() as session:
        await apply_edit(session, ctx.platform, event.message_id, event.text)


async def _on_deletion(ctx: Context, event: MessageDeleted) -> None:
    async with ctx.services.sessions.begin() as session:
        await apply_deletion(session, ctx.platform, event.message_id)


async def _on_reaction(ctx: Context, event: ReactionAdded) -> None:
    if not is_solved_emoji(event.emoji, ctx.services.settings.knowledge.solved_emojis):
        return
    async with ctx.services.sessions.begin() as session:
        proposal = await session.scalar(
            select(CaptureProposal).where(
                CaptureProposal.prompt_message_id == event.message_id, CaptureProposal.status == "pending"
            )
        )
        if proposal is not None:
            if proposal.asker_external_id != event.member.id:
                return
            thread = await session.get(Thread, proposal.thread_id)
            answers = [proposal.answer_message_id] if proposal.answer_message_id else []
            proposal.status = "accepted"
            via = "guess"
        else:
            thread = await thread_for_message(session, ctx.platform, event.message_id)
            answers = [event.message_id]
            via = "reaction"
            if thread is None or event.message_id == (thread.root_message_id or thread.thread_key):
                return
            asker = await session.get(Member, thread.asker_id) if thread.asker_id else None
            if asker is None or asker.external_id != event.member.id:
                return
        if thread is None:
            return
        try:
            await sync_thread(ctx, session, thread_place(thread))
            result = await capture_thread(ctx, session, thread, answer_ids=answers, via=via)
        except CaptureRefused as refusal:
            log.info("reaction capture refused: %s", refusal)
            return
    await announce(ctx, thread, result)


async def _on_native_pin(ctx: Context, event: MessagePinned | MessageUnpinned) -> None:
    if event.member is None or (await ctx.standing(event.member)).role < Role.MODERATOR:
        return
    async with ctx.services.sessions.begin() as session:
        if isinstance(event, MessageUnpinned):
            said = await unpin(ctx, session, event.message_id)
            log.info("native unpin of %s: %s", event.message_id, said)
            return
        try:
            thread, result = await pin(ctx, session, event.message_id)
        except CaptureRefused as refusal:
            log.info("native pin capture refused: %s", refusal)
            return
    await announce(ctx, thread, result)


async def _maybe_propose(ctx: Context, event: MessagePosted) -> None:
    """The asker says thanks after someone else replied: ask them to confirm with one reaction."""
    settings = ctx.services.settings
    tracked = ctx.tracked
    thread = tracked.thread if tracked is not None else None
    if tracked is None or not settings.knowledge.guess_from_thanks or thread is None or thread.status == "answered":
        return
    if tracked.author.id != thread.asker_id or not _thanks(event.text, settings.activity.language):
        return
    async with ctx.services.sessions.begin() as session:
        pending = await session.scalar(
            select(CaptureProposal.id).where(
                CaptureProposal.thread_id == thread.id, CaptureProposal.status == "pending"
            )
        )
        captured = await session.scalar(select(KnowledgeEntry.id).where(KnowledgeEntry.thread_id == thread.id))
        if pending is not None or captured is not None:
            return
        others = [m for m in await chat.thread_messages(session, thread.id) if m.author_id != thread.asker_id]
        if not others:
            return
        answer = next((m for m in others if m.external_id == event.reply_to), others[-1])
        text = (
            f"{event.author.name}, it sounds like this helped. React ✅ to this message and I will save this "
            "thread to the knowledge base so others find it. Nothing is saved unless you do."
        )
        place = event.place if event.place.thread else Place(event.place.platform, event.place.room)
        sent = await ctx.adapter.send(place, Outgoing.of(text), reply_to=event.id)
        session.add(
            CaptureProposal(
                thread_id=thread.id,
                prompt_message_id=sent.id,
                answer_message_id=answer.external_id,
                asker_external_id=event.author.id,
                created_at=ctx.services.clock.now(),
            )
        )


def _thanks(text: str, language: str) -> bool:
    try:
        return looks_like_thanks(text, language)
    except ValueError:
        return looks_like_thanks(text)
