"""Knowledge base commands: /search, /solved, /kb show|edit|delete, /pin, /unpin and /share."""

from __future__ import annotations

import logging
import re
from dataclasses import replace

from copbot.commands.registry import UsageError, command
from copbot.conversations.tracking import title_from
from copbot.core.adapter import Outgoing
from copbot.core.context import Context
from copbot.core.events import CommandInvoked
from copbot.core.roles import Role
from copbot.knowledge.capture import (
    CaptureRefused,
    announce,
    capture_thread,
    hashtags,
    sentence,
    sync_thread,
    thread_for_message,
    thread_place,
)
from copbot.knowledge.entries import EntryDraft, delete_entry, edit_entry, entry_tags, get_entry, save_entry
from copbot.knowledge.pins import pin, unpin
from copbot.knowledge.render import entry_text, hit_card
from copbot.knowledge.search.backend import SearchFilters, search
from copbot.members import audit
from copbot.store import chat
from copbot.store.models import Member

log = logging.getLogger(__name__)

SEARCH_LIMIT = 5
URL = re.compile(r"https?://\S+")
EDIT_FIELD = re.compile(r"(?:^|\s)(title|tags|summary)=")


async def show_result(ctx: Context, result: Outgoing) -> None:
    """A result only the member sees, which they may post, where the platform and channel allow; else a reply."""
    behaviour = ctx.services.settings.activity.behaviour_for(ctx.place.room)
    if ctx.adapter.capabilities.share_private and behaviour.private_results:
        await ctx.tell_privately(replace(result, shareable=True))
    else:
        await ctx.reply(result)


@command("search", "/search QUERY", "Search the knowledge base (#tag narrows it).", needs_args=True)
async def search_command(ctx: Context, cmd: CommandInvoked) -> None:
    """Show the best matching entries as cards."""
    text = cmd.args.strip()
    tags = tuple(hashtags(text))
    async with ctx.services.sessions() as session:
        hits = await search(session, text, SearchFilters(tags=tags), limit=SEARCH_LIMIT)
    if not hits:
        await ctx.reply(f"Nothing in the knowledge base matches “{title_from(text)}”. Try other words, or /ask it.")
        return
    await show_result(
        ctx, Outgoing.of(f"Knowledge base results for “{title_from(text)}”:", [hit_card(h) for h in hits])
    )


@command(
    "solved", "/solved [MESSAGE_ID]", "Mark your question answered and save the thread (optionally naming the answer)."
)
async def solved_command(ctx: Context, cmd: CommandInvoked) -> None:
    """The asker (or a moderator) marks the thread answered; it becomes (or extends) an entry."""
    answer = cmd.args.strip() or cmd.target_message_id or None
    if answer is not None and " " in answer:
        raise UsageError("Give one message id, or nothing to accept the last reply.")
    async with ctx.services.sessions.begin() as session:
        thread = None
        if ctx.place.thread is not None:
            thread = await sync_thread(ctx, session, ctx.place)
        elif answer is not None:
            thread = await thread_for_message(session, ctx.platform, answer)
            if thread is not None:
                await sync_thread(ctx, session, thread_place(thread))
        if thread is None:
            raise UsageError("Use /solved inside the question's thread, or name the answer: /solved MESSAGE_ID.")
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


@command("kb", "/kb show ID | edit ID title=... tags=a,b summary=... | delete ID", "Show, edit or delete an entry.")
async def kb_command(ctx: Context, cmd: CommandInvoked) -> None:
    """Entry maintenance: anyone may show; editors may edit and delete (audited)."""
    action, _, rest = cmd.args.strip().partition(" ")
    public_id, _, fields = rest.strip().partition(" ")
    if action not in ("show", "edit", "delete") or not public_id:
        raise UsageError("Say what to do and with which entry, for example /kb show kb12.")
    if action == "show":
        async with ctx.services.sessions() as session:
            entry = await get_entry(session, public_id)
            if entry is None:
                raise UsageError(f"There is no entry {public_id!r}.")
            shown = Outgoing.of(entry_text(entry, await entry_tags(session, entry.id)))
        await show_result(ctx, shown)
        return
    if not await ctx.require(cmd.author, Role.EDITOR, f"{action} knowledge base entries"):
        return
    async with ctx.services.sessions.begin() as session:
        if action == "delete":
            if not await delete_entry(session, public_id):
                raise UsageError(f"There is no entry {public_id!r}.")
            audit.record(session, ctx.platform, cmd.author, "kb.delete", public_id)
            said = f"Deleted entry {public_id}."
        else:
            changes = parse_edit(fields)
            tags = changes.get("tags")
            entry = await edit_entry(
                session,
                public_id,
                title=changes.get("title"),
                summary=changes.get("summary"),
                tags=[t for t in re.split(r"[,\s]+", tags) if t] if tags is not None else None,
            )
            if entry is None:
                raise UsageError(f"There is no entry {public_id!r}.")
            audit.record(session, ctx.platform, cmd.author, "kb.edit", public_id, fields)
            said = f"Updated entry {public_id}: {', '.join(sorted(changes))}."
    await ctx.reply(said)


