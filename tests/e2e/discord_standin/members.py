"""What members of the stand-in's guild do: post, use commands, pin natively and react, as Discord relays it."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from tests.adapters.discord import interaction_payloads as ip
from tests.adapters.discord import payloads as p
from tests.e2e.discord_standin import rules
from tests.e2e.discord_standin.server import Interaction, StandIn

Payload = dict[str, Any]


@dataclass
class Members:
    """The guild's members acting through the stand-in; every action reaches the bot as gateway dispatches."""

    api: StandIn

    async def post(
        self, channel_id: str, content: str, *, who: p.Who = p.ALICE, reply_to: str | None = None
    ) -> Payload:
        """``who`` posts a message: it is stored and sent as MESSAGE_CREATE."""
        author = p.user(who[1], who[0])
        message = p.message(channel_id, content, author=author, reply_to=reply_to)
        self.api.add_message(message)
        await self.api.gateway.dispatch("MESSAGE_CREATE", message)
        return message

    async def command(
        self, name: str, options: list[Payload], *, who: p.Who = p.ALICE, channel: Payload | None = None
    ) -> Interaction:
        """``who`` uses a slash command; Discord offers only commands the bot has synced."""
        assert name in self.api.commands, f"Discord offers no /{name}: the bot never synced it"
        payload = ip.slash(name, options, channel=channel, who=who)
        payload["token"] = f"token-{payload['id']}"
        interaction = Interaction(payload, time.monotonic())
        self.api.interactions[interaction.id] = interaction
        await self.api.gateway.dispatch("INTERACTION_CREATE", payload)
        return interaction

    async def pin(self, channel_id: str, message_id: str, *, who: p.Who = p.BOB) -> None:
        """A native pin, sent as Discord does: MESSAGE_UPDATE (no pinner), CHANNEL_PINS_UPDATE, then the
        "pinned a message" system message naming who pinned."""
        assert self.api.may(who[1], channel_id, rules.MANAGE_MESSAGES), f"{who[0]} may not pin here"
        message = next(m for m in self.api.messages[channel_id] if m["id"] == message_id)
        message["pinned"] = True
        await self.api.gateway.dispatch("MESSAGE_UPDATE", dict(message))
        pins = {"guild_id": p.GUILD_ID, "channel_id": channel_id, "last_pin_timestamp": p.timestamp()}
        await self.api.gateway.dispatch("CHANNEL_PINS_UPDATE", pins)
        notice = p.message(channel_id, "", author=p.user(who[1], who[0]), message_type=6)
        notice["message_reference"] = {"type": 0, "message_id": message_id, "channel_id": channel_id,
                                       "guild_id": p.GUILD_ID}  # fmt: skip
        self.api.add_message(notice)
        await self.api.gateway.dispatch("MESSAGE_CREATE", notice)

    async def react(self, channel_id: str, message_id: str, emoji: str) -> None:
        """Alice reacts to a message."""
        await self.api.gateway.dispatch("MESSAGE_REACTION_ADD", p.reaction(message_id, channel_id, emoji))

    async def answers(self, interaction: Interaction, count: int = 1, within: float = 10.0) -> list[str]:
        """What the member saw in answer to ``interaction``, once there are ``count`` answers."""
        await self.api.until(lambda: len(interaction.answers) >= count, within)
        return interaction.contents

    async def bot_posts(self, channel_id: str, count: int = 1, within: float = 10.0) -> list[Payload]:
        """The bot's messages in a channel or thread, once there are ``count`` of them."""

        def posts() -> list[Payload]:
            return [m for m in self.api.messages.get(channel_id, []) if m["author"]["id"] == p.BOT_ID]

        await self.api.until(lambda: len(posts()) >= count, within)
        return posts()
