"""/health: the community's health this week against the week before, privately, for moderators."""

from __future__ import annotations

import logging

from copbot.commands.registry import command
from copbot.core.context import Context
from copbot.core.events import CommandInvoked
from copbot.core.roles import Role
from copbot.health.report import weekly_summary
from copbot.prompts.kinds import health_gaps

log = logging.getLogger(__name__)


@command(
    "health",
    "/health [here]",
    "Community health this week: help, members, repository, prompts (private answer).",
    role=Role.MODERATOR,
    action="see the community's health figures",
)
async def health_command(ctx: Context, cmd: CommandInvoked) -> None:
    """Summarise the last 7 days against the 7 before; ``/health here`` covers only this channel."""
    room = ctx.place.room if cmd.args.strip().lower() == "here" else None
    now = ctx.services.clock.now()
    async with ctx.services.sessions() as session:
        gaps = await health_gaps(session, ctx.platform, now)
        text = await weekly_summary(session, now, ctx.services.settings.health, room, gaps)
    await ctx.tell_privately(text)
