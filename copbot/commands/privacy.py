"""/privacy: see and change what copbot keeps about you, delete it, or export it."""

from __future__ import annotations

import json

from copbot.commands.registry import command
from copbot.commands.spec import Choice, choice
from copbot.core.adapter import Outgoing, OutgoingFile
from copbot.core.context import Context
from copbot.core.events import CommandInvoked
from copbot.core.words import counted
from copbot.knowledge import member_data
from copbot.members import privacy

EXPORT_FILENAME = "copbot-my-data.json"
ACTION = choice(
    "action",
    "What to do with your data (nothing: show your settings)",
    [
        ("stop", "Stop capturing my messages into the knowledge base (and hide what was captured from search)"),
        ("resume", "Capture my messages again"),
        ("delete", "Delete everything of mine that was captured"),
        ("export", "Send me my data as one JSON file"),
        ("suggest on", "Let me be suggested as someone who knows a topic"),
        ("suggest off", "Stop suggesting me as someone who knows a topic"),
        ("web off", "Keep everything of mine off the knowledge base's web pages"),
        ("web on", "Let my messages appear on the knowledge base's web pages again"),
    ],
)


def choices_text(ctx: Context) -> str:
    """The /privacy choices, one a line, written with the platform's prefix."""
    lines = (f"{_written(ctx, option)}: {option.label[0].lower()}{option.label[1:]}" for option in ACTION.choices)
    return "\n".join(lines)


def _written(ctx: Context, option: Choice) -> str:
    return ctx.adapter.command_text("privacy", option.value)


def _on_off(value: bool) -> str:
    return "yes" if value else "no"


async def _show(ctx: Context, cmd: CommandInvoked) -> None:
    async with ctx.services.sessions() as session:
        choices = await member_data.current_choices(session, ctx.platform, cmd.author)
    text = (
        "Your privacy settings:\n"
        f"  capturing your messages: {_on_off(not choices.capture_opt_out)}\n"
        f"  suggesting you as an expert: {_on_off(choices.suggest_opt_in)}\n"
        f"  showing your messages on the web pages: {_on_off(not choices.web_opt_out)}\n"
        f"  stored: {counted(choices.messages_stored, 'message', 'messages')}, "
        f"{counted(choices.entries, 'knowledge entry', 'knowledge entries')} you took part in\n"
        f"Your choices:\n{choices_text(ctx)}"
    )
    await ctx.tell_privately(text)


async def _capture(ctx: Context, cmd: CommandInvoked, *, stop: bool) -> None:
    async with ctx.services.sessions.begin() as session:
        touched = await member_data.set_capture(session, ctx.platform, cmd.author, stop=stop)
    if stop:
        text = (
            "Done: I will not capture your messages into the knowledge base any more, and what was captured "
            f"of yours ({counted(touched, 'entry', 'entries')}) no longer shows in search. "
            f"To remove it for good: {ctx.adapter.command_text('privacy', 'delete')}. "
            f"To undo: {ctx.adapter.command_text('privacy', 'resume')}."
        )
    else:
        text = "Done: your messages can be captured into the knowledge base again, and show in search."
    await ctx.tell_privately(text)


async def _delete(ctx: Context, cmd: CommandInvoked) -> None:
    deletion = await member_data.forget(ctx.services.sessions, ctx.platform, cmd.author)
    text = (
        f"Deleted: your content in {counted(deletion.entries, 'knowledge entry', 'knowledge entries')} (entries you "
        f"asked are gone entirely) and the text of {counted(deletion.messages, 'stored message', 'stored messages')}. "
        f"New messages can still be captured; {ctx.adapter.command_text('privacy', 'stop')} prevents that."
    )
    await ctx.tell_privately(text)


async def _export(ctx: Context, cmd: CommandInvoked) -> None:
    async with ctx.services.sessions() as session:
        data = await member_data.export_data(session, ctx.platform, cmd.author, ctx.services.clock.now())
    body = json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")
    attached = OutgoingFile(EXPORT_FILENAME, body, "application/json")
    text = f"Your data, everything I keep about you, is in the attached file {EXPORT_FILENAME} (JSON)."
    await ctx.tell_privately(Outgoing(text=text, files=(attached,)))


async def _suggest(ctx: Context, cmd: CommandInvoked, *, opt_in: bool) -> None:
    async with ctx.services.sessions.begin() as session:
        await privacy.set_suggest(session, ctx.platform, cmd.author, opt_in=opt_in)
    experts = ctx.adapter.command_text("experts")
    if opt_in:
        undo = ctx.adapter.command_text("privacy", "suggest off")
        text = f"Done: {experts} may suggest you for topics where your answers were accepted. {undo} undoes."
    else:
        text = f"Done: {experts} will not name you."
    await ctx.tell_privately(text)


async def _web(ctx: Context, cmd: CommandInvoked, *, off: bool) -> None:
    async with ctx.services.sessions.begin() as session:
        await privacy.set_web(session, ctx.platform, cmd.author, off=off)
    if off:
        undo = ctx.adapter.command_text("privacy", "web on")
        text = f"Done: nothing of yours appears on the web pages; entries you asked are gone from them. {undo} undoes."
    else:
        text = "Done: your messages may appear on the web pages of the published channels again."
    await ctx.tell_privately(text)


@command(
    "privacy",
    description="See and change what I keep about you; delete or export your data.",
    options=[ACTION],
    private=True,
    examples=["", "stop", "suggest on"],
)
async def privacy_command(ctx: Context, cmd: CommandInvoked) -> None:
    """Show the member's settings, or apply one choice."""
    match cmd.options.get("action", ""):
        case "":
            await _show(ctx, cmd)
        case "stop" | "resume" as picked:
            await _capture(ctx, cmd, stop=picked == "stop")
        case "delete":
            await _delete(ctx, cmd)
        case "export":
            await _export(ctx, cmd)
        case "suggest on" | "suggest off" as picked:
            await _suggest(ctx, cmd, opt_in=picked == "suggest on")
        case "web off" | "web on" as picked:
            await _web(ctx, cmd, off=picked == "web off")
