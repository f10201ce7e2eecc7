"""The Discord slash commands and message context menus, generated from copbot's command declarations."""

from __future__ import annotations

import inspect
import logging
import typing
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from typing import Any

import discord
from discord import app_commands

from copbot.commands.spec import CommandSpec, Kind, Option
from copbot.core.roles import Role

logger = logging.getLogger(__name__)

CommandHandler = Callable[[discord.Interaction[Any]], Awaitable[None]]
"""What the tree calls for every slash or context-menu command; the adapter converts and dispatches."""
TagSource = Callable[[str], Awaitable[list[str]]]
"""Tag names matching what a member has typed so far, for autocomplete."""
Completer = Callable[[discord.Interaction[Any], str], Coroutine[Any, Any, list[app_commands.Choice[str]]]]

MAX_CHOICES = 25
_CHOICE_LENGTH = 100
_DESCRIPTION_LENGTH = 100


def default_permissions(role: Role) -> discord.Permissions | None:
    """What Discord asks of a member before it even shows a command: "Manage Messages" above plain members
    (server admins can change this per command; copbot still checks its own roles when the command runs)."""
    return discord.Permissions(manage_messages=True) if role > Role.MEMBER else None


class CopbotTree(app_commands.CommandTree[Any]):
    """A CommandTree that logs command errors with copbot's logger and carries on."""

    async def on_error(self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError) -> None:
        command = interaction.command.qualified_name if interaction.command else "?"
        logger.error("Slash command %s failed", command, exc_info=error)


def tag_completer(tags: TagSource | None) -> Completer:
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


def _callback(name: str, options: Sequence[Option], handler: CommandHandler, complete: Completer) -> Any:
    """A callback whose signature has one string parameter per option, decorated as the options say."""

    async def callback(interaction: discord.Interaction[Any], **values: Any) -> None:
        await handler(interaction)

    parameters = [inspect.Parameter("interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Any)]
    for option in options:
        optional = typing.Optional[str]  # noqa: UP045 - discord.py reads this runtime annotation
        annotation, default = (str, inspect.Parameter.empty) if option.required else (optional, None)
        parameters.append(
            inspect.Parameter(option.name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default)
        )
    callback.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    callback.__qualname__ = callback.__name__ = f"copbot_{name}"
    if options:
        app_commands.describe(**{o.name: o.description[:_DESCRIPTION_LENGTH] for o in options})(callback)
    completed = {o.name: complete for o in options if o.completes_tags and o.kind is not Kind.CHOICE}
    if completed:
        app_commands.autocomplete(**completed)(callback)
    choices = {
        o.name: [app_commands.Choice(name=c.label[:_CHOICE_LENGTH], value=c.value) for c in o.choices]
        for o in options
        if o.kind is Kind.CHOICE
    }
    if choices:
        app_commands.choices(**choices)(callback)
    return callback


def _slash(spec: CommandSpec, handler: CommandHandler, complete: Completer) -> app_commands.Command[Any, ..., None]:
    callback = _callback(spec.name, spec.options, handler, complete)
    command: app_commands.Command[Any, ..., None] = app_commands.Command(
        name=spec.name, description=spec.description[:_DESCRIPTION_LENGTH], callback=callback
    )
    command.default_permissions = default_permissions(spec.role)
    return command


def _group(spec: CommandSpec, handler: CommandHandler, complete: Completer) -> app_commands.Group:
    group = app_commands.Group(
        name=spec.name,
        description=spec.description[:_DESCRIPTION_LENGTH],
        default_permissions=default_permissions(spec.role),
    )
    for sub in spec.subcommands:
        callback = _callback(f"{spec.name}_{sub.name}", sub.options, handler, complete)
        group.add_command(
            app_commands.Command(name=sub.name, description=sub.description[:_DESCRIPTION_LENGTH], callback=callback)
        )
    return group


def context_menus(commands: Sequence[CommandSpec]) -> Mapping[str, str]:
    """Context-menu names and the command each runs on its message."""
    return {spec.menu: spec.name for spec in commands if spec.menu}


def build_tree(
    client: discord.Client, handler: CommandHandler, tags: TagSource | None, commands: Sequence[CommandSpec]
) -> CopbotTree:
    """The command tree with every declared command, each passing its interaction to ``handler``."""
    tree = CopbotTree(client)
    complete = tag_completer(tags)
    for spec in commands:
        tree.add_command(_group(spec, handler, complete) if spec.subcommands else _slash(spec, handler, complete))
        if spec.menu:

            async def on_message(interaction: discord.Interaction[Any], message: discord.Message) -> None:
                await handler(interaction)

            menu = app_commands.ContextMenu(name=spec.menu, callback=on_message)
            menu.default_permissions = default_permissions(spec.role)
            tree.add_command(menu)
    for command in tree.get_commands():
        command.guild_only = True
    return tree
