"""/experts TOPIC: who has given accepted answers on a topic, naming only those who agreed to be suggested."""

from __future__ import annotations

from collections.abc import Callable

from copbot.commands.registry import command
from copbot.commands.spec import text
from copbot.core.context import Context
from copbot.core.events import CommandInvoked
from copbot.core.words import counted
from copbot.knowledge.experts import Answerers, answerers_for
from copbot.members.visibility import audience

EXPERTS_LIMIT = 5


def describe(topic: str, found: Answerers, platform: str, command_text: Callable[..., str]) -> str:
    """The answer to /experts: the opted-in experts, then how many others answered without opting in."""
    if not found.experts and not found.not_opted_in:
        return (
            f"Nobody has an accepted answer about {topic!r} yet. "
            f"Ask with {command_text('ask')}, and whoever answers can be suggested next time."
        )
    lines: list[str] = []
    if found.experts:
        lines.append(f"People with accepted answers about {topic!r}:")
        for expert in found.experts:
            where = f" (on {expert.platform})" if expert.platform != platform else ""
            lines.append(f"  {expert.name}{where}: {counted(expert.answers, 'accepted answer', 'accepted answers')}")
    else:
        lines.append(f"Nobody who answered about {topic!r} has opted in to being suggested.")
    if found.not_opted_in:
        lines.append(
            f"{counted(found.not_opted_in, 'more person', 'more people')} answered but "
            f"{'has' if found.not_opted_in == 1 else 'have'} not opted in to being suggested."
        )
    lines.append(f"To be suggested yourself: {command_text('privacy', 'suggest on')}.")
    return "\n".join(lines)


@command(
    "experts",
    description="Who has given accepted answers on a topic (only those who opted in).",
    options=[text("topic", "The topic", required=True, suggest_tags=True)],
    private=True,
    examples=["kafka"],
)
async def experts_command(ctx: Context, cmd: CommandInvoked) -> None:
    """Look up the members who answered on the topic and tell the asker privately."""
    topic = cmd.options["topic"]
    async with ctx.services.sessions() as session:
        found = await answerers_for(session, topic, EXPERTS_LIMIT, audience=audience(ctx))
    await ctx.tell_privately(describe(topic, found, ctx.platform, ctx.adapter.command_text))
