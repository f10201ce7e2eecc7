"""Knowledge base commands: /search, /solved, /kb show|edit|delete, /pin, /unpin and /share."""

from __future__ import annotations

import logging
import re

from copbot.commands.parse import tag_list
from copbot.commands.registry import UsageError, command
from copbot.commands.spec import SUBCOMMAND, Subcommand, entry, message, tags
from copbot.commands.spec import text as free_text
from copbot.conversations.threads import title_from
from copbot.core.adapter import Outgoing
from copbot.core.context import Context
from copbot.core.events import CommandInvoked
from copbot.core.roles import Role
from copbot.knowledge.capture import (
    CaptureRefused,
    announce,
    capture_thread,
    hashtags,
    sync_thread,
    thread_for_message,
    thread_place,
)
from copbot.knowledge.entries import EntryDraft, delete_entry, edit_entry, entry_tags, get_entry, save_entry
from copbot.knowledge.pins import pin, unpin
from copbot.knowledge.render import entry_text, hit_card
from copbot.knowledge.search.backend import search
from copbot.knowledge.search.filters import SearchFilters
from copbot.members import audit
from copbot.store import chat
from copbot.store.models import Member

log = logging.getLogger(__name__)

SEARCH_LIMIT = 5
URL = re.compile(r"https?://\S+")


@command(
    "search",
    description="Search the knowledge base (tags:a,b or #tag narrows it).",
    options=[
        free_text("query", "Words to look for", required=True),
        tags(description="Only entries with these topics"),
    ],
    examples=["kafka retention tags:ops"],
)
async def search_command(ctx: Context, cmd: CommandInvoked) -> None:
    """Show the best matching entries as cards."""
    text = cmd.options["query"]
    wanted = tuple(dict.fromkeys([*hashtags(text), *tag_list(cmd.options.get("tags"))]))
    async with ctx.services.sessions() as session:
        hits = await search(session, text, SearchFilters(tags=wanted), limit=SEARCH_LIMIT)
    if not hits:
        ask = ctx.adapter.command_text("ask")
        await ctx.reply(f"Nothing in the knowledge base matches “{title_from(text)}”. Try other words, or {ask} it.")
        return
    await ctx.reply(Outgoing.of(f"Knowledge base results for “{title_from(text)}”:", [hit_card(h) for h in hits]))


@command(
    "solved",
    description="Mark your question answered and save the thread (optionally naming the answer).",
    options=[message("answer", "Link or id of the answer (default: the last reply by someone else)")],
    examples=["", "https://discord.com/channels/1/2/3"],
)
async def solved_command(ctx: Context, cmd: CommandInvoked) -> None:
    """The asker (or a moderator) marks the thread answered; it becomes (or extends) an entry."""
    answer = cmd.options.get("answer")
    async with ctx.services.sessions.begin() as session:
        thread = None
        if ctx.place.thread is not None:
            thread = await sync_thread(ctx, session, ctx.place)
        elif answer is not None:
            thread = await thread_for_message(session, ctx.platform, answer)
            if thread is not None:
                await sync_thread(ctx, session, thread_place(thread))
        if thread is None:
            solved = ctx.adapter.command_text("solved")
            raise UsageError(f"Use {solved} inside the question's thread, or name the answer: {solved} MESSAGE.")
        asker = await session.get(Member, thread.asker_id) if thread.asker_id else None
        if asker is None or asker.external_id != cmd.author.id:
            action = "mark a question solved that they did not ask (the asker can)"
            if not await ctx.require(cmd.author, Role.MODERATOR, action):
                return
        if answer is not None and await thread_for_message(session, ctx.platform, answer) is None:
            raise UsageError(f"I don't know a message {answer!r} in this thread.")
        try:
            result = await capture_thread(ctx, session, thread, answer_ids=[answer] if answer else [], via="solved")
        except CaptureRefused as refusal:
            await ctx.tell_privately(str(refusal))
            return
    await announce(ctx, thread, result)


KB_EDIT_FIELDS = ("title", "tags", "summary")


