"""Answering Discord interactions in time: defer when the core is slow, answer privately, acknowledge."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any

import discord

from copbot.adapter import Outgoing
from copbot.adapters.discord.render import render

logger = logging.getLogger(__name__)

DEFER_AFTER = 2.0
"""Seconds to wait for the core before deferring; Discord wants an answer within three."""


@dataclass(slots=True)
class _Pending:
    """What has been done so far to answer one interaction."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    deferred: bool = False
    answered: bool = False


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
        pending = self._pending.setdefault(interaction.id, _Pending())
        task = asyncio.ensure_future(work)
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
        """Close an interaction the core did not answer privately."""
        if pending.answered:
            return
        if pending.deferred:
            await interaction.delete_original_response()
        elif not interaction.response.is_done():
            await interaction.response.send_message(self._acknowledgement, ephemeral=True)

    async def respond(self, interaction: discord.Interaction[Any], content: Outgoing) -> str | None:
        """Answer only the interaction's author; returns the message id when Discord gives one."""
        pending = self._pending.get(interaction.id) or _Pending()
        rendered = render(content)
        async with pending.lock:
            pending.answered = True
            if not interaction.response.is_done():
                callback = await interaction.response.send_message(
                    rendered.content, embeds=rendered.embeds, ephemeral=True
                )
                return str(callback.message_id) if callback.message_id is not None else None
            message = await interaction.followup.send(
                rendered.content, embeds=rendered.embeds, ephemeral=True, wait=True
            )
            return str(message.id)
