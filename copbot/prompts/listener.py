"""Link replies to a posted prompt: the conversation they form becomes a thread with ``prompt_run_id`` set."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from copbot.config.settings import Settings
from copbot.conversations.threads import Tracked, title_from
from copbot.core.context import Context, Listener, Subscription
from copbot.core.events import MessagePosted
from copbot.prompts.kinds import texts_for
from copbot.store import chat
from copbot.store.models import Message, PromptRun, Thread

log = logging.getLogger(__name__)


async def _run_for(session: AsyncSession, platform: str, message_id: str) -> PromptRun | None:
    return await session.scalar(
        select(PromptRun)
        .where(PromptRun.platform == platform, PromptRun.message_id == message_id, PromptRun.status == "posted")
        .order_by(PromptRun.id.desc())
        .limit(1)
    )


def _prompt_title(settings: Settings | None, run: PromptRun) -> str:
    prompt = next((p for p in settings.prompts if p.name == run.prompt_name), None) if settings else None
    texts = texts_for(prompt) if prompt else ()
    if run.text_index is not None and 0 <= run.text_index < len(texts):
        return title_from(texts[run.text_index])
    return f"{prompt.kind.replace('_', ' ') if prompt else 'prompt'}: {run.prompt_name}"


async def link_prompt_reply(
    session: AsyncSession, event: MessagePosted, tracked: Tracked | None, settings: Settings | None = None
) -> Thread | None:
    """If ``event`` answers a prompt (a reply to it, or inside a thread rooted at it), link its thread to the run.

    Tracking cannot start a reply chain at the bot's own prompt (bot messages are not stored), so a direct reply
    to a prompt opens the chain here, keyed by the prompt's message id like any reply chain.
    """
    platform = event.place.platform
    thread = await session.get(Thread, tracked.thread.id) if tracked and tracked.thread else None
    if thread is not None and thread.prompt_run_id is not None:
        return thread
    candidates = [key for key in (event.place.thread, event.reply_to) if key]
    if thread is not None:
        candidates += [key for key in (thread.thread_key, thread.root_message_id) if key]
    run = None
    for key in dict.fromkeys(candidates):
        run = await _run_for(session, platform, key)
        if run is not None:
            break
    if run is None or run.message_id is None:
        return thread
    if thread is None:
        thread, _ = await chat.get_or_create_thread(
            session,
            event.place,
            run.message_id,
            created_at=min(run.started_at, event.created_at),
            is_platform_thread=False,
            root_message_id=run.message_id,
            title=_prompt_title(settings, run),
        )
        message = await session.get(Message, tracked.message.id) if tracked else None
        if message is not None and message.thread_id is None:
            message.thread_id = thread.id
        if event.created_at > thread.last_message_at:
            thread.last_message_at = event.created_at
    thread.prompt_run_id = run.id
    log.info("thread %s linked to prompt run %s (%s)", thread.id, run.id, run.prompt_name)
    return thread


def prompt_reply_listeners() -> list[Listener]:
    """Registered for new messages: replies to a posted prompt are linked to its run."""
    return [Subscription("prompts: replies", (MessagePosted,), _on_message)]


async def _on_message(ctx: Context, event: MessagePosted) -> None:
    """Link a message that answers a prompt to its run."""
    if event.reply_to is None and event.place.thread is None:
        return
    if ctx.ingested is not None and not ctx.ingested.prompt_keys:
        return  # ingest looked: no posted prompt has any id this message's conversation hangs on
    async with ctx.services.sessions.begin() as session:
        await link_prompt_reply(session, event, ctx.tracked, ctx.services.settings)
