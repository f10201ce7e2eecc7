"""/privacy: see and change what copbot keeps about you, delete it, or export it."""

from __future__ import annotations

import json

from copbot.commands.registry import UsageError, command
from copbot.core.adapter import Outgoing, OutgoingFile
from copbot.core.context import Context
from copbot.core.events import CommandInvoked
from copbot.knowledge import member_data
from copbot.members import privacy

EXPORT_FILENAME = "copbot-my-data.json"
CHOICES = (
    "/privacy stop: stop capturing my messages into the knowledge base (and hide what was captured from search)\n"
    "/privacy resume: capture my messages again\n"
    "/privacy delete: delete everything of mine that was captured\n"
    "/privacy export: send me my data as JSON\n"
    "/privacy suggest on|off: may I be suggested as someone who knows a topic (/experts)?"
)


def _on_off(value: bool) -> str:
    return "yes" if value else "no"


async def _show(ctx: Context, cmd: CommandInvoked) -> None:
    async with ctx.services.sessions() as session:
        choices = await member_data.current_choices(session, ctx.platform, cmd.author)
    text = (
        "Your privacy settings:\n"
        f"  capturing your messages: {_on_off(not choices.capture_opt_out)}\n"
        f"  suggesting you as an expert: {_on_off(choices.suggest_opt_in)}\n"
        f"  stored: {choices.messages_stored} messages, {choices.entries} knowledge entries you took part in\n"
        f"Your choices:\n{CHOICES}"
    )
    await ctx.tell_privately(text)


async def _capture(ctx: Context, cmd: CommandInvoked, *, stop: bool) -> None:
    async with ctx.services.sessions.begin() as session:
        touched = await member_data.set_capture(session, ctx.platform, cmd.author, stop=stop)
    if stop:
        text = (
            "Done: I will not capture your messages into the knowledge base any more, and what was captured "
            f"of yours ({touched} entries) no longer shows in search. To remove it for good: /privacy delete. "
            "To undo: /privacy resume."
        )
    else:
        text = "Done: your messages can be captured into the knowledge base again, and show in search."
    await ctx.tell_privately(text)


async def _delete(ctx: Context, cmd: CommandInvoked) -> None:
    deletion = await member_data.forget(ctx.services.sessions, ctx.platform, cmd.author)
    text = (
        f"Deleted: your content in {deletion.entries} knowledge entries (entries you asked are gone entirely) "
        f"and the text of {deletion.messages} stored messages. "
        "New messages can still be captured; /privacy stop prevents that."
    )
    await ctx.tell_privately(text)


async def _export(ctx: Context, cmd: CommandInvoked) -> None:
    async with ctx.services.sessions() as session:
        data = await member_data.export_data(session, ctx.platform, cmd.author, ctx.services.clock.now())
    body = json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")
    attached = OutgoingFile(EXPORT_FILENAME, body, "application/json")
    text = f"Your data, everything I keep about you, is in the attached file {EXPORT_FILENAME} (JSON)."
    await ctx.tell_privately(Outgoing(text=text, files=(attached,)))


async def _suggest(ctx: Context, cmd: CommandInvoked, value: str) -> None:
    if value not in {"on", "off"}:
        raise UsageError("Say /privacy suggest on, or /privacy suggest off.")
    opt_in = value == "on"
    async with ctx.services.sessions.begin() as session:
        await privacy.set_suggest(session, ctx.platform, cmd.author, opt_in=opt_in)
    if opt_in:
        text = (
            "Done: /experts may suggest you for topics where your answers were accepted. /privacy suggest off undoes."
        )
    else:
        text = "Done: /experts will not name you."
    await ctx.tell_privately(text)


@command(
    "privacy",
    "/privacy [stop|resume|delete|export|suggest on|off]",
    "See and change what I keep about you; delete or export your data. Answers are private.",
)
async def privacy_command(ctx: Context, cmd: CommandInvoked) -> None:
    """Show the member's settings, or apply one choice."""
    words = (cmd.args or cmd.options.get("action", "")).lower().split()
    choice = words[0] if words else ""
    if choice == "":
        await _show(ctx, cmd)
    elif choice in {"stop", "resume"} and len(words) == 1:
        await _capture(ctx, cmd, stop=choice == "stop")
    elif choice == "delete" and len(words) == 1:
        await _delete(ctx, cmd)
    elif choice == "export" and len(words) == 1:
        await _export(ctx, cmd)
    elif choice == "suggest":
        await _suggest(ctx, cmd, words[1] if len(words) == 2 else "")
    else:
        raise UsageError(f"I don't know the privacy choice {' '.join(words)!r}. The choices:\n{CHOICES}")
