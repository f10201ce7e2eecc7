"""Basic commands every community has: /help and /ask."""

from __future__ import annotations

from copbot.commands.registry import command
from copbot.conversations.tracking import title_from, track_message
from copbot.core.adapter import Card, Outgoing
from copbot.core.context import Context
from copbot.core.events import CommandInvoked, MessagePosted, Place
from copbot.core.roles import Role
from copbot.knowledge.render import hit_card
from copbot.knowledge.search.backend import suggest

HELP_HEADER = "Commands (moderator-only ones are marked):"


@command("help", "/help", "List the commands and what they do.")
async def help_command(ctx: Context, cmd: CommandInvoked) -> None:
    """Show every command with its usage."""
    lines = [HELP_HEADER]
    for spec in ctx.registry.specs() if ctx.registry else []:
        marker = {Role.MODERATOR: " (moderators)", Role.EDITOR: " (editors)"}.get(spec.role, "")
        lines.append(f"  {spec.usage}{marker}: {spec.summary}")
    await ctx.tell_privately("\n".join(lines))


async def open_question_thread(ctx: Context, cmd: CommandInvoked, question: str) -> Place:
    """Use the current thread, or open one for the question."""
    if cmd.place.thread is not None:
        return cmd.place
    opener = MessagePosted(
        id=cmd.id, place=cmd.place, author=cmd.author, text=question, created_at=cmd.created_at, raw=cmd.raw
    )
    return await ctx.adapter.open_thread(opener, title_from(question) or "Question")


async def record_question(ctx: Context, cmd: CommandInvoked, place: Place, question: str, root_id: str) -> None:
    """Record the question as the opening of its thread, as message ``root_id``."""
    root = MessagePosted(
        id=root_id,
        place=place,
        author=cmd.author,
        text=question,
        created_at=cmd.created_at,
        opens_thread=place.thread == root_id or cmd.place.thread is None,
    )
    async with ctx.services.sessions.begin() as session:
        tracked = await track_message(session, root)
        if tracked.thread is not None:
            tracked.thread.is_help_request = True
            tracked.thread.activity = tracked.thread.activity or "problem_solving"
            if tracked.thread.asker_id is None:
                tracked.thread.asker_id = tracked.author.id
    ctx.notes["tracked"] = tracked


@command(
    "ask",
    "/ask QUESTION",
    "Ask the community; I open a thread and suggest answered questions.",
    needs_args=True,
)
async def ask_command(ctx: Context, cmd: CommandInvoked) -> None:
    """Open (or use) a help thread, show the whole question there, say what happens next, and record it.

    A thread opened for a command with no message of its own (a Discord slash command) starts at this
    message, so the question's links point at it."""
    question = cmd.args.strip()
    place = await open_question_thread(ctx, cmd, question)
    cards = await suggestions(ctx, question)
    if cards:
        text = (
            f"Question from {cmd.author.name}: {question}\n"
            "These answered questions look related; if one solves it, say so here. "
            "Otherwise anyone who knows can answer in this thread, and /solved (or ✅ on the answer) saves it."
        )
    else:
        text = (
            f"Question from {cmd.author.name}: {question}\n"
            "Nothing in the knowledge base answers this yet. Anyone who knows can answer in this thread. "
            "When an answer helps, mark it with /solved (or react ✅ to it): the thread is then saved "
            "to the knowledge base, so the next person who asks finds it."
        )
    sent = await ctx.adapter.send(place, Outgoing.of(text, cards))
    opened_apart = cmd.place.thread is None and place.thread not in (None, cmd.id)
    await record_question(ctx, cmd, place, question, sent.id if opened_apart else cmd.id)


async def suggestions(ctx: Context, question: str) -> list[Card]:
    """Answered entries that match the question well enough (a coverage threshold, so not always any)."""
    settings = ctx.services.settings
    if not settings.activity.behaviour_for(ctx.place.room).suggest_entries:
        return []
    async with ctx.services.sessions() as session:
        found = await suggest(
            session, question, limit=settings.knowledge.suggest_limit, min_score=settings.knowledge.suggest_min_score
        )
    return [hit_card(hit) for hit, _ in found]
