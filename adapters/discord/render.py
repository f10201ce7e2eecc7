"""Rendering of copbot's outgoing messages as Discord message content and embeds."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import discord

from copbot.core.adapter import Card, Outgoing
from copbot.core.text import safe_url

logger = logging.getLogger(__name__)

MAX_CONTENT = 2000
MAX_EMBEDS = 10
_MAX_TITLE = 256
_MAX_DESCRIPTION = 4096
_MAX_FOOTER = 2048
_ELLIPSIS = "…"


NO_MENTIONS = discord.AllowedMentions.none()
"""The bot's default: text it echoes (an ``/ask <@id>``, an ``@everyone`` in a title) never pings anyone."""
REPLY_MENTIONS = discord.AllowedMentions(everyone=False, users=False, roles=False, replied_user=True)
"""A reply pings only the member it answers (the asker, in their own thread)."""


@dataclass(frozen=True, slots=True)
class Rendered:
    """Message content and embeds ready for ``send``."""

    content: str
    embeds: list[discord.Embed]


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, ending in an ellipsis when cut."""
    if len(text) <= limit:
        return text
    return text[: limit - len(_ELLIPSIS)] + _ELLIPSIS


def clip_words(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters at a word boundary, ending in an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit - len(_ELLIPSIS) + 1)
    head = text[:cut] if cut > 0 else text[: limit - len(_ELLIPSIS)]
    return head.rstrip(" ,;:.-") + _ELLIPSIS


def card_embed(card: Card) -> discord.Embed:
    """One card as an embed whose title links to the card's url."""
    embed = discord.Embed(
        title=clip(card.title, _MAX_TITLE),
        url=safe_url(card.url),
        description=clip(card.description, _MAX_DESCRIPTION) or None,
    )
    if card.footer:
        embed.set_footer(text=clip(card.footer, _MAX_FOOTER))
    return embed


def split_text(text: str, limit: int = MAX_CONTENT) -> list[str]:
    """``text`` in parts of at most ``limit`` characters, cut at a line end, else a space, else anywhere."""
    parts: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit + 1)
        if cut <= 0:
            cut = rest.rfind(" ", 0, limit + 1)
        if cut <= 0:
            parts.append(rest[:limit])
            rest = rest[limit:]
            continue
        parts.append(rest[:cut])
        rest = rest[cut + 1 :]
    return [*parts, rest]


def render(content: Outgoing) -> list[Rendered]:
    """Messages for ``content``: text in parts that fit, ten cards as embeds of the last, more cards as text."""
    embeds = [card_embed(card) for card in content.cards[:MAX_EMBEDS]]
    text = content.text
    extra = content.cards[MAX_EMBEDS:]
    if extra:
        text = Outgoing(text=text, cards=extra).as_plain_text()
        logger.debug("Rendered %d cards beyond the embed limit as text", len(extra))
    parts = split_text(text)
    return [Rendered(part, embeds if number == len(parts) else []) for number, part in enumerate(parts, start=1)]