def parse_edit(fields: str) -> dict[str, str]:
    """``title=New title tags=a,b summary=...`` as a dict; values run until the next field name."""
    marks = list(EDIT_FIELD.finditer(fields))
    if not marks or fields[: marks[0].start()].strip():
        raise UsageError("Name what to change: title=..., tags=a,b or summary=....")
    changes: dict[str, str] = {}
    for mark, following in zip(marks, [*marks[1:], None], strict=True):
        end = following.start() if following is not None else len(fields)
        changes[mark.group(1)] = fields[mark.end() : end].strip().strip('"')
    if "title" in changes and not changes["title"]:
        raise UsageError("A title cannot be empty.")
    return changes


@command("pin", "/pin [MESSAGE_ID]", "Save this thread (or a message) to the knowledge base.", role=Role.MODERATOR,
         action="pin threads into the knowledge base")  # fmt: skip
async def pin_command(ctx: Context, cmd: CommandInvoked) -> None:
    """Capture the current thread, the named message's thread or reply chain, or the message alone."""
    message_id = cmd.args.strip() or cmd.target_message_id or None
    async with ctx.services.sessions.begin() as session:
        try:
            thread, result = await pin(ctx, session, message_id)
        except CaptureRefused as refusal:
            raise UsageError(str(refusal)) from None
        audit.record(session, ctx.platform, cmd.author, "kb.pin", result.entry.public_id, message_id or "")
    await announce(ctx, thread, result)


@command("unpin", "/unpin [ID]", "Remove an entry a pin created.", role=Role.MODERATOR,
         action="unpin knowledge base entries")  # fmt: skip
async def unpin_command(ctx: Context, cmd: CommandInvoked) -> None:
    """Undo a pin: the entry it created is removed."""
    ident = cmd.args.strip() or cmd.target_message_id or None
    async with ctx.services.sessions.begin() as session:
        said = await unpin(ctx, session, ident)
        audit.record(session, ctx.platform, cmd.author, "kb.unpin", ident or ctx.place.key, said)
    await ctx.reply(said)


@command(
    "share", "/share DESCRIPTION [URL] #tags", "Share a link, file or snippet with the community.", needs_args=True
)
async def share_command(ctx: Context, cmd: CommandInvoked) -> None:
    """A resource entry with a description, tags and attribution."""
    text = cmd.args.strip()
    url_match = URL.search(text)
    url = url_match.group() if url_match else None
    url = url or cmd.options.get("url") or cmd.options.get("attachment") or cmd.options.get("file")
    tags = hashtags(text)
    description = " ".join(URL.sub(" ", re.sub(r"(?<!\w)#[\w-]+", " ", text)).split())
    if not description:
        raise UsageError("Describe what you share, so others can find it.")
    source_url = ctx.adapter.message_url(ctx.place, cmd.id)
    async with ctx.services.sessions.begin() as session:
        member = await chat.get_or_create_member(session, ctx.platform, cmd.author)
        entry, _ = await save_entry(
            session,
            EntryDraft(
                title=title_from(description), question=text, tags=tags, kind="resource", solved=True,
                captured_via="share", source_platform=ctx.platform, source_room=ctx.place.room,
                source_url=source_url, resource_url=url, created_at=cmd.created_at,
                created_by_id=member.id, question_author_id=member.id, question_external_id=cmd.id,
                question_author_name=cmd.author.name,
            ),
        )  # fmt: skip
    sent = await ctx.reply(f"Thanks, {cmd.author.name}! Shared as {entry.public_id}: {sentence(entry.title)}")
    if source_url is None and sent.url is not None:
        # A command with no message of its own (a Discord slash command): the thanks is what the channel sees.
        async with ctx.services.sessions.begin() as session:
            shared = await get_entry(session, entry.public_id)
            if shared is not None:
                shared.source_url = sent.url
