"""The copbot slash commands and message context menu as a discord.py CommandTree."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import discord
from discord import app_commands

logger = logging.getLogger(__name__)

CommandHandler = Callable[[discord.Interaction[Any]], Awaitable[None]]
"""What the tree calls for every slash or context-menu command; the adapter converts and dispatches."""
TagSource = Callable[[str], Awaitable[list[str]]]
"""Tag names matching what a member has typed so far, for autocomplete."""

MAX_CHOICES = 25
PRIVACY_CHOICES = [
    app_commands.Choice(name="Stop recording my activity", value="stop"),
    app_commands.Choice(name="Resume recording my activity", value="resume"),
    app_commands.Choice(name="Delete my data", value="delete"),
    app_commands.Choice(name="Export my data", value="export"),
    app_commands.Choice(name="Let /experts suggest me", value="suggest on"),
    app_commands.Choice(name="Stop /experts suggesting me", value="suggest off"),
]
"""The /privacy actions; each value is what the core's /privacy takes as its arguments."""
_CHOICE_LENGTH = 100


class CopbotTree(app_commands.CommandTree[Any]):
    """A CommandTree that logs command errors with copbot's logger and carries on."""

    async def on_error(self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError) -> None:
        command = interaction.command.qualified_name if interaction.command else "?"
        logger.error("Slash command %s failed", command, exc_info=error)


def tag_completer(
    tags: TagSource | None,
) -> Callable[[discord.Interaction[Any], str], Coroutine[Any, Any, list[app_commands.Choice[str]]]]:
    """Autocomplete for a comma-separated tags option: completes the last tag typed."""

    async def complete(interaction: discord.Interaction[Any], current: str) -> list[app_commands.Choice[str]]:
        if tags is None:
            return []
        done, _, partial = current.rpartition(",")
        prefix = f"{done}, " if done else ""
        names = await tags(partial.strip())
        choices = []
        for name in names[:MAX_CHOICES]:
            value = (prefix + name)[:_CHOICE_LENGTH]
            choices.append(app_commands.Choice(name=value, value=value))
        return choices

    return complete


def build_tree(client: discord.Client, handler: CommandHandler, tags: TagSource | None) -> CopbotTree:
    """The command tree with every copbot command, each passing its interaction to ``handler``."""
    tree = CopbotTree(client)
    complete = tag_completer(tags)

    @tree.command(name="ask", description="Ask the community a question; copbot opens a thread for it")
    @app_commands.describe(question="Your question", tags="Topics, comma separated")
    @app_commands.autocomplete(tags=complete)
    async def ask(interaction: discord.Interaction[Any], question: str, tags: str | None = None) -> None:
        await handler(interaction)

    @tree.command(name="share", description="Share a tip, link or resource with the community")
    @app_commands.describe(text="What you want to share", tags="Topics, comma separated")
    @app_commands.autocomplete(tags=complete)
    async def share(interaction: discord.Interaction[Any], text: str, tags: str | None = None) -> None:
        await handler(interaction)

    @tree.command(name="search", description="Search the knowledge base of answered questions")
    @app_commands.describe(query="Words to look for", tags="Only entries with these topics")
    @app_commands.autocomplete(tags=complete)
    async def search(interaction: discord.Interaction[Any], query: str, tags: str | None = None) -> None:
        await handler(interaction)

    @tree.command(name="solved", description="Mark this thread's question as solved")
    async def solved(interaction: discord.Interaction[Any]) -> None:
        await handler(interaction)

    @tree.command(name="pin", description="Add a message to the knowledge base")
    @app_commands.describe(message="Link or id of the message (default: this thread's question)")
    async def pin(interaction: discord.Interaction[Any], message: str | None = None) -> None:
        await handler(interaction)

    @tree.command(name="unpin", description="Remove an entry from the knowledge base")
    @app_commands.describe(entry="Id of the knowledge base entry")
    async def unpin(interaction: discord.Interaction[Any], entry: str) -> None:
        await handler(interaction)

    kb = app_commands.Group(name="kb", description="Look after knowledge base entries")

    @kb.command(name="show", description="Show a knowledge base entry")
    @app_commands.describe(entry="Id of the entry")
    async def kb_show(interaction: discord.Interaction[Any], entry: str) -> None:
        await handler(interaction)

    @kb.command(name="edit", description="Change the text of a knowledge base entry")
    @app_commands.describe(entry="Id of the entry", text="The new text")
    async def kb_edit(interaction: discord.Interaction[Any], entry: str, text: str) -> None:
        await handler(interaction)

    @kb.command(name="delete", description="Delete a knowledge base entry")
    @app_commands.describe(entry="Id of the entry")
    async def kb_delete(interaction: discord.Interaction[Any], entry: str) -> None:
        await handler(interaction)

    tree.add_command(kb)

    @tree.command(name="experts", description="Who has helped with a topic recently")
    @app_commands.describe(tag="The topic")
    @app_commands.autocomplete(tag=complete)
    async def experts(interaction: discord.Interaction[Any], tag: str) -> None:
        await handler(interaction)

    @tree.command(name="privacy", description="See what copbot keeps about you; stop, delete or export it")
    @app_commands.describe(action="What to do with your data (nothing: show your settings)")
    @app_commands.choices(action=PRIVACY_CHOICES)
    async def privacy(interaction: discord.Interaction[Any], action: app_commands.Choice[str] | None = None) -> None:
        await handler(interaction)

    @tree.command(name="help", description="What copbot can do and how to use it")
    async def help_(interaction: discord.Interaction[Any]) -> None:
        await handler(interaction)

    async def add_to_kb(interaction: discord.Interaction[Any], message: discord.Message) -> None:
        await handler(interaction)

    tree.add_command(app_commands.ContextMenu(name="Add to knowledge base", callback=add_to_kb))
    for command in tree.get_commands():
        command.guild_only = True
    return tree
