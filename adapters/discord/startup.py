"""What must hold before copbot goes online on Discord, each failure said in one sentence an admin can act on."""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from typing import TypeVar

import discord

from copbot.config.errors import ConfigError

logger = logging.getLogger(__name__)

T = TypeVar("T")

BAD_TOKEN = (
    "Discord refused the bot token: copy a fresh one from the Developer Portal (your application, Bot, Reset Token) "
    "into the variable your config names for [discord] token."
)
NO_MESSAGE_CONTENT = (
    "The Message Content intent is switched off for this bot: turn on Bot, Privileged Gateway Intents, "
    "Message Content Intent in the Discord Developer Portal, then start copbot again."
)


def check_message_content(flags: discord.ApplicationFlags) -> None:
    """Refuse to go on when the portal has not granted the Message Content intent copbot reads messages with."""
    if not (flags.gateway_message_content or flags.gateway_message_content_limited):
        raise ConfigError(NO_MESSAGE_CONTENT)


async def explained(step: Awaitable[T]) -> T:
    """``step`` (logging in, or the gateway connection), with Discord's refusals turned into ConfigError."""
    try:
        return await step
    except discord.LoginFailure:
        raise ConfigError(BAD_TOKEN) from None
    except discord.PrivilegedIntentsRequired:
        raise ConfigError(NO_MESSAGE_CONTENT) from None
    except discord.ConnectionClosed as closed:
        if closed.code == 4004:
            raise ConfigError(BAD_TOKEN) from None
        raise


def intents() -> discord.Intents:
    """Only what copbot needs: guilds, guild messages and reactions, and message content."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.guild_messages = True
    wanted.guild_reactions = True
    wanted.message_content = True
    return wanted
