"""Builds the platform adapters the settings ask for: console, Discord, Matrix."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy import select

from copbot.adapters.ids import id_ledger
from copbot.commands.registry import CommandRegistry
from copbot.config.settings import Settings
from copbot.core.adapter import Adapter
from copbot.core.services import Services
from copbot.store.models import Tag

TAG_SUGGESTIONS = 25


def tag_source(services: Services) -> Callable[[str], Awaitable[list[str]]]:
    """Autocomplete for tag options: known tags starting with what was typed."""

    async def tags(prefix: str) -> list[str]:
        pattern = prefix.strip().lower().replace("%", "").replace("_", "") + "%"
        async with services.sessions() as session:
            rows = await session.scalars(
                select(Tag.name).where(Tag.name.like(pattern)).order_by(Tag.name).limit(TAG_SUGGESTIONS)
            )
            return list(rows)

    return tags


def build_platform_adapters(
    settings: Settings, services: Services, registry: CommandRegistry, *, console_announced: bool = False
) -> list[Adapter]:
    """The adapters the settings ask for; the console when no platform is enabled (its first line already printed
    when ``console_announced``)."""
    adapters: list[Adapter] = []
    if settings.console_enabled:
        from copbot.adapters.console import ConsoleAdapter

        console = settings.console
        adapters.append(
            ConsoleAdapter(
                user=console.user,
                room=console.room,
                moderators=console.moderators,
                command_prefix=console.command_prefix,
                ledger=id_ledger(services, "console"),
                announced=console_announced,
            )
        )
    if settings.discord.enabled and settings.discord.token is not None:
        from copbot.adapters.discord.adapter import DiscordAdapter

        shards = settings.discord.shards
        adapters.append(
            DiscordAdapter(
                settings.discord.token.resolve(),
                guild_ids=settings.discord.guild_ids,
                sharded=shards is not None,
                shard_count=shards if isinstance(shards, int) else None,
                tag_source=tag_source(services),
                commands=registry.specs(),
                solved_tag=settings.discord.solved_tag,
                clock=services.clock,
            )
        )
    if settings.matrix.enabled:
        from copbot.adapters.matrix.adapter import MatrixAdapter
        from copbot.store.state import DatabaseStateStore

        matrix = settings.matrix
        adapters.append(
            MatrixAdapter(
                matrix.homeserver,
                matrix.user_id,
                state=DatabaseStateStore(services.sessions),
                access_token=matrix.access_token.resolve() if matrix.access_token else None,
                password=matrix.password.resolve() if matrix.password and not matrix.access_token else None,
                device_name=matrix.device_name,
                allowed=[*matrix.allowed_rooms, *matrix.allowed_servers],
                command_prefix=matrix.command_prefix or settings.bot.command_prefix,
                command_names=registry.names(),
                bot_ids=matrix.ignore_users,
            )
        )
    return adapters
