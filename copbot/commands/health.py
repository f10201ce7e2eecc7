"""/health: the community's health this week against the week before, privately, for moderators."""

from __future__ import annotations

import logging

from copbot.commands.registry import command
from copbot.commands.spec import choice
from copbot.core.context import Context
from copbot.core.events import CommandInvoked
from copbot.core.roles import Role
from copbot.health.report import weekly_summary
from copbot.members.visibility import audience
from copbot.prompts.kinds import health_gaps

log = logging.getLogger(__name__)


@command(
    "health",
    description="Community health this week against the week before: help, members, repository, prompts.",
    options=[choice("scope", "Which part of the community (default: all of it)", [("here", "Only this channel")])],
    role=Role.MODERATOR,
    private=True,
    action="see the community's health figures",
    examples=["", "here"],
)
async def health_command(ctx: Context, cmd: CommandInvoked) -> None:
    """Summarise the last 7 days against the 7 before; ``/health here`` covers only this channel."""
    room = ctx.place.room if cmd.options.get("scope") == "here" else None
    now = ctx.services.clock.now()
    async with ctx.services.sessions() as session:
        gaps = await health_gaps(session, ctx.platform, now, audience(ctx))
        text = await weekly_summary(session, now, ctx.services.settings.health, room, gaps)
    await ctx.tell_privately(text)
