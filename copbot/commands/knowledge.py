"""Knowledge base commands: /search, /solved, /kb show|edit|delete|review, /pin, /unpin and /share."""

from __future__ import annotations

import logging
import re
from dataclasses import replace

from copbot.commands.parse import tag_list
from copbot.commands.registry import UsageError, command
from copbot.commands.review import REVIEW, review
from copbot.commands.spec import SUBCOMMAND, Subcommand, entry, message, tags
from copbot.commands.spec import text as free_text
from copbot.conversations.threads import title_from
from copbot.core.adapter import Outgoing
from copbot.core.context import Context
from copbot.core.events import CommandInvoked
from copbot.core.roles import Role
from copbot.health import usage
from copbot.knowledge.capture import (
    AnswerUnclear,
    CaptureRefused,
    announce,
    capture_thread,
    hashtags,
    place_is_public,
    sentence,
    sync_thread,
    thread_for_message,
    thread_place,
)
from copbot.knowledge.entries import (
    EntryDraft,
    accepted_answers,
    delete_entry,
    edit_entry,
    entry_tags,
    get_entry,
    meant_public_id,
    save_entry,
    shown_entry,
)
from copbot.knowledge.pins import pin, unpin
from copbot.knowledge.render import entry_text, hit_card
from copbot.knowledge.search.backend import search
from copbot.knowledge.search.filters import SearchFilters
from copbot.members import audit
from copbot.members.visibility import audience
from copbot.store import chat
from copbot.store.models import Member
from copbot.web.site import web_page

log = logging.getLogger(__name__)

SEARCH_LIMIT = 5
PICK_SHOWN = 5
"""When unsure which reply answered, the newest this many are listed for the asker to pick from."""
URL = re.compile(r"https?://\S+")


async def show_result(ctx: Context, result: Outgoing) -> None:
    """A result only the member sees, which they may post, where the platform and channel allow; else a reply."""
    behaviour = ctx.services.settings.activity.behaviour_for(ctx.place.room)
    if ctx.adapter.capabilities.share_private and behaviour.private_results:
        await ctx.tell_privately(replace(result, shareable=True))
    else:
        await ctx.reply(result)


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
        hits = await search(session, text, SearchFilters(tags=wanted, audience=audience(ctx)), limit=SEARCH_LIMIT)
    if not hits:
        ask = ctx.adapter.command_text("ask")
        await ctx.reply(f"Nothing in the knowledge base matches “{title_from(text)}”. Try other words, or {ask} it.")
        return
    await show_result(
        ctx, Outgoing.of(f"Knowledge base results for “{title_from(text)}”:", [hit_card(h) for h in hits])
    )


@command(
    "solved",
    description="Mark your question answered and save the thread; naming an accepted answer again takes it back.",
    options=[message("answer", "Link or id of the answer (default: the reply that answered, as a person picks it)")],
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
        toggle = answer is not None and answer in await accepted_answers(session, thread)
        try:
            result = await capture_thread(
                ctx, session, thread, via="solved", ask_when_unsure=True,
                answer_ids=[answer] if answer and not toggle else [], remove_ids=[answer] if toggle and answer else [],
            )  # fmt: skip
        except CaptureRefused as refusal:
            await ctx.tell_privately(str(refusal))
            return
        except AnswerUnclear as unclear:
            await ask_to_pick(ctx, asker, unclear)
            return
    await announce(ctx, thread, result)


async def ask_to_pick(ctx: Context, asker: Member | None, unclear: AnswerUnclear) -> None:
    """Several replies could be the answer: ask the asker to mark theirs with one reaction."""
    emoji = ctx.services.settings.knowledge.solved_emojis[0] if ctx.services.settings.knowledge.solved_emojis else "✅"
    who = asker.display_name if asker is not None and asker.display_name else "The asker"
    lines = [f"{who}, which reply answered the question? React {emoji} to it and I will save the thread with it."]
    lines += [f"  {row.external_id}: {title_from(row.text)}" for row in unclear.candidates[-PICK_SHOWN:]]
    lines.append(f"Or say {ctx.adapter.command_text('solved')} MESSAGE.")
    await ctx.reply("\n".join(lines))


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
        REVIEW,
    ],
    examples=["show kb12", "edit kb12 title:Rotating Kafka logs tags:kafka,ops"],
)
async def kb_command(ctx: Context, cmd: CommandInvoked) -> None:
    """Entry maintenance: anyone may show; editors may edit and delete (the dispatcher checks; audited)."""
    if cmd.options[SUBCOMMAND] == "review":
        return await review(ctx, cmd)
    action, public_id = cmd.options[SUBCOMMAND], cmd.options["entry"]
    if action == "show":
        async with ctx.services.sessions.begin() as session:
            shown = await shown_entry(session, await meant_public_id(session, public_id), audience(ctx))
            if shown is None:
                raise UsageError(f"There is no entry {public_id!r}.")
            text = entry_text(shown[0], shown[1], await entry_tags(session, shown[0].id))
            page = web_page(ctx.services.settings.web, shown[0])
            text += f"\nOn the web: {page}" if page else ""
            entry_row, now = shown[0], ctx.services.clock.now()
            usage.record_view(session, entry_row.id, at=now, platform=ctx.platform, room=ctx.place.room)
        await show_result(ctx, Outgoing.of(text))
        return
    async with ctx.services.sessions.begin() as session:
        public_id = await meant_public_id(session, public_id)
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
    source_url = ctx.adapter.message_url(ctx.place, cmd.id)
    async with ctx.services.sessions.begin() as session:
        member = await chat.get_or_create_member(session, ctx.platform, cmd.author)
        entry, _ = await save_entry(
            session,
            EntryDraft(
                title=title_from(description), question=text, tags=tags, kind="resource", solved=True,
                captured_via="share", source_platform=ctx.platform, source_room=ctx.place.room,
                source_public=await place_is_public(ctx, ctx.place),
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