@command(
    "kb",
    description="Show, edit or delete a knowledge base entry.",
    subcommands=[
        Subcommand("show", "Show a knowledge base entry", (entry(),)),
        Subcommand(
            "edit",
            "Change an entry's title, tags or summary",
            (
                entry(),
                free_text("title", "The new title", named=True),
                tags(description="The new tags, comma separated (they replace the old ones)"),
                free_text("summary", "The new summary", named=True),
            ),
            role=Role.EDITOR,
            action="edit knowledge base entries",
        ),
        Subcommand("delete", "Delete a knowledge base entry", (entry(),), Role.EDITOR, "delete knowledge base entries"),
    ],
    examples=["show kb12", "edit kb12 title:Rotating Kafka logs tags:kafka,ops"],
)
async def kb_command(ctx: Context, cmd: CommandInvoked) -> None:
    """Entry maintenance: anyone may show; editors may edit and delete (the dispatcher checks; audited)."""
    action, public_id = cmd.options[SUBCOMMAND], cmd.options["entry"]
    if action == "show":
        async with ctx.services.sessions() as session:
            found = await get_entry(session, public_id)
            if found is None:
                raise UsageError(f"There is no entry {public_id!r}.")
            await ctx.reply(entry_text(found, await entry_tags(session, found.id)))
        return
    async with ctx.services.sessions.begin() as session:
        if action == "delete":
            if not await delete_entry(session, public_id):
                raise UsageError(f"There is no entry {public_id!r}.")
            audit.record(session, ctx.platform, cmd.author, "kb.delete", public_id)
            said = f"Deleted entry {public_id}."
        else:
            changes = {name: cmd.options[name] for name in KB_EDIT_FIELDS if name in cmd.options}
            if not changes:
                raise UsageError("Name what to change: title:..., tags:a,b or summary:....")
            edited = await edit_entry(
                session,
                public_id,
                title=changes.get("title"),
                summary=changes.get("summary"),
                tags=tag_list(changes["tags"]) if "tags" in changes else None,
            )
            if edited is None:
                raise UsageError(f"There is no entry {public_id!r}.")
            fields = " ".join(f"{name}={value}" for name, value in changes.items())
            audit.record(session, ctx.platform, cmd.author, "kb.edit", public_id, fields)
            said = f"Updated entry {public_id}: {', '.join(sorted(changes))}."
    await ctx.reply(said)


@command(
    "pin",
    description="Save this thread (or a message) to the knowledge base.",
    options=[message("message", "Link or id of the message (default: this thread)")],
    role=Role.MODERATOR,
    action="pin threads into the knowledge base",
    menu="Add to knowledge base",
    examples=["", "https://matrix.to/#/!room:example.org/$event"],
)
async def pin_command(ctx: Context, cmd: CommandInvoked) -> None:
    """Capture the current thread, the named message's thread or reply chain, or the message alone."""
    message_id = cmd.options.get("message")
    async with ctx.services.sessions.begin() as session:
        try:
            thread, result = await pin(ctx, session, message_id)
        except CaptureRefused as refusal:
            raise UsageError(str(refusal)) from None
        audit.record(session, ctx.platform, cmd.author, "kb.pin", result.entry.public_id, message_id or "")
    await announce(ctx, thread, result)


@command(
    "unpin",
    description="Remove an entry a pin created.",
    options=[message("target", "Entry id, or link or id of the pinned message (default: this thread's entry)",
                     placeholder="ID")],
    role=Role.MODERATOR,
    action="unpin knowledge base entries",
    examples=["kb12"],
)  # fmt: skip
async def unpin_command(ctx: Context, cmd: CommandInvoked) -> None:
    """Undo a pin: the entry it created is removed."""
    ident = cmd.options.get("target")
    async with ctx.services.sessions.begin() as session:
        said = await unpin(ctx, session, ident)
        audit.record(session, ctx.platform, cmd.author, "kb.unpin", ident or ctx.place.key, said)
    await ctx.reply(said)


@command(
    "share",
    description="Share a link, file or snippet with the community.",
    options=[
        free_text("text", "What you share, with its link", required=True, placeholder="DESCRIPTION [URL]"),
        tags(),
    ],
    examples=["The rota template we use https://example.org/rota tags:rota,templates"],
)
async def share_command(ctx: Context, cmd: CommandInvoked) -> None:
    """A resource entry with a description, tags and attribution."""
    text = cmd.options["text"]
    url_match = URL.search(text)
    url = url_match.group() if url_match else None
    url = url or cmd.options.get("url") or cmd.options.get("attachment") or cmd.options.get("file")
    tags = list(dict.fromkeys([*hashtags(text), *tag_list(cmd.options.get("tags"))]))
    description = " ".join(URL.sub(" ", re.sub(r"(?<!\w)#[\w-]+", " ", text)).split())
    if not description:
        raise UsageError("Describe what you share, so others can find it.")
    async with ctx.services.sessions.begin() as session:
        member = await chat.get_or_create_member(session, ctx.platform, cmd.author)
        entry, _ = await save_entry(
            session,
            EntryDraft(
                title=title_from(description), question=text, tags=tags, kind="resource", solved=True,
                captured_via="share", source_platform=ctx.platform, source_room=ctx.place.room,
                source_url=ctx.adapter.message_url(ctx.place, cmd.id), resource_url=url, created_at=cmd.created_at,
                created_by_id=member.id, question_author_id=member.id, question_external_id=cmd.id,
                question_author_name=cmd.author.name,
            ),
        )  # fmt: skip
    await ctx.reply(f"Thanks, {cmd.author.name}! Shared as {entry.public_id}: {entry.title}.")
