"""Basic commands every community has: /help and /ask."""

from __future__ import annotations

from collections.abc import Sequence

from copbot.commands.parse import tag_list
from copbot.commands.registry import HELP_HEADER, command
from copbot.commands.spec import tags
from copbot.commands.spec import text as free_text
from copbot.conversations.threads import title_from
from copbot.conversations.tracking import track_message
from copbot.core.adapter import Card, Outgoing
from copbot.core.context import Context
from copbot.core.events import CommandInvoked, MessagePosted, Place
from copbot.knowledge.render import suggestion_cards

__all__ = ["HELP_HEADER", "ask_command", "help_command"]


@command(
    "help",
    description="List the commands and what they do.",
    options=[free_text("command", "A command to explain in detail, with examples")],
    private=True,
    examples=["", "search"],
)
async def help_command(ctx: Context, cmd: CommandInvoked) -> None:
    """Show every command with its usage, or one command in detail."""
    prefix = ctx.adapter.command_prefix
    book = ctx.registry
    said = book.help_text(prefix, cmd.options.get("command", "")) if book is not None else HELP_HEADER
    await ctx.tell_privately(said)


async def open_question_thread(ctx: Context, cmd: CommandInvoked, question: str, tags: Sequence[str] = ()) -> Place:
    """Use the current thread, or open one for the question; record the question (with ``tags`` as #tags, so a
    capture keeps them) as the thread's opening."""
    place = cmd.place
    if place.thread is None:
        opener = MessagePosted(
            id=cmd.id, place=place, author=cmd.author, text=question, created_at=cmd.created_at, raw=cmd.raw
        )
        place = await ctx.adapter.open_thread(opener, title_from(question) or "Question")
    missing = [tag for tag in tags if f"#{tag}".lower() not in question.lower()]
    root = MessagePosted(
        id=cmd.id,
        place=place,
        author=cmd.author,
        text=" ".join([question, *(f"#{tag}" for tag in missing)]),
        created_at=cmd.created_at,
        opens_thread=place.thread == cmd.id or cmd.place.thread is None,
    )
    async with ctx.services.sessions.begin() as session:
        tracked = await track_message(session, root)
        if tracked.thread is not None:
            tracked.thread.is_help_request = True
            tracked.thread.activity = tracked.thread.activity or "problem_solving"
            if tracked.thread.asker_id is None:
                tracked.thread.asker_id = tracked.author.id
    ctx.tracked = tracked
    return place


@command(
    "ask",
    description="Ask the community; I open a thread and suggest answered questions.",
    options=[free_text("question", "Your question", required=True), tags()],
    examples=["How do I rotate the Kafka logs? tags:kafka,ops"],
)
async def ask_command(ctx: Context, cmd: CommandInvoked) -> None:
    """Open (or use) a help thread, record the question with its tags, and say what happens next."""
    question = cmd.options["question"]
    place = await open_question_thread(ctx, cmd, question, tag_list(cmd.options.get("tags")))
    cards = await suggestions(ctx, question)
    solved = ctx.adapter.command_text("solved")
    if cards:
        text = (
            f"Question from {cmd.author.name}: {title_from(question)}\n"
            "These answered questions look related; if one solves it, say so here. "
            f"Otherwise anyone who knows can answer in this thread, and {solved} (or ✅ on the answer) saves it."
        )
    else:
        text = (
            f"Question from {cmd.author.name}: {title_from(question)}\n"
            "Nothing in the knowledge base answers this yet. Anyone who knows can answer in this thread. "
            f"When an answer helps, mark it with {solved} (or react ✅ to it): the thread is then saved "
            "to the knowledge base, so the next person who asks finds it."
        )
    await ctx.adapter.send(place, Outgoing.of(text, cards))


async def suggestions(ctx: Context, question: str) -> list[Card]:
    """Answered entries that match the question well enough (a coverage threshold, so not always any)."""
    settings = ctx.services.settings
    if not settings.activity.behaviour_for(ctx.place.room).suggest_entries:
        return []
    return await suggestion_cards(ctx.services.sessions, settings.knowledge, question)
