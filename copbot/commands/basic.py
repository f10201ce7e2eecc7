"""Basic commands every community has: /help and /ask."""

from __future__ import annotations

from collections.abc import Sequence

from copbot.commands.parse import tag_list
from copbot.commands.registry import HELP_HEADER, command
from copbot.commands.spec import tags
from copbot.commands.spec import text as free_text
from copbot.conversations.threads import title_from
from copbot.conversations.tracking import track_message
from copbot.core.adapter import Outgoing
from copbot.core.context import Context
from copbot.core.events import CommandInvoked, MessagePosted, Place
from copbot.health import usage
from copbot.knowledge.render import hit_card, suggested_hits
from copbot.knowledge.search.filters import SearchHit

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


async def open_question_thread(ctx: Context, cmd: CommandInvoked, question: str) -> Place:
    """Use the current thread, or open one for the question."""
    if cmd.place.thread is not None:
        return cmd.place
    opener = MessagePosted(
        id=cmd.id, place=cmd.place, author=cmd.author, text=question, created_at=cmd.created_at, raw=cmd.raw
    )
    return await ctx.adapter.open_thread(opener, title_from(question) or "Question")


async def record_question(
    ctx: Context, cmd: CommandInvoked, place: Place, question: str, root_id: str, tags: Sequence[str] = ()
) -> None:
    """Record the question as the opening of its thread, as message ``root_id``, with ``tags`` as #tags (so a
    capture keeps them)."""
    missing = [tag for tag in tags if f"#{tag}".lower() not in question.lower()]
    root = MessagePosted(
        id=root_id,
        place=place,
        author=cmd.author,
        text=" ".join([question, *(f"#{tag}" for tag in missing)]),
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
    ctx.tracked = tracked


@command(
    "ask",
    description="Ask the community; I open a thread and suggest answered questions.",
    options=[free_text("question", "Your question", required=True), tags()],
    examples=["How do I rotate the Kafka logs? tags:kafka,ops"],
)
async def ask_command(ctx: Context, cmd: CommandInvoked) -> None:
    """Open (or use) a help thread, show the whole question there, say what happens next, and record it.

    A thread opened for a command with no message of its own (a Discord slash command) starts at this
    message, so the question's links point at it."""
    question = cmd.options["question"]
    place = await open_question_thread(ctx, cmd, question)
    cards = await suggestions(ctx, question)
    solved = ctx.adapter.command_text("solved")
    if cards:
        text = (
            f"Question from {cmd.author.name}: {question}\n"
            "These answered questions look related; if one solves it, say so here. "
            f"Otherwise anyone who knows can answer in this thread, and {solved} (or ✅ on the answer) saves it."
        )
    else:
        text = (
            f"Question from {cmd.author.name}: {question}\n"
            "Nothing in the knowledge base answers this yet. Anyone who knows can answer in this thread. "
            f"When an answer helps, mark it with {solved} (or react ✅ to it): the thread is then saved "
            "to the knowledge base, so the next person who asks finds it."
        )
    sent = await ctx.adapter.send(place, Outgoing.of(text, [hit_card(hit) for hit in cards]))
    opened_apart = cmd.place.thread is None and place.thread not in (None, cmd.id)
    root_id = sent.id if opened_apart else cmd.id
    await record_question(ctx, cmd, place, question, root_id, tag_list(cmd.options.get("tags")))
    if cards:
        tracked = ctx.tracked
        async with ctx.services.sessions.begin() as session:
            usage.record_suggestions(
                session, [hit.entry_id for hit in cards], at=ctx.services.clock.now(), platform=ctx.platform,
                room=place.room, thread_id=tracked.thread.id if tracked and tracked.thread else None,
                message_id=sent.id,
            )  # fmt: skip


async def suggestions(ctx: Context, question: str) -> list[SearchHit]:
    """Answered entries that match the question well enough (a coverage threshold, so not always any)."""
    settings = ctx.services.settings
    if not settings.activity.behaviour_for(ctx.place.room).suggest_entries:
        return []
    return await suggested_hits(ctx.services.sessions, settings.knowledge, question, ctx.place)
