"""Answering Discord interactions in time: defer when the core is slow, answer privately or publicly, acknowledge."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Awaitable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import discord

from copbot.adapters.discord.render import Rendered, render
from copbot.core.adapter import Outgoing

logger = logging.getLogger(__name__)

DEFER_AFTER = 2.0
"""Seconds to wait for the core before deferring; Discord wants an answer within three."""


@dataclass(slots=True)
class _Pending:
    """What has been done so far to answer one interaction."""

    interaction: discord.Interaction[Any]
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    deferred: bool = False
    answered: bool = False
    """The interaction has its answer: a private one, or the core's first public message in its channel."""
    posted: bool = False
    """The core posted publicly (in a thread it opened, say), so no acknowledgement needs to show."""


_handling: ContextVar[_Pending | None] = ContextVar("copbot_discord_interaction", default=None)
"""The interaction the core is handling in the current task, so public messages can answer it."""


class InteractionReplies:
    """Tracks interactions being handled so answers never race or go missing."""

    def __init__(self, *, defer_after: float = DEFER_AFTER, acknowledgement: str = "Done.") -> None:
        self._defer_after = defer_after
        self._acknowledgement = acknowledgement
        self._pending: dict[int, _Pending] = {}
        self._tasks: set[asyncio.Future[None]] = set()

    def cancel_all(self) -> None:
        """Cancel every interaction still being handled, and the core's work on it."""
        for task in self._tasks:
            task.cancel()

    async def handle(self, interaction: discord.Interaction[Any], work: Awaitable[None]) -> None:
        """Run ``work`` (the core handling the command), making sure the interaction is answered."""
        pending = self._pending.setdefault(interaction.id, _Pending(interaction))
        token = _handling.set(pending)
        try:
            task = asyncio.ensure_future(work)  # the task copies the context, and with it ``pending``
        finally:
            _handling.reset(token)
        handling = asyncio.current_task()
        for started in (task, handling):
            if started is not None:
                self._tasks.add(started)
        task.add_done_callback(self._tasks.discard)
        try:
            done, _ = await asyncio.wait({task}, timeout=self._defer_after)
            if not done:
                async with pending.lock:
                    if not interaction.response.is_done():
                        await interaction.response.defer(ephemeral=True, thinking=True)
                        pending.deferred = True
                await task
            async with pending.lock:
                await self._finish(interaction, pending)
        finally:
            if not task.done():
                task.cancel()
            self._pending.pop(interaction.id, None)
            self._tasks.discard(handling)

    async def _finish(self, interaction: discord.Interaction[Any], pending: _Pending) -> None:
        """Close an interaction the core did not answer: invisibly if it posted publicly, else "Done."."""
        if pending.answered:
            return
        if pending.posted and not pending.deferred:
            await interaction.response.defer(ephemeral=True, thinking=True)
            pending.deferred = True
        if pending.deferred:
            await interaction.delete_original_response()
        elif not interaction.response.is_done():
            await interaction.response.send_message(self._acknowledgement, ephemeral=True)

    def replies_to_command(self, reply_to: str | None) -> bool:
        """Whether ``reply_to`` names the interaction being handled, which is no message to reply to."""
        pending = _handling.get()
        return pending is not None and reply_to == str(pending.interaction.id)

    async def answer_publicly(self, channel_id: int, rendered: Rendered) -> str | None:
        """Answer the interaction being handled with a public message, if it was used in ``channel_id`` and
        is still unanswered; returns the message id then, else None (send the message normally)."""
        pending = _handling.get()
        if pending is None or pending.interaction.channel_id != channel_id:
            return None
        interaction = pending.interaction
        async with pending.lock:
            if pending.answered or interaction.response.is_done():
                return None
            pending.answered = True
            callback = await interaction.response.send_message(rendered.content, embeds=rendered.embeds)
        return str(callback.message_id) if callback.message_id is not None else str(interaction.id)

    def posted_publicly(self) -> None:
        """Note that the core posted a message while handling the current interaction."""
        pending = _handling.get()
        if pending is not None:
            pending.posted = True

    async def respond(
        self, interaction: discord.Interaction[Any], content: Outgoing, view: discord.ui.View | None = None
    ) -> str | None:
        """Answer only the interaction's author, in as many messages as the text needs (``view`` goes on the
        last); the first one's id."""
        pending = self._pending.get(interaction.id) or _Pending(interaction)
        first: str | None = None
        async with pending.lock:
            pending.answered = True
            parts = render(content)
            for number, rendered in enumerate(parts, start=1):
                extra: dict[str, Any] = {"view": view} if view is not None and number == len(parts) else {}
                if content.files and number == len(parts):  # a member's data export arrives whole, as a file
                    extra["files"] = [discord.File(io.BytesIO(f.data), filename=f.filename) for f in content.files]
                if not interaction.response.is_done():
                    callback = await interaction.response.send_message(
                        rendered.content, embeds=rendered.embeds, ephemeral=True, **extra
                    )
                    sent = str(callback.message_id) if callback.message_id is not None else None
                else:
                    message = await interaction.followup.send(
                        rendered.content, embeds=rendered.embeds, ephemeral=True, wait=True, **extra
                    )
                    sent = str(message.id)
                first = first or sent
        return first
