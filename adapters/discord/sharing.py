"""The "Post to channel" button under a private answer the member may share, such as search results."""

from __future__ import annotations

import logging
from typing import Any

import discord

from copbot.adapters.discord.render import render
from copbot.core.adapter import Outgoing

logger = logging.getLogger(__name__)

POST_LABEL = "Post to channel"
BUTTON_LIFETIME = 15 * 60.0
"""Seconds the button works: as long as Discord lets the bot follow up on the interaction."""


class PostToChannel(discord.ui.View):
    """One button that posts ``content`` publicly where the private answer was given, once."""

    def __init__(self, content: Outgoing, *, timeout: float = BUTTON_LIFETIME) -> None:
        super().__init__(timeout=timeout)
        self.content = content
        button: discord.ui.Button[PostToChannel] = discord.ui.Button(
            label=POST_LABEL, style=discord.ButtonStyle.secondary
        )
        button.callback = self._post  # type: ignore[method-assign]
        self.add_item(button)

    async def _post(self, interaction: discord.Interaction[Any]) -> None:
        parts = render(self.content)
        await interaction.response.send_message(parts[0].content, embeds=parts[0].embeds)
        for rendered in parts[1:]:
            await interaction.followup.send(rendered.content, embeds=rendered.embeds)
        logger.info("%s posted a private answer to channel %s", interaction.user.id, interaction.channel_id)
        self.stop()
