"""A chat command declared once: name, typed options, who may run it, and how it is written on every platform."""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from copbot.core.roles import Role

if TYPE_CHECKING:
    from copbot.core.context import Context
    from copbot.core.events import CommandInvoked

Handler = Callable[["Context", "CommandInvoked"], Awaitable[None]]
SUBCOMMAND = "subcommand"
"""The key of ``CommandInvoked.options`` that names the subcommand used (``/kb edit``: "edit")."""


class UsageError(Exception):
    """The command's arguments are wrong; the message says what, and the usage is shown with it."""


class Kind(enum.Enum):
    """What an option's value is, which decides how it is typed, completed and checked."""

    TEXT = "text"
    """Free text; a positional text option takes the rest of the line."""
    TAGS = "tags"
    """Tags, comma separated; known tags are offered as they are typed."""
    MESSAGE = "message"
    """A message: its link (Discord, Matrix or console) or its id."""
    ENTRY = "entry"
    """A knowledge base entry id such as kb12."""
    CHOICE = "choice"
    """One of fixed values."""


@dataclass(frozen=True, slots=True)
class Choice:
    """A fixed value of a choice option and how it is shown where a platform lists choices."""

    value: str
    label: str


@dataclass(frozen=True, slots=True)
class Option:
    """One typed input of a command.

    Positional options are typed in order after the command name; named ones as ``name:value`` or ``name=value``
    (any option may be written by name). On Discord every option is a slash-command field."""

    name: str
    kind: Kind
    description: str
    required: bool = False
    named: bool = False
    choices: tuple[Choice, ...] = ()
    placeholder: str = ""
    """How the usage line shows the value: QUESTION. Default: the name in capitals."""
    suggest_tags: bool = False
    """Offer known tags while typing (always true for TAGS)."""

    @property
    def completes_tags(self) -> bool:
        """Whether platforms with autocomplete offer known tags for this option."""
        return self.kind is Kind.TAGS or self.suggest_tags

    def usage(self) -> str:
        """This option in a usage line: ``QUESTION``, ``[tags:a,b]``, ``[stop|resume]``."""
        if self.kind is Kind.CHOICE and not self.named:
            shown = "|".join(choice.value for choice in self.choices)
        elif self.named:
            value = self.placeholder or ("a,b" if self.kind is Kind.TAGS else "...")
            shown = f"{self.name}:{value}"
        else:
            shown = self.placeholder or self.name.upper()
        return shown if self.required else f"[{shown}]"


def text(
    name: str,
    description: str,
    *,
    required: bool = False,
    named: bool = False,
    placeholder: str = "",
    suggest_tags: bool = False,
) -> Option:
    """A free-text option; ``named`` makes it ``name:value``, ``suggest_tags`` completes known tags."""
    return Option(name, Kind.TEXT, description, required, named, placeholder=placeholder, suggest_tags=suggest_tags)


def tags(name: str = "tags", description: str = "Topics, comma separated") -> Option:
    """An optional named tags option, written ``tags:a,b`` (``#tag`` in free text works too)."""
    return Option(name, Kind.TAGS, description, named=True)


def message(name: str, description: str, *, required: bool = False, placeholder: str = "MESSAGE") -> Option:
    """A message reference: a link to the message or its id."""
    return Option(name, Kind.MESSAGE, description, required, placeholder=placeholder)


def entry(name: str = "entry", description: str = "Id of the entry", *, required: bool = True) -> Option:
    """A knowledge base entry id."""
    return Option(name, Kind.ENTRY, description, required, placeholder="ID")


def choice(name: str, description: str, choices: Sequence[tuple[str, str]], *, required: bool = False) -> Option:
    """One of fixed ``(value, label)`` choices."""
    return Option(name, Kind.CHOICE, description, required, choices=tuple(Choice(v, label) for v, label in choices))


@dataclass(frozen=True, slots=True)
class Subcommand:
    """One form of a command with subcommands (``/kb show``), with its own options and role."""

    name: str
    description: str
    options: tuple[Option, ...] = ()
    role: Role = Role.MEMBER
    action: str = ""
    """How a refusal names the action: "edit knowledge base entries"."""


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """Everything the platforms need to offer, parse, check and explain one command."""

    name: str
    description: str
    options: tuple[Option, ...] = ()
    subcommands: tuple[Subcommand, ...] = ()
    role: Role = Role.MEMBER
    private: bool = False
    """The answer is seen only by the member who used the command, where the platform can do that."""
    examples: tuple[str, ...] = ()
    """Arguments as a member would type them, without the command: ("how do I rotate logs?",)."""
    action: str = ""
    """How a refusal names the action; default "use <the command>"."""
    menu: str = ""
    """The name of a message context-menu entry that runs this command on the message (Discord)."""
    written_usage: str = ""
    """A usage line written by hand with "/" (the older decorator form); generated from the options otherwise."""
    requires_input: bool = False
    handler: Handler | None = field(default=None, compare=False)

    @property
    def summary(self) -> str:
        """The one-line description (the older name)."""
        return self.description

    @property
    def needs_args(self) -> bool:
        """Whether the command does nothing useful without input."""
        return self.requires_input or bool(self.subcommands) or any(o.required for o in self.options)

    def subcommand(self, name: str) -> Subcommand | None:
        """The subcommand called ``name``."""
        return next((sub for sub in self.subcommands if sub.name == name.lower()), None)

    def role_for(self, subcommand: str | None) -> tuple[Role, str]:
        """The role needed for the command or one of its subcommands, and the refusal's action ("" for none)."""
        sub = self.subcommand(subcommand) if subcommand else None
        if sub is not None and sub.role > self.role:
            return sub.role, sub.action
        return self.role, self.action

    def usage_forms(self, prefix: str = "/") -> list[str]:
        """Every way to write the command, one per subcommand: ["/kb show ID", "/kb delete ID"]."""
        if self.written_usage:
            return [prefix + self.written_usage.removeprefix("/")]
        if self.subcommands:
            return [_joined(f"{prefix}{self.name} {sub.name}", sub.options) for sub in self.subcommands]
        return [_joined(f"{prefix}{self.name}", self.options)]

    def usage(self, prefix: str = "/") -> str:
        """The usage line: its forms joined by " | "."""
        return " | ".join(self.usage_forms(prefix))


def _joined(head: str, options: Sequence[Option]) -> str:
    ordered = [o for o in options if not o.named] + [o for o in options if o.named]
    return " ".join([head, *(option.usage() for option in ordered)])
