"""The knowledge base's event listener: ✅ reactions, native pins, thanks guesses, edits and deletions."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import select

from copbot.core.context import Context, Listener, Subscription
from copbot.core.events import (
    MessageDeleted,
    MessageEdited,
    MessagePinned,
    MessagePosted,
    MessageUnpinned,
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
from copbot.knowledge.thanks import ThanksGuess
from copbot.members import audit
from copbot.store import chat
from copbot.store.models import CaptureProposal, Member, Thread

log = logging.getLogger(__name__)

PIN_WAIT_STEP = 0.1
PIN_WAIT_STEPS = 30
"""A native pin waits up to 3 s for the pinned message to be stored (its events can arrive in either order)."""


def _emoji_key(emoji: str) -> str:
    return emoji.strip().strip(":").replace("\ufe0f", "").lower()


def is_solved_emoji(emoji: str, configured: list[str]) -> bool:
    """Whether a reaction is one of the configured check marks (with or without colons or variation selector)."""
    return _emoji_key(emoji) in {_emoji_key(item) for item in configured}


def knowledge_listeners(thanks: ThanksGuess) -> list[Listener]:
    """The knowledge base's subscriptions: reactions, native pins, thanks (``thanks`` is also an ingest hook),
    edits and deletions."""
    return [
        Subscription("knowledge: reactions", (ReactionAdded,), _on_reaction),
        Subscription("knowledge: native pins", (MessagePinned, MessageUnpinned), _on_native_pin),
        Subscription("knowledge: thanks guesses", (MessagePosted,), thanks.handle),
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
        await _note_asker_reaction(ctx, event)
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
            answers = proposal.answer_message_ids.split()
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


async def _note_asker_reaction(ctx: Context, event: ReactionAdded) -> None:
    """Remember that the asker reacted to a reply in their thread: a sign it is the answer."""
    async with ctx.services.sessions.begin() as session:
        message = await chat.find_message(session, ctx.platform, event.message_id)
        if message is None or message.thread_id is None:
            return
        thread = await session.get(Thread, message.thread_id)
        asker = await session.get(Member, thread.asker_id) if thread is not None and thread.asker_id else None
        if asker is not None and asker.external_id == event.member.id and message.author_id != asker.id:
            message.asker_reaction = event.emoji[:64]


async def _on_native_pin(ctx: Context, event: MessagePinned | MessageUnpinned) -> None:
    if event.member is None or (await ctx.standing(event.member)).role < Role.MODERATOR:
        return
    if isinstance(event, MessagePinned):
        await _until_stored(ctx, event.message_id)
    async with ctx.services.sessions.begin() as session:
        if isinstance(event, MessageUnpinned):
            said = await unpin(ctx, session, event.message_id)
            audit.record(session, ctx.platform, event.member, "kb.unpin", event.message_id, f"native: {said}")
            log.info("native unpin of %s: %s", event.message_id, said)
            return
        try:
            thread, result = await pin(ctx, session, event.message_id)
        except CaptureRefused as refusal:
            log.info("native pin capture refused: %s", refusal)
            return
        audit.record(
            session, ctx.platform, event.member, "kb.pin", result.entry.public_id, f"native: {event.message_id}"
        )
    await announce(ctx, thread, result)


async def _until_stored(ctx: Context, message_id: str) -> None:
    """A platform may deliver a pin before the pinned message's own event is stored: wait for it, briefly."""
    for _ in range(PIN_WAIT_STEPS):
        async with ctx.services.sessions() as session:
            if await chat.find_message(session, ctx.platform, message_id) is not None:
                return
        await asyncio.sleep(PIN_WAIT_STEP)
